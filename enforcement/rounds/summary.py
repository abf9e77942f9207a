"""A round's summary: what was planned, what the teams did, and what came of it.

* ``targets`` are the round's stops; ``visited`` those done, ``revisit`` those where the
  debtor was out or the address wrong, ``not_visited`` the rest.
* ``results`` counts visits by result, ``outcomes`` the round's outcomes by kind with
  their amounts; ``amount_recovered`` is the payments received through the round (from
  visits, and from leads followed up within it).
* Per team and per day (China Standard Time): stops, visits made, amount collected on
  visits, and distance: ``planned_km`` along the planned order of the stops (base → stops
  → base), ``visited_km`` along where the visits were actually recorded, in the order they
  were made. Both use the planner's road model (straight line × detour factor), so the
  two compare like with like.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from enforcement.accounts.principal import Principal
from enforcement.grids.placement import lonlat
from enforcement.infrastructure.db import Database
from enforcement.models import (
    Outcome,
    OutcomeKind,
    RoundTarget,
    TargetStatus,
    Visit,
    VisitResult,
)
from enforcement.rounds.planning import TRAVEL
from enforcement.rounds.usecases import load_round, load_teams, team_base
from geo.travel import haversine_m

CHINA = ZoneInfo("Asia/Shanghai")


def round_summary(db: Database, principal: Principal, round_id: str) -> dict[str, Any]:
    with db.unit_of_work() as session:
        rnd = load_round(session, principal, round_id)
        teams = load_teams(session, rnd)
        targets = session.scalars(sa.select(RoundTarget).where(
            RoundTarget.court_id == rnd.court_id, RoundTarget.round_id == rnd.id)).all()
        visits = session.scalars(sa.select(Visit).where(
            Visit.court_id == rnd.court_id, Visit.round_id == rnd.id,
            Visit.deleted_at.is_(None)).order_by(Visit.visited_at, Visit.id)).all()
        outcomes = session.execute(sa.select(
            Outcome.kind, sa.func.count(), sa.func.coalesce(sa.func.sum(Outcome.amount), 0))
            .where(Outcome.court_id == rnd.court_id, Outcome.round_id == rnd.id)
            .group_by(Outcome.kind)).all()
        bases = {t.id: team_base(t, rnd) for t in teams}
    by_target = {t.id: t for t in targets}
    teams_out = []
    for team in teams:
        mine = [t for t in targets if t.team_id == team.id]
        made = [v for v in visits if by_target.get(v.target_id or "") in mine]
        teams_out.append({"team_id": team.id, "name": team.name,
                          **_figures(mine, made, bases, by_target)})
    days = sorted({t.day for t in targets if t.day} | {_day(v) for v in visits})
    days_out = [{"day": day, **_figures([t for t in targets if t.day == day],
                                        [v for v in visits if _day(v) == day],
                                        bases, by_target)} for day in days]
    payments = {row[0]: row for row in outcomes}
    total = _figures(targets, visits, bases, by_target)
    return {
        "round_id": rnd.id, "status": rnd.status.value, **total,
        "revisit": sum(t.status == TargetStatus.REVISIT for t in targets),
        "not_visited": sum(t.status in (TargetStatus.PLANNED, TargetStatus.SKIPPED)
                           for t in targets),
        "results": {r.value: sum(v.result == r for v in visits) for r in VisitResult},
        "outcomes": {kind.value: {"count": row[1], "amount": Decimal(row[2])}
                     for kind, row in payments.items()},
        "amount_recovered": Decimal(payments[OutcomeKind.PAYMENT_RECEIVED][2])
        if OutcomeKind.PAYMENT_RECEIVED in payments else Decimal("0"),
        "teams": teams_out, "days": days_out,
    }


def _figures(targets: Sequence[Any], visits: Sequence[Any], bases: dict[str, Any],
             by_target: dict[str, Any]) -> dict[str, Any]:
    return {
        "targets": len(targets),
        "visited": sum(t.status == TargetStatus.VISITED for t in targets),
        "visits": len(visits),
        "amount_collected": sum((v.amount_collected for v in visits), Decimal("0")),
        "planned_km": _km(_planned_paths(targets, bases)),
        "visited_km": _km(_visited_paths(visits, bases, by_target)),
    }


def _planned_paths(targets: Sequence[Any], bases: dict[str, Any]) -> list[list[Any]]:
    legs: dict[tuple[str, date], list[Any]] = defaultdict(list)
    for t in targets:
        if t.team_id and t.day and t.point is not None:
            legs[(t.team_id, t.day)].append(t)
    return [_closed(bases.get(team), [lonlat(t.point) for t in sorted(
        stops, key=lambda t: (t.seq or 0, t.id))]) for (team, _), stops in legs.items()]


def _visited_paths(visits: Sequence[Any], bases: dict[str, Any],
                   by_target: dict[str, Any]) -> list[list[Any]]:
    legs: dict[tuple[str, date], list[Any]] = defaultdict(list)
    for v in visits:
        target = by_target.get(v.target_id or "")
        where = lonlat(v.point) or (lonlat(target.point) if target is not None else None)
        if target is not None and target.team_id and where:
            legs[(target.team_id, _day(v))].append(where)
    return [_closed(bases.get(team), points) for (team, _), points in legs.items()]


def _closed(base: Any, points: list[Any]) -> list[Any]:
    return [base, *points, base] if base else points


def _km(paths: list[list[Any]]) -> float:
    metres = sum(haversine_m(a, b) for path in paths for a, b in itertools.pairwise(path))
    return round(metres * TRAVEL.detour_factor / 1000, 1)


def _day(visit: Any) -> date:
    return visit.visited_at.astimezone(CHINA).date()
