"""Pulls through the sync use cases: paged bootstrap, scope, tombstones, schema versions."""

from __future__ import annotations

import dataclasses

from sqlmodel import Session

from enforcement.leads.sync_spec import LEAD_FIELDS, lead_spec
from enforcement.syncing import usecases as syncing
from enforcement.syncing.registry import REGISTRY, registry_for
from sync.merge import Owner
from sync.protocol import Status
from sync.spec import FieldSpec
from tests import factories
from tests.sync.conftest import create, delete, settle, update
from tests.sync.helpers import SETTINGS


def pull_all(db, principal, cursor=None, limit=100, schema_version=1, registry=REGISTRY):
    """Pull page after page; returns (upserts by id, deleted ids, final cursor, pages)."""
    upserts, deletes, pages, more = {}, [], 0, True
    while more:
        page = syncing.pull(db, principal, cursor, limit, schema_version, registry=registry)
        upserts |= {row["id"]: row for row in page.changes["lead"].upserts}
        deletes += page.changes["lead"].deletes
        cursor, more, pages = page.next_cursor, page.has_more, pages + 1
    return upserts, deletes, cursor, pages


def test_bootstrap_is_paged_and_limited_to_the_callers_scope(db, engine, world):
    with Session(engine) as session:
        mine = [factories.create_lead(session, world.assistant, world.village).id
                for _ in range(7)]
        theirs = factories.create_lead(session, world.other, world.village).id
        session.commit()
    settle(engine)

    upserts, deletes, _, pages = pull_all(db, world.phone_a, limit=3)
    assert sorted(upserts) == sorted(mine) and deletes == [] and pages == 3
    row = upserts[mine[0]]
    assert row["version"] == 1 and row["status"] == "submitted"
    assert row["point"] == {"lon": 108.305, "lat": 35.405, "datum": "wgs84", "accuracy_m": None}
    assert "amount_recovered" not in row  # assistants never see amounts

    court_view, _, _, _ = pull_all(db, world.bench)
    assert sorted(court_view) == sorted([*mine, theirs])
    assert court_view[theirs]["amount_recovered"] == "0.00"


def test_an_incremental_pull_brings_edits_and_tombstones_only(db, engine, world):
    a, bench = world.phone_a, world.bench
    kept, dropped = create(), create()
    syncing.push(db, SETTINGS, a, a.device_id, 1, [kept, dropped])
    settle(engine)
    _, _, cursor, _ = pull_all(db, a)

    syncing.push(db, SETTINGS, bench, bench.device_id, 1,
                 [update(kept.id, 1, case_id=world.case.id)])
    syncing.push(db, SETTINGS, a, a.device_id, 1, [delete(dropped.id, 1)])
    settle(engine)
    upserts, deletes, cursor, _ = pull_all(db, a, cursor)
    assert list(upserts) == [kept.id] and upserts[kept.id]["case_id"] == world.case.id
    assert deletes == [dropped.id]
    assert pull_all(db, a, cursor)[:2] == ({}, [])


def test_an_older_client_neither_gets_nor_writes_a_field_it_does_not_know(db, engine, world):
    newer = dataclasses.replace(
        lead_spec(SETTINGS),
        fields={**LEAD_FIELDS, "debtor_text": FieldSpec(Owner.CLIENT, since=2)})
    registry = dataclasses.replace(registry_for(SETTINGS), specs={"lead": newer})
    a = world.phone_a
    made = create(debtor_text="王某")
    old = syncing.push(db, SETTINGS, a, a.device_id, 1, [made], registry=registry)[0]
    assert old.status is Status.APPLIED and old.rejected_fields == {"debtor_text": "unknown_field"}
    syncing.push(db, SETTINGS, a, a.device_id, 2,
                 [update(made.id, 1, debtor_text="王某某")], registry=registry)
    settle(engine)
    assert "debtor_text" not in pull_all(db, a, registry=registry)[0][made.id]
    assert pull_all(db, a, schema_version=2, registry=registry)[0][made.id]["debtor_text"] == (
        "王某某")
