"""Moving a lead along its lifecycle, and recording what it led to.

A step is one unit of work: the lead's new status, the ``LeadTransition`` row that the
author will see, and for an outcome the ``Outcome`` row and the money recovered on the
lead and its case all commit together or not at all.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

from enforcement.accounts.principal import Principal
from enforcement.errors import PreconditionFailed, ValidationFailed
from enforcement.infrastructure.db import Database
from enforcement.leads import lifecycle
from enforcement.leads.queries import visible_lead
from enforcement.models import (
    EnforcementCase,
    EnforcementRound,
    Lead,
    LeadStatus,
    LeadTransition,
    Outcome,
    OutcomeKind,
    Role,
    User,
    utcnow,
)
from enforcement.refs import require_refs
from enforcement.reports import rewards

S = LeadStatus


@dataclass(frozen=True, slots=True)
class OutcomeInput:
    kind: OutcomeKind
    occurred_on: date
    amount: Decimal = Decimal("0")
    notes: str = ""


@dataclass(frozen=True, slots=True)
class TransitionRequest:
    to: LeadStatus
    reason: str | None = None
    duplicate_of_id: str | None = None
    officer_id: str | None = None
    round_id: str | None = None
    outcome: OutcomeInput | None = None
    expected_version: int | None = None


def transition_lead(db: Database, principal: Principal, lead_id: str,
                    request: TransitionRequest) -> tuple[Lead, LeadTransition]:
    """Move a lead to ``request.to`` if the lifecycle and the caller's role allow it."""
    with db.unit_of_work() as session:
        lead = visible_lead(session, principal, "lead.transition", lead_id, for_update=True)
        if request.expected_version is not None and request.expected_version != lead.version:
            raise PreconditionFailed(f"the lead is at version {lead.version}",
                                     current_version=lead.version)
        lifecycle.check(principal.role, lead.status, request.to)
        _check_request(session, lead, request)
        now = utcnow()
        detail = _apply(session, principal, lead, request)
        step = LeadTransition(court_id=lead.court_id, lead_id=lead.id, from_status=lead.status,
                              to_status=request.to, actor_id=principal.user_id,
                              reason=request.reason, detail=detail, at=now)
        if request.to in (S.ACCEPTED, S.REJECTED, S.DUPLICATE):
            lead.triaged_at = now
        lead.status = request.to
        lead.version += 1
        lead.updated_at = now
        session.add(step)
        session.commit()
        return lead, step


def _check_request(session: Session, lead: Lead, request: TransitionRequest) -> None:
    """422 for missing or misplaced details, naming the field."""
    errors: dict[str, list[str]] = {}
    if request.to == S.DUPLICATE and not request.duplicate_of_id:
        errors["duplicate_of_id"] = ["required when marking a duplicate"]
    if request.duplicate_of_id and request.to != S.DUPLICATE:
        errors["duplicate_of_id"] = ["only with to=duplicate"]
    if request.duplicate_of_id == lead.id:
        errors["duplicate_of_id"] = ["a lead cannot duplicate itself"]
    if request.to == S.ASSIGNED and not (request.officer_id or request.round_id):
        errors["officer_id"] = ["assign an officer, a round, or both"]
    for name in ("officer_id", "round_id"):
        if getattr(request, name) and request.to != S.ASSIGNED:
            errors[name] = ["only with to=assigned"]
    if request.to == S.OUTCOME_RECORDED and request.outcome is None:
        errors["outcome"] = ["required when recording an outcome"]
    if request.outcome is not None and request.to != S.OUTCOME_RECORDED:
        errors["outcome"] = ["only with to=outcome_recorded"]
    if (request.outcome is not None and request.outcome.kind == OutcomeKind.PAYMENT_RECEIVED
            and request.outcome.amount <= 0):
        errors["outcome"] = ["a payment needs an amount above zero"]
    if errors:
        raise ValidationFailed("the transition is missing details", errors={"json": errors})
    require_refs(session, lead.court_id, {
        "duplicate_of_id": (Lead, request.duplicate_of_id),
        "officer_id": (User, request.officer_id),
        "round_id": (EnforcementRound, request.round_id),
    })
    if request.officer_id:
        officer = session.get(User, (lead.court_id, request.officer_id))
        if officer is None or officer.role not in (Role.OFFICER, Role.JUDGE):
            raise ValidationFailed("not an officer", errors={"json": {
                "officer_id": ["must be an officer or judge of this court"]}})


def _apply(session: Session, principal: Principal, lead: Lead,
           request: TransitionRequest) -> dict[str, Any]:
    """Set what the step changes besides the status; returns the step's detail record."""
    detail: dict[str, Any] = {}
    if request.to == S.DUPLICATE:
        lead.duplicate_of_id = detail["duplicate_of_id"] = request.duplicate_of_id
    if request.to == S.ASSIGNED:
        lead.assigned_officer_id = request.officer_id or lead.assigned_officer_id
        lead.round_id = request.round_id or lead.round_id
        detail |= {"officer_id": request.officer_id, "round_id": request.round_id}
    if request.outcome is not None:
        outcome = _record_outcome(session, principal, lead, request.outcome)
        detail |= {"outcome_id": outcome.id, "kind": outcome.kind.value,
                   "amount": str(outcome.amount)}
    return detail


def _record_outcome(session: Session, principal: Principal, lead: Lead,
                    data: OutcomeInput) -> Outcome:
    """Store the outcome; a payment adds to what the lead and its case have recovered, and
    a useful outcome earns the lead's author a reward entry (``reports.rewards``)."""
    outcome = Outcome(court_id=lead.court_id, kind=data.kind, case_id=lead.case_id,
                      lead_id=lead.id, round_id=lead.round_id, amount=data.amount,
                      occurred_on=data.occurred_on, notes=data.notes,
                      recorded_by=principal.user_id, recorded_at=utcnow())
    session.add(outcome)
    session.flush()  # the reward entry refers to the outcome
    rewards.earn(session, outcome, lead)
    if data.kind == OutcomeKind.PAYMENT_RECEIVED:
        lead.amount_recovered = (lead.amount_recovered or Decimal("0")) + data.amount
        if lead.case_id:
            # One UPDATE, so concurrent payments on the same case add up instead of racing.
            session.execute(
                sa.update(EnforcementCase)
                .where(EnforcementCase.court_id == lead.court_id,
                       EnforcementCase.id == lead.case_id)
                .values(amount_recovered=EnforcementCase.amount_recovered + data.amount,
                        version=EnforcementCase.version + 1, updated_at=utcnow())
            )
    return outcome
