"""Settlements and the payments officers record against their instalments.

A payment is one unit of work: the instalment's paid amount, the case's
``amount_recovered``, an ``Outcome`` (payment_received) that reports count, and the
settlement's status all change together or not at all. The case is locked while its
recovered amount is checked and raised, so two payments at once cannot push it past
what is owed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import sqlalchemy as sa
from sqlmodel import Session

from enforcement import policy
from enforcement.accounts.principal import Principal
from enforcement.errors import Conflict, NotFound, ValidationFailed
from enforcement.infrastructure import audit
from enforcement.infrastructure.db import Database
from enforcement.infrastructure.paging import Page, Position, newest_first, page_of
from enforcement.models import (
    EnforcementCase,
    Instalment,
    Outcome,
    OutcomeKind,
    Settlement,
    utcnow,
)

ACTIVE, FULFILLED = "active", "fulfilled"


@dataclass(frozen=True, slots=True)
class SettlementView:
    settlement: Settlement
    instalments: list[Instalment]


@dataclass(frozen=True, slots=True)
class Payment:
    amount: Decimal
    paid_on: date


@dataclass(frozen=True, slots=True)
class SettlementFilters:
    case_id: str | None = None
    status: tuple[str, ...] = ()

    def clauses(self) -> list[sa.ColumnElement[bool]]:
        where: list[sa.ColumnElement[bool]] = []
        if self.case_id is not None:
            where.append(Settlement.case_id == self.case_id)
        if self.status:
            where.append(Settlement.status.in_(self.status))
        return where


def list_settlements(db: Database, principal: Principal, filters: SettlementFilters,
                     after: Position | None, limit: int) -> Page[SettlementView]:
    """Settlements the caller may read, newest first, each with its instalments."""
    with db.unit_of_work() as session:
        query = sa.select(Settlement).where(
            policy.scope_filter(principal, "settlement.read", Settlement), *filters.clauses())
        page = page_of(session.scalars(
            newest_first(query, Settlement.created_at, Settlement.id, after, limit)).all(), limit)
        by_settlement: dict[str, list[Instalment]] = {}
        for instalment in session.scalars(sa.select(Instalment).where(
                Instalment.court_id == principal.court_id,
                Instalment.settlement_id.in_([s.id for s in page.items]))
                .order_by(Instalment.seq)):
            by_settlement.setdefault(instalment.settlement_id, []).append(instalment)
        return Page([SettlementView(s, by_settlement.get(s.id, [])) for s in page.items],
                    page.next_position)


def get_settlement(db: Database, principal: Principal, settlement_id: str) -> SettlementView:
    with db.unit_of_work() as session:
        settlement = _visible(session, principal, "settlement.read", settlement_id)
        return SettlementView(settlement, _instalments(session, settlement))


def record_payment(db: Database, principal: Principal, settlement_id: str, seq: int,
                   payment: Payment) -> SettlementView:
    """Record money paid against instalment ``seq``.

    More than the instalment still expects is a 422 (``instalment_overpaid``); a payment
    that would lift the case's recovered amount above what it owes is a 409
    (``amount_owed_exceeded``). When every instalment is paid the settlement is
    ``fulfilled``.
    """
    with db.unit_of_work() as session:
        settlement = _visible(session, principal, "settlement.record_payment", settlement_id,
                              for_update=True)
        if settlement.status != ACTIVE:
            raise Conflict(f"the settlement is {settlement.status}",
                           code="settlement_not_active", current_status=settlement.status)
        instalments = _instalments(session, settlement, for_update=True)
        instalment = next((i for i in instalments if i.seq == seq), None)
        if instalment is None:
            raise NotFound(f"the settlement has no instalment {seq}",
                           code="instalment_not_found")
        _check_amount(instalment, payment)
        _raise_recovered(session, settlement, payment.amount)
        instalment.paid_amount += payment.amount
        instalment.paid_on = payment.paid_on
        instalment.recorded_by = principal.user_id
        _keep_record(session, principal, settlement, seq, payment)
        if all(i.paid_amount >= i.amount for i in instalments):
            settlement.status = FULFILLED
        settlement.version += 1
        settlement.updated_at = utcnow()
        session.commit()
        return SettlementView(settlement, instalments)


def _keep_record(session: Session, principal: Principal, settlement: Settlement, seq: int,
                 payment: Payment) -> None:
    """An ``Outcome`` for the recovery reports, and an audit entry for who recorded money."""
    session.add(Outcome(court_id=settlement.court_id, kind=OutcomeKind.PAYMENT_RECEIVED,
                        case_id=settlement.case_id, amount=payment.amount,
                        occurred_on=payment.paid_on, recorded_by=principal.user_id,
                        recorded_at=utcnow(),
                        notes=f"settlement {settlement.id}, instalment {seq}"))
    audit.record(session, court_id=settlement.court_id, action="settlement.payment",
                 actor_id=principal.user_id, device_id=principal.device_id,
                 subject_table="settlement", subject_id=settlement.id,
                 detail={"seq": seq, "amount": str(payment.amount),
                         "paid_on": payment.paid_on.isoformat()})


def _check_amount(instalment: Instalment, payment: Payment) -> None:
    due = instalment.amount - instalment.paid_amount
    if payment.amount <= 0 or payment.amount > due:
        raise ValidationFailed(
            f"instalment {instalment.seq} expects at most {due}", code="instalment_overpaid",
            errors={"json": {"amount": [f"must be above 0 and at most {due}"]}})


def _raise_recovered(session: Session, settlement: Settlement, amount: Decimal) -> None:
    case = session.scalars(sa.select(EnforcementCase).where(
        EnforcementCase.court_id == settlement.court_id,
        EnforcementCase.id == settlement.case_id).with_for_update()).one()
    if case.amount_recovered + amount > case.amount_owed:
        raise Conflict(
            f"the case owes {case.amount_owed} and has recovered {case.amount_recovered}; "
            f"{amount} more would exceed it", code="amount_owed_exceeded",
            amount_owed=str(case.amount_owed), amount_recovered=str(case.amount_recovered))
    case.amount_recovered += amount
    case.version += 1
    case.updated_at = utcnow()


def _visible(session: Session, principal: Principal, action: str, settlement_id: str,
             *, for_update: bool = False) -> Settlement:
    return policy.visible_row(session, principal, action, Settlement, settlement_id,
                              "settlement_not_found", for_update=for_update)


def _instalments(session: Session, settlement: Settlement,
                 *, for_update: bool = False) -> list[Instalment]:
    query = sa.select(Instalment).where(
        Instalment.court_id == settlement.court_id,
        Instalment.settlement_id == settlement.id).order_by(Instalment.seq)
    if for_update:
        query = query.with_for_update()
    return list(session.scalars(query))
