"""Editing a round: its name, dates, area, teams and status, within its lifecycle.

The lifecycle (``TRANSITIONS``)::

    draft ──plan──▶ planned ──▶ locked ──▶ running ──▶ done
      │               │  ▲         │  (first visit starts it too)
      └──▶ cancelled ◀┘  └─unlock──┘  (only while no visit is recorded)

What the plan depends on (dates, area, and each team's base, shift, stops per day and
capacity, and which teams there are) may change only before the round is locked; changing
it on a planned round drops the stops and returns the round to ``draft``, since the old
plan no longer answers the question. Names, team members, leaders and vehicles may change
until the round is done or cancelled: people fall ill, cars break down.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import sqlalchemy as sa
from geoalchemy2.shape import from_shape, to_shape
from sqlmodel import Session

from enforcement.accounts.principal import Principal
from enforcement.errors import Conflict, PreconditionFailed, ValidationFailed
from enforcement.infrastructure import audit
from enforcement.infrastructure.db import Database
from enforcement.models import (
    EnforcementRound,
    RoundStatus,
    RoundTarget,
    RoundTeam,
    Visit,
    utcnow,
)
from enforcement.rounds.usecases import (
    PLANNABLE,
    TeamInput,
    apply_team,
    area_of,
    load_round,
    load_teams,
    require_team_members,
    round_view,
    team_base,
    validate_area,
    validate_dates,
    validate_teams,
)

S = RoundStatus
TRANSITIONS: dict[RoundStatus, frozenset[RoundStatus]] = {
    S.DRAFT: frozenset({S.CANCELLED}),
    S.PLANNED: frozenset({S.LOCKED, S.CANCELLED}),
    S.LOCKED: frozenset({S.PLANNED, S.RUNNING, S.CANCELLED}),
    S.RUNNING: frozenset({S.DONE}),
    S.DONE: frozenset(),
    S.CANCELLED: frozenset(),
}
FINISHED = (S.DONE, S.CANCELLED)


@dataclass(frozen=True, slots=True)
class RoundEdit:
    """What a PATCH changes; None (or an empty area) leaves a part as it is."""

    name: str | None = None
    starts_on: date | None = None
    ends_on: date | None = None
    township_ids: list[str] | None = None
    village_ids: list[str] | None = None
    polygon: dict[str, Any] | None = None
    teams: list[TeamInput] | None = None
    status: RoundStatus | None = None

    @property
    def has_area(self) -> bool:
        return self.township_ids is not None or self.village_ids is not None \
            or self.polygon is not None


def edit_round(db: Database, principal: Principal, round_id: str, expected_version: int,
               edit: RoundEdit) -> dict[str, Any]:
    """Apply a PATCH; 412 when the round changed since the caller read it."""
    with db.unit_of_work() as session:
        rnd = load_round(session, principal, round_id, for_update=True,
                         action="round.plan")
        if rnd.version != expected_version:
            raise PreconditionFailed("the round changed since you read it; reload it",
                                     current_version=rnd.version)
        teams = load_teams(session, rnd)
        before = _plan_inputs(rnd, teams)
        if rnd.status in FINISHED and (edit.name or edit.teams is not None or edit.has_area
                                       or edit.starts_on or edit.ends_on):
            raise Conflict("a finished round can no longer change", code="round_finished")
        if edit.name:
            rnd.name = edit.name
        _edit_dates(rnd, edit)
        if edit.has_area:
            validate_area(edit.township_ids or [], edit.village_ids or [], edit.polygon)
            area, rnd.township_id = area_of(session, rnd.court_id, edit.township_ids or [],
                                            edit.village_ids or [], edit.polygon)
            rnd.area = from_shape(area, srid=4326)
        if edit.teams is not None:
            teams = _edit_teams(session, rnd, teams, edit.teams)
        if _plan_inputs(rnd, teams) != before:
            _drop_plan(session, rnd)
        if edit.status is not None and edit.status != rnd.status:
            _move(session, rnd, edit.status)
        rnd.version += 1
        rnd.updated_at = utcnow()
        audit.record(session, court_id=rnd.court_id, action="round.edit",
                     actor_id=principal.user_id, device_id=principal.device_id,
                     subject_table="enforcement_round", subject_id=rnd.id,
                     detail={"status": rnd.status.value, "version": rnd.version})
        session.commit()
        return round_view(rnd, sorted(teams, key=lambda t: (t.name, t.id)))


def _edit_dates(rnd: EnforcementRound, edit: RoundEdit) -> None:
    if edit.starts_on is None and edit.ends_on is None:
        return
    starts, ends = edit.starts_on or rnd.starts_on, edit.ends_on or rnd.ends_on
    validate_dates(starts, ends)
    rnd.starts_on, rnd.ends_on = starts, ends


def _edit_teams(session: Session, rnd: EnforcementRound, teams: list[RoundTeam],
                given: list[TeamInput]) -> list[RoundTeam]:
    """Replace the round's teams by ``given``: a team with an ``id`` is updated, one
    without is added, a team not named any more is removed."""
    if not given:
        raise ValidationFailed("a round needs a team", errors={"teams": ["at least one"]})
    validate_teams(given)
    require_team_members(session, rnd.court_id, given)
    by_id = {t.id: t for t in teams}
    unknown = [t.id for t in given if t.id is not None and t.id not in by_id]
    if unknown:
        raise ValidationFailed("unknown teams", code="unknown_team",
                               errors={"teams": {"id": sorted(unknown)}})
    kept: list[RoundTeam] = []
    for team in given:
        row = by_id.get(team.id) if team.id else None
        if row is None:
            row = RoundTeam(court_id=rnd.court_id, round_id=rnd.id, name=team.name)
            session.add(row)
        apply_team(row, team)
        kept.append(row)
    removed = set(by_id) - {t.id for t in kept}
    if removed:
        if rnd.status not in PLANNABLE:
            raise Conflict("teams of a locked round cannot be removed", code="round_locked")
        session.execute(sa.delete(RoundTarget).where(
            RoundTarget.court_id == rnd.court_id, RoundTarget.round_id == rnd.id))
        session.execute(sa.delete(RoundTeam).where(
            RoundTeam.court_id == rnd.court_id, RoundTeam.id.in_(removed)))
    rnd.team_count = len(kept)
    session.flush()
    return kept


def _plan_inputs(rnd: EnforcementRound, teams: list[RoundTeam]) -> tuple[Any, ...]:
    """Everything the plan depends on, comparable before and after an edit."""
    area = None if rnd.area is None else to_shape(rnd.area).wkb
    return (rnd.starts_on, rnd.ends_on, area, sorted(
        (t.id or "", team_base(t, rnd), t.shift_start, t.shift_end, t.max_stops, t.capacity)
        for t in teams))


def _drop_plan(session: Session, rnd: EnforcementRound) -> None:
    if rnd.status not in PLANNABLE:
        raise Conflict("a locked round's plan cannot change; unlock it first",
                       code="round_locked")
    session.execute(sa.delete(RoundTarget).where(RoundTarget.court_id == rnd.court_id,
                                                 RoundTarget.round_id == rnd.id))
    rnd.plan = {**(rnd.plan or {}), "result": None}
    rnd.status = S.DRAFT


def _move(session: Session, rnd: EnforcementRound, to: RoundStatus) -> None:
    if to not in TRANSITIONS[rnd.status]:
        code = "round_not_planned" if to == S.LOCKED and rnd.status == S.DRAFT \
            else "invalid_round_transition"
        raise Conflict(f"a {rnd.status.value} round cannot become {to.value}", code=code,
                       allowed=sorted(s.value for s in TRANSITIONS[rnd.status]))
    if rnd.status == S.LOCKED and to == S.PLANNED:
        visited = session.scalar(sa.select(sa.func.count()).select_from(Visit).where(
            Visit.court_id == rnd.court_id, Visit.round_id == rnd.id,
            Visit.deleted_at.is_(None)))
        if visited:
            raise Conflict("visits were recorded on this round; it stays locked",
                           code="round_has_visits")
        rnd.locked_at = None
    if to == S.LOCKED:
        rnd.locked_at = utcnow()
    rnd.status = to
