"""What a party sees of their case: built field by field from what may be shown, never by
copying rows, so that a column added later (a note, an address) cannot leak by accident.

Shown: the case number, cause, status and dates; the amounts owed, recovered and paid out;
the judge's name and the court's reception days; the key nodes the catalogue discloses
(``always``: planned and done, ``after``: only once done) with their dates and how many
deputies witnessed each; the other side's name masked as on the wanted list. A debtor also
sees the measures in force on them and how credit repair works. Never shown: notes and
places of node events, addresses, leads, sightings, who reported anything, decision texts.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlmodel import Session

from enforcement.credit.measures import COURT_ZONE
from enforcement.infrastructure.masking import mask_name
from enforcement.models import (
    CaseParty,
    Court,
    CreditRepair,
    EnforcementCase,
    EnforcementNode,
    NodeEvent,
    NodeWitness,
    Party,
    PartyEvaluation,
    PartyKind,
    PartyMeasure,
    PartyRole,
    QueryCode,
    User,
    utcnow,
)


@dataclass(frozen=True, slots=True)
class NodeStep:
    code: str
    name_zh: str
    name_en: str
    on: date
    done: bool
    witnessed_by: int
    """How many deputies witnessed it (never who)."""


@dataclass(frozen=True, slots=True)
class MeasureInForce:
    kind: str
    since: date
    decision_number: str


@dataclass(frozen=True, slots=True)
class RepairState:
    status: str
    applied_on: date
    effective_on: date | None


@dataclass(frozen=True, slots=True)
class CaseView:
    role: str
    case_number: str
    cause: str
    status: str
    filed_on: date
    terminated_on: date | None
    closed_on: date | None
    amount_owed: Decimal
    amount_recovered: Decimal
    amount_paid_out: Decimal
    court_name: str
    judge_name: str | None
    reception_days: str
    you: str
    other_side: list[str]
    """The other party's names, masked (organisations keep theirs: it is public)."""
    steps: list[NodeStep]
    measures: list[MeasureInForce]
    repairs: list[RepairState]
    evaluated: bool


def case_view(session: Session, code: QueryCode) -> CaseView:
    """The case as the code's party may see it."""
    case = session.get(EnforcementCase, (code.court_id, code.case_id))
    court = session.get(Court, code.court_id)
    party = session.get(Party, (code.court_id, code.party_id))
    assert case is not None and court is not None and party is not None  # foreign keys
    judge = session.get(User, (case.court_id, case.judge_id)) if case.judge_id else None
    debtor = code.role == PartyRole.DEBTOR
    evaluated = session.scalar(sa.select(sa.exists().where(
        PartyEvaluation.court_id == code.court_id,
        PartyEvaluation.query_code_id == code.id)))
    return CaseView(
        role=code.role.value, case_number=case.case_number, cause=case.cause,
        status=case.status.value, filed_on=case.filed_on, terminated_on=case.terminated_on,
        closed_on=case.closed_on, amount_owed=case.amount_owed,
        amount_recovered=case.amount_recovered, amount_paid_out=case.amount_paid_out,
        court_name=court.name, judge_name=judge.display_name if judge else None,
        reception_days=court.reception_days, you=party.name,
        other_side=_other_side(session, case, code),
        steps=_steps(session, case),
        measures=_measures(session, party) if debtor else [],
        repairs=_repairs(session, party, case) if debtor else [],
        evaluated=bool(evaluated))


def _other_side(session: Session, case: EnforcementCase, code: QueryCode) -> list[str]:
    other = PartyRole.DEBTOR if code.role == PartyRole.APPLICANT else PartyRole.APPLICANT
    rows = session.execute(
        sa.select(Party.name, Party.kind).join(CaseParty, sa.and_(
            CaseParty.court_id == Party.court_id, CaseParty.party_id == Party.id))
        .where(CaseParty.court_id == case.court_id, CaseParty.case_id == case.id,
               CaseParty.role == other).order_by(Party.id)).all()
    if not rows and other == PartyRole.APPLICANT:  # older cases name the applicant only
        return [mask_name(case.applicant_name) or ""]
    return [mask_name(name, organisation=kind == PartyKind.ORGANISATION) or ""
            for name, kind in rows]


def _steps(session: Session, case: EnforcementCase) -> list[NodeStep]:
    now = utcnow()
    witnesses = (sa.select(sa.func.count()).where(
        NodeWitness.court_id == NodeEvent.court_id, NodeWitness.node_event_id == NodeEvent.id)
        .scalar_subquery())
    rows = session.execute(
        sa.select(EnforcementNode.code, EnforcementNode.name_zh, EnforcementNode.name_en,
                  EnforcementNode.disclosure, NodeEvent.occurs_at, witnesses)
        .join(EnforcementNode, sa.and_(EnforcementNode.court_id == NodeEvent.court_id,
                                       EnforcementNode.id == NodeEvent.node_id))
        .where(NodeEvent.court_id == case.court_id, NodeEvent.case_id == case.id,
               EnforcementNode.disclosure != "never")
        .order_by(NodeEvent.occurs_at, EnforcementNode.seq)).all()
    return [NodeStep(code, zh, en, _local_day(at), at <= now, count)
            for code, zh, en, disclosure, at, count in rows
            if at <= now or disclosure == "always"]


def _measures(session: Session, party: Party) -> list[MeasureInForce]:
    return [MeasureInForce(m.kind.value, m.imposed_on, m.decision_number)
            for m in session.scalars(sa.select(PartyMeasure).where(
                PartyMeasure.court_id == party.court_id, PartyMeasure.party_id == party.id,
                PartyMeasure.lifted_on.is_(None)).order_by(PartyMeasure.imposed_on))]


def _repairs(session: Session, party: Party, case: EnforcementCase) -> list[RepairState]:
    return [RepairState(r.status.value, _local_day(r.created_at), r.effective_on)
            for r in session.scalars(sa.select(CreditRepair).where(
                CreditRepair.court_id == party.court_id, CreditRepair.party_id == party.id,
                CreditRepair.case_id == case.id).order_by(CreditRepair.created_at))]


def _local_day(at: datetime) -> date:
    return at.astimezone(COURT_ZONE).date()
