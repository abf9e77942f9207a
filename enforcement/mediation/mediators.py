"""Mediators on cases: the court puts a local sage (乡贤) on a case and takes them off.

An assignment runs from ``starts_on`` until ``ends_on`` (exclusive; none: open-ended).
While it runs the mediator reads the case with its parties and amounts, records
mediation notes on it and sees its settlements (policy scope ``assigned``). Ending an
assignment keeps the row, so who mediated a case when is never lost; both writes are
audited.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

from enforcement import policy
from enforcement.accounts.principal import Principal
from enforcement.errors import Conflict, NotFound, ValidationFailed
from enforcement.infrastructure import audit
from enforcement.infrastructure.db import Database
from enforcement.infrastructure.ids import plausible_id
from enforcement.models import CaseMediator, EnforcementCase, Role, User, utcnow


def assign_mediator(db: Database, principal: Principal, case_id: str,
                    data: Mapping[str, Any]) -> CaseMediator:
    """Put a mediator of the court on a case; 409 when their assignments would overlap."""
    today = date.today()
    starts_on: date = data.get("starts_on") or today
    ends_on: date | None = data.get("ends_on")
    if ends_on is not None and ends_on <= starts_on:
        raise ValidationFailed("the assignment must end after it starts",
                               errors={"json": {"ends_on": ["must be after starts_on"]}})
    with db.unit_of_work() as session:
        case = _case(session, principal, "case.assign_mediator", case_id, for_update=True)
        mediator = _mediator(session, principal, data["mediator_id"])
        overlapping = session.scalars(sa.select(CaseMediator.id).where(
            CaseMediator.court_id == case.court_id, CaseMediator.case_id == case.id,
            CaseMediator.mediator_id == mediator.id,
            sa.or_(CaseMediator.ends_on.is_(None), CaseMediator.ends_on > starts_on),
            *([CaseMediator.starts_on < ends_on] if ends_on else []),
        )).first()
        if overlapping:
            raise Conflict("this mediator is already assigned to the case for those days",
                           code="mediator_already_assigned", assignment_id=overlapping)
        assignment = CaseMediator(court_id=case.court_id, case_id=case.id,
                                  mediator_id=mediator.id, starts_on=starts_on, ends_on=ends_on,
                                  note=data.get("note") or "", assigned_by=principal.user_id)
        session.add(assignment)
        session.flush()
        _audit(session, principal, "case.assign_mediator", assignment)
        session.commit()
        return assignment


def end_assignment(db: Database, principal: Principal, case_id: str,
                   assignment_id: str) -> CaseMediator:
    """Take the mediator off the case from today; an assignment already over is 409."""
    today = date.today()
    with db.unit_of_work() as session:
        case = _case(session, principal, "case.assign_mediator", case_id)
        assignment = session.scalars(sa.select(CaseMediator).where(
            CaseMediator.court_id == case.court_id, CaseMediator.case_id == case.id,
            CaseMediator.id == assignment_id).with_for_update()).first() \
            if plausible_id(assignment_id) else None
        if assignment is None:
            raise NotFound("no such assignment on this case", code="assignment_not_found")
        if assignment.ends_on is not None and assignment.ends_on <= today:
            raise Conflict("the assignment has already ended", code="assignment_ended",
                           ends_on=assignment.ends_on.isoformat())
        # One not yet started ends where it starts: kept, but it never runs.
        assignment.ends_on = max(today, assignment.starts_on)
        assignment.ended_by = principal.user_id
        assignment.updated_at = utcnow()
        _audit(session, principal, "case.end_mediator", assignment)
        session.commit()
        return assignment


def list_assignments(db: Database, principal: Principal, case_id: str) -> list[CaseMediator]:
    """Every assignment of the case, current and past, earliest first."""
    with db.unit_of_work() as session:
        case = _case(session, principal, "case.read_mediators", case_id)
        return list(session.scalars(sa.select(CaseMediator).where(
            CaseMediator.court_id == case.court_id, CaseMediator.case_id == case.id,
        ).order_by(CaseMediator.starts_on, CaseMediator.created_at, CaseMediator.id)))


def _case(session: Session, principal: Principal, action: str, case_id: str, *,
          for_update: bool = False) -> EnforcementCase:
    policy.require(principal, action)  # 403 before anything about the id
    if not plausible_id(case_id):
        raise NotFound("no such case", code="case_not_found")
    query = sa.select(EnforcementCase).where(
        policy.scope_filter(principal, action, EnforcementCase), EnforcementCase.id == case_id)
    case = session.scalars(query.with_for_update() if for_update else query).first()
    if case is None:
        raise NotFound("no such case", code="case_not_found")
    return case


def _mediator(session: Session, principal: Principal, user_id: str) -> User:
    user = session.get(User, (principal.court_id, user_id)) if plausible_id(user_id) else None
    if user is None or user.role != Role.MEDIATOR or not user.is_active:
        raise ValidationFailed("unknown references", errors={"json": {"mediator_id": [
            f"no active mediator with id {user_id} in this court"]}})
    return user


def _audit(session: Session, principal: Principal, action: str,
           assignment: CaseMediator) -> None:
    audit.record(session, court_id=assignment.court_id, action=action,
                 actor_id=principal.user_id, device_id=principal.device_id,
                 subject_table="case_mediator", subject_id=assignment.id,
                 detail={"case_id": assignment.case_id, "mediator_id": assignment.mediator_id,
                         "starts_on": assignment.starts_on.isoformat(),
                         "ends_on": assignment.ends_on.isoformat()
                         if assignment.ends_on else None})
