"""Judicial aid (司法救助, Luojiang report): a winning party (the applicant of a case) in
hardship asks for money; a judge approves an amount or rejects the application with a
reason; payments are recorded against the approval and never exceed it.

Officers and judges enter applications and record payments, judges decide; nobody else
sees them. Every write is audited. Yearly totals count applications by the day they were
made, decisions by the day they were taken and payments by the day they were paid.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

from enforcement import policy
from enforcement.accounts.principal import Principal
from enforcement.errors import Conflict, ValidationFailed
from enforcement.infrastructure import audit
from enforcement.infrastructure.db import Database
from enforcement.infrastructure.filtering import equal, one_of
from enforcement.infrastructure.paging import Page, Position, newest_first, page_of
from enforcement.models import (
    AidStatus,
    CaseParty,
    EnforcementCase,
    JudicialAid,
    JudicialAidPayment,
    Party,
    PartyRole,
    utcnow,
)
from enforcement.refs import require_refs
from enforcement.reports.common import record_export

A, P = JudicialAid, JudicialAidPayment
ZERO = Decimal("0.00")


@dataclass(frozen=True, slots=True)
class AidView:
    aid: JudicialAid
    payments: list[JudicialAidPayment]

    @property
    def paid(self) -> Decimal:
        return sum((p.amount for p in self.payments), ZERO)


@dataclass(frozen=True, slots=True)
class AidFilters:
    case_id: str | None = None
    applicant_id: str | None = None
    status: tuple[AidStatus, ...] = ()
    year: int | None = None
    """Applications made in this year."""

    def clauses(self) -> list[sa.ColumnElement[bool]]:
        where = [*equal((A.case_id, self.case_id), (A.applicant_id, self.applicant_id)),
                 *one_of((A.status, self.status))]
        if self.year is not None:
            where.append(A.applied_on.between(date(self.year, 1, 1), date(self.year, 12, 31)))
        return where


@dataclass(frozen=True, slots=True)
class YearTotals:
    year: int
    applications: int
    amount_requested: Decimal
    approved: int
    rejected: int
    amount_approved: Decimal
    payments: int
    amount_paid: Decimal


def apply(db: Database, principal: Principal, data: Mapping[str, Any]) -> AidView:
    """Enter an application for the applicant (winning party) of a case."""
    policy.require(principal, "judicial_aid.create")
    _require_positive("amount_requested", data["amount_requested"])
    court = principal.court_id
    with db.unit_of_work() as session:
        require_refs(session, court, {"case_id": (EnforcementCase, data["case_id"]),
                                      "applicant_id": (Party, data["applicant_id"])})
        _require_applicant(session, court, data["case_id"], data["applicant_id"])
        now = utcnow()
        aid = A(court_id=court, case_id=data["case_id"], applicant_id=data["applicant_id"],
                amount_requested=data["amount_requested"], grounds=data["grounds"],
                applied_on=data.get("applied_on") or now.date(), entered_by=principal.user_id,
                created_at=now, updated_at=now)
        session.add(aid)
        session.flush()
        _audit(session, principal, "judicial_aid.apply", aid.id,
               amount_requested=str(aid.amount_requested))
        session.commit()
        return AidView(aid, [])


def decide(db: Database, principal: Principal, aid_id: str,
           data: Mapping[str, Any]) -> AidView:
    """Approve an amount (at most the amount asked) or reject; once (409 after)."""
    with db.unit_of_work() as session:
        aid = _visible(session, principal, "judicial_aid.decide", aid_id, lock=True)
        if aid.status != AidStatus.PENDING:
            raise Conflict(f"the application is {aid.status.value}", code="aid_already_decided",
                           current_status=aid.status.value)
        approved = data["decision"] == "approved"
        amount = data.get("approved_amount")
        if approved and (amount is None or amount <= 0 or amount > aid.amount_requested):
            raise ValidationFailed("the approved amount is not valid", errors={"json": {
                "approved_amount": [f"more than 0 and at most {aid.amount_requested}"]}})
        now = utcnow()
        aid.status = AidStatus.APPROVED if approved else AidStatus.REJECTED
        aid.approved_amount = amount if approved else None
        aid.decision_reason, aid.decided_by, aid.decided_at = data["reason"], principal.user_id, now
        aid.updated_at, aid.version = now, aid.version + 1
        _audit(session, principal, "judicial_aid.decide", aid.id, decision=aid.status.value,
               approved_amount=str(aid.approved_amount) if approved else None)
        view = AidView(aid, _payments(session, aid))
        session.commit()
        return view


def record_payment(db: Database, principal: Principal, aid_id: str,
                   data: Mapping[str, Any]) -> AidView:
    """Record money paid; the application must be approved and the total paid stays within
    the approved amount (409 ``aid_not_approved`` / ``aid_payment_exceeds_approved``)."""
    with db.unit_of_work() as session:
        aid = _visible(session, principal, "judicial_aid.pay", aid_id, lock=True)
        _require_positive("amount", data["amount"])
        if aid.status != AidStatus.APPROVED:
            raise Conflict(f"the application is {aid.status.value}", code="aid_not_approved",
                           current_status=aid.status.value)
        payments = _payments(session, aid)
        paid = sum((p.amount for p in payments), ZERO)
        if paid + data["amount"] > aid.approved_amount:
            raise Conflict("the payment would exceed the approved amount",
                           code="aid_payment_exceeds_approved",
                           approved_amount=str(aid.approved_amount), paid=str(paid))
        payment = P(court_id=aid.court_id, aid_id=aid.id, amount=data["amount"],
                    paid_on=data["paid_on"], note=data.get("note", ""),
                    recorded_by=principal.user_id)
        session.add(payment)
        aid.updated_at, aid.version = utcnow(), aid.version + 1
        session.flush()
        _audit(session, principal, "judicial_aid.pay", aid.id, payment_id=payment.id,
               amount=str(payment.amount), paid_on=payment.paid_on.isoformat())
        session.commit()
        return AidView(aid, [*payments, payment])


def get_aid(db: Database, principal: Principal, aid_id: str) -> AidView:
    with db.unit_of_work() as session:
        aid = _visible(session, principal, "judicial_aid.read", aid_id)
        return AidView(aid, _payments(session, aid))


def list_aid(db: Database, principal: Principal, filters: AidFilters,
             after: Position | None, limit: int) -> Page[AidView]:
    """Applications of the court, newest first, each with its payments."""
    with db.unit_of_work() as session:
        query = sa.select(A).where(policy.scope_filter(principal, "judicial_aid.read", A),
                                   *filters.clauses())
        rows = session.scalars(newest_first(query, A.created_at, A.id, after, limit)).all()
        page = page_of(rows, limit)
        paid = _payments_of(session, principal.court_id, [a.id for a in page.items])
        return Page([AidView(a, paid.get(a.id, [])) for a in page.items], page.next_position)


def export_aid(db: Database, principal: Principal, filters: AidFilters,
               fmt: str) -> list[tuple[AidView, str]]:
    """Every matching application with its case number, oldest first, for a file; the
    export is audited."""
    with db.unit_of_work() as session:
        rows = session.execute(sa.select(A, EnforcementCase.case_number).join(
            EnforcementCase, sa.and_(EnforcementCase.court_id == A.court_id,
                                     EnforcementCase.id == A.case_id))
            .where(policy.scope_filter(principal, "judicial_aid.read", A), *filters.clauses())
            .order_by(A.created_at, A.id)).all()
        paid = _payments_of(session, principal.court_id, [a.id for a, _ in rows])
        record_export(session, principal, "judicial_aid", fmt, {
            "rows": len(rows), "year": filters.year, "case_id": filters.case_id or "",
            "status": [s.value for s in filters.status]})
        session.commit()
        return [(AidView(a, paid.get(a.id, [])), number) for a, number in rows]


def totals(db: Database, principal: Principal, year: int) -> YearTotals:
    """The year's applications (by day applied), decisions (by day decided) and payments
    (by day paid) in the caller's court."""
    court = A.court_id == principal.court_id
    first, last = date(year, 1, 1), date(year, 12, 31)
    start, end = datetime(year, 1, 1, tzinfo=UTC), datetime(year + 1, 1, 1, tzinfo=UTC)
    decided = sa.and_(A.decided_at >= start, A.decided_at < end)
    with db.unit_of_work() as session:
        policy.require(principal, "judicial_aid.read")
        applied = session.execute(sa.select(
            sa.func.count(A.id), sa.func.coalesce(sa.func.sum(A.amount_requested), ZERO))
            .where(court, A.applied_on.between(first, last))).one()
        decisions = session.execute(sa.select(
            sa.func.count(A.id).filter(A.status == AidStatus.APPROVED),
            sa.func.count(A.id).filter(A.status == AidStatus.REJECTED),
            sa.func.coalesce(sa.func.sum(A.approved_amount), ZERO))
            .where(court, decided)).one()
        paid = session.execute(sa.select(
            sa.func.count(P.id), sa.func.coalesce(sa.func.sum(P.amount), ZERO))
            .where(P.court_id == principal.court_id, P.paid_on.between(first, last))).one()
        return YearTotals(year, applied[0], applied[1], decisions[0], decisions[1],
                          decisions[2], paid[0], paid[1])


def _require_applicant(session: Session, court: str, case_id: str, party_id: str) -> None:
    applicant = session.scalar(sa.select(sa.exists().where(
        CaseParty.court_id == court, CaseParty.case_id == case_id,
        CaseParty.party_id == party_id, CaseParty.role == PartyRole.APPLICANT)))
    if not applicant:
        raise ValidationFailed("the party did not win this case", code="party_not_applicant",
                               errors={"json": {"applicant_id": [
                                   "must be the applicant (winning party) of the case"]}})


def _require_positive(field: str, amount: Decimal) -> None:
    if amount <= 0:
        raise ValidationFailed("the amount must be more than 0", errors={
            "json": {field: ["must be more than 0"]}})


def _payments_of(session: Session, court_id: str,
                 aid_ids: list[str]) -> dict[str, list[JudicialAidPayment]]:
    paid: dict[str, list[JudicialAidPayment]] = {}
    if aid_ids:
        for payment in session.scalars(sa.select(P).where(
                P.court_id == court_id, P.aid_id.in_(aid_ids))
                .order_by(P.paid_on, P.created_at, P.id)):
            paid.setdefault(payment.aid_id, []).append(payment)
    return paid


def _payments(session: Session, aid: JudicialAid) -> list[JudicialAidPayment]:
    return list(session.scalars(sa.select(P).where(P.court_id == aid.court_id,
                                                   P.aid_id == aid.id)
                                .order_by(P.paid_on, P.created_at, P.id)))


def _visible(session: Session, principal: Principal, action: str, aid_id: str,
             lock: bool = False) -> JudicialAid:
    return policy.visible_row(session, principal, action, A, aid_id, "judicial_aid_not_found",
                              for_update=lock)


def _audit(session: Session, principal: Principal, action: str, aid_id: str,
           **detail: Any) -> None:
    audit.record(session, court_id=principal.court_id, action=action,
                 actor_id=principal.user_id, device_id=principal.device_id,
                 subject_table="judicial_aid", subject_id=aid_id, detail=detail)
