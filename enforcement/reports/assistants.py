"""Grid assistants' record cards: what each one reported and what it led to.

A card counts, over the assistant's whole service: leads sent (deleted ones left out),
leads accepted, useful leads (that led to an outcome other than ``no_result``), answers to
tasks, sightings, the money recovered through their leads (hidden from assistants, who
never see amounts of cases), reward money pending and approved, when they were last
active (their newest lead, sighting, task answer or sign-in) and the village grids they
serve now. An assistant may read only their own card; court staff read every card.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from enforcement import policy
from enforcement.accounts.principal import Principal
from enforcement.errors import NotFound
from enforcement.infrastructure.db import Database
from enforcement.infrastructure.ids import plausible_id
from enforcement.models import (
    GridAssignment,
    Lead,
    Outcome,
    OutcomeKind,
    RewardEntry,
    RewardStatus,
    Role,
    Sighting,
    TaskAnswer,
    Township,
    User,
    VillageGrid,
)
from enforcement.reports.common import record_export
from enforcement.reports.outcomes import ACCEPTED_OR_LATER


@dataclass(frozen=True, slots=True)
class GridServed:
    village_grid_id: str
    village_name: str
    township_name: str
    since: date


@dataclass(frozen=True, slots=True)
class AssistantCard:
    user_id: str
    display_name: str
    is_active: bool
    leads: int
    leads_accepted: int
    useful_leads: int
    task_answers: int
    sightings: int
    amount_through_leads: Decimal | None
    rewards_pending: Decimal
    rewards_approved: Decimal
    last_active_at: datetime | None
    grids: list[GridServed]


def assistant_card(db: Database, principal: Principal, user_id: str) -> AssistantCard:
    """One assistant's card; 404 ``assistant_not_found`` for anyone the caller may not see
    (another assistant's card, another court's user, a user who is not an assistant)."""
    scope = policy.require(principal, "assistant.read")
    if not plausible_id(user_id) or (scope == "own" and user_id != principal.user_id):
        raise NotFound("no such assistant", code="assistant_not_found")
    cards = _cards(db, principal, [User.id == user_id])
    if not cards:
        raise NotFound("no such assistant", code="assistant_not_found")
    return cards[0]


def assistant_cards(db: Database, principal: Principal,
                    export: str | None = None) -> list[AssistantCard]:
    """Every assistant of the court (an assistant: only themselves), most useful first."""
    scope = policy.require(principal, "assistant.read")
    where = [User.id == principal.user_id] if scope == "own" else []
    return _cards(db, principal, where, export)


def _count(model: Any, author: Any, *where: Any) -> Any:
    return sa.select(sa.func.count()).where(
        model.court_id == User.court_id, author == User.id, *where).scalar_subquery()


def _cards(db: Database, principal: Principal, where: list[Any],
           export: str | None = None) -> list[AssistantCard]:
    useful = sa.select(Outcome.lead_id).where(
        Outcome.court_id == Lead.court_id, Outcome.lead_id == Lead.id,
        Outcome.kind != OutcomeKind.NO_RESULT).exists()
    money = sa.select(sa.func.coalesce(sa.func.sum(Outcome.amount), 0)).join(
        Lead, sa.and_(Lead.court_id == Outcome.court_id, Lead.id == Outcome.lead_id)).where(
        Outcome.court_id == User.court_id, Lead.author_id == User.id,
        Lead.deleted_at.is_(None)).scalar_subquery()

    def rewards(status: RewardStatus) -> Any:
        return sa.select(sa.func.coalesce(sa.func.sum(RewardEntry.amount), 0)).where(
            RewardEntry.court_id == User.court_id, RewardEntry.assistant_id == User.id,
            RewardEntry.status == status).scalar_subquery()

    def newest(model: Any, author: Any, at: Any) -> Any:
        return sa.select(sa.func.max(at)).where(
            model.court_id == User.court_id, author == User.id).scalar_subquery()

    live = Lead.deleted_at.is_(None)
    query = sa.select(
        User.id, User.display_name, User.is_active,
        _count(Lead, Lead.author_id, live).label("leads"),
        _count(Lead, Lead.author_id, live, Lead.status.in_(ACCEPTED_OR_LATER)).label("accepted"),
        _count(Lead, Lead.author_id, live, useful).label("useful"),
        _count(TaskAnswer, TaskAnswer.author_id, TaskAnswer.deleted_at.is_(None)
               ).label("answers"),
        _count(Sighting, Sighting.author_id, Sighting.deleted_at.is_(None)).label("sightings"),
        money.label("money"),
        rewards(RewardStatus.PENDING).label("pending"),
        rewards(RewardStatus.APPROVED).label("approved"),
        sa.func.greatest(newest(Lead, Lead.author_id, Lead.created_at),
                         newest(Sighting, Sighting.author_id, Sighting.created_at),
                         newest(TaskAnswer, TaskAnswer.author_id, TaskAnswer.answered_at),
                         User.last_login_at).label("last_active_at"),
    ).where(User.court_id == principal.court_id, User.role == Role.GRID_ASSISTANT, *where)
    query = query.order_by(sa.literal_column("useful").desc(), User.display_name, User.id)
    amounts = policy.allows(principal, "case.read_amounts")
    with db.unit_of_work() as session:
        rows = session.execute(query).all()
        grids = _grids(session, principal.court_id, [r.id for r in rows])
        record_export(session, principal, "assistants", export, {"rows": len(rows)})
        session.commit()
    return [AssistantCard(
        user_id=r.id, display_name=r.display_name, is_active=r.is_active, leads=r.leads,
        leads_accepted=r.accepted, useful_leads=r.useful, task_answers=r.answers,
        sightings=r.sightings, amount_through_leads=_yuan(r.money) if amounts else None,
        rewards_pending=_yuan(r.pending), rewards_approved=_yuan(r.approved),
        last_active_at=r.last_active_at, grids=grids.get(r.id, [])) for r in rows]


def _yuan(value: Any) -> Decimal:
    return Decimal(value).quantize(Decimal("0.01"))


def _grids(session: Any, court_id: str, user_ids: list[str]) -> dict[str, list[GridServed]]:
    """Grids each user serves now (one query for all of them)."""
    served: dict[str, list[GridServed]] = {}
    if not user_ids:
        return served
    rows = session.execute(
        sa.select(GridAssignment.user_id, VillageGrid.id, VillageGrid.name, Township.name,
                  GridAssignment.started_on)
        .join(VillageGrid, sa.and_(VillageGrid.court_id == GridAssignment.court_id,
                                   VillageGrid.id == GridAssignment.village_grid_id))
        .join(Township, sa.and_(Township.court_id == VillageGrid.court_id,
                                Township.id == VillageGrid.township_id))
        .where(GridAssignment.court_id == court_id, GridAssignment.user_id.in_(user_ids),
               GridAssignment.ended_on.is_(None))
        .order_by(Township.name, VillageGrid.name))
    for user_id, grid_id, village, township, since in rows:
        served.setdefault(user_id, []).append(GridServed(grid_id, village, township, since))
    return served
