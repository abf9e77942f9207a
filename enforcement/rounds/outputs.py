"""A planned round as teams use it: GeoJSON for phones, a visit sheet to print, a map PNG.

All three read the planner's stored answer (``EnforcementRound.plan["result"]``), so they
show exactly what was planned, and 409 ``round_not_planned`` before the first plan.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from geoalchemy2.shape import to_shape
from sqlmodel import Session

from enforcement import policy
from enforcement.accounts.principal import Principal
from enforcement.errors import Conflict
from enforcement.infrastructure import audit
from enforcement.infrastructure.db import Database
from enforcement.infrastructure.masking import mask_name
from enforcement.models import (
    CaseParty,
    EnforcementCase,
    EnforcementRound,
    Lead,
    LeadKind,
    Party,
    PartyKind,
    PartyRole,
    RoundTeam,
    VillageGrid,
)
from enforcement.rounds.usecases import load_round, load_teams, team_base
from geo.plan_map import MapRoute, PlanMap, render_png

TODO_BY_LEAD = {
    LeadKind.DEBTOR_WHEREABOUTS: "核实被执行人下落，当面送达执行文书",
    LeadKind.REAL_ESTATE: "核查房产，必要时查封",
    LeadKind.VEHICLE: "查找车辆，必要时扣押",
    LeadKind.LIVESTOCK_OR_CROPS: "清点牲畜、农作物，视情查封",
    LeadKind.WAGES_OR_INCOME: "核实收入来源，准备协助执行通知",
    LeadKind.HIGH_CONSUMPTION: "核实高消费行为，固定证据",
    LeadKind.HIDDEN_TRANSFER: "调查转移财产情况",
    LeadKind.OTHER: "核实线索",
}
DEFAULT_TODO = "查找被执行人，送达执行文书，调查财产，督促履行"


def _planned(session: Session, principal: Principal,
             round_id: str) -> tuple[EnforcementRound, list[RoundTeam], dict[str, Any]]:
    rnd = load_round(session, principal, round_id)
    result = (rnd.plan or {}).get("result")
    if not result:
        raise Conflict("the round has not been planned yet", code="round_not_planned")
    return rnd, load_teams(session, rnd), result


def plan_geojson(db: Database, principal: Principal, round_id: str) -> dict[str, Any]:
    """Targets (Points, planned and not) and one LineString per team and day."""
    with db.unit_of_work() as session:
        rnd, teams, result = _planned(session, principal, round_id)
    starts = team_bases(rnd, teams)
    names = {t.id: t.name for t in teams}
    features: list[dict[str, Any]] = []
    for route in result["routes"]:
        base = starts[route["team_id"]]
        common = {"team_id": route["team_id"], "team_name": names.get(route["team_id"]),
                  "day": route["day"]}
        path = [base, *[(s["lon"], s["lat"]) for s in route["stops"]], base]
        features.append(_feature("LineString", path, kind="route", **common,
                                 stops=len(route["stops"]), travel_s=route["travel_s"],
                                 leaves_s=route["leaves_s"], returns_s=route["returns_s"]))
        for stop in route["stops"]:
            features.append(_feature("Point", (stop["lon"], stop["lat"]), kind="target",
                                     **common, **_stop_props(stop)))
    for left in result["unassigned"]:
        features.append(_feature("Point", (left["lon"], left["lat"]), kind="unassigned",
                                 case_id=left["case_id"], lead_id=left.get("lead_id"),
                                 case_number=left["case_number"],
                                 reason=left["reason"], priority=left["priority"]))
    return {"type": "FeatureCollection", "features": features,
            "properties": {"round_id": rnd.id, "name": rnd.name, "status": rnd.status.value,
                           "summary": result["summary"]}}


def _feature(geometry_type: str, coords: Any, **props: Any) -> dict[str, Any]:
    line = geometry_type == "LineString"
    coordinates = [list(c) for c in coords] if line else list(coords)
    return {"type": "Feature", "geometry": {"type": geometry_type, "coordinates": coordinates},
            "properties": props}


def _stop_props(stop: dict[str, Any]) -> dict[str, Any]:
    return {k: stop.get(k) for k in ("target_id", "case_id", "lead_id", "case_number", "seq",
                                     "eta", "arrival_s", "start_s", "departure_s",
                                     "priority", "windows")}


def team_bases(rnd: EnforcementRound, teams: list[RoundTeam]) -> dict[str, tuple[float, float]]:
    """Each team's base as (lon, lat); a team without one starts from the round's depot."""
    bases = {t.id: team_base(t, rnd) for t in teams}
    return {tid: base for tid, base in bases.items() if base is not None}


def visit_sheet(db: Database, principal: Principal, round_id: str) -> dict[str, Any]:
    """What each team's sheet shows; names unmasked for roles that may see them (audited)."""
    unmasked = policy.allows(principal, "party.read_unmasked")
    with db.unit_of_work() as session:
        rnd, teams, result = _planned(session, principal, round_id)
        case_ids = [s["case_id"] for r in result["routes"] for s in r["stops"] if s["case_id"]]
        details = _case_details(session, rnd.court_id, case_ids)
        leads = _lead_details(session, rnd.court_id, [
            s["lead_id"] for r in result["routes"] for s in r["stops"]
            if s.get("lead_id") and (not s["case_id"] or s.get("key", "").startswith("lead:"))])
        if unmasked:
            for party_id, case_id in {(d["party_id"], cid) for cid, d in details.items()
                                      if d["party_id"]}:
                audit.record(session, court_id=rnd.court_id, action="party.read_unmasked",
                             actor_id=principal.user_id, device_id=principal.device_id,
                             subject_table="party", subject_id=party_id,
                             detail={"case_id": case_id, "round_id": rnd.id, "via": "sheet"})
        session.commit()
    sheets = []
    for team in teams:
        days = []
        for route in (r for r in result["routes"] if r["team_id"] == team.id):
            stops = [_sheet_stop(s, {**details.get(s["case_id"], {}),
                                     **leads.get(s.get("lead_id") or "", {})}, unmasked)
                     for s in route["stops"]]
            days.append({"day": route["day"], "leaves_s": route["leaves_s"],
                         "returns_s": route["returns_s"], "stops": stops})
        sheets.append({"team": team.name, "vehicle": team.vehicle, "days": days})
    return {"round": {"name": rnd.name, "starts_on": rnd.starts_on, "ends_on": rnd.ends_on,
                      "status": rnd.status.value}, "teams": sheets}


def _sheet_stop(stop: dict[str, Any], detail: dict[str, Any], unmasked: bool) -> dict[str, Any]:
    name = detail.get("debtor")
    if name and not unmasked:
        name = mask_name(name, organisation=detail.get("organisation", False))
    lead = detail.get("lead_kind")
    todo = TODO_BY_LEAD.get(LeadKind(lead), DEFAULT_TODO) if lead else DEFAULT_TODO
    if stop.get("windows"):
        todo += "（夜间执行：" + "、".join(f"{a}-{b}" for a, b in stop["windows"]) + "）"
    return {"seq": stop["seq"], "eta": stop["eta"], "case_number": stop["case_number"] or "",
            "debtor": name or "", "address": detail.get("address") or "",
            "village": detail.get("village") or "", "cause": detail.get("cause") or "",
            "todo": todo}


def _case_details(session: Session, court_id: str,
                  case_ids: list[str]) -> dict[str, dict[str, Any]]:
    """Debtor, address, village and freshest lead kind of many cases in one query."""
    if not case_ids:
        return {}
    case = EnforcementCase
    debtor = (sa.select(Party.id, Party.name, Party.kind, Party.address)
              .join(CaseParty, sa.and_(CaseParty.court_id == Party.court_id,
                                       CaseParty.party_id == Party.id))
              .where(CaseParty.court_id == case.court_id, CaseParty.case_id == case.id,
                     CaseParty.role == PartyRole.DEBTOR)
              .order_by(Party.id).limit(1).lateral("debtor"))
    lead_kind = (sa.select(Lead.kind).where(Lead.court_id == case.court_id,
                                            Lead.case_id == case.id, Lead.deleted_at.is_(None))
                 .order_by(Lead.created_at.desc()).limit(1).scalar_subquery())
    rows = session.execute(
        sa.select(case.id, case.cause, case.address, debtor.c.id.label("party_id"),
                  debtor.c.name, debtor.c.kind, debtor.c.address.label("home"),
                  VillageGrid.name.label("village"), lead_kind.label("lead_kind"))
        .select_from(case).outerjoin(debtor, sa.true())
        .outerjoin(VillageGrid, sa.and_(VillageGrid.court_id == case.court_id,
                                        VillageGrid.id == case.village_grid_id))
        .where(case.court_id == court_id, case.id.in_(case_ids))
    ).all()
    return {r.id: {"cause": r.cause, "address": r.address or r.home, "party_id": r.party_id,
                   "debtor": r.name, "organisation": r.kind == PartyKind.ORGANISATION,
                   "village": r.village, "lead_kind": r.lead_kind} for r in rows}


def _lead_details(session: Session, court_id: str,
                  lead_ids: list[str]) -> dict[str, dict[str, Any]]:
    """For stops that a lead sent the team to: its place, what it says, whom it is about.

    Overrides the case's address (the lead says where to go) and what to do."""
    if not lead_ids:
        return {}
    rows = session.execute(
        sa.select(Lead.id, Lead.kind, Lead.description, Lead.debtor_text,
                  VillageGrid.name.label("village"), Party.name, Party.kind.label("party_kind"))
        .outerjoin(VillageGrid, sa.and_(VillageGrid.court_id == Lead.court_id,
                                        VillageGrid.id == Lead.village_grid_id))
        .outerjoin(Party, sa.and_(Party.court_id == Lead.court_id, Party.id == Lead.party_id))
        .where(Lead.court_id == court_id, Lead.id.in_(lead_ids))
    ).all()
    details: dict[str, dict[str, Any]] = {}
    for r in rows:
        detail = {"lead_kind": r.kind.value, "village": r.village,
                  "address": "线索：" + (r.description or "")[:80]}
        if r.name or r.debtor_text:
            detail |= {"debtor": r.name or r.debtor_text,
                       "organisation": r.party_kind == PartyKind.ORGANISATION}
        details[r.id] = detail
    return details


def plan_map_png(db: Database, principal: Principal, round_id: str) -> bytes:
    """The round's map: village grids around the area, its targets and routes."""
    with db.unit_of_work() as session:
        rnd, teams, result = _planned(session, principal, round_id)
        outlines = [to_shape(g) for g in session.scalars(
            sa.select(VillageGrid.geom).where(
                VillageGrid.court_id == rnd.court_id,
                sa.func.ST_Intersects(VillageGrid.geom, sa.func.ST_Envelope(rnd.area))))]
        area = to_shape(rnd.area)
        bases = team_bases(rnd, teams)
    return render_png(plan_map_of(rnd.name, bases, [t.id for t in teams], result,
                                  outlines, area))


def plan_map_of(title: str, starts: dict[str, tuple[float, float]], team_ids: list[str],
                result: dict[str, Any], outlines: list[Any], area: Any) -> PlanMap:
    """The drawable map of a stored plan; ASCII labels (Team 1, Team 2…)."""
    routes = []
    days = sorted({r["day"] for r in result["routes"]})
    for route in result["routes"]:
        team = team_ids.index(route["team_id"])
        base = starts[route["team_id"]]
        path = [base, *[(s["lon"], s["lat"]) for s in route["stops"]], base]
        routes.append(MapRoute(f"Team {team + 1}", team,
                               days.index(route["day"]), path))
    bases = sorted(set(starts.values()))
    summary = result["summary"]
    return PlanMap(
        title=f"{_ascii(title)}: {summary['assigned']} of {summary['targets']} targets",
        outlines=outlines, area=area, routes=routes, bases=bases,
        unassigned=[(u["lon"], u["lat"]) for u in result["unassigned"]])


def _ascii(text: str) -> str:
    cleaned = text.encode("ascii", "ignore").decode().strip()
    return cleaned or "Enforcement round"
