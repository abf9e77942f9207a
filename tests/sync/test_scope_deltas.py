"""Scope snapshots stored as deltas (bench/profile-findings.md, finding 17): a page's
snapshot is a delta on the one its cursor named, so collecting snapshots must never take
one that a kept snapshot is a delta on. Over random pulls, lost answers and stale
duplicates: every cursor a device may still send reads back, and what nobody needs goes
(with the device's confirmations, or with pruning), chains included.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from alembic import command
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sqlmodel import Session

from enforcement.errors import Conflict
from enforcement.infrastructure.db_migrations import alembic_config
from enforcement.models import Role
from enforcement.syncing import usecases as syncing
from sync import feed, prune
from sync import scope as scope_mod
from sync.tables import sync_device_state, sync_scope_snapshot
from tests import factories
from tests.sync.conftest import settle
from tests.sync.test_evictions import BY_GRID, Device, _assistant, _in_scope, _move, _world

steps = st.lists(st.tuples(st.sampled_from(["pull", "pull", "lost", "stale", "create"]),
                           st.integers(0, 1), st.integers(1, 5)), min_size=3, max_size=20)


@settings(max_examples=20, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(script=steps, depth=st.integers(1, 5))
# A lost answer whose snapshot is written whole (the chain cut), then a duplicate of the
# phone's last request arriving late, then the phone's own pull.
@example(script=[("pull", 0, 1), ("pull", 0, 1), ("lost", 0, 1), ("stale", 0, 1),
                 ("pull", 0, 1)], depth=1)
def test_collecting_snapshots_keeps_every_chain_a_cursor_needs(db, engine, monkeypatch,
                                                               script, depth):
    monkeypatch.setattr(scope_mod, "MAX_DEPTH", depth)
    court, villages, _leads = _world(engine, 2, 3)
    phones = [Device(_assistant(engine, court, villages[i])) for i in range(2)]
    # Every cursor each phone held, so every cursor a request of it may carry: a stale
    # duplicate replays one of them. A lost answer's cursor never reached the phone, so no
    # request ever carries it (replaying one confirmed a cursor the phone never had, and
    # the server then rightly dropped the snapshot the phone does hold whenever the lost
    # one was written whole: test_a_lost_answer_written_whole_leaves_the_phone_its_cursor).
    sent: list[list[str | None]] = [[None], [None]]
    with Session(engine, expire_on_commit=False) as session:
        judge = factories.create_user(session, court, Role.JUDGE)
        session.commit()
    for action, which, size in script:
        phone = phones[which]
        if action == "create":
            with Session(engine) as session:
                for _ in range(size):
                    factories.create_lead(session, judge, villages[which])
                session.commit()
            continue
        settle(engine)
        if action == "pull":  # a page, answered
            page = syncing.pull(db, phone.who, phone.cursor, size, 1, registry=BY_GRID)
            upserts = {row["id"] for row in page.changes["lead"].upserts}
            phone.held = ((phone.held | upserts) - set(page.changes["lead"].deletes)
                          - set(page.evictions.get("lead", [])))
            phone.cursor = page.next_cursor
            sent[which].append(page.next_cursor)
        elif action == "lost":  # the answer never arrives: the phone keeps its cursor
            syncing.pull(db, phone.who, phone.cursor, size, 1, registry=BY_GRID)
        else:  # a stale duplicate of an older pull arrives late: its answer is dropped
            old = sent[which][-min(size, len(sent[which]))]
            try:
                syncing.pull(db, phone.who, old, size, 1, registry=BY_GRID)
            except Conflict as refused:  # its snapshot may be gone: that is allowed
                assert refused.code == "resync_required"
        _every_chain_is_whole(engine, court.id)
        _named_ones_read_back(engine, court.id, phones)
    settle(engine)
    for phone in phones:  # the phones' own cursors still work and they converge
        phone.sync(db, limit=2)
        phone.sync(db, limit=2)
        assert phone.held == _in_scope(engine, phone.who)
        _named_ones_read_back(engine, court.id, phones)
    # Lost answers leave snapshots behind for pruning; collecting every unnamed one takes
    # exactly those: what the cursors name and their chains stay, and still read back.
    needed, stored = _needed(engine, court.id), _stored(engine, court.id)
    with Session(engine) as session:
        assert scope_mod.drop_unreferenced(session, court.id, stored) == len(stored - needed)
        session.commit()
    assert _stored(engine, court.id) == needed
    _every_chain_is_whole(engine, court.id)
    for phone in phones:
        phone.sync(db, limit=2)
        assert phone.held == _in_scope(engine, phone.who)


def test_a_lost_answer_written_whole_leaves_the_phone_its_cursor(db, engine, monkeypatch):
    """A lost answer whose snapshot cut the chain (written whole, so no delta keeps the
    phone's snapshot alive), then a late duplicate of the phone's request: the phone's own
    cursor still works, and once it confirms the next one only that chain is left. The
    server cannot tell a confirmation after a lost answer from one after an answer that
    arrived, so it is the phone's requests alone that say what it holds."""
    monkeypatch.setattr(scope_mod, "MAX_DEPTH", 1)
    court, villages, leads = _world(engine, 1, 3)
    phone = Device(_assistant(engine, court, villages[0]))
    settle(engine)
    first = syncing.pull(db, phone.who, None, 1, 1, registry=BY_GRID)
    second = syncing.pull(db, phone.who, first.next_cursor, 1, 1, registry=BY_GRID)
    phone.cursor = second.next_cursor  # a delta on the first page's snapshot
    lost = syncing.pull(db, phone.who, phone.cursor, 1, 1, registry=BY_GRID)
    s = sync_scope_snapshot.c
    lost_name = feed.decode_pull_cursor(lost.next_cursor)[1]
    with engine.connect() as conn:  # the chain was cut: the lost page's snapshot is whole
        assert conn.execute(sa.select(s.base_digest).where(
            s.court_id == court.id, s.digest == lost_name)).scalar_one() is None
    syncing.pull(db, phone.who, first.next_cursor, 1, 1, registry=BY_GRID)  # late duplicate
    _named_ones_read_back(engine, court.id, [phone])
    again = syncing.pull(db, phone.who, phone.cursor, 1, 1, registry=BY_GRID)
    assert [row["id"] for row in again.changes["lead"].upserts] == \
        [row["id"] for row in lost.changes["lead"].upserts]
    phone.held = {row["id"] for page in (first, second, again)
                  for row in page.changes["lead"].upserts}
    phone.cursor = again.next_cursor
    phone.sync(db, limit=1)
    assert phone.held == set(leads[0])
    assert _stored(engine, court.id) == _needed(engine, court.id)


def test_a_late_duplicate_at_the_same_position_keeps_the_phone_s_snapshot(db, engine):
    """Pages of records that entered the scope share one position: their cursors differ by
    the snapshot alone. A late duplicate of the first such page's request once moved the
    confirmed cursor back to its own (same position, older snapshot) and deleted the one
    the phone holds: its next pull was told to re-download its scope."""
    court, villages, leads = _world(engine, 2, 3)
    phone = Device(_assistant(engine, court, villages[0]))
    with Session(engine, expire_on_commit=False) as session:
        judge = factories.create_user(session, court, Role.JUDGE)
        factories.create_lead(session, judge, villages[0])  # after the other grid's leads
        session.commit()
    settle(engine)
    phone.sync(db)
    before_move = phone.cursor
    with Session(engine) as session:
        factories.create_lead(session, judge, villages[0])
        session.commit()
    settle(engine)
    # A lost answer: its snapshot is a delta on the cursor's, which it keeps stored.
    syncing.pull(db, phone.who, before_move, 50, 1, registry=BY_GRID)
    _move(engine, phone.who.user_id, court.id, villages[1].id)
    first = syncing.pull(db, phone.who, before_move, 2, 1, registry=BY_GRID)
    assert first.has_more and len(first.changes["lead"].upserts) == 2  # entered the scope
    phone.cursor = first.next_cursor
    phone.held = {row["id"] for row in first.changes["lead"].upserts}
    phone.sync(db, limit=2)  # the third record
    phone.sync(db, limit=2)  # nothing new: its cursor confirmed
    assert phone.held == set(leads[1])
    assert feed.decode_pull_cursor(phone.cursor)[0] == feed.decode_pull_cursor(
        first.next_cursor)[0]  # one position for all of them
    # The request of the first page arrives again, late: its answer is dropped.
    syncing.pull(db, phone.who, before_move, 2, 1, registry=BY_GRID)
    _named_ones_read_back(engine, court.id, [phone])
    page = syncing.pull(db, phone.who, phone.cursor, 2, 1, registry=BY_GRID)
    assert not page.changes["lead"].upserts and not page.evictions
    assert _in_scope(engine, phone.who) == set(leads[1])


def test_a_late_duplicate_of_an_empty_bootstrap_keeps_the_phone_s_snapshot(db, engine):
    """An assistant whose grid holds nothing yet bootstraps to the feed's start; a late
    duplicate of that bootstrap, arriving once a record exists, sits at the same position
    as the phone's cursor and must not take its snapshot."""
    court, villages, _leads = _world(engine, 2, 0)
    phone = Device(_assistant(engine, court, villages[0]))
    settle(engine)
    phone.sync(db)
    phone.sync(db)  # its (empty) snapshot confirmed
    assert phone.held == set()
    with Session(engine, expire_on_commit=False) as session:
        judge = factories.create_user(session, court, Role.JUDGE)
        lead = factories.create_lead(session, judge, villages[0]).id
        session.commit()
    settle(engine)
    syncing.pull(db, phone.who, None, 50, 1, registry=BY_GRID)  # late: its answer dropped
    phone.sync(db)
    assert phone.held == {lead}


def test_a_bootstrap_leaves_one_chain_behind(db, engine, monkeypatch):
    """Page after page the snapshots are deltas and, now and then, whole again; once the
    phone confirms the last cursor, only that cursor's chain is stored."""
    monkeypatch.setattr(scope_mod, "MAX_DEPTH", 3)
    court, villages, leads = _world(engine, 1, 24)
    phone = Device(_assistant(engine, court, villages[0]))
    settle(engine)
    phone.sync(db, limit=2)
    phone.sync(db, limit=2)
    assert phone.held == set(leads[0])
    s = sync_scope_snapshot.c
    with engine.connect() as conn:
        rows = conn.execute(sa.select(s.digest, s.base_digest, s.depth)
                            .where(s.court_id == court.id)).all()
    assert _stored(engine, court.id) == _needed(engine, court.id)
    assert len(rows) <= scope_mod.MAX_DEPTH + 1
    assert all(row.depth <= scope_mod.MAX_DEPTH for row in rows)


def test_pruning_keeps_what_a_kept_delta_is_built_on(db, engine):
    """A delta younger than the horizon keeps the old snapshots it is built on, whatever
    their age; once nothing names the chain, it goes whole."""
    court, villages, leads = _world(engine, 1, 6)
    phone = Device(_assistant(engine, court, villages[0]))
    settle(engine)
    phone.sync(db, limit=3)  # page 2's snapshot is a delta on page 1's
    s, d = sync_scope_snapshot.c, sync_device_state.c
    with engine.begin() as conn:
        conn.execute(sa.update(sync_scope_snapshot).where(s.base_digest.is_(None)).values(
            created_at=sa.func.now() - sa.text("interval '90 days'")))
    before = _stored(engine, court.id)
    assert len(before) == 2
    with Session(engine) as session:
        assert scope_mod.drop_unreferenced(session, court.id, before) == 0
        report = prune.prune_court(session, court.id, timedelta(days=30),
                                   datetime.now(UTC))
        session.commit()
    assert report.snapshots == 0 and _stored(engine, court.id) == before
    phone.sync(db)
    assert phone.held == set(leads[0])
    with engine.begin() as conn:  # the device is forgotten: its whole chain goes
        conn.execute(sa.delete(sync_device_state).where(d.court_id == court.id))
    with Session(engine) as session:
        assert scope_mod.drop_unreferenced(session, court.id, before) == 2
        session.commit()
    assert _stored(engine, court.id) == set()


def _stored(engine: Any, court_id: str) -> set[str]:
    s = sync_scope_snapshot.c
    with engine.connect() as conn:
        return set(conn.execute(sa.select(s.digest).where(s.court_id == court_id)).scalars())


def _named(engine: Any, court_id: str) -> set[str]:
    d = sync_device_state.c
    with engine.connect() as conn:
        rows = conn.execute(sa.select(d.acked_digest, d.issued_digest)
                            .where(d.court_id == court_id)).all()
    return {name for row in rows for name in row if name is not None}


def _needed(engine: Any, court_id: str) -> set[str]:
    """The snapshots the devices' cursors name and every snapshot down their chains."""
    s = sync_scope_snapshot.c
    with engine.connect() as conn:
        base_of = dict(conn.execute(sa.select(s.digest, s.base_digest)
                                    .where(s.court_id == court_id)).all())
    needed, todo = set(), list(_named(engine, court_id) & set(base_of))
    while todo:
        name = todo.pop()
        if name not in needed:
            needed.add(name)
            if base_of[name] is not None:
                todo.append(base_of[name])
    return needed


def _every_chain_is_whole(engine: Any, court_id: str) -> None:
    """No stored delta lost its base: collection never breaks a chain."""
    s = sync_scope_snapshot.c
    with engine.connect() as conn:
        base_of = dict(conn.execute(sa.select(s.digest, s.base_digest)
                                    .where(s.court_id == court_id)).all())
    assert {base for base in base_of.values() if base is not None} <= set(base_of)


def _named_ones_read_back(engine: Any, court_id: str, phones: list[Device]) -> None:
    """The snapshot of each phone's own cursor, and every one a device row names, loads."""
    names = _named(engine, court_id) | {
        feed.decode_pull_cursor(phone.cursor)[1] for phone in phones if phone.cursor}
    with Session(engine) as session:
        for phone in phones:
            for name in names:
                try:
                    scope_mod.load(session, court_id, phone.who.user_id, name)
                except scope_mod.ResyncRequired:
                    assert not _owned(engine, court_id, phone.who.user_id, name)


def _owned(engine: Any, court_id: str, user_id: str, name: str) -> bool:
    s = sync_scope_snapshot.c
    with engine.connect() as conn:
        return conn.execute(sa.select(sa.exists().where(
            s.court_id == court_id, s.digest == name, s.user_id == user_id))).scalar_one()


def test_snapshots_written_before_the_migration_read_back_and_extend(make_database):
    """Revision f2c4e6a8b013 keeps old snapshots readable (whole, their size noted), and
    its downgrade writes every delta whole again."""
    url = make_database()
    cfg = alembic_config(url=url)
    engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
    try:
        with Session(engine) as session:
            court = factories.create_court(session).id
            session.commit()
        held = {f"lead:{i}" for i in range(30)} | {"wanted:名单", "task:a\nb"}
        command.downgrade(cfg, "d4f6a8c0e231")
        with engine.begin() as conn:  # a snapshot as the code before wrote it
            conn.execute(sa.text(
                "INSERT INTO sync_scope_snapshot (court_id, digest, user_id, record_keys) "
                "VALUES (:court, :digest, 'user-1', :keys)"),
                {"court": court, "digest": scope_mod.digest("user-1", "phone-1", held),
                 "keys": sorted(held)})
        command.upgrade(cfg, "head")
        old = scope_mod.digest("user-1", "phone-1", held)
        with Session(engine) as session:
            assert scope_mod.load(session, court, "user-1", old) == held
            delta = scope_mod.extend(session, court, "user-1", "phone-1", old,
                                     {"lead:new"}, {"lead:3"})
            expected = (held | {"lead:new"}) - {"lead:3"}
            assert scope_mod.load(session, court, "user-1", delta) == expected
            s = sync_scope_snapshot.c
            assert session.execute(sa.select(s.base_digest, s.root_keys).where(
                s.digest == delta)).one() == (old, len(held))
            session.commit()
        command.downgrade(cfg, "d4f6a8c0e231")
        with engine.connect() as conn:
            stored = dict(conn.execute(sa.text(
                "SELECT digest, record_keys FROM sync_scope_snapshot")).all())
        assert {name: set(keys) for name, keys in stored.items()} == {
            old: held, delta: expected}
        command.upgrade(cfg, "head")
    finally:
        engine.dispose()
