"""Real WatermelonDB phones (``app.js``: the library in Node, its LokiJS adapter on
IndexedDB, the schema from the server's schema endpoint, ``synchronize()`` as docs/sync.md
shows it) against the real server over HTTP. Each scenario is what people in the field do;
every one checks the phones against the database, and fails on any diagnostic WatermelonDB
prints."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from sqlmodel import Session

from enforcement.models import (
    Attachment,
    AttachmentRef,
    Lead,
    Role,
    RoundStatus,
    Sighting,
    TaskAnswer,
    Visit,
)
from sync.tables import sync_receipt
from tests import factories
from tests.sync.helpers import settle

HERE = Path(__file__).parent
ROOT = HERE.parent.parent
MIGRATION_NOTE = "log: [🍉] [Sync] Performing migration sync from 2 to 3"
"""WatermelonDB's own note that a migration sync runs (after an app update)."""


@pytest.fixture(scope="session")
def watermelon_js() -> Path:
    """``npm ci`` of the pinned WatermelonDB, once (the Makefile step; a no-op when the
    installed lock matches)."""
    subprocess.run(["make", "-s", "watermelon-js"], cwd=ROOT, check=True, timeout=600)
    return HERE / "scenarios.js"


@dataclass
class Field:
    court: Any
    village: Any
    assistant: Any
    judge: Any
    admin: Any
    case_x: Any
    case_y: Any
    debtor: Any
    task: Any


@pytest.fixture
def field(engine) -> Field:
    with Session(engine, expire_on_commit=False) as session:
        court = factories.create_court(session)
        village = factories.create_village(session, factories.create_township(session, court),
                                           108.30, 35.40)
        assistant = factories.create_user(session, court, Role.GRID_ASSISTANT)
        factories.assign_grid(session, assistant, village)
        judge = factories.create_user(session, court, Role.JUDGE)
        admin = factories.create_user(session, court, Role.ADMIN)
        case_x = factories.create_case(session, court, village_grid_id=village.id)
        case_y = factories.create_case(session, court, village_grid_id=village.id)
        _, debtor = factories.create_debtor_case(session, court, village,
                                                 village_grid_id=village.id)
        task = factories.create_task(session, judge, village)
        session.commit()
    return Field(court, village, assistant, judge, admin, case_x, case_y, debtor, task)


def run(script: Path, base_url: str, engine: sa.Engine, field: Field, scenario: str,
        **extra: Any) -> dict[str, Any]:
    """The scenario in Node, once everything the test wrote is below the pull horizon: a
    transaction of another test run may hold it back, and the phones would then get the
    test's records a sync later than the scenario expects."""
    settle(engine)
    params = {"base_url": base_url, "scenario": scenario, "password": factories.PASSWORD,
              "assistant": field.assistant.username, "judge": field.judge.username,
              "admin": field.admin.username, "case_x": field.case_x.id,
              "case_y": field.case_y.id, "task_id": field.task.id, **extra}
    done = subprocess.run(["node", script.name], cwd=script.parent, capture_output=True,
                          text=True, timeout=300,
                          env={**os.environ, "GRIDWORK_WM": json.dumps(params)})
    assert done.returncode == 0, done.stderr[-6000:]
    out = json.loads(done.stdout.strip().splitlines()[-1])
    assert out.pop("diagnostics") == [], "WatermelonDB printed warnings or errors"
    return out


def _ms_now() -> int:
    return round(time.time() * 1000)


def test_offline_creates_on_two_phones_arrive_whole(watermelon_js, live_server, engine, field):
    out = run(watermelon_js, live_server, engine, field, "offlineCreates")
    ids, phones = out["ids"], out["devices"]
    assert all(len(i) == 16 and i.isalnum() for i in ids.values())  # WatermelonDB's own ids
    # Every table the pull answers is declared by the app, and a new phone gets everything
    # under `created` (WatermelonDB calls an unknown `updated` record "a serious bug").
    assert out["first_pull_tables"] == out["declared_tables"]
    assert len(out["declared_tables"]) == 10
    for name in ("a", "b"):
        assert out["first_pulls"][name]["updated"] == 0
        assert out["first_pulls"][name]["created"] >= 5  # grid, township, wanted, task, cases
    with Session(engine) as session:
        lead1 = session.get(Lead, (field.court.id, ids["lead1"]))
        lead2 = session.get(Lead, (field.court.id, ids["lead2"]))
        sighting = session.get(Sighting, (field.court.id, ids["sighting"]))
        answer = session.get(TaskAnswer, (field.court.id, ids["answer"]))
        assert lead1 is not None and lead2 is not None
        assert sighting is not None and answer is not None
        # Columns the app never set arrived as null and got the REST create's defaults.
        assert str(lead1.urgency) == "normal" and lead2.debtor_text is None
        assert lead1.village_grid_id == field.village.id and lead1.datum == "gcj02"
        assert sighting.confidence == 3 and sighting.urgent is False  # as REST defaults them
        assert answer.task_id == field.task.id and answer.result == "done"
        rows = {"lead": [lead1, lead2], "sighting": [sighting], "task_answer": [answer]}
        for name, phone in phones.items():
            for table, records in rows.items():
                for row in records:
                    local = phone[table][row.id]
                    assert local["_status"] == "synced", (name, table)
                    assert local["version"] == row.version
                    # Timestamps are the numbers WatermelonDB's @date fields read.
                    assert local["created_at"] == round(row.created_at.timestamp() * 1000)
                    assert local["updated_at"] == round(row.updated_at.timestamp() * 1000)
            assert phone["lead"][lead1.id]["urgency"] == "normal"
            assert set(phone["village_grid"]) == {field.village.id}
            assert set(phone["wanted"]) == {field.debtor.id}
            assert phone["wanted"][field.debtor.id]["name"] != field.debtor.name  # masked
            assert set(phone["task"]) == {field.task.id}
            assert {field.case_x.id, field.case_y.id} <= set(phone["case"])
            seen_at = phone["sighting"][sighting.id]["seen_at"]
            assert isinstance(seen_at, int) and abs(seen_at - _ms_now()) < 2 * 3600 * 1000


def test_two_phones_edit_one_record_and_both_edits_survive(watermelon_js, live_server, engine,
                                                          field):
    out = run(watermelon_js, live_server, engine, field, "mergeFields")
    ids = out["ids"]
    with Session(engine) as session:
        lead = session.get(Lead, (field.court.id, ids["lead"]))
        sighting = session.get(Sighting, (field.court.id, ids["sighting"]))
        assert lead is not None and sighting is not None
        # Different fields on each phone: both kept. The same shared field: the first push
        # stays and the second is a conflict a person can see.
        assert lead.description == "三轮车是蓝色的" and lead.debtor_text == "张三明"
        assert lead.case_id == field.case_x.id
        assert lead.deleted_at is not None  # withdrawn from phone B, gone from phone A
        assert sighting.confidence == 5 and sighting.notes == "在村口小卖部，骑蓝色三轮"
        for name, phone in out["devices"].items():
            assert ids["lead"] not in phone["lead"], name
            local = phone["sighting"][sighting.id]
            assert local["_status"] == "synced" and local["version"] == sighting.version
            assert (local["confidence"], local["notes"]) == (5, sighting.notes)
    assert [(c["table"], c["record_id"], c["field"], c["server_value"], c["client_value"])
            for c in out["conflicts"]] == [("lead", ids["lead"], "case_id", field.case_x.id,
                                            field.case_y.id)]


def test_a_refused_record_stays_on_the_phone_until_fixed_or_discarded(
        watermelon_js, live_server, engine, field):
    out = run(watermelon_js, live_server, engine, field, "refusedCreate")
    ids = out["ids"]
    # Refused, both stay on the phone as created, unsynced; the good lead went through.
    assert out["refused_state"] == {"lead": "created", "sighting": "created",
                                    "kept": "synced", "unsynced": True}
    for listed in (out["listed_for_author"], out["listed_for_court"]):
        by_record = {r["record_id"]: r for r in listed}
        assert len(listed) == 2 and set(by_record) == {ids["lead"], ids["sighting"]}
        lead = by_record[ids["lead"]]
        assert lead["code"] == "implausible_time" and lead["status"] == "open"
        assert lead["table"] == "lead" and lead["op"] == "create"
        assert "time" in lead["message"].lower()  # the English title (Accept-Language: en)
        assert lead["mutation"]["fields"]["description"] == "院里停着一辆新三轮"
        # Sent by both syncs, listed once (the second is a retry of the same mutation
        # when nothing was committed in between, so not always a new attempt).
        assert lead["attempts"] in (1, 2)
        assert by_record[ids["sighting"]]["code"] == "validation_failed"
    assert out["discarded"]["status"] == "discarded"
    after = {r["record_id"]: r["status"] for r in out["after"]}
    assert after == {ids["lead"]: "fixed", ids["sighting"]: "discarded"}
    assert out["unsynced_after"] is False
    assert ids["sighting"] not in out["device"]["sighting"]
    with Session(engine) as session:
        lead = session.get(Lead, (field.court.id, ids["lead"]))
        assert lead is not None and lead.observed_at is not None
        assert session.get(Sighting, (field.court.id, ids["sighting"])) is None
        kept = session.execute(sa.select(sa.func.count()).select_from(sync_receipt).where(
            sync_receipt.c.court_id == field.court.id,
            sync_receipt.c.record_id == ids["sighting"])).scalar_one()
        assert kept >= 1  # the refused mutation is still in its receipt


def test_a_push_racing_a_court_edit_is_refused_then_merged(watermelon_js, live_server, engine,
                                                          field):
    out = run(watermelon_js, live_server, engine, field, "courtRace")
    # 409 sync_pull_first, then synchronize() again (once more while a busy server has not
    # yet handed out the court's edit: it waits for older transactions to end).
    assert out["refused_pushes"] >= 1
    with Session(engine) as session:
        lead = session.get(Lead, (field.court.id, out["ids"]["lead"]))
        assert lead is not None
        assert lead.description == "三轮车是蓝色的" and lead.case_id == field.case_x.id
        local = out["device"]["lead"][lead.id]
        assert local["version"] == lead.version and local["_status"] == "synced"


def test_a_hundred_offline_creates_on_each_phone_arrive_once(watermelon_js, live_server, engine,
                                                             field):
    out = run(watermelon_js, live_server, engine, field, "hundredEach")
    made = set(out["made"]["a"]) | set(out["made"]["b"])
    assert len(made) == 200
    with Session(engine) as session:
        stored = set(session.scalars(sa.select(Lead.id).where(
            Lead.court_id == field.court.id, Lead.deleted_at.is_(None))))
        assert stored == made
    for name in ("a", "b"):
        assert set(out["held"][name]) == made
        assert set(out["held"][name].values()) == {"synced"}


def test_a_phone_revoked_mid_sync_wipes_itself(watermelon_js, live_server, engine, field):
    out = run(watermelon_js, live_server, engine, field, "revoked")
    assert out["refused"]["status"] == 403
    assert out["refused"]["body"]["code"] == "device_revoked" and out["refused"]["body"]["wipe"]
    assert out["wiped"] is True
    assert out["before"]["lead"] == 1 and out["before"]["village_grid"] == 1
    assert set(out["after"].values()) == {0}
    with Session(engine) as session:  # the phone's unsent lead never reached the server
        assert session.scalars(sa.select(Lead.id).where(
            Lead.court_id == field.court.id)).all() == []


def test_an_app_updated_from_schema_2_to_3_keeps_its_data_and_unsent_work(
        watermelon_js, live_server, engine, field):
    out = run(watermelon_js, live_server, engine, field, "schemaUpgrade")
    assert MIGRATION_NOTE in out["notes"]
    ids = out["ids"]
    on_two = out["on_two"]  # what an app on schema 2 gets: ISO text, as before
    assert isinstance(on_two["observed_at"], str) and on_two["observed_at"].endswith("+00:00")
    migration = out["migration_pull"]
    assert migration["migration"]["from"] == 2
    assert migration["counts"]["updated"] >= 1  # the migration sync brings the tables whole
    local = out["device"]["lead"]
    with Session(engine) as session:
        lead = session.get(Lead, (field.court.id, ids["lead"]))
        draft = session.get(Lead, (field.court.id, ids["draft"]))
        assert lead is not None and draft is not None
        assert local[lead.id]["observed_at"] == round(lead.observed_at.timestamp() * 1000)
        assert local[lead.id]["created_at"] == round(lead.created_at.timestamp() * 1000)
        assert local[draft.id]["_status"] == "synced"



def test_an_officers_app_updated_from_schema_3_to_4_gets_its_stops_and_the_outlines(
        watermelon_js, live_server, engine, field):
    today = datetime.now(ZoneInfo("Asia/Shanghai")).date()
    with Session(engine, expire_on_commit=False) as session:
        officer = factories.create_user(session, field.court, Role.OFFICER)
        rnd = factories.create_round(session, officer, status=RoundStatus.LOCKED,
                                     starts_on=today, ends_on=today)
        team = factories.create_round_team(session, rnd, officer)
        stop = factories.create_round_target(
            session, rnd, team_id=team.id, day=today, seq=1, case_id=field.case_x.id,
            village_grid_id=field.village.id, point=factories.point(108.305, 35.405))
        session.commit()
    out = run(watermelon_js, live_server, engine, field, "officerUpgrade", officer=officer.username,
              round_id=rnd.id, stop_id=stop.id)
    assert "round_stop" not in out["on_three"]
    assert "Performing migration sync from 3 to 4" in " ".join(out["notes"])
    assert out["migration_pull"]["migration"]["from"] == 3
    migrated = out["migrated"]
    assert set(migrated["round_stop"]) == {stop.id}
    assert json.loads(migrated["village_grid"][field.village.id]["outline"])["type"] in (
        "Polygon", "MultiPolygon")
    assert out["stop"]["status"] == "revisit" and out["stop"]["_status"] == "synced"
    with Session(engine) as session:
        visit = session.get(Visit, (field.court.id, out["visit"]))
        assert visit is not None and visit.target_id == stop.id
        assert visit.officer_id == officer.id and visit.notes == "升级后走访"


def _photo(path: Path) -> bytes:
    """A real JPEG of about 5 MB (noise barely compresses)."""
    from PIL import Image

    Image.frombytes("RGB", (1600, 1600), os.urandom(1600 * 1600 * 3)).save(
        path, "JPEG", quality=100)
    return path.read_bytes()


def test_a_photo_goes_up_with_tus_js_client_through_two_dropped_connections(
        watermelon_js, live_server, engine, field, app, tmp_path, monkeypatch, http):
    monkeypatch.setitem(app.config, "ATTACHMENTS_DIR", str(tmp_path / "attachments"))
    photo = _photo(tmp_path / "seal.jpg")
    assert len(photo) >= 5_000_000
    sha = hashlib.sha256(photo).hexdigest()
    out = run(watermelon_js, live_server, engine, field, "photoOverBadSignal",
              photo=str(tmp_path / "seal.jpg"))

    sent = out["sent"]
    assert sent["sha256"] == sha
    assert len(out["cuts"]) == 2 and len(sent["retried"]) == 2
    requests = sent["requests"]
    assert (requests[0]["method"], requests[0]["status"]) == ("HEAD", 404)  # unknown: create
    assert (requests[1]["method"], requests[1]["status"]) == ("POST", 201)
    cut = [i for i, r in enumerate(requests) if "status" not in r]
    assert len(cut) == 2, requests
    for i in cut:  # each cut chunk: HEAD, then the same chunk again from the server's offset
        lost, head, resent = requests[i], requests[i + 1], requests[i + 2]
        assert lost["method"] == "PATCH" and lost["offset"] > 0
        assert (head["method"], head["status"], head["reached"]) == ("HEAD", 200, lost["offset"])
        assert (resent["method"], resent["offset"], resent["status"]) == (
            "PATCH", lost["offset"], 204)
    assert all(r["offset"] > 0 for r in requests if r["method"] == "PATCH")  # never from 0
    assert requests[-1]["reached"] == len(photo)

    stored = next((tmp_path / "attachments").rglob(sha))
    assert hashlib.sha256(stored.read_bytes()).hexdigest() == sha
    with Session(engine) as session:
        row = session.get(Attachment, (field.court.id, sha))
        assert row is not None and row.complete and row.file_name == "封条.jpg"
        refs = session.scalars(sa.select(AttachmentRef).where(
            AttachmentRef.record_id == out["lead"])).all()
        assert [(r.sha256, r.caption) for r in refs] == [(sha, "封条")]
    judge = http.post("/api/v1/auth/login", json={
        "username": field.judge.username, "password": factories.PASSWORD,
        "device_id": "judge-desk"}).json()["access_token"]
    download = http.get(f"/api/v1/attachments/{sha}",
                        headers={"Authorization": f"Bearer {judge}"})
    assert hashlib.sha256(download.content).hexdigest() == sha

    # The second phone asked once and sent nothing: the court already holds the photo.
    assert out["again"]["sha256"] == sha
    assert out["again"]["requests"] == [
        {"method": "HEAD", "offset": None, "status": 200, "reached": len(photo)}]
