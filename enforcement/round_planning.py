"""Plan a round: choose the cases in its area, weigh them, solve the routes, store the stops.

Which cases: open, in progress or resumed, plus terminated (终本) cases with a lead newer
than their termination, since new property or whereabouts is what reopens them; each with
its address point inside the round's area. How they weigh: ``geo.targeting`` from the
amount still owed, the freshest lead and sightings of the last 30 days. When a case's
recent sightings were mostly in the evening (18:00-06:00 local time) the debtor is taken to
be home only then and the visit gets the evening window; a planner can also give windows
case by case.

Only the best ``2 × (stops the teams can make) + 20`` candidates go to the solver, so a
large area stays quick to plan; ``summary.candidates_in_area`` says how many there were.
The plan replaces the round's previous stops until the round is locked.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from geoalchemy2.shape import from_shape
from shapely.geometry import Point
from sqlmodel import Session

from enforcement.db import Database
from enforcement.errors import Conflict
from enforcement.models import (
    CaseParty,
    CaseStatus,
    EnforcementCase,
    EnforcementRound,
    Lead,
    LeadStatus,
    PartyRole,
    RoundStatus,
    RoundTarget,
    Sighting,
    new_id,
    utcnow,
)
from enforcement.principal import Principal
from enforcement.rounds import (
    PLANNABLE,
    get_round,
    load_round,
    load_teams,
    round_days,
    seconds_of,
)
from geo.planning import Plan, SolverOptions, Target, Team, plan_sweep
from geo.targeting import EVENING, SIGHTING_WINDOW_DAYS, target_priority, top_candidates
from geo.travel import StraightLineRoads

ACTIVE = (CaseStatus.OPEN, CaseStatus.IN_PROGRESS, CaseStatus.RESUMED)
DEAD_LEADS = (LeadStatus.REJECTED, LeadStatus.DUPLICATE)
SERVICE_S = 40 * 60
"""A visit takes about 40 minutes: find the debtor, serve papers, look at property, record."""
TRAVEL = StraightLineRoads()


@dataclass(frozen=True, slots=True)
class PlanOptions:
    exploration_level: int = 4
    time_windows: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
    """case id → [("18:00", "21:30"), …]: when that debtor is known to be home."""


def plan_round(db: Database, principal: Principal, round_id: str,
               options: PlanOptions) -> dict[str, Any]:
    """Solve the round and store its stops; 409 ``round_locked`` once it is locked."""
    with db.unit_of_work() as session:
        rnd = load_round(session, principal, round_id, for_update=True)
        if rnd.status not in PLANNABLE:
            raise Conflict("a locked round cannot be planned again", code="round_locked")
        teams = load_teams(session, rnd)
        settings = rnd.plan.get("teams", {})
        planner_teams = [_team(t.id, settings[t.id]) for t in teams]
        slots = sum(t.max_stops for t in planner_teams) * len(round_days(rnd))
        found = candidates(session, rnd, utcnow())
        cases = top_candidates(found, 2 * slots + 20,
                               key=lambda c: (c["priority"], c["case_id"]))
        targets = [_target(c, options) for c in cases]
        plan = plan_sweep(targets, planner_teams, round_days(rnd), TRAVEL,
                          SolverOptions(exploration_level=options.exploration_level,
                                        threads=2, timeout_s=30))
        plan.summary["candidates_in_area"] = len(found)
        _store(session, rnd, plan, {c["case_id"]: c for c in cases})
        session.commit()
    return get_round(db, principal, round_id)


def candidates(session: Session, rnd: EnforcementRound, now: datetime) -> list[dict[str, Any]]:
    """Cases worth a visit inside the round's area, with what the score needs."""
    case = EnforcementCase
    live_lead = sa.and_(Lead.court_id == case.court_id, Lead.case_id == case.id,
                        Lead.deleted_at.is_(None), Lead.status.not_in(DEAD_LEADS))
    lead_at = sa.func.coalesce(Lead.observed_at, Lead.created_at)
    since = now - timedelta(days=SIGHTING_WINDOW_DAYS)
    recent = sa.and_(Sighting.court_id == case.court_id, Sighting.case_id == case.id,
                     Sighting.deleted_at.is_(None), Sighting.seen_at >= since)
    local_hour = sa.extract("hour", sa.func.timezone("Asia/Shanghai", Sighting.seen_at))
    query = sa.select(
        case.id.label("case_id"), case.case_number, case.village_grid_id,
        (case.amount_owed - case.amount_recovered).label("owed"),
        sa.func.ST_X(case.address_point).label("lon"),
        sa.func.ST_Y(case.address_point).label("lat"),
        sa.select(sa.func.max(lead_at)).where(live_lead).scalar_subquery().label("lead_at"),
        sa.select(sa.func.count()).where(recent).scalar_subquery().label("sightings"),
        sa.select(sa.func.count()).where(recent, sa.or_(local_hour >= 18, local_hour < 6))
        .scalar_subquery().label("evening_sightings"),
        sa.select(CaseParty.party_id).where(
            CaseParty.court_id == case.court_id, CaseParty.case_id == case.id,
            CaseParty.role == PartyRole.DEBTOR,
        ).order_by(CaseParty.party_id).limit(1).scalar_subquery().label("party_id"),
    ).where(
        case.court_id == rnd.court_id, case.address_point.is_not(None),
        sa.func.ST_Covers(rnd.area, case.address_point),
        sa.or_(case.status.in_(ACTIVE), sa.and_(
            case.status == CaseStatus.TERMINATED,
            sa.exists().where(live_lead, lead_at >= sa.func.coalesce(
                sa.cast(case.terminated_on, sa.DateTime(timezone=True)), case.updated_at)),
        )),
    )
    rows = [dict(row._mapping) for row in session.execute(query)]
    for row in rows:
        age = (now - row["lead_at"]).total_seconds() / 86400 if row["lead_at"] else None
        row["priority"] = target_priority(float(row["owed"]), age, row["sightings"])
    return rows


def _team(team_id: str, settings: dict[str, Any]) -> Team:
    return Team(team_id, settings["start"]["lon"], settings["start"]["lat"],
                work_start_s=seconds_of(settings["work_start"]),
                work_end_s=seconds_of(settings["work_end"]),
                max_stops=settings["max_stops"], capacity=settings.get("capacity"))


def _target(case: dict[str, Any], options: PlanOptions) -> Target:
    given = options.time_windows.get(case["case_id"])
    if given:
        windows = tuple(sorted((seconds_of(a), seconds_of(b)) for a, b in given))
    elif case["sightings"] >= 2 and 3 * case["evening_sightings"] >= 2 * case["sightings"]:
        windows = (EVENING,)
    else:
        windows = ()
    case["windows"] = [[_hhmm(a), _hhmm(b)] for a, b in windows]
    return Target(case["case_id"], case["lon"], case["lat"], case["priority"],
                  service_s=SERVICE_S, windows=windows)


def _hhmm(seconds: int) -> str:
    return f"{seconds // 3600:02d}:{seconds % 3600 // 60:02d}"


def _store(session: Session, rnd: EnforcementRound, plan: Plan,
           cases: dict[str, dict[str, Any]]) -> None:
    """Replace the round's stops and keep the planner's answer, enriched for display."""
    session.execute(sa.delete(RoundTarget).where(RoundTarget.court_id == rnd.court_id,
                                                 RoundTarget.round_id == rnd.id))
    result = plan.to_dict()
    for route in result["routes"]:
        for stop in route["stops"]:
            case = cases[stop["target_id"]]
            stop.update(_described(case), eta=_hhmm(stop["start_s"]))
            session.add(RoundTarget(
                court_id=rnd.court_id, id=new_id(), round_id=rnd.id, team_id=route["team_id"],
                case_id=case["case_id"], party_id=case["party_id"],
                village_grid_id=case["village_grid_id"],
                point=from_shape(Point(case["lon"], case["lat"]), srid=4326),
                day=datetime.fromisoformat(route["day"]).date(), seq=stop["seq"],
                eta_minutes=stop["start_s"] // 60,
            ))
    for left in result["unassigned"]:
        left.update(_described(cases[left["target_id"]]))
    result["travel_model"] = {"kind": "straight_line_roads", "speed_kmh": TRAVEL.speed_kmh,
                              "detour_factor": TRAVEL.detour_factor}
    result["planned_at"] = utcnow().isoformat()
    rnd.plan = {**rnd.plan, "result": result}
    rnd.status = RoundStatus.PLANNED
    rnd.version += 1


def _described(case: dict[str, Any]) -> dict[str, Any]:
    return {"case_id": case["case_id"], "case_number": case["case_number"],
            "lon": case["lon"], "lat": case["lat"], "priority": case["priority"],
            "windows": case["windows"]}
