"""Enforcement rounds (驻村连片集中执行): create one over an area, list, read and lock it.

Planning lives in ``enforcement.rounds.planning``, edits and the status lifecycle in
``enforcement.rounds.edits``, visits in ``enforcement.rounds.visits``, the printable and drawable
outputs in ``enforcement.rounds.outputs``. Only officers and judges of the court work with
rounds (the routes say so); another court's round is reported as absent.

A team's planning settings (base, shift, stops per day, vehicle capacity) are columns of
``RoundTeam``; ``EnforcementRound.plan["result"]`` keeps the planner's last answer.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, time
from typing import Any

import shapely
import sqlalchemy as sa
from geoalchemy2.shape import from_shape, to_shape
from shapely.geometry import MultiPolygon, Point, mapping, shape
from sqlmodel import Session

from enforcement import policy
from enforcement.accounts.principal import Principal
from enforcement.errors import Conflict, NotFound, ValidationFailed
from enforcement.grids.placement import lonlat
from enforcement.infrastructure.db import Database
from enforcement.infrastructure.ids import plausible_id
from enforcement.models import (
    EnforcementRound,
    Role,
    RoundStatus,
    RoundTeam,
    Township,
    User,
    VillageGrid,
    new_id,
    utcnow,
)

MAX_ROUND_DAYS = 31
PLANNABLE = (RoundStatus.DRAFT, RoundStatus.PLANNED)


@dataclass(frozen=True, slots=True)
class TeamInput:
    name: str
    lon: float
    lat: float
    work_start: str = "08:00"
    work_end: str = "18:00"
    max_stops: int = 12
    capacity: int | None = None
    vehicle: str | None = None
    leader_id: str | None = None
    member_ids: tuple[str, ...] = ()
    id: str | None = None
    """An existing team's id when a round is edited; None for a new team."""


@dataclass(frozen=True, slots=True)
class RoundInput:
    name: str
    starts_on: date
    ends_on: date
    teams: list[TeamInput]
    township_ids: list[str] = field(default_factory=list)
    village_ids: list[str] = field(default_factory=list)
    polygon: dict[str, Any] | None = None


def seconds_of(hhmm: str | time) -> int:
    """'18:30' (or a ``time``) → 66,600 seconds since midnight."""
    if isinstance(hhmm, time):
        return hhmm.hour * 3600 + hhmm.minute * 60
    hours, minutes = hhmm.split(":")
    return int(hours) * 3600 + int(minutes) * 60


def hhmm_of(value: time) -> str:
    return f"{value.hour:02d}:{value.minute:02d}"


def round_days(rnd: EnforcementRound) -> list[date]:
    return [date.fromordinal(d) for d in range(rnd.starts_on.toordinal(),
                                                rnd.ends_on.toordinal() + 1)]


def create_round(db: Database, principal: Principal, data: RoundInput) -> dict[str, Any]:
    """Store a draft round with its teams; the area comes from grids or a polygon."""
    policy.require(principal, "round.plan")
    validate_dates(data.starts_on, data.ends_on)
    validate_area(data.township_ids, data.village_ids, data.polygon)
    validate_teams(data.teams)
    with db.unit_of_work() as session:
        require_team_members(session, principal.court_id, data.teams)
        area, township_id = area_of(session, principal.court_id, data.township_ids,
                                    data.village_ids, data.polygon)
        round_id = new_id()
        teams = [RoundTeam(court_id=principal.court_id, id=new_id(), round_id=round_id,
                           name=team.name) for team in data.teams]
        for row, team in zip(teams, data.teams, strict=True):
            apply_team(row, team)
        rnd = EnforcementRound(
            court_id=principal.court_id, id=round_id, name=data.name,
            starts_on=data.starts_on, ends_on=data.ends_on, township_id=township_id,
            area=from_shape(area, srid=4326), team_count=len(data.teams),
            depot_point=from_shape(Point(data.teams[0].lon, data.teams[0].lat), srid=4326),
            created_by=principal.user_id, plan={"result": None},
        )
        session.add(rnd)
        session.flush()
        session.add_all(teams)
        session.commit()
        return round_view(rnd, teams)


def list_rounds(db: Database, principal: Principal) -> list[dict[str, Any]]:
    """The court's rounds, newest first (a court runs a handful a year: no paging)."""
    policy.require(principal, "round.read")
    with db.unit_of_work() as session:
        rounds = session.scalars(
            sa.select(EnforcementRound).where(EnforcementRound.court_id == principal.court_id)
            .order_by(EnforcementRound.starts_on.desc(), EnforcementRound.id)
        ).all()
        teams = _teams_of(session, principal.court_id, [r.id for r in rounds])
        return [round_view(r, teams.get(r.id, [])) for r in rounds]


def get_round(db: Database, principal: Principal, round_id: str) -> dict[str, Any]:
    with db.unit_of_work() as session:
        rnd = load_round(session, principal, round_id)
        return round_view(rnd, _teams_of(session, rnd.court_id, [rnd.id]).get(rnd.id, []))


def lock_round(db: Database, principal: Principal, round_id: str) -> dict[str, Any]:
    """Freeze the plan: teams print their sheets from it, so it may no longer change."""
    with db.unit_of_work() as session:
        rnd = load_round(session, principal, round_id, for_update=True, action="round.plan")
        if rnd.status not in PLANNABLE:
            raise Conflict("the round is already locked", code="round_locked")
        if rnd.status != RoundStatus.PLANNED:
            raise Conflict("plan the round before locking it", code="round_not_planned")
        rnd.status = RoundStatus.LOCKED
        rnd.locked_at = utcnow()
        rnd.version += 1
        session.commit()
        return round_view(rnd, _teams_of(session, rnd.court_id, [rnd.id]).get(rnd.id, []))


def load_round(session: Session, principal: Principal, round_id: str, *,
               for_update: bool = False, action: str = "round.read") -> EnforcementRound:
    """The caller's court's round, or 404 ``round_not_found`` (another court's included);
    403 first when the caller's role may not do ``action`` (``policy``)."""
    policy.require(principal, action)
    if not plausible_id(round_id):
        raise NotFound("no such round", code="round_not_found")
    query = sa.select(EnforcementRound).where(
        EnforcementRound.court_id == principal.court_id, EnforcementRound.id == round_id)
    if for_update:
        query = query.with_for_update()
    rnd = session.scalars(query).first()
    if rnd is None:
        raise NotFound("no such round", code="round_not_found")
    return rnd


def load_teams(session: Session, rnd: EnforcementRound) -> list[RoundTeam]:
    return _teams_of(session, rnd.court_id, [rnd.id]).get(rnd.id, [])


def team_base(team: RoundTeam, rnd: EnforcementRound) -> tuple[float, float] | None:
    """Where a team leaves from: its own base, else the round's depot (demo rounds)."""
    return lonlat(team.start_point) or lonlat(rnd.depot_point)


def team_view(team: RoundTeam, rnd: EnforcementRound) -> dict[str, Any]:
    base = team_base(team, rnd)
    return {"id": team.id, "name": team.name, "vehicle": team.vehicle,
            "leader_id": team.leader_id, "member_ids": list(team.member_ids or []),
            "start": {"lon": base[0], "lat": base[1]} if base else None,
            "work_start": hhmm_of(team.shift_start), "work_end": hhmm_of(team.shift_end),
            "max_stops": team.max_stops, "capacity": team.capacity}


def round_view(rnd: EnforcementRound, teams: list[RoundTeam]) -> dict[str, Any]:
    result = (rnd.plan or {}).get("result")
    return {
        "id": rnd.id, "name": rnd.name, "status": rnd.status.value,
        "starts_on": rnd.starts_on, "ends_on": rnd.ends_on, "township_id": rnd.township_id,
        "area": mapping(to_shape(rnd.area)) if rnd.area is not None else None,
        "teams": [team_view(t, rnd) for t in teams],
        "plan_summary": result["summary"] if result else None, "plan": result,
        "locked_at": rnd.locked_at, "created_at": rnd.created_at, "version": rnd.version,
    }


def _teams_of(session: Session, court_id: str,
              round_ids: list[str]) -> dict[str, list[RoundTeam]]:
    by_round: dict[str, list[RoundTeam]] = {}
    if round_ids:
        for team in session.scalars(
            sa.select(RoundTeam).where(RoundTeam.court_id == court_id,
                                       RoundTeam.round_id.in_(round_ids))
            .order_by(RoundTeam.name, RoundTeam.id)
        ):
            by_round.setdefault(team.round_id, []).append(team)
    return by_round


def apply_team(row: RoundTeam, team: TeamInput) -> None:
    """Copy a team's input onto its row."""
    row.name, row.vehicle = team.name, team.vehicle
    row.leader_id, row.member_ids = team.leader_id, list(team.member_ids)
    row.start_point = from_shape(Point(team.lon, team.lat), srid=4326)
    row.shift_start = time.fromisoformat(team.work_start)
    row.shift_end = time.fromisoformat(team.work_end)
    row.max_stops, row.capacity = team.max_stops, team.capacity


def validate_dates(starts_on: date, ends_on: date) -> None:
    if ends_on < starts_on:
        raise ValidationFailed("the round is not valid",
                               errors={"ends_on": ["must not be before starts_on"]})
    if (ends_on - starts_on).days >= MAX_ROUND_DAYS:
        raise ValidationFailed("the round is not valid", errors={
            "ends_on": [f"a round lasts at most {MAX_ROUND_DAYS} days"]})


def validate_area(township_ids: list[str], village_ids: list[str],
                  polygon: dict[str, Any] | None) -> None:
    if sum([bool(township_ids), bool(village_ids), polygon is not None]) != 1:
        raise ValidationFailed("the round is not valid", errors={
            "area": ["give exactly one of township_ids, village_ids or polygon"]})


def validate_teams(teams: list[TeamInput]) -> None:
    errors: dict[str, Any] = {}
    for n, team in enumerate(teams):
        if seconds_of(team.work_end) <= seconds_of(team.work_start):
            errors[str(n)] = {"work_end": ["must be after work_start"]}
    if errors:
        raise ValidationFailed("the round is not valid", errors={"teams": errors})


def require_team_members(session: Session, court_id: str, teams: list[TeamInput]) -> None:
    """Leaders and members are officers or judges of the court (422 naming the others)."""
    wanted = {uid for t in teams for uid in (t.leader_id, *t.member_ids) if uid}
    valid = set(session.scalars(sa.select(User.id).where(
        User.court_id == court_id, User.id.in_(wanted),
        User.role.in_((Role.OFFICER, Role.JUDGE))))) if wanted else set()
    errors = {str(n): {"member_ids": sorted({u for u in (t.leader_id, *t.member_ids)
                                             if u and u not in valid})}
              for n, t in enumerate(teams)}
    errors = {k: v for k, v in errors.items() if v["member_ids"]}
    if errors:
        raise ValidationFailed("team members must be officers or judges of this court",
                               code="unknown_team_member", errors={"teams": errors})


def area_of(session: Session, court_id: str, township_ids: list[str], village_ids: list[str],
            polygon: dict[str, Any] | None) -> tuple[MultiPolygon, str | None]:
    """The round's area as a valid MultiPolygon, and its township when it is exactly one."""
    if polygon is not None:
        return _polygon_area(polygon), None
    model: Any = Township if township_ids else VillageGrid
    ids = sorted(set(township_ids or village_ids))
    rows = session.execute(
        sa.select(model.id, model.geom).where(model.court_id == court_id, model.id.in_(ids))
    ).all()
    missing = sorted(set(ids) - {row.id for row in rows})
    if missing:
        key = "township_ids" if township_ids else "village_ids"
        raise ValidationFailed("unknown grids", code="unknown_grid", errors={key: missing})
    union = shapely.union_all([to_shape(row.geom) for row in rows])
    township = ids[0] if township_ids and len(ids) == 1 else None
    return _multi(union), township


def _polygon_area(geojson: dict[str, Any]) -> MultiPolygon:
    try:
        geom = shape(geojson)
    except (KeyError, TypeError, ValueError, AttributeError, shapely.errors.GEOSException):
        raise ValidationFailed("not a GeoJSON polygon", code="invalid_area",
                               errors={"polygon": ["not a GeoJSON Polygon or MultiPolygon"]}
                               ) from None
    if geom.geom_type not in ("Polygon", "MultiPolygon") or geom.is_empty:
        raise ValidationFailed("not a polygon", code="invalid_area",
                               errors={"polygon": ["must be a Polygon or MultiPolygon"]})
    area = _multi(shapely.make_valid(geom))
    if area.is_empty:
        raise ValidationFailed("empty polygon", code="invalid_area",
                               errors={"polygon": ["the polygon has no area"]})
    return area


def _multi(geom: Any) -> MultiPolygon:
    parts = [g for g in getattr(geom, "geoms", [geom]) if g.geom_type in ("Polygon",)]
    parts += [p for g in getattr(geom, "geoms", [geom]) if g.geom_type == "MultiPolygon"
              for p in g.geoms]
    return MultiPolygon(parts)

