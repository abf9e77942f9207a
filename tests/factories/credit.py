"""Measures on debtors, credit repair, judicial aid."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from sqlmodel import Session

from enforcement.models import (
    CreditRepair,
    EnforcementCase,
    JudicialAid,
    MeasureAction,
    MeasureEvent,
    MeasureKind,
    Party,
    PartyMeasure,
    RepairGrounds,
    User,
)
from tests.factories.accounts import unique


def create_judicial_aid(session: Session, case: EnforcementCase, applicant: Party,
                        entered_by: User, **overrides: Any) -> JudicialAid:
    """A pending application for 5,000 yuan made on 2026-11-02 unless told."""
    values: dict[str, Any] = {"court_id": case.court_id, "case_id": case.id,
                              "applicant_id": applicant.id,
                              "amount_requested": Decimal("5000.00"), "grounds": "因病致贫",
                              "applied_on": date(2026, 11, 2), "entered_by": entered_by.id}
    aid = JudicialAid(**(values | overrides))
    session.add(aid)
    session.flush()
    return aid


def impose_measure(session: Session, party: Party, case: EnforcementCase, judge: User,
                   kind: MeasureKind = MeasureKind.DISHONEST, **overrides: Any) -> PartyMeasure:
    """A measure in force, with its ``impose`` event and the party's flags set, as
    ``enforcement.credit.measures.impose`` leaves them."""
    values: dict[str, Any] = {
        "court_id": party.court_id, "party_id": party.id, "case_id": case.id, "kind": kind,
        "imposed_on": date.today() - timedelta(days=90),
        "decision_number": f"(2024)甘1025执{unique('')}号之一",
        "decision_text": "被执行人有履行能力而拒不履行生效法律文书确定义务。",
        "imposed_by": judge.id,
    }
    measure = PartyMeasure(**(values | overrides))
    session.add(measure)
    session.flush()
    session.add(MeasureEvent(court_id=party.court_id, measure_id=measure.id, party_id=party.id,
                             case_id=case.id, kind=kind, action=MeasureAction.IMPOSE,
                             effective_on=measure.imposed_on, actor_id=judge.id))
    flag, since = {MeasureKind.DISHONEST: ("is_dishonest", "dishonest_since"),
                   MeasureKind.CONSUMPTION: ("consumption_restricted",
                                             "consumption_restricted_since"),
                   MeasureKind.EXIT: ("exit_restricted", "exit_restricted_since")}[kind]
    setattr(party, flag, True)
    setattr(party, since, measure.imposed_on)
    party.version += 1
    session.flush()
    return measure


def create_repair(session: Session, party: Party, case: EnforcementCase, officer: User,
                  **overrides: Any) -> CreditRepair:
    """A pending credit repair application for every measure kind given (default
    dishonest)."""
    values: dict[str, Any] = {
        "court_id": party.court_id, "party_id": party.id, "case_id": case.id,
        "grounds": RepairGrounds.PAID_IN_FULL, "evidence_note": "银行转账凭证",
        "measure_kinds": [MeasureKind.DISHONEST.value], "applied_by": officer.id,
    }
    repair = CreditRepair(**(values | overrides))
    session.add(repair)
    session.flush()
    return repair
