"""The real WatermelonDB library (LokiJS adapter, in Node) as two phones of one assistant,
against the real server over HTTP: offline edits on both, the same record edited on both
sides, several syncs; both phones and the server must end equal, nothing lost, and the
clash on the shared field kept as a conflict."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest
import requests
from sqlmodel import Session

from enforcement.models import Lead, Role, Sighting
from tests import factories

HERE = Path(__file__).parent
ROOT = HERE.parent.parent


@pytest.fixture(scope="session")
def watermelon_js() -> Path:
    """``npm ci`` of the pinned WatermelonDB, once (the Makefile step; a no-op when the
    installed lock matches)."""
    subprocess.run(["make", "-s", "watermelon-js"], cwd=ROOT, check=True, timeout=600)
    return HERE / "two_devices.js"


def _run_phones(script: Path, params: dict[str, Any]) -> dict[str, Any]:
    done = subprocess.run(["node", script.name], cwd=script.parent, capture_output=True,
                          text=True, timeout=300,
                          env={**os.environ, "GRIDWORK_WM": json.dumps(params)})
    assert done.returncode == 0, done.stderr[-4000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def _conflicts(base_url: str, judge: Any) -> list[dict[str, Any]]:
    login = requests.post(f"{base_url}/api/v1/auth/login", timeout=30, json={
        "username": judge.username, "password": factories.PASSWORD, "device_id": "bench-1"})
    token = login.json()["access_token"]
    listed = requests.get(f"{base_url}/api/v1/sync/conflicts", timeout=30,
                          headers={"Authorization": f"Bearer {token}"})
    assert listed.status_code == 200, listed.text
    return listed.json()


def test_two_watermelon_phones_converge_with_the_server(watermelon_js, live_server, engine):
    with Session(engine, expire_on_commit=False) as session:
        court = factories.create_court(session)
        village = factories.create_village(session, factories.create_township(session, court),
                                           108.30, 35.40)
        assistant = factories.create_user(session, court, Role.GRID_ASSISTANT)
        factories.assign_grid(session, assistant, village)
        judge = factories.create_user(session, court, Role.JUDGE)
        case_x = factories.create_case(session, court)
        case_y = factories.create_case(session, court)
        _, debtor = factories.create_debtor_case(session, court, village)
        session.commit()

    out = _run_phones(watermelon_js, {
        "base_url": live_server, "username": assistant.username,
        "password": factories.PASSWORD, "case_x": case_x.id, "case_y": case_y.id})
    ids, phones = out["ids"], out["devices"]
    assert all(len(i) == 16 for i in ids.values())  # WatermelonDB's own ids
    assert out["unsynced"] == {"a": False, "b": False}

    with Session(engine) as session:
        lead1 = session.get(Lead, (court.id, ids["lead1"]))
        lead2 = session.get(Lead, (court.id, ids["lead2"]))
        sighting = session.get(Sighting, (court.id, ids["sighting1"]))
        assert lead1 is not None and lead2 is not None and sighting is not None
        # Different fields edited on each phone: both survive. The same shared field: the
        # first push stays, the second is a conflict.
        assert lead1.description == "三轮车是蓝色的" and lead1.debtor_text == "张三明"
        assert lead1.case_id == case_x.id and lead1.village_grid_id == village.id
        assert lead1.datum == "gcj02" and lead1.reported_lon == 108.305
        assert sighting.confidence == 5 and sighting.notes == "在村口小卖部，骑蓝色三轮"
        assert lead2.deleted_at is not None
        server = {"lead": {lead1.id: lead1}, "sighting": {sighting.id: sighting}}

    for name, phone in phones.items():
        assert set(phone["lead"]) == {ids["lead1"]}, name  # lead2 withdrawn everywhere
        assert set(phone["sighting"]) == {ids["sighting1"]}, name
        for table, rows in server.items():
            for record_id, row in rows.items():
                local = phone[table][record_id]
                assert local["_status"] == "synced", (name, table)
                assert local["version"] == row.version, (name, table)
                for column in ("debtor_text", "case_id", "village_grid_id"):
                    assert local[column] == getattr(row, column), (name, table, column)
        assert phone["lead"][ids["lead1"]]["description"] == "三轮车是蓝色的"
        assert phone["sighting"][ids["sighting1"]]["confidence"] == 5
        assert set(phone["village_grid"]) == {village.id}
        assert set(phone["wanted"]) == {debtor.id}
        assert phone["wanted"][debtor.id]["name"] != debtor.name  # masked

    conflicts = _conflicts(live_server, judge)
    assert [(c["table"], c["record_id"], c["field"], c["server_value"], c["client_value"])
            for c in conflicts] == [("lead", ids["lead1"], "case_id", case_x.id, case_y.id)]
