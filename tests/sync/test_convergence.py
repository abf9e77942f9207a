"""Convergence under random offline work: two phones of one assistant and the court's
bench edit, delete, push (with lost answers and crashes half-way) and pull in any order.
At the end every phone holds exactly the server's state for its scope, every mutation has
exactly one receipt, and every clash is a stored conflict with the phone's value."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlmodel import Session

from enforcement.syncing import usecases as syncing
from sync.protocol import Mutation, Op, Status
from sync.tables import sync_conflict, sync_receipt
from tests import factories
from tests.sync.conftest import SyncWorld, settle
from tests.sync.helpers import SETTINGS


class Crash(Exception):
    pass


class Phone:
    """A device's local store: records by id, its cursor, and mutations made offline."""

    def __init__(self, who: Any) -> None:
        self.who = who
        self.records: dict[str, dict[str, Any]] = {}
        self.cursor: str | None = None
        self.queue: list[Mutation] = []
        self.sent: list[Mutation] = []

    def create(self, text: str) -> None:
        record_id = str(uuid.uuid4())
        fields = {"kind": "other", "description": text}
        self.queue.append(Mutation(uuid.uuid4().hex, "lead", Op.CREATE, record_id, fields))
        self.records[record_id] = {"id": record_id, "version": 1, **fields}

    def edit(self, record_id: str, name: str, value: Any) -> None:
        local = self.records[record_id]
        self.queue.append(Mutation(uuid.uuid4().hex, "lead", Op.UPDATE, record_id,
                                   {name: value}, local["version"], {name: local.get(name)}))
        local[name] = value

    def push(self, db: Any, crash_at: int | None, replay: bool) -> list:
        def crash(index: int, _result: Any) -> None:
            if index == crash_at:
                raise Crash

        if crash_at is not None and crash_at < len(self.queue):
            with pytest.raises(Crash):
                syncing.push(db, SETTINGS, self.who, self.who.device_id, 1, self.queue,
                             after_each=crash)
        results = syncing.push(db, SETTINGS, self.who, self.who.device_id, 1, self.queue)
        if replay:  # the answer was lost: the phone sends the batch again
            assert syncing.push(db, SETTINGS, self.who, self.who.device_id, 1,
                                self.queue) == results
        self.sent += self.queue
        self.queue = []
        return results

    def pull(self, db: Any) -> None:
        more = True
        while more:
            page = syncing.pull(db, self.who, self.cursor, 3, 1)
            for row in page.changes["lead"].upserts:
                self.records[row["id"]] = row
            for record_id in page.changes["lead"].deletes:
                self.records.pop(record_id, None)
            self.cursor, more = page.next_cursor, page.has_more


def bootstrap(db: Any, who: Any) -> dict[str, dict[str, Any]]:
    fresh = Phone(who)
    fresh.pull(db)
    return fresh.records


texts = st.sampled_from(["车在院里", "人在镇上", "新盖了房", "牛十头"])
actions = st.sampled_from(["create", "edit", "edit", "edit", "push", "push", "pull",
                           "bench_edit", "bench_edit", "bench_delete"])
steps = st.lists(st.tuples(
    actions,
    st.integers(0, 1), st.integers(0, 99), texts, st.sampled_from([None, 0, 1]),
    st.booleans()), min_size=15, max_size=40)


@settings(max_examples=20, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(script=steps)
def test_phones_converge_and_nothing_is_lost(db, engine, script):
    with Session(engine, expire_on_commit=False) as session:
        world = SyncWorld(session)
        # cases of debtors living in the grid: an assistant may link a lead only to a case
        # they may read (a link to another is refused, and the phone keeps its edit)
        cases = [factories.create_debtor_case(session, world.court, world.village)[0].id
                 for _ in range(2)]
        session.commit()
    phones = [Phone(world.phone_a), Phone(world.phone_b)]
    for action, which, pick, text, crash_at, replay in script:
        phone = phones[which]
        known = sorted(phone.records)
        if action == "create":
            phone.create(text)
        elif action == "edit" and known:
            name, value = (("description", text), ("urgency", "high"),
                           ("case_id", cases[pick % 2]))[pick % 3]
            phone.edit(known[pick % len(known)], name, value)
        elif action == "push":
            phone.push(db, crash_at, replay)
        elif action == "pull":
            settle(engine)
            phone.pull(db)
        elif action.startswith("bench_") and known:
            _bench(db, world, known[pick % len(known)], action, cases[pick % 2])
    for phone in phones:
        phone.push(db, None, False)
    settle(engine)
    truth = bootstrap(db, world.spare)
    for phone in phones:
        phone.pull(db)
        assert phone.records == truth
    _assert_nothing_lost(engine, world, [m for p in phones for m in p.sent])


def _bench(db: Any, world: SyncWorld, record_id: str, action: str, case_id: str) -> None:
    """The court edits a shared field or deletes the lead at its current version."""
    with Session(db.engine) as session:
        version = session.execute(sa.text("SELECT version FROM lead WHERE court_id = :c AND "
                                          "id = :i"), {"c": world.court.id, "i": record_id}
                                  ).scalar()
    if version is None:
        return
    op, fields = ((Op.DELETE, {}) if action == "bench_delete" else
                  (Op.UPDATE, {"case_id": case_id}))
    bench = world.bench
    syncing.push(db, SETTINGS, bench, bench.device_id, 1,
                 [Mutation(uuid.uuid4().hex, "lead", op, record_id, fields, version)])


def _assert_nothing_lost(engine: Any, world: SyncWorld, sent: list[Mutation]) -> None:
    with engine.connect() as conn:
        receipts = dict(conn.execute(sa.select(sync_receipt.c.mutation_id, sync_receipt.c.result)
                                     .where(sync_receipt.c.court_id == world.court.id)).all())
        conflicts = {(r.mutation_id, r.field): r.client_value for r in conn.execute(
            sa.select(sync_conflict).where(sync_conflict.c.court_id == world.court.id))}
    for mutation in sent:
        result = receipts[mutation.mutation_id]  # exactly one receipt per mutation (PK)
        assert result["status"] in {s.value for s in Status}
        for note in result["conflicts"]:
            assert (mutation.mutation_id, note["field"]) in conflicts
            if note["field"] is not None:
                assert conflicts[(mutation.mutation_id, note["field"])] == (
                    mutation.fields[note["field"]])
