"""Scope changes (guarantee 6): when an assistant moves to another grid, or a record is
re-placed out of the grid, the next pull evicts what left the scope and delivers what
entered it, without a full re-download; and no pull ever leaves a device holding a record
outside its scope (issue #10), over random scopes and moves.

Leads are scoped by author in production; here they are scoped by grid (as sightings and
tasks are) through a spec built from the lead spec, which is how the engine sees any table.
"""

from __future__ import annotations

import dataclasses
from datetime import date
from typing import Any

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlmodel import Session

from enforcement import policy
from enforcement.accounts.principal import Principal
from enforcement.errors import Conflict
from enforcement.leads.sync_spec import LEAD_SPEC
from enforcement.models import GridAssignment, Lead, Role
from enforcement.syncing import usecases as syncing
from enforcement.syncing.registry import REGISTRY
from sync.spec import Registry
from sync.tables import sync_scope_snapshot
from tests import factories
from tests.sync.conftest import settle


def _grid_scope(principal: Principal, change: sa.Table) -> sa.ColumnElement[bool]:
    return change.c.village_grid_id.in_(policy.active_grid_ids(principal))


BY_GRID = Registry({"lead": dataclasses.replace(LEAD_SPEC, scope=_grid_scope)},
                   rejections=REGISTRY.rejections, code_of=REGISTRY.code_of)


class Device:
    """A phone's local copy: ids it holds, its cursor, and what the last sync delivered."""

    def __init__(self, who: Principal) -> None:
        self.who = who
        self.held: set[str] = set()
        self.cursor: str | None = None
        self.delivered = 0
        self.evicted: set[str] = set()

    def sync(self, db: Any, limit: int = 50) -> None:
        self.delivered, self.evicted, more = 0, set(), True
        while more:
            page = syncing.pull(db, self.who, self.cursor, limit, 1, registry=BY_GRID)
            upserts = {row["id"] for row in page.changes["lead"].upserts}
            gone = set(page.changes["lead"].deletes) | set(page.evictions.get("lead", []))
            self.held = (self.held | upserts) - gone
            self.delivered += len(upserts)
            self.evicted |= set(page.evictions.get("lead", []))
            self.cursor, more = page.next_cursor, page.has_more


def _in_scope(engine: Any, who: Principal) -> set[str]:
    with Session(engine) as session:
        return set(session.scalars(sa.select(Lead.id).where(
            Lead.court_id == who.court_id, Lead.deleted_at.is_(None),
            Lead.village_grid_id.in_(policy.active_grid_ids(who)))))


def _move(engine: Any, user_id: str, court_id: str, village_id: str | None) -> None:
    """End the user's grid assignments and (optionally) assign another grid."""
    with Session(engine) as session:
        session.execute(sa.update(GridAssignment).where(
            GridAssignment.court_id == court_id, GridAssignment.user_id == user_id,
            GridAssignment.ended_on.is_(None)).values(ended_on=date.today()))
        if village_id is not None:
            session.add(GridAssignment(court_id=court_id, user_id=user_id,
                                       village_grid_id=village_id))
        session.commit()


def _place(engine: Any, court_id: str, lead_id: str, village_id: str) -> None:
    """Re-place a lead in another grid, as an edit of its point does."""
    with Session(engine) as session:
        session.execute(sa.update(Lead).where(Lead.court_id == court_id, Lead.id == lead_id)
                        .values(village_grid_id=village_id, version=Lead.version + 1))
        session.commit()


def _world(engine: Any, grids: int, leads_per_grid: int) -> tuple[Any, list[Any], list[list[str]]]:
    with Session(engine, expire_on_commit=False) as session:
        court = factories.create_court(session)
        township = factories.create_township(session, court)
        villages = [factories.create_village(session, township, 108.30 + i * 0.01, 35.40)
                    for i in range(grids)]
        judge = factories.create_user(session, court, Role.JUDGE)
        leads = [[factories.create_lead(session, judge, v).id for _ in range(leads_per_grid)]
                 for v in villages]
        session.commit()
    return court, villages, leads


def _assistant(engine: Any, court: Any, village: Any) -> Principal:
    with Session(engine, expire_on_commit=False) as session:
        user = factories.create_user(session, court, Role.GRID_ASSISTANT)
        factories.assign_grid(session, user, village)
        device = factories.create_device(session, user)
        session.commit()
        return Principal(user_id=user.id, court_id=court.id, role=Role.GRID_ASSISTANT,
                         device_id=device.id, username=user.username)


def test_moving_to_another_grid_evicts_the_old_and_delivers_the_new(db, engine):
    court, villages, leads = _world(engine, 3, 4)
    phone = Device(_assistant(engine, court, villages[0]))
    settle(engine)
    phone.sync(db, limit=3)
    assert phone.held == set(leads[0]) and phone.delivered == 4

    _move(engine, phone.who.user_id, court.id, villages[1].id)
    phone.sync(db, limit=3)
    assert phone.evicted == set(leads[0])
    assert phone.held == set(leads[1])
    assert phone.delivered == 4  # only grid B's leads: no full re-download

    phone.sync(db)
    assert (phone.delivered, phone.evicted) == (0, set())  # incremental from here on


def test_a_record_re_placed_out_of_the_grid_is_evicted_and_comes_back(db, engine):
    court, villages, leads = _world(engine, 2, 3)
    phone = Device(_assistant(engine, court, villages[0]))
    settle(engine)
    phone.sync(db)
    moved = leads[0][0]

    _place(engine, court.id, moved, villages[1].id)
    settle(engine)
    phone.sync(db)
    assert phone.evicted == {moved} and phone.delivered == 0
    assert phone.held == set(leads[0]) - {moved}

    _place(engine, court.id, moved, villages[0].id)
    settle(engine)
    phone.sync(db)
    assert phone.held == set(leads[0]) and phone.delivered == 1


def test_a_lost_answer_is_pulled_again_from_the_same_cursor(db, engine):
    """The cursor names what the device held, so a retried pull diffs the same way."""
    court, villages, leads = _world(engine, 2, 2)
    phone = Device(_assistant(engine, court, villages[0]))
    settle(engine)
    phone.sync(db)
    _move(engine, phone.who.user_id, court.id, villages[1].id)
    lost = syncing.pull(db, phone.who, phone.cursor, 50, 1, registry=BY_GRID)
    again = syncing.pull(db, phone.who, phone.cursor, 50, 1, registry=BY_GRID)
    assert again.evictions == lost.evictions == {"lead": sorted(leads[0])}
    assert {r["id"] for r in again.changes["lead"].upserts} == set(leads[1])


def test_a_cursor_names_only_its_own_users_snapshot(db, engine):
    court, villages, _leads = _world(engine, 1, 2)
    mine = Device(_assistant(engine, court, villages[0]))
    theirs = Device(_assistant(engine, court, villages[0]))
    settle(engine)
    mine.sync(db)
    with pytest.raises(Conflict) as refused:
        syncing.pull(db, theirs.who, mine.cursor, 50, 1, registry=BY_GRID)
    assert refused.value.code == "resync_required"


def test_snapshots_do_not_pile_up(db, engine):
    """A device keeps at most the snapshots its last two cursors name."""
    court, villages, leads = _world(engine, 2, 2)
    phone = Device(_assistant(engine, court, villages[0]))
    settle(engine)
    for village in (1, 0, 1, 0, 1):
        _move(engine, phone.who.user_id, court.id, villages[village].id)
        phone.sync(db)
        assert phone.held == set(leads[village])
    with engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(sync_scope_snapshot)
                            ).scalar_one() <= 2


moves = st.lists(st.tuples(
    st.sampled_from(["assign", "unassign", "place", "delete", "create", "sync", "sync"]),
    st.integers(0, 1), st.integers(0, 2), st.integers(0, 99)), min_size=5, max_size=25)


@settings(max_examples=15, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(script=moves)
def test_no_pull_leaves_a_record_outside_the_scope(db, engine, script):
    court, villages, leads = _world(engine, 3, 2)
    all_leads = [lead for grid in leads for lead in grid]
    phones = [Device(_assistant(engine, court, villages[i])) for i in range(2)]
    with Session(engine, expire_on_commit=False) as session:
        judge = factories.create_user(session, court, Role.JUDGE)
        session.commit()
    for action, which, grid, pick in script:
        phone = phones[which]
        if action == "assign":
            with Session(engine) as session:
                session.merge(GridAssignment(court_id=court.id, user_id=phone.who.user_id,
                                             village_grid_id=villages[grid].id))
                try:
                    session.commit()
                except sa.exc.IntegrityError:
                    session.rollback()  # already serving that grid
        elif action == "unassign":
            _move(engine, phone.who.user_id, court.id, None)
        elif action == "place":
            _place(engine, court.id, all_leads[pick % len(all_leads)], villages[grid].id)
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
            phone.sync(db, limit=2)
            assert phone.held <= _in_scope(engine, phone.who)
    settle(engine)
    for phone in phones:
        phone.sync(db, limit=2)
        assert phone.held == _in_scope(engine, phone.who)


def test_reference_tables_fed_under_other_names_are_evicted_under_their_own(db, engine):
    """Cases reach phones from ``enforcement_case`` rows and the wanted list from ``party``
    rows: a move evicts and delivers them under ``case`` and ``wanted``, as phones name them."""
    with Session(engine, expire_on_commit=False) as session:
        court = factories.create_court(session)
        township = factories.create_township(session, court)
        village_a = factories.create_village(session, township, 108.30, 35.40)
        village_b = factories.create_village(session, township, 108.31, 35.40)
        case_a, debtor_a = factories.create_debtor_case(
            session, court, village_a, township_id=township.id, village_grid_id=village_a.id)
        case_b, debtor_b = factories.create_debtor_case(
            session, court, village_b, township_id=township.id, village_grid_id=village_b.id)
        session.commit()
    who = _assistant(engine, court, village_a)
    settle(engine)

    def pull_all(cursor: str | None) -> tuple[dict[str, set[str]], dict[str, set[str]], str]:
        upserts: dict[str, set[str]] = {}
        evicted: dict[str, set[str]] = {}
        more = True
        while more:
            page = syncing.pull(db, who, cursor, 50, 1)
            for table, changes in page.changes.items():
                upserts.setdefault(table, set()).update(row["id"] for row in changes.upserts)
            for table, ids in page.evictions.items():
                evicted.setdefault(table, set()).update(ids)
            cursor, more = page.next_cursor, page.has_more
        return upserts, evicted, cursor

    first, _, cursor = pull_all(None)
    assert (first["case"], first["wanted"]) == ({case_a.id}, {debtor_a.id})

    _move(engine, who.user_id, court.id, village_b.id)
    moved, evicted, cursor = pull_all(cursor)
    assert evicted["case"] == {case_a.id} and evicted["wanted"] == {debtor_a.id}
    assert (moved["case"], moved["wanted"]) == ({case_b.id}, {debtor_b.id})

    again, evicted, _ = pull_all(cursor)  # nothing changed: nothing sent, nothing evicted
    assert not any(again.values()) and not any(evicted.values())
