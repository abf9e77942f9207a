"""Visits: what a field team found at a round's stop, recorded on the spot.

Only members (or leaders) of one of the round's teams record visits, and only on a
locked or running round: a plan that can still change has no stops to visit yet, and the
first visit starts a locked round (``running``). A visit moves its target on
(``visited``, or ``revisit`` when the debtor was out or the address wrong) and records
what came of it as outcomes that the court's reports add up:

* an amount collected → ``payment_received``, added to the case's recovered amount
  (409 ``amount_owed_exceeded`` if that would pass what is owed);
* ``settled`` → ``settlement_reached``; ``property_found`` → ``property_found``, or the
  ``outcome_kind`` given (sealed, frozen, seized); ``outcome_kind`` can also record e.g.
  a detention after a refusal.

A phone may choose the visit's id; sending the same visit twice stores it once. This
module is the only write path of visits: ``POST /rounds/{id}/visits`` and a ``visit``
pushed by sync both go through ``store_visit`` (same checks, same effects, same audit
entry), and a later edit through ``edit_visit``. What a visit found (stop, time, result,
amount, outcome) is fixed once recorded, because the payment and outcomes it made are in
the court's books: a correction is another visit, not an edit (409 ``visit_recorded``).
Photos are not facts: the officer lists the files (uploaded through /api/v1/attachments)
with the visit or adds them later, when the phone has signal again.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

from enforcement import policy
from enforcement.accounts.principal import Principal
from enforcement.attachments.refs import hang_files, replace_refs, show_files
from enforcement.errors import Conflict, Forbidden, NotFound, ValidationFailed
from enforcement.grids.placement import ReportedPoint, set_point
from enforcement.infrastructure import audit
from enforcement.infrastructure.db import Database
from enforcement.infrastructure.ids import plausible_id
from enforcement.infrastructure.paging import Page, Position, newest_first, page_of
from enforcement.infrastructure.times import plausible
from enforcement.models import (
    EnforcementCase,
    EnforcementRound,
    Outcome,
    OutcomeKind,
    RoundStatus,
    RoundTarget,
    RoundTeam,
    TargetStatus,
    Visit,
    VisitResult,
    new_id,
    utcnow,
)
from enforcement.rounds.usecases import load_round

VISITABLE = (RoundStatus.LOCKED, RoundStatus.RUNNING)
GO_AGAIN = (VisitResult.DEBTOR_ABSENT, VisitResult.ADDRESS_WRONG)
OUTCOME_OF_RESULT = {VisitResult.SETTLED: OutcomeKind.SETTLEMENT_REACHED,
                     VisitResult.PROPERTY_FOUND: OutcomeKind.PROPERTY_FOUND}
FACTS = frozenset({"round_id", "target_id", "case_id", "visited_at", "result",
                   "amount_collected", "outcome_kind"})
"""What a visit found; fixed once recorded."""


@dataclass(frozen=True, slots=True)
class VisitInput:
    target_id: str
    result: VisitResult
    visited_at: datetime
    point: ReportedPoint | None = None
    notes: str = ""
    amount_collected: Decimal = Decimal("0")
    outcome_kind: OutcomeKind | None = None
    id: str | None = None
    attachments: Sequence[Mapping[str, Any]] = ()


def record_visit(db: Database, principal: Principal, round_id: str,
                 data: VisitInput) -> tuple[Visit, bool]:
    """Store a visit and its effects; returns (visit, created) — False for a retry."""
    with db.unit_of_work() as session:
        visit, created = store_visit(session, principal, round_id, data)
        session.commit()
        return visit, created


def store_visit(session: Session, principal: Principal, round_id: str,
                data: VisitInput) -> tuple[Visit, bool]:
    """Record a visit inside the caller's transaction (a REST request's, or one pushed
    mutation's savepoint): every check and every effect, so both ways are one write."""
    policy.require(principal, "visit.create")
    _check(data)
    rnd = load_round(session, principal, round_id, for_update=True)
    _require_team_member(session, principal, rnd)
    if data.id is not None:
        earlier = session.get(Visit, (principal.court_id, data.id))
        if earlier is not None:
            if earlier.round_id != rnd.id or earlier.target_id != data.target_id:
                raise Conflict("a visit with this id already exists", code="visit_exists")
            hang_files(session, "visit", [earlier])
            return earlier, False
    if rnd.status not in VISITABLE:
        raise Conflict("lock the round's plan before recording visits",
                       code="round_not_running")
    target = _target(session, rnd, data.target_id)
    visit = Visit(court_id=rnd.court_id, id=data.id or new_id(), round_id=rnd.id,
                  target_id=target.id, case_id=target.case_id,
                  officer_id=principal.user_id, device_id=principal.device_id,
                  visited_at=data.visited_at, result=data.result,
                  amount_collected=data.amount_collected, outcome_kind=data.outcome_kind,
                  notes=data.notes)
    set_point(session, visit, data.point)
    session.add(visit)
    session.flush()
    show_files(visit, replace_refs(session, visit.court_id, "visit", visit.id, data.attachments))
    apply_visit(session, principal, rnd, target, visit)
    return visit, True


def edit_visit(session: Session, principal: Principal, visit: Visit, *,
               notes: str | None = None, point: ReportedPoint | None = None,
               move_point: bool = False,
               attachments: Sequence[Mapping[str, Any]] | None = None) -> None:
    """The officer who recorded a visit may add to its notes, correct its point or replace
    its list of photos; all leave the payment and outcomes as they are."""
    policy.require(principal, "visit.update")
    if visit.officer_id != principal.user_id:
        raise Forbidden("only the officer who recorded a visit may edit it")
    if notes is not None:
        visit.notes = notes
    if move_point:
        set_point(session, visit, point)
    if attachments is not None:
        show_files(visit, replace_refs(session, visit.court_id, "visit", visit.id, attachments))
    visit.version += 1
    visit.updated_at = utcnow()
    session.flush()
    audit.record(session, court_id=visit.court_id, action="visit.edit",
                 actor_id=principal.user_id, device_id=principal.device_id,
                 subject_table="visit", subject_id=visit.id,
                 detail={"notes": notes is not None, "point": move_point,
                         "attachments": attachments is not None})


def refuse_fact_change(changed: set[str]) -> None:
    """409 ``visit_recorded`` when an edit would change what the visit found."""
    facts = sorted(changed & FACTS)
    if facts:
        raise Conflict("a recorded visit keeps its stop, time, result, amount and outcome; "
                       "record another visit to correct it", code="visit_recorded",
                       fields=facts)


def refuse_withdrawal() -> None:
    """A visit is never withdrawn: its payment and outcomes are in the court's books."""
    raise Conflict("a recorded visit cannot be withdrawn; record another visit to correct it",
                   code="visit_recorded")


def apply_visit(session: Session, principal: Principal, rnd: EnforcementRound,
                target: RoundTarget, visit: Visit) -> None:
    """What a stored visit changes: the target's state, the round's status, outcomes and
    the case's recovered amount, and the audit log."""
    if target.visited_at is None or visit.visited_at >= target.visited_at:
        target.status = (TargetStatus.REVISIT if visit.result in GO_AGAIN
                         else TargetStatus.VISITED).value
        target.last_result, target.visited_at = visit.result, visit.visited_at
    if rnd.status == RoundStatus.LOCKED:
        rnd.status = RoundStatus.RUNNING
        rnd.version += 1
    kinds = []
    if visit.amount_collected > 0:
        kinds.append(OutcomeKind.PAYMENT_RECEIVED)
        if target.case_id:
            _add_recovered(session, rnd.court_id, target.case_id, visit.amount_collected)
    kind = visit.outcome_kind or OUTCOME_OF_RESULT.get(visit.result)
    if kind is not None:
        kinds.append(kind)
    for kind in kinds:
        session.add(Outcome(
            court_id=rnd.court_id, kind=kind, case_id=target.case_id, lead_id=target.lead_id,
            round_id=rnd.id, visit_id=visit.id, occurred_on=_local_day(visit.visited_at),
            amount=visit.amount_collected if kind == OutcomeKind.PAYMENT_RECEIVED else Decimal(0),
            notes=visit.notes[:500], recorded_by=principal.user_id, recorded_at=utcnow()))
    audit.record(session, court_id=rnd.court_id, action="visit.record",
                 actor_id=principal.user_id, device_id=principal.device_id,
                 subject_table="visit", subject_id=visit.id,
                 detail={"round_id": rnd.id, "target_id": target.id,
                         "result": visit.result.value,
                         "amount_collected": str(visit.amount_collected),
                         "outcomes": [k.value for k in kinds]})


def list_visits(db: Database, principal: Principal, round_id: str, after: Position | None,
                limit: int) -> Page[Visit]:
    """The round's visits, newest first."""
    policy.require(principal, "visit.read")
    with db.unit_of_work() as session:
        rnd = load_round(session, principal, round_id)
        query = sa.select(Visit).where(Visit.court_id == rnd.court_id,
                                       Visit.round_id == rnd.id, Visit.deleted_at.is_(None))
        rows = session.scalars(newest_first(query, Visit.created_at, Visit.id, after,
                                            limit)).all()
        page = page_of(rows, limit)
        hang_files(session, "visit", page.items)
        return page


def team_members(team: RoundTeam) -> set[str]:
    return {uid for uid in (team.leader_id, *(team.member_ids or [])) if uid}


def _require_team_member(session: Session, principal: Principal, rnd: EnforcementRound) -> None:
    teams = session.scalars(sa.select(RoundTeam).where(
        RoundTeam.court_id == rnd.court_id, RoundTeam.round_id == rnd.id)).all()
    if not any(principal.user_id in team_members(t) for t in teams):
        raise Forbidden("only members of the round's teams record its visits",
                        code="not_on_round_team")


def _target(session: Session, rnd: EnforcementRound, target_id: str) -> RoundTarget:
    target = session.scalars(sa.select(RoundTarget).where(
        RoundTarget.court_id == rnd.court_id, RoundTarget.round_id == rnd.id,
        RoundTarget.id == target_id).with_for_update()).first() \
        if plausible_id(target_id) else None
    if target is None:
        raise NotFound("no such stop on this round", code="round_target_not_found")
    return target


def _check(data: VisitInput) -> None:
    errors: dict[str, list[str]] = {}
    if data.result == VisitResult.PAID and data.amount_collected <= 0:
        errors["amount_collected"] = ["a paid visit needs the amount collected"]
    if data.outcome_kind in (OutcomeKind.PAYMENT_RECEIVED, OutcomeKind.NO_RESULT):
        errors["outcome_kind"] = ["payments come from amount_collected; omit no_result"]
    if data.visited_at.tzinfo is None or not plausible(data.visited_at):
        errors["visited_at"] = ["must be after 2000 and not in the future"]
    if errors:
        raise ValidationFailed("the visit is not complete", errors={"json": errors})


def _add_recovered(session: Session, court_id: str, case_id: str, amount: Decimal) -> None:
    case = session.scalars(sa.select(EnforcementCase).where(
        EnforcementCase.court_id == court_id, EnforcementCase.id == case_id)
        .with_for_update()).one()
    if case.amount_recovered + amount > case.amount_owed:
        raise Conflict(
            f"the case owes {case.amount_owed} and has recovered {case.amount_recovered}; "
            f"{amount} more would exceed it", code="amount_owed_exceeded",
            amount_owed=str(case.amount_owed), amount_recovered=str(case.amount_recovered))
    case.amount_recovered += amount
    case.version += 1
    case.updated_at = utcnow()


def _local_day(at: datetime) -> Any:
    from zoneinfo import ZoneInfo

    return at.astimezone(ZoneInfo("Asia/Shanghai")).date()
