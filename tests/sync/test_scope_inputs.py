"""What a pull trusts when it skips reading the whole scope (``sync.scope.check``): a
verification stands only while nothing the scope reads was written and the scope clock has
not moved. These tests make sure every role's scope can be followed that way, that the
tables without feed rows log their writes, and that time alone moving a scope is noticed
once the clock moves. (That every page equals the full comparison's, over random scope
moves, is tests/sync/test_scope_fast_path.py.)
"""

from __future__ import annotations

import dataclasses
import re
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlmodel import Session

from enforcement.accounts.principal import Principal
from enforcement.credit.measures import court_today_sql
from enforcement.models import GridAssignment, Role
from enforcement.syncing import usecases as syncing
from enforcement.syncing.registry import REGISTRY
from sync import engine as sync_engine
from sync import prune
from sync import scope as scope_mod
from sync.tables import SCOPE_INPUT_TABLES, sync_change, sync_scope_input_change
from tests.sync.conftest import settle
from tests.sync.test_evictions import BY_GRID, _assistant, _world


@pytest.mark.parametrize("role", list(Role))
def test_every_roles_scope_reads_only_tables_whose_writes_a_pull_sees(role):
    """Else that role's every pull would read its whole scope again (slow, not wrong)."""
    who = Principal(user_id="u", court_id="c", role=role, device_id="d")
    *_, reads = sync_engine._scopes(REGISTRY, who)
    assert reads is not None, f"{role}: a scope reads a table that logs no writes"
    assert set(reads.logged) <= set(SCOPE_INPUT_TABLES)


DAYS = (str(court_today_sql().compile(dialect=postgresql.dialect(),
                                      compile_kwargs={"literal_binds": True})),
        "CURRENT_DATE")
"""What the registry's scope clock follows (``scope_clock``): the court's day and the
server's."""


@pytest.mark.parametrize("role", list(Role))
def test_scopes_move_with_the_days_alone(role):
    """The scope clock changes once a day: a scope that read the time any other way would
    move between two of its ticks unnoticed, and a phone would keep what it may no longer
    see (or miss what it may) until its verification expired."""
    who = Principal(user_id="u", court_id="c", role=role, device_id="d")
    scopes, _, _ = sync_engine._scopes(REGISTRY, who)
    for feed, clause in scopes.items():
        sql = str(clause.compile(dialect=postgresql.dialect(),
                                 compile_kwargs={"literal_binds": True}))
        for day in DAYS:
            sql = sql.replace(day, "")
        left = [name for name in scope_mod.TIME_FUNCTIONS
                if re.search(rf"\b{name}\b", sql, re.IGNORECASE)]
        assert not left, f"{role} {feed}: reads the time through {left}"


def test_scopes_the_pull_cannot_follow_are_always_read_whole():
    c = sync_change.c
    assert scope_mod.reads({"lead": sa.text("author_id = 'u'")}, clocked=True) is None
    by_time = {"lead": c.changed_at > sa.func.now() - sa.text("interval '1 day'")}
    assert scope_mod.reads(by_time, clocked=False) is None
    assert scope_mod.reads({"lead": c.changed_at > sa.func.now()}, clocked=True) is not None
    other = sa.table("not_logged", sa.column("id"))
    assert scope_mod.reads({"lead": c.record_id.in_(sa.select(other.c.id))},
                           clocked=True) is None


def test_writes_to_tables_scopes_read_are_logged_once_per_transaction(engine):
    court, villages, _ = _world(engine, 2, 0)
    who = _assistant(engine, court, villages[0])
    with Session(engine) as session:
        for village in villages:
            session.add(GridAssignment(court_id=court.id, user_id=who.user_id,
                                       village_grid_id=village.id, ended_on=date.today()))
        session.commit()
    i = sync_scope_input_change.c
    with engine.connect() as conn:
        logged = conn.execute(sa.select(i.table_name, sa.func.count()).where(
            i.court_id == court.id).group_by(i.table_name)).all()
    # the assistant's first assignment (its own transaction), then the two rows together
    assert dict(logged) == {"grid_assignment": 2}


def _pull_all(db: Any, who: Principal, cursor: str | None, registry: Any
              ) -> tuple[set[str], set[str], str]:
    delivered: set[str] = set()
    evicted: set[str] = set()
    more = True
    while more:
        page = syncing.pull(db, who, cursor, 50, 1, registry=registry)
        delivered |= {row["id"] for row in page.changes["lead"].upserts}
        evicted |= set(page.evictions.get("lead", []))
        cursor, more = page.next_cursor, page.has_more
    assert cursor is not None
    return delivered, evicted, cursor


def test_a_scope_moved_by_time_alone_is_noticed_when_the_clock_moves(db, engine):
    clock = ["2026-12-05 10:00"]
    # read when the pull runs, as SQL's clock is: a pull's statements are built once
    clocked = dataclasses.replace(BY_GRID, scope_clock=lambda: sa.bindparam(
        "test_clock", callable_=lambda: clock[0], type_=sa.Text))
    court, villages, leads = _world(engine, 2, 2)
    who = _assistant(engine, court, villages[0])
    settle(engine)
    delivered, _, cursor = _pull_all(db, who, None, clocked)
    assert delivered == set(leads[0])
    # The assignment ends with no write the pull can see, as a term running out does.
    with engine.begin() as conn:
        conn.execute(sa.text("SET LOCAL session_replication_role = replica"))
        conn.execute(sa.update(GridAssignment).where(
            GridAssignment.court_id == court.id, GridAssignment.user_id == who.user_id)
            .values(ended_on=date.today()))
    _, evicted, cursor = _pull_all(db, who, cursor, clocked)
    assert evicted == set()  # within the clock's step the verification stands
    clock[0] = "2026-12-05 10:15"
    _, evicted, cursor = _pull_all(db, who, cursor, clocked)
    assert evicted == set(leads[0])


def test_pruning_drops_the_input_log_no_verification_can_need(engine):
    court, villages, _ = _world(engine, 1, 0)
    _assistant(engine, court, villages[0])
    i = sync_scope_input_change.c
    now = datetime.now(UTC)
    with Session(engine) as session:
        before = session.execute(sa.select(sa.func.count()).where(
            i.court_id == court.id)).scalar_one()
        report = prune.prune_court(session, court.id, timedelta(days=30), now)
        assert report.scope_inputs == 0  # a fresh write: a verification may need it
        session.execute(sa.update(sync_scope_input_change).where(i.court_id == court.id)
                        .values(changed_at=now - 3 * scope_mod.VERIFIED_FOR))
        report = prune.prune_court(session, court.id, timedelta(days=30), now)
        assert before > 0 and report.scope_inputs == before
        session.rollback()
