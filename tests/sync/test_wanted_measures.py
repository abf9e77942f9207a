"""Measures and credit repairs against the wanted list, over random histories: the party's
flags always mirror the measures in force, the wanted list always follows the rule (debtor
of an open case with no approved repair in effect for it), and an assistant's phone that
pulls after any step holds exactly that list with exactly those flags.

Cases are not closed here: a case closing without its debtor changing refreshes the
phone's ``case_ids`` only at the party's next change (docs/sync.md), which is the case
lifecycle's business, not the measures'."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlmodel import Session

from enforcement import wanted
from enforcement.accounts.principal import Principal
from enforcement.cases import OPEN_STATUSES
from enforcement.credit import measures
from enforcement.credit import repair as credit_repair
from enforcement.credit.measures import MeasureOrder, court_today
from enforcement.credit.repair import RepairApplication, RepairDecision
from enforcement.errors import DomainError
from enforcement.models import (
    CaseParty,
    CreditRepair,
    EnforcementCase,
    MeasureKind,
    Party,
    PartyMeasure,
    PartyRole,
    RepairGrounds,
    RepairStatus,
    Role,
)
from enforcement.syncing import usecases as syncing
from tests import factories
from tests.sync.helpers import settle

KINDS = list(MeasureKind)
FLAGS = {MeasureKind.DISHONEST: "is_dishonest",
         MeasureKind.CONSUMPTION: "consumption_restricted",
         MeasureKind.EXIT: "exit_restricted"}


def _world(engine: Any) -> tuple[Principal, Principal, Principal, list[Any], list[list[Any]]]:
    with Session(engine, expire_on_commit=False) as session:
        court = factories.create_court(session)
        village = factories.create_village(session, factories.create_township(session, court))
        judge = factories.create_user(session, court, Role.JUDGE)
        officer = factories.create_user(session, court, Role.OFFICER)
        assistant = factories.create_user(session, court, Role.GRID_ASSISTANT)
        factories.assign_grid(session, assistant, village)
        device = factories.create_device(session, assistant)
        parties, cases = [], []
        for _ in range(2):
            party = factories.create_party(session, court, village)
            own = [factories.create_case(session, court) for _ in range(2)]
            for case in own:
                factories.add_party(session, case, party)
            parties.append(party)
            cases.append(own)
        session.commit()

    def who(user: Any, device_id: str = "web") -> Principal:
        return Principal(user.id, court.id, user.role, device_id, user.username)

    return who(judge), who(officer), who(assistant, device.id), parties, cases


def _expected(engine: Any, court_id: str) -> dict[str, dict[str, Any]]:
    """What the rule says, computed the long way: wanted party -> flags and open cases."""
    out: dict[str, dict[str, Any]] = {}
    with Session(engine) as session:
        in_force = session.execute(sa.select(PartyMeasure.party_id, PartyMeasure.kind).where(
            PartyMeasure.court_id == court_id, PartyMeasure.lifted_on.is_(None))).all()
        repaired = {(r.party_id, r.case_id) for r in session.execute(
            sa.select(CreditRepair.party_id, CreditRepair.case_id).where(
                CreditRepair.court_id == court_id,
                CreditRepair.status == RepairStatus.APPROVED))}
        for party_id, case_id, status in session.execute(
                sa.select(CaseParty.party_id, CaseParty.case_id, EnforcementCase.status)
                .join(EnforcementCase, sa.and_(EnforcementCase.court_id == CaseParty.court_id,
                                               EnforcementCase.id == CaseParty.case_id))
                .where(CaseParty.court_id == court_id, CaseParty.role == PartyRole.DEBTOR)):
            if status in OPEN_STATUSES and (party_id, case_id) not in repaired:
                entry = out.setdefault(party_id, {"cases": set(), **{
                    flag: False for flag in FLAGS.values()}})
                entry["cases"].add(case_id)
        for party_id, kind in in_force:
            if party_id in out:
                out[party_id][FLAGS[kind]] = True
    return out


def _flags_mirror_measures(engine: Any, court_id: str) -> None:
    with Session(engine) as session:
        for party in session.scalars(sa.select(Party).where(Party.court_id == court_id)):
            active = dict(session.execute(sa.select(PartyMeasure.kind, PartyMeasure.imposed_on)
                                          .where(PartyMeasure.court_id == court_id,
                                                 PartyMeasure.party_id == party.id,
                                                 PartyMeasure.lifted_on.is_(None))).all())
            for kind, flag in FLAGS.items():
                assert getattr(party, flag) == (kind in active)
            assert party.dishonest_since == active.get(MeasureKind.DISHONEST)


steps = st.lists(st.tuples(
    st.sampled_from(["impose", "impose", "lift", "repair", "reject", "pull"]),
    st.integers(0, 1), st.integers(0, 1), st.sets(st.sampled_from(KINDS), min_size=1)),
    min_size=4, max_size=10)


@settings(max_examples=8, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(script=steps)
def test_the_phone_holds_the_wanted_list_the_rule_gives(db, engine, script):
    judge, officer, assistant, parties, cases = _world(engine)
    held: dict[str, dict[str, Any]] = {}
    cursor: str | None = None

    def pull() -> None:
        nonlocal cursor
        settle(engine)
        more = True
        while more:
            page = syncing.pull(db, assistant, cursor, 50, 1)
            for row in page.changes["wanted"].upserts:
                held[row["id"]] = row
            for gone in [*page.changes["wanted"].deletes, *page.evictions.get("wanted", [])]:
                held.pop(gone, None)
            cursor, more = page.next_cursor, page.has_more

    day = court_today() - timedelta(days=30)
    for action, p, c, kinds in script:
        party, case = parties[p], cases[p][c]
        try:
            if action == "impose":
                for kind in kinds:
                    measures.impose(db, judge, party.id, MeasureOrder(kind, case.id, day, "决定"))
            elif action == "lift":
                for measure in measures.party_measures(db, judge, party.id).measures:
                    if measure.lifted_on is None and measure.kind in kinds:
                        measures.lift(db, judge, party.id, measure.id, day, "撤销")
            elif action in ("repair", "reject"):
                repair = credit_repair.apply(db, officer, RepairApplication(
                    party.id, case.id, RepairGrounds.PAID_IN_FULL))
                credit_repair.decide(db, judge, repair.id,
                                     RepairDecision(action == "repair", "审查", day))
            else:
                pull()
        except DomainError:
            pass  # refused as the rules say (in force already, nothing to repair…)
        _flags_mirror_measures(engine, judge.court_id)

    pull()
    expected = _expected(engine, judge.court_id)
    assert set(held) == set(expected)
    for party_id, row in held.items():
        assert {k: row[k] for k in FLAGS.values()} == {
            k: expected[party_id][k] for k in FLAGS.values()}
        assert set(row["case_ids"]) == expected[party_id]["cases"]
    rest = wanted.wanted_list(db, assistant, None, 50).items
    assert {w.party.id for w in rest} == set(expected)
