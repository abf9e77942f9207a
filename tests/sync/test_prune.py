"""Pruning: ``flask sync prune`` removes tombstones, receipts and snapshots older than the
horizon once every active device has pulled past them, a dry run only counts, and a device
away longer than the horizon is told ``resync_required`` (and the reference client
bootstraps again) instead of silently missing a delete."""

from __future__ import annotations

from typing import Any

import pytest
import requests
import sqlalchemy as sa
from sqlmodel import Session

from enforcement.models import Role
from enforcement.syncing import usecases as syncing
from sync.tables import sync_change, sync_device_state, sync_receipt, sync_scope_snapshot
from tests import factories
from tests.sync.client_helpers import http_client, records
from tests.sync.conftest import settle

AGE = "interval '40 days'"


def _count(engine: Any, table: sa.Table, *where: Any) -> int:
    with engine.connect() as conn:
        return conn.execute(sa.select(sa.func.count()).select_from(table).where(*where)
                            ).scalar_one()


def _tombstones(engine: Any) -> int:
    return _count(engine, sync_change, sync_change.c.op == "delete")


def _age_everything(engine: Any, away_device: str) -> None:
    with engine.begin() as conn:
        conn.execute(sa.text(f"UPDATE sync_change SET changed_at = changed_at - {AGE}"))
        conn.execute(sa.text(f"UPDATE sync_receipt SET created_at = created_at - {AGE}"))
        conn.execute(sa.text(f"UPDATE sync_scope_snapshot SET created_at = created_at - {AGE}"))
        conn.execute(sa.text(f"UPDATE sync_device_state SET pulled_at = pulled_at - {AGE} "
                             "WHERE device_id = :d"), {"d": away_device})


@pytest.fixture
def people(engine: Any) -> dict[str, Any]:
    with Session(engine, expire_on_commit=False) as session:
        court = factories.create_court(session)
        village = factories.create_village(session, factories.create_township(session, court))
        assistant = factories.create_user(session, court, Role.GRID_ASSISTANT)
        judge = factories.create_user(session, court, Role.JUDGE)
        factories.assign_grid(session, assistant, village)
        session.commit()
    return {"assistant": assistant, "judge": judge}


def test_prune_waits_for_active_devices_and_sends_the_absent_back_to_bootstrap(
        live_server, engine, make_app, people, tmp_path):
    phone, away = (http_client(live_server, people["assistant"], tmp_path) for _ in range(2))
    bench = http_client(live_server, people["judge"], tmp_path)
    ids = [phone.create("lead", {"kind": "other", "description": f"#{i}"}) for i in range(4)]
    phone.sync()
    settle(engine)
    away.sync()
    bench.pull()
    for lead_id in ids[:2]:
        bench.delete("lead", lead_id)
    bench.sync()
    settle(engine)
    for device in (phone, bench):
        device.pull()
        device.pull()  # its cursor is now past both tombstones: confirmed by sending it
    bench.delete("lead", ids[2])  # a delete the phone has not confirmed yet
    bench.push()
    settle(engine)
    _age_everything(engine, away.device_id)
    receipts = _count(engine, sync_receipt)

    runner = make_app().test_cli_runner()
    dry = runner.invoke(args=["sync", "prune", "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "would prune" in dry.output and "2 tombstones" in dry.output
    assert _tombstones(engine) == 3 and _count(engine, sync_receipt) == receipts

    done = runner.invoke(args=["sync", "prune"])
    assert done.exit_code == 0, done.output
    assert "2 tombstones" in done.output and f"{receipts} receipts" in done.output
    assert _tombstones(engine) == 1  # the unconfirmed one waits for the phone
    assert _count(engine, sync_scope_snapshot, sync_scope_snapshot.c.digest.in_(
        sa.select(sync_device_state.c.issued_digest).where(
            sync_device_state.c.device_id == away.device_id))) == 0

    phone.pull()
    assert set(records(phone)) == {ids[3]}  # incremental: the phone is not sent back

    stale = {"Authorization": f"Bearer {away.store.get('access_token')}"}
    for language, title in (("zh-CN", "设备离线太久"), ("en", "away too long")):
        answer = requests.get(f"{live_server}/api/v1/sync/pull", timeout=30,
                              params={"cursor": away.store.get("cursor")},
                              headers={**stale, "Accept-Language": language})
        assert answer.status_code == 409
        assert answer.headers["Content-Type"].startswith("application/problem+json")
        assert answer.json()["code"] == "resync_required" and title in answer.json()["title"]
    stats = away.pull()
    assert stats.bootstrap and set(records(away)) == {ids[3]}


def test_a_horizon_under_a_day_is_refused(db):
    with pytest.raises(syncing.ValidationFailed):
        syncing.prune(db, 0)
