"""Plan a round: choose the targets in its area, weigh them, solve the routes, store the stops.

Which targets: ``enforcement.rounds.targets`` (cases, and accepted leads that send a team
somewhere). How they weigh: ``geo.targeting`` from the amount still owed, the freshest
lead and sightings of the last 30 days. When a case's recent sightings were mostly in the
evening (18:00-06:00 local time) the debtor is taken to be home only then and the visit
gets the evening window; a planner can also give windows case by case.

A planner who moves a stop to another team re-plans with that stop pinned to the team
(and, if they like, a day): the solver keeps it there and arranges everything else
around it.

Only the best ``2 × (stops the teams can make) + 20`` candidates go to the solver (pinned
ones always do), so a large area stays quick to plan; ``summary.candidates_in_area`` says
how many there were. The plan replaces the round's previous stops until the round is locked.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from geoalchemy2.shape import from_shape
from shapely.geometry import Point
from sqlmodel import Session

from enforcement.accounts.principal import Principal
from enforcement.errors import Conflict, ValidationFailed
from enforcement.infrastructure.db import Database
from enforcement.models import (
    EnforcementRound,
    RoundStatus,
    RoundTarget,
    RoundTeam,
    new_id,
    utcnow,
)
from enforcement.rounds.targets import candidates
from enforcement.rounds.usecases import (
    PLANNABLE,
    get_round,
    load_round,
    load_teams,
    round_days,
    seconds_of,
    team_base,
)
from geo.planning import Plan, SolverOptions, Target, Team, plan_sweep
from geo.targeting import EVENING, top_candidates
from geo.travel import StraightLineRoads

SERVICE_S = 40 * 60
"""A visit takes about 40 minutes: find the debtor, serve papers, look at property, record."""
TRAVEL = StraightLineRoads()


@dataclass(frozen=True, slots=True)
class Pin:
    """Keep a target with a team (and on a day): the stop a planner moved by hand.

    The target is named by exactly one of ``target_id`` (a stop of the current plan),
    ``case_id`` or ``lead_id``."""

    team_id: str
    day: date | None = None
    target_id: str | None = None
    case_id: str | None = None
    lead_id: str | None = None


@dataclass(frozen=True, slots=True)
class PlanOptions:
    exploration_level: int = 4
    time_windows: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
    """case id → [("18:00", "21:30"), …]: when that debtor is known to be home."""
    pins: list[Pin] = field(default_factory=list)


def plan_round(db: Database, principal: Principal, round_id: str,
               options: PlanOptions) -> dict[str, Any]:
    """Solve the round and store its stops; 409 ``round_locked`` once it is locked."""
    with db.unit_of_work() as session:
        rnd = load_round(session, principal, round_id, for_update=True,
                         action="round.plan")
        if rnd.status not in PLANNABLE:
            raise Conflict("a locked round cannot be planned again", code="round_locked")
        teams = load_teams(session, rnd)
        planner_teams = [_team(t, rnd) for t in teams]
        days = round_days(rnd)
        slots = sum(t.max_stops for t in planner_teams) * len(days)
        found = candidates(session, rnd, utcnow())
        pinned = _resolve_pins(rnd, teams, days, found, options.pins)
        chosen = [c for c in found if c["key"] in pinned] + top_candidates(
            [c for c in found if c["key"] not in pinned], 2 * slots + 20 - len(pinned),
            key=lambda c: (c["priority"], c["key"]))
        targets = [_target(c, options, pinned.get(c["key"])) for c in chosen]
        plan = plan_sweep(targets, planner_teams, days, TRAVEL,
                          SolverOptions(exploration_level=options.exploration_level,
                                        threads=2, timeout_s=30))
        plan.summary["candidates_in_area"] = len(found)
        plan.summary["pinned"] = len(pinned)
        _store(session, rnd, plan, {c["key"]: c for c in chosen}, pinned)
        session.commit()
    return get_round(db, principal, round_id)


def _resolve_pins(rnd: EnforcementRound, teams: list[RoundTeam], days: list[date],
                  found: list[dict[str, Any]], pins: list[Pin]) -> dict[str, Pin]:
    """Candidate key → pin; 422 naming each pin whose team, day or target is unknown."""
    team_ids = {t.id for t in teams}
    stops = {s["target_id"]: s["key"] for r in ((rnd.plan or {}).get("result") or {})
             .get("routes", []) for s in r["stops"] if "key" in s}
    by_key = {c["key"]: c for c in found}
    by_lead = {c["lead_id"]: c["key"] for c in found if c["lead_id"]}
    resolved: dict[str, Pin] = {}
    errors: dict[str, list[str]] = {}
    for n, pin in enumerate(pins):
        key = (stops.get(pin.target_id) if pin.target_id
               else f"case:{pin.case_id}" if pin.case_id else by_lead.get(pin.lead_id or ""))
        if pin.team_id not in team_ids:
            errors[str(n)] = ["team_id is not a team of this round"]
        elif pin.day is not None and pin.day not in days:
            errors[str(n)] = ["day is not a day of this round"]
        elif key is None or key not in by_key:
            errors[str(n)] = ["no such target in the round's area"]
        elif key in resolved:
            errors[str(n)] = ["this target is pinned twice"]
        else:
            resolved[key] = pin
    if errors:
        raise ValidationFailed("pinned assignments do not fit the round", code="invalid_pin",
                               errors={"pinned": errors})
    return resolved


def _team(team: RoundTeam, rnd: EnforcementRound) -> Team:
    base = team_base(team, rnd)
    if base is None:
        raise Conflict(f"team {team.name} has no base to start from", code="team_without_base")
    return Team(team.id, base[0], base[1], work_start_s=seconds_of(team.shift_start),
                work_end_s=seconds_of(team.shift_end), max_stops=team.max_stops,
                capacity=team.capacity)


def _target(case: dict[str, Any], options: PlanOptions, pin: Pin | None) -> Target:
    given = options.time_windows.get(case["case_id"]) if case["case_id"] else None
    if given:
        windows = tuple(sorted((seconds_of(a), seconds_of(b)) for a, b in given))
    elif case["sightings"] >= 2 and 3 * case["evening_sightings"] >= 2 * case["sightings"]:
        windows = (EVENING,)
    else:
        windows = ()
    case["windows"] = [[_hhmm(a), _hhmm(b)] for a, b in windows]
    return Target(case["key"], case["lon"], case["lat"], case["priority"],
                  service_s=SERVICE_S, windows=windows,
                  team_id=pin.team_id if pin else None, day=pin.day if pin else None)


def _hhmm(seconds: int) -> str:
    return f"{seconds // 3600:02d}:{seconds % 3600 // 60:02d}"


def _store(session: Session, rnd: EnforcementRound, plan: Plan,
           chosen: dict[str, dict[str, Any]], pinned: dict[str, Pin]) -> None:
    """Replace the round's stops and keep the planner's answer, enriched for display."""
    session.execute(sa.delete(RoundTarget).where(RoundTarget.court_id == rnd.court_id,
                                                 RoundTarget.round_id == rnd.id))
    result = plan.to_dict()
    for route in result["routes"]:
        for stop in route["stops"]:
            target = chosen[stop["target_id"]]
            row = RoundTarget(
                court_id=rnd.court_id, id=new_id(), round_id=rnd.id, team_id=route["team_id"],
                case_id=target["case_id"], lead_id=target["lead_id"],
                party_id=target["party_id"], village_grid_id=target["village_grid_id"],
                point=from_shape(Point(target["lon"], target["lat"]), srid=4326),
                day=datetime.fromisoformat(route["day"]).date(), seq=stop["seq"],
                eta_minutes=stop["start_s"] // 60,
            )
            session.add(row)
            stop.update(_described(target), target_id=row.id, eta=_hhmm(stop["start_s"]),
                        pinned=target["key"] in pinned)
    for left in result["unassigned"]:
        left.update(_described(chosen[left["target_id"]]), target_id=None)
    result["travel_model"] = {"kind": "straight_line_roads", "speed_kmh": TRAVEL.speed_kmh,
                              "detour_factor": TRAVEL.detour_factor}
    result["planned_at"] = utcnow().isoformat()
    rnd.plan = {**(rnd.plan or {}), "result": result}
    rnd.status = RoundStatus.PLANNED
    rnd.version += 1


def _described(target: dict[str, Any]) -> dict[str, Any]:
    return {"key": target["key"], "case_id": target["case_id"], "lead_id": target["lead_id"],
            "case_number": target["case_number"], "lon": target["lon"], "lat": target["lat"],
            "priority": target["priority"], "windows": target["windows"]}
