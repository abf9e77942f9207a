"""The pull's cheap path (bench/profile-findings.md, finding 3): when a device's snapshot is
exactly its scope at the cursor, the pull neither loads the snapshot nor diffs the scope in
Python, and builds the next snapshot inside PostgreSQL. A device must not be able to tell:
every page, cursor included, is the one the full diff gives, over random scope moves.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlmodel import Session

from enforcement.errors import Conflict
from enforcement.models import GridAssignment, Lead, Role
from enforcement.syncing import usecases as syncing
from sync import engine as sync_engine
from sync import feed
from sync import scope as scope_mod
from sync.tables import sync_device_state, sync_scope_snapshot
from tests import factories
from tests.sync.conftest import settle
from tests.sync.test_evictions import (
    BY_GRID,
    Device,
    _assistant,
    _in_scope,
    _move,
    _world,
    moves,
)

keys = st.builds(lambda t, i: f"{t}:{i}", st.sampled_from(["lead", "wanted", "case", "任务"]),
                 st.text(st.characters(codec="utf-8", exclude_characters="\x00"),
                         min_size=1, max_size=12))


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(held=st.sets(keys, max_size=20),
       pages=st.lists(st.tuples(st.sets(keys, max_size=8), st.sets(keys, max_size=8)),
                      min_size=1, max_size=10),
       depth=st.integers(1, 4), probe=st.sets(keys, max_size=6), ratio=st.integers(1, 3))
def test_a_chain_of_snapshots_holds_what_whole_ones_would(engine, monkeypatch, held, pages,
                                                          depth, probe, ratio):
    """Pages extend a snapshot as deltas or whole again (short chains forced here): every
    snapshot of the chain loads as exactly the keys whole snapshots held before, a whole
    one is named as Python names its content, a retried page finds its snapshot, and the
    membership ``confirmed`` asks about is the same, whatever the characters (and however
    long a chain may grow against its whole snapshot)."""
    monkeypatch.setattr(scope_mod, "MAX_DEPTH", depth)
    monkeypatch.setattr(scope_mod, "CHAIN_RATIO", ratio)
    court = _court(engine)
    with Session(engine) as session:
        names = [scope_mod.store(session, court, "user-1", "phone-1", held)]
        expected = [set(held)]
        for added, removed in pages:
            name = scope_mod.extend(session, court, "user-1", "phone-1", names[-1], added,
                                    removed)
            assert scope_mod.extend(session, court, "user-1", "phone-1", names[-1], added,
                                    removed) == name
            names.append(name)
            expected.append((expected[-1] | added) - removed)
        s = sync_scope_snapshot.c
        whole = set(session.execute(sa.select(s.digest).where(
            s.court_id == court, s.base_digest.is_(None))).scalars())
        for name, keys_held in zip(names, expected, strict=True):
            assert scope_mod.load(session, court, "user-1", name) == keys_held
            if name in whole:
                assert name == scope_mod.digest("user-1", "phone-1", keys_held)
            verification = scope_mod.Verification(True, "", None, frozenset(probe))
            assert scope_mod.confirmed(session, court, "user-1", name, verification,
                                       set()) == (not probe & keys_held)
        session.rollback()


def test_extending_a_snapshot_that_is_gone_asks_for_a_bootstrap(engine):
    court = _court(engine)
    with Session(engine) as session, pytest.raises(scope_mod.ResyncRequired):
        scope_mod.extend(session, court, "user-1", "phone-1", "0" * 32, {"lead:a"}, set())


def test_a_delta_snapshot_is_compared_with_the_scope_by_what_it_holds(db, engine,
                                                                      monkeypatch):
    """Without a verification to trust, the digest of the scope decides: for a snapshot
    stored as a delta it is compared with the digest of the keys the chain holds, so an
    unmoved scope still takes the cheap path and a moved one still the full diff."""
    court, villages, leads = _world(engine, 2, 6)
    phone = Device(_assistant(engine, court, villages[0]))
    settle(engine)
    phone.sync(db, limit=3)  # two pages: the second's snapshot is a delta on the first's
    assert phone.held == set(leads[0])
    s = sync_scope_snapshot.c
    with engine.connect() as conn:
        depth = conn.execute(sa.select(s.depth).where(
            s.digest == feed.decode_pull_cursor(phone.cursor)[1])).scalar_one()
    assert depth == 1
    real_check, answers = scope_mod.checked, []

    def never_verified(*args: Any) -> scope_mod.Verification:
        return dataclasses.replace(real_check(*args), still=False)

    def noted(*args: Any) -> bool:
        answers.append(real_unchanged(*args))
        return answers[-1]

    real_unchanged = scope_mod.unchanged
    monkeypatch.setattr(scope_mod, "checked", never_verified)
    monkeypatch.setattr(scope_mod, "unchanged", noted)
    phone.sync(db)
    assert answers == [True] and (phone.delivered, phone.evicted) == (0, set())
    _move(engine, phone.who.user_id, court.id, villages[1].id)
    phone.sync(db)
    assert answers[1] is False and phone.held == set(leads[1])
    assert phone.evicted == set(leads[0])


def test_an_up_to_date_pull_writes_nothing(db, engine):
    """A phone polling with nothing new leaves the database as it was: no snapshot, no
    device row rewritten (its commit need not wait for the disk)."""
    court, villages, leads = _world(engine, 1, 3)
    phone = Device(_assistant(engine, court, villages[0]))
    settle(engine)
    phone.sync(db)
    phone.sync(db)  # confirms the bootstrap's cursor: that is a write
    before = _rows(engine)
    for _ in range(3):
        phone.sync(db)
        assert (phone.delivered, phone.evicted, phone.held) == (0, set(), set(leads[0]))
    assert _rows(engine) == before


def test_a_held_record_moved_out_of_scope_leaves_an_up_to_date_phone(db, engine):
    """A phone polling with nothing new is answered from the pull's first statement; a
    record it holds that another writer moved out of its scope (no feed row left in
    scope, no scope input written: only the record itself) is still evicted on the next
    poll, and one written but still held in scope is not."""
    court, villages, leads = _world(engine, 2, 3)
    phone = Device(_assistant(engine, court, villages[0]))
    settle(engine)
    for _ in range(3):  # the bootstrap, its cursor confirmed, then up to date
        phone.sync(db)
    assert phone.held == set(leads[0])
    with Session(engine) as session:
        session.execute(sa.update(Lead).where(Lead.court_id == court.id, Lead.id == leads[0][0])
                        .values(village_grid_id=villages[1].id, version=Lead.version + 1))
        session.commit()
    settle(engine)
    phone.sync(db)
    assert phone.evicted == {leads[0][0]} and phone.held == set(leads[0][1:])
    for _ in range(2):
        phone.sync(db)
        assert (phone.delivered, phone.evicted) == (0, set())


def test_a_stale_pulled_at_is_still_refreshed(db, engine):
    """Pruning needs to know the device is alive: an idle device's pull an hour after the
    last one still notes it."""
    court, villages, _leads = _world(engine, 1, 1)
    phone = Device(_assistant(engine, court, villages[0]))
    settle(engine)
    phone.sync(db)
    d = sync_device_state.c
    with engine.begin() as conn:
        conn.execute(sa.update(sync_device_state).values(
            pulled_at=sa.func.now() - sa.text("interval '1 hour'")))
    phone.sync(db)
    with engine.connect() as conn:
        age = conn.execute(sa.select(sa.func.now() - d.pulled_at)).scalar_one()
    assert age.total_seconds() < 60


def test_a_snapshot_dropped_meanwhile_still_asks_for_a_bootstrap(db, engine):
    court, villages, _leads = _world(engine, 1, 2)
    phone = Device(_assistant(engine, court, villages[0]))
    settle(engine)
    phone.sync(db)
    with engine.begin() as conn:
        conn.execute(sa.delete(sync_scope_snapshot))
    with pytest.raises(Conflict) as refused:
        syncing.pull(db, phone.who, phone.cursor, 50, 1, registry=BY_GRID)
    assert refused.value.code == "resync_required"


@settings(max_examples=15, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(script=moves, depth=st.integers(1, 6), ratio=st.integers(1, 3))
def test_every_page_is_the_one_the_full_diff_gives(db, engine, monkeypatch, script, depth,
                                                   ratio):
    """... and the snapshot its cursor names holds what the full diff's whole one holds,
    whether stored as a delta or whole (short chains forced here, so both happen)."""
    monkeypatch.setattr(scope_mod, "MAX_DEPTH", depth)
    monkeypatch.setattr(scope_mod, "CHAIN_RATIO", ratio)
    court, villages, leads = _world(engine, 3, 2)
    all_leads = [lead for grid in leads for lead in grid]
    phones = [Device(_assistant(engine, court, villages[i])) for i in range(2)]
    with Session(engine, expire_on_commit=False) as session:
        judge = factories.create_user(session, court, Role.JUDGE)
        session.commit()
    cheap = {"unchanged": 0, "verified": 0}
    real_unchanged, real_check = scope_mod.unchanged, scope_mod.checked

    def counted(*args: Any) -> bool:
        same = real_unchanged(*args)
        cheap["unchanged"] += same
        return same

    def counted_check(*args: Any) -> scope_mod.Verification:
        verification = real_check(*args)
        cheap["verified"] += verification.still
        return verification

    def never_verified(*args: Any) -> scope_mod.Verification:
        return dataclasses.replace(real_check(*args), still=False)

    def sync(phone: Device) -> None:
        more = True
        while more:
            with Session(engine) as session:  # the full diff, in a transaction undone after
                monkeypatch.setattr(scope_mod, "unchanged", lambda *args: False)
                monkeypatch.setattr(scope_mod, "checked", never_verified)
                full = _answer(session, court.id, phone.who.user_id, sync_engine.pull(
                    session, BY_GRID, phone.who, phone.cursor, 2, 1,
                    device_id=phone.who.device_id))
                session.rollback()
            monkeypatch.setattr(scope_mod, "unchanged", counted)
            monkeypatch.setattr(scope_mod, "checked", counted_check)
            page = syncing.pull(db, phone.who, phone.cursor, 2, 1, registry=BY_GRID)
            with Session(engine) as session:
                assert _answer(session, court.id, phone.who.user_id, page) == full
            phone.held = ((phone.held | {r["id"] for r in page.changes["lead"].upserts})
                          - set(page.changes["lead"].deletes)
                          - set(page.evictions.get("lead", [])))
            phone.cursor, more = page.next_cursor, page.has_more

    for action, which, grid, pick in script:
        phone = phones[which]
        if action == "assign":
            with Session(engine) as session:
                session.merge(GridAssignment(court_id=court.id, user_id=phone.who.user_id,
                                             village_grid_id=villages[grid].id))
                try:
                    session.commit()
                except sa.exc.IntegrityError:
                    session.rollback()
        elif action == "unassign":
            _move(engine, phone.who.user_id, court.id, None)
        elif action == "place":
            with Session(engine) as session:
                session.execute(sa.update(Lead).where(
                    Lead.court_id == court.id, Lead.id == all_leads[pick % len(all_leads)])
                    .values(village_grid_id=villages[grid].id, version=Lead.version + 1))
                session.commit()
        elif action == "delete":
            with Session(engine) as session:
                session.execute(sa.update(Lead).where(
                    Lead.court_id == court.id, Lead.id == all_leads[pick % len(all_leads)])
                    .values(deleted_at=sa.func.now(), version=Lead.version + 1))
                session.commit()
        elif action == "create":
            with Session(engine) as session:
                all_leads.append(factories.create_lead(session, judge, villages[grid]).id)
                session.commit()
        else:
            settle(engine)
            sync(phone)
    settle(engine)
    for phone in phones:
        sync(phone)
        sync(phone)  # up to date: the cheap path at least here
        assert phone.held == _in_scope(engine, phone.who)
    assert cheap["verified"] >= 2


def _sorted(page: sync_engine.PullResult) -> dict[str, Any]:
    """The page with rows in id order: the order within a page is the database's."""
    answer = page.to_json()
    for changes in answer["changes"].values():
        changes["upserts"].sort(key=lambda row: row["id"])
        changes["deletes"].sort()
    return answer


def _answer(session: Session, court_id: str, user_id: str, page: sync_engine.PullResult
            ) -> dict[str, Any]:
    """The page as ``_sorted`` gives it, its cursor as what it stands for: the position and
    the keys its snapshot holds (a delta and a whole snapshot of the same keys have
    different names; how far the pull looked is the horizon, which a transaction undone
    in between moves)."""
    answer = _sorted(page)
    position, snapshot, _ = feed.decode_pull_cursor(answer.pop("next_cursor"))
    answer["next"] = (position, snapshot and sorted(
        scope_mod.load(session, court_id, user_id, snapshot)))
    return answer


def _court(engine: Any) -> str:
    with Session(engine) as session:
        court = factories.create_court(session)
        session.commit()
        return court.id


def _rows(engine: Any) -> tuple[Any, ...]:
    """Every snapshot and device row with its row version (``xmin`` moves on any write)."""
    with engine.connect() as conn:
        return (
            sorted(conn.execute(sa.select(sync_scope_snapshot.c.digest,
                                          sa.text("sync_scope_snapshot.xmin::text"))).all()),
            sorted(conn.execute(sa.select(sync_device_state.c.device_id,
                                          sa.text("sync_device_state.xmin::text"))).all()),
        )
