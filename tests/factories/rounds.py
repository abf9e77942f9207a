"""Enforcement rounds, their teams, targets, visits and outcomes."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from sqlmodel import Session

from enforcement.models import (
    Court,
    EnforcementRound,
    Outcome,
    OutcomeKind,
    RoundStatus,
    RoundTarget,
    RoundTeam,
    User,
    Visit,
    VisitResult,
    utcnow,
)
from tests.factories.accounts import unique
from tests.factories.cases import create_case


def create_round(session: Session, creator: User, **overrides: Any) -> EnforcementRound:
    """A round that went out (``done``) over a week of March 2025 unless told otherwise."""
    values: dict[str, Any] = {
        "court_id": creator.court_id, "name": unique("第一轮驻村连片集中执行"),
        "status": RoundStatus.DONE, "starts_on": date(2025, 3, 17),
        "ends_on": date(2025, 3, 21), "created_by": creator.id,
    }
    rnd = EnforcementRound(**(values | overrides))
    session.add(rnd)
    session.flush()
    return rnd


def create_round_target(session: Session, rnd: EnforcementRound,
                        **overrides: Any) -> RoundTarget:
    target = RoundTarget(**({"court_id": rnd.court_id, "round_id": rnd.id} | overrides))
    session.add(target)
    session.flush()
    return target


def create_round_team(session: Session, rnd: EnforcementRound, leader: User | None,
                      *members: User, **overrides: Any) -> RoundTeam:
    values: dict[str, Any] = {
        "court_id": rnd.court_id, "round_id": rnd.id, "name": unique("执行组"),
        "leader_id": leader.id if leader else None, "member_ids": [m.id for m in members],
    }
    team = RoundTeam(**(values | overrides))
    session.add(team)
    session.flush()
    return team


def create_visitable_round(session: Session, leader: User, stops: int = 2,
                           **overrides: Any) -> tuple[EnforcementRound, list[RoundTarget]]:
    """A ``locked`` round with one team led by ``leader`` and ``stops`` targets, each a
    debtor's case owing 50,000 yuan: ready for visits."""
    rnd = create_round(session, leader, **({"status": RoundStatus.LOCKED,
                                            "starts_on": date(2026, 11, 2),
                                            "ends_on": date(2026, 11, 6)} | overrides))
    team = create_round_team(session, rnd, leader)
    court = session.get(Court, leader.court_id)
    targets = [create_round_target(session, rnd, team_id=team.id, seq=n,
                                   case_id=create_case(session, court).id)
               for n in range(stops)]
    return rnd, targets


def create_visit(session: Session, officer: User, result: VisitResult = VisitResult.DEBTOR_MET,
                 **overrides: Any) -> Visit:
    values: dict[str, Any] = {
        "court_id": officer.court_id, "officer_id": officer.id, "visited_at": utcnow(),
        "result": result,
    }
    visit = Visit(**(values | overrides))
    session.add(visit)
    session.flush()
    return visit


def create_outcome(session: Session, recorder: User,
                   kind: OutcomeKind = OutcomeKind.PAYMENT_RECEIVED,
                   **overrides: Any) -> Outcome:
    """An outcome stored directly (no money rolled up to lead or case, no reward earned)."""
    values: dict[str, Any] = {
        "court_id": recorder.court_id, "kind": kind, "occurred_on": date(2025, 3, 18),
        "recorded_by": recorder.id, "recorded_at": utcnow(),
        "amount": Decimal("1000.00") if kind == OutcomeKind.PAYMENT_RECEIVED else Decimal("0"),
    }
    outcome = Outcome(**(values | overrides))
    session.add(outcome)
    session.flush()
    return outcome
