"""Reading the change feed on a hot standby never skips a change (docs/sync.md, "Pulls and
replicas"), even with replication lag, and the one snapshot trap is where the argument says.

A transaction stays open on the primary while later transactions commit; the device's
cursor advances on whichever server answers (the primary, or a standby that replays WAL a
moment late: ``recovery_min_apply_delay``); the held transaction commits; every change
reaches the device, none twice. The feed's horizon is ``pg_snapshot_xmin``, which a
standby computes conservatively (every xid it has seen assigned and not seen end is
running). Its in-progress list is not: on PostgreSQL 15 a standby's
``pg_current_snapshot()`` lists none, so a snapshot taken there must never decide what a
device has seen — the scope verification (sync/scope.py) that stores one runs on the
primary only, because the app has one database URL: the write port.
"""

from __future__ import annotations

import random
import time
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from sqlmodel import Session

from enforcement.models import Role
from sync.feed import Position, read_changes
from sync.tables import sync_change
from tests import factories
from tests.cluster.conftest import DATABASE, hacluster

APPLY_DELAY = "700ms"


@pytest.fixture
def standby(cluster: str) -> Iterator[sa.Engine]:
    """The replica, straight (not through HAProxy), replaying WAL ``APPLY_DELAY`` late."""
    lead = hacluster.leader()
    replica = next(n for n in range(1, hacluster.nodes() + 1) if n != lead)
    port = hacluster.PG_PORT_BASE + replica
    admin = sa.create_engine(f"postgresql+psycopg://postgres@{hacluster.HOST}:{port}/postgres",
                             isolation_level="AUTOCOMMIT")

    def delay(value: str | None) -> None:
        with admin.connect() as conn:
            conn.execute(sa.text(f"ALTER SYSTEM SET recovery_min_apply_delay = '{value}'"
                                 if value else "ALTER SYSTEM RESET recovery_min_apply_delay"))
            conn.execute(sa.text("SELECT pg_reload_conf()"))

    delay(APPLY_DELAY)
    engine = sa.create_engine(
        f"postgresql+psycopg://postgres@{hacluster.HOST}:{port}/{DATABASE}")
    try:
        yield engine
    finally:
        engine.dispose()
        delay(None)
        admin.dispose()


def _pull(engine: sa.Engine, court_id: str, cursor: Position) -> tuple[list[str], Position]:
    """What a pull reads from the feed on ``engine``: every lead change after ``cursor``
    that is ready (no older transaction still running)."""
    with Session(engine) as session:
        changes, _more = read_changes(session, court_id, cursor,
                                      sync_change.c.table_name == "lead", 10_000)
    ids = [c.record_id for c in changes]
    return ids, (changes[-1].position if changes else cursor)


def _replayed(standby: sa.Engine, primary: sa.Engine) -> None:
    """Wait until the standby has applied everything the primary has committed so far."""
    with primary.connect() as conn:
        lsn = conn.execute(sa.text("SELECT pg_current_wal_lsn()::text")).scalar_one()
    deadline = time.monotonic() + 30
    with standby.connect() as conn:
        while conn.execute(sa.text("SELECT pg_last_wal_replay_lsn() >= CAST(:l AS pg_lsn)"),
                           {"l": lsn}).scalar_one() is not True:
            assert time.monotonic() < deadline, "the standby does not replay"
            time.sleep(0.05)
            conn.rollback()


@pytest.mark.timeout(240)
def test_a_device_alternating_between_primary_and_a_lagging_standby_misses_nothing(
        ha_engine, standby):
    with Session(ha_engine) as session:
        court = factories.create_court(session)
        village = factories.create_village(session, factories.create_township(session, court))
        author = factories.create_user(session, court, Role.GRID_ASSISTANT)
        session.commit()
        court_id, author_id, village_id = court.id, author.id, village.id

    def write(session: Session) -> str:
        from enforcement.models import User, VillageGrid

        user = session.get(User, (court_id, author_id))
        grid = session.get(VillageGrid, (court_id, village_id))
        assert user is not None and grid is not None
        return factories.create_lead(session, user, grid).id

    rng = random.Random(28)
    committed: list[str] = []
    delivered: list[str] = []
    cursor = Position(0, 0)
    for _round in range(6):
        held = Session(ha_engine)
        late = write(held)  # its transaction id is older than those committing below
        for _ in range(rng.randint(1, 3)):
            with Session(ha_engine) as session:
                committed.append(write(session))
                session.commit()
        for _ in range(rng.randint(1, 3)):  # the device pulls, now here, now there
            on_standby = rng.random() < 0.7
            if on_standby and rng.random() < 0.5:
                _replayed(standby, ha_engine)
            ids, cursor = _pull(standby if on_standby else ha_engine, court_id, cursor)
            assert late not in ids
            delivered += ids
        held.commit()
        held.close()
        committed.append(late)
    _replayed(standby, ha_engine)
    for engine in (standby, ha_engine):
        ids, cursor = _pull(engine, court_id, cursor)
        delivered += ids
    assert sorted(delivered) == sorted(committed), "a change was skipped or sent twice"


@pytest.mark.timeout(120)
def test_the_trap_a_standby_snapshot_lists_no_transaction_in_progress(ha_engine, standby):
    """Why no snapshot taken on a standby may decide what a device has seen."""
    with ha_engine.connect() as held:
        xid = held.execute(sa.text("SELECT pg_current_xact_id()::text")).scalar_one()
        with ha_engine.connect() as later:  # a newer transaction ends: xmax passes xid
            later.execute(sa.text("SELECT pg_current_xact_id()"))
            later.commit()
        deadline = time.monotonic() + 30
        with standby.connect() as conn:
            while True:  # until the standby has replayed the newer commit
                snapshot, visible, xmin, xmax = conn.execute(sa.text(
                    "SELECT pg_current_snapshot()::text, "
                    "pg_visible_in_snapshot(CAST(:x AS xid8), pg_current_snapshot()), "
                    "pg_snapshot_xmin(pg_current_snapshot())::text::bigint, "
                    "pg_snapshot_xmax(pg_current_snapshot())::text::bigint"), {"x": xid}).one()
                conn.rollback()
                if xmax > int(xid) or time.monotonic() > deadline:
                    break
                time.sleep(0.05)
        with ha_engine.connect() as conn:
            on_primary = conn.execute(sa.text(
                "SELECT pg_visible_in_snapshot(CAST(:x AS xid8), pg_current_snapshot())"),
                {"x": xid}).scalar_one()
        held.rollback()
    assert on_primary is False
    # PostgreSQL 15: no in-progress list at all, so the still-running transaction counts
    # as seen (the trap), while the horizon the feed uses still holds it back.
    assert snapshot.endswith(":"), (snapshot, xid)
    assert visible is True, (snapshot, xid)
    assert xmin <= int(xid)
