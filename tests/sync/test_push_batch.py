"""The batch path of a push (consecutive creates validated together and written with
multi-row INSERTs) answers and writes exactly what applying the mutations one by one does:
the same results, leads, transitions, feed rows, conflicts and audit entries."""

from __future__ import annotations

import dataclasses
import threading
import time
import uuid
from typing import Any

import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlmodel import Session

from enforcement.models import AuditEntry, Lead, LeadTransition
from enforcement.syncing import usecases as syncing
from enforcement.syncing.registry import registry_for
from sync import engine as sync_engine
from sync.protocol import Mutation, MutationResult, Op, Status
from sync.spec import Registry
from sync.tables import sync_change, sync_conflict, sync_receipt
from tests import factories
from tests.sync.conftest import create
from tests.sync.helpers import SETTINGS

COURT = registry_for(SETTINGS)
ONE_BY_ONE = dataclasses.replace(COURT, specs={
    table: dataclasses.replace(spec, create_many=None, existing=None)
    for table, spec in COURT.specs.items()})
"""The registry without ``create_many``: every mutation in its own savepoint."""

IN_GRID = (108.305, 35.405)
SKIPPED = {"created_at", "updated_at", "deleted_at", "point"}


def _state(session: Session, court_id: str) -> dict[str, Any]:
    """What a push leaves in the database, without the clock readings and random ids."""
    leads = [
        {**{k: v for k, v in row._mapping.items() if k not in SKIPPED},
         "deleted": row.deleted_at is not None, "point": row.wkt}
        for row in session.execute(
            sa.select(Lead.__table__, sa.func.ST_AsText(Lead.__table__.c.point).label("wkt"))
            .where(Lead.court_id == court_id).order_by(Lead.id))
    ]
    steps = sorted(session.execute(sa.select(
        LeadTransition.lead_id, LeadTransition.from_status, LeadTransition.to_status,
        LeadTransition.actor_id).where(LeadTransition.court_id == court_id)).all())
    feed = session.execute(sa.select(
        sync_change.c.table_name, sync_change.c.record_id, sync_change.c.op,
        sync_change.c.version, sync_change.c.village_grid_id).where(
        sync_change.c.court_id == court_id).order_by(sync_change.c.seq)).all()
    conflicts = sorted(session.execute(sa.select(
        sync_conflict.c.record_id, sync_conflict.c.field).where(
        sync_conflict.c.court_id == court_id)).all(), key=str)
    audit = sorted(session.execute(sa.select(
        AuditEntry.action, AuditEntry.subject_id).where(
        AuditEntry.court_id == court_id)).all())
    receipts = sorted(session.execute(sa.select(
        sync_receipt.c.mutation_id, sync_receipt.c.record_id).where(
        sync_receipt.c.court_id == court_id)).all())
    return {"leads": leads, "steps": steps, "feed": feed, "conflicts": conflicts,
            "audit": audit, "receipts": receipts}


def _timeless(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: v for k, v in value.items()
                if k not in ("created_at", "updated_at", "deleted_at")}
    return value


def _comparable(result: MutationResult) -> dict[str, Any]:
    body = result.to_json()
    body["conflicts"] = [{**c, "conflict_id": None, "server_value": _timeless(c["server_value"])}
                         for c in body["conflicts"]]
    body["server_values"] = _timeless(body["server_values"])
    return body


def _push_and_roll_back(db: Any, registry: Registry, who: Any,
                        mutations: list[Mutation]) -> tuple[list[dict[str, Any]], dict]:
    with db.unit_of_work() as session:
        results = sync_engine.push(session, registry, who, who.device_id, 2, mutations)
        session.flush()
        state = _state(session, who.court_id)
        session.rollback()
    return [_comparable(r) for r in results], state


@st.composite
def batches(draw: Any, ids: list[str], refs: dict[str, list[str | None]]) -> list[Mutation]:
    """Mostly creates, some of ids that exist (visible or not) or repeat in the batch, with
    good and bad references, points inside, outside and near each other (duplicates),
    missing kinds and impossible times; some updates, deletes and resent mutations."""
    out: list[Mutation] = []
    for _ in range(draw(st.integers(1, 10))):
        if out and draw(st.integers(0, 9)) == 0:
            out.append(draw(st.sampled_from(out)))  # the same mutation twice
            continue
        op = draw(st.sampled_from([Op.CREATE] * 6 + [Op.UPDATE, Op.DELETE]))
        record_id = draw(st.sampled_from(ids))
        fields: dict[str, Any] = {}
        if op is not Op.DELETE:
            if op is Op.UPDATE or draw(st.integers(0, 7)):
                fields["kind"] = draw(st.sampled_from(["vehicle", "debtor_seen"]))
            fields["description"] = draw(st.sampled_from(["三轮车", "白色面包车"]))
            fields["party_id"] = draw(st.sampled_from(refs["party"]))
            fields["case_id"] = draw(st.sampled_from(refs["case"]))
            where = draw(st.sampled_from(["in", "near", "out", "none"]))
            if where != "none":
                lon, lat = {"in": IN_GRID, "near": (108.3052, 35.4051),
                            "out": (108.5, 35.6)}[where]
                fields["point"] = {"lon": lon, "lat": lat, "datum": "wgs84"}
            if draw(st.integers(0, 9)) == 0:
                fields["observed_at"] = "1990-01-01T00:00:00Z"
        out.append(Mutation(uuid.uuid4().hex, "lead", op, record_id, fields,
                            1 if op is not Op.CREATE else None))
    return out


def test_a_batch_of_creates_writes_what_one_by_one_writes(db, engine, world):
    with Session(engine, expire_on_commit=False) as session:
        party = factories.create_party(session, world.court, world.village)
        court = world.court
        own = factories.create_lead(session, world.assistant, world.village,
                                    party_id=party.id)
        others = factories.create_lead(session, world.other, world.village)
        session.commit()
    ids = [own.id, others.id, *(str(uuid.uuid4()) for _ in range(5))]
    refs = {"party": [None, party.id, "no-such-party"],
            "case": [None, world.case.id, "no-such-case"]}
    assert court.id == world.phone_a.court_id

    @settings(max_examples=60, deadline=None,
              suppress_health_check=[HealthCheck.function_scoped_fixture,
                                     HealthCheck.too_slow])
    @given(batches(ids, refs))
    def same(mutations: list[Mutation]) -> None:
        batch = _push_and_roll_back(db, COURT, world.phone_a, mutations)
        single = _push_and_roll_back(db, ONE_BY_ONE, world.phone_a, mutations)
        assert batch[0] == single[0]
        for part in batch[1]:
            assert (part, batch[1][part]) == (part, single[1][part])

    same()


def test_creates_in_a_batch_are_placed_checked_and_marked_as_duplicates_of_each_other(
        db, engine, world):
    with Session(engine, expire_on_commit=False) as session:
        party = factories.create_party(session, world.court, world.village)
        session.commit()
    a = world.phone_a
    first = create(party_id=party.id)
    near = create(party_id=party.id, point={"lon": 108.3052, "lat": 35.4051,
                                            "datum": "wgs84"})
    outside = create(point={"lon": 108.5, "lat": 35.6, "datum": "wgs84"})
    no_kind = Mutation(uuid.uuid4().hex, "lead", Op.CREATE, str(uuid.uuid4()),
                       {"description": "没有类型"})
    bad_case = create(case_id="no-such-case")
    results = syncing.push(db, SETTINGS, a, a.device_id, 1,
                           [first, near, outside, no_kind, bad_case])
    assert [r.status for r in results] == [Status.APPLIED] * 3 + [Status.REJECTED] * 2
    assert [r.detail for r in results[3:]] == ["a lead needs a kind", "unknown references"]
    with Session(engine) as session:
        stored = {lead.id: lead for lead in session.scalars(sa.select(Lead).where(
            Lead.court_id == world.court.id))}
    assert set(stored) == {first.id, near.id, outside.id}
    assert stored[first.id].village_grid_id == world.village.id
    assert not stored[first.id].outside_grid
    assert stored[near.id].possible_duplicate_of_id == first.id
    assert stored[first.id].possible_duplicate_of_id is None
    assert stored[outside.id].outside_grid and stored[outside.id].nearest_grid_distance_m > 0
    assert stored[outside.id].village_grid_id == world.village.id


def _blocked_on_a_lock(engine: Any) -> bool:
    with engine.connect() as conn:
        return bool(conn.execute(sa.text(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND wait_event_type = 'Lock' AND application_name = 'gridwork'")).scalar_one())


def test_a_create_racing_another_devices_create_of_the_same_id_is_refused_alone(
        db, engine, world):
    """The batch INSERT hits the other transaction's row: the engine redoes the run one by
    one, so only the clashing mutation is refused and the rest of the batch applies."""
    clash = str(uuid.uuid4())
    other = engine.connect()
    rival = other.begin()
    other.execute(sa.insert(Lead.__table__).values(
        court_id=world.court.id, id=clash, author_id=world.other.id, kind="vehicle",
        description="", urgency="normal", status="submitted", amount_recovered=0,
        outside_grid=False, version=1, created_at=sa.func.now(), updated_at=sa.func.now()))
    batch = [create(), create(clash), create()]
    answer: list[list[MutationResult]] = []
    pushing = threading.Thread(target=lambda: answer.append(
        syncing.push(db, SETTINGS, world.phone_a, world.phone_a.device_id, 1, batch)))
    pushing.start()
    for _ in range(600):
        if _blocked_on_a_lock(engine):
            break
        time.sleep(0.05)
    rival.commit()
    other.close()
    pushing.join(60)
    results = answer[0]
    assert [r.status for r in results] == [Status.APPLIED, Status.REJECTED, Status.APPLIED]
    with Session(engine) as session:
        assert session.get(Lead, (world.court.id, clash)).author_id == world.other.id
        assert session.get(Lead, (world.court.id, batch[0].id)) is not None
        assert session.get(Lead, (world.court.id, batch[2].id)) is not None
