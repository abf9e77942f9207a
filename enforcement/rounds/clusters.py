"""Where the open work is: open cases and open leads grouped into clusters by distance,
and totals per village grid, so a field team can pick an area for its next round.

Clustering is PostGIS's ST_ClusterDBSCAN in Web Mercator with the distance scaled by
the cosine of the latitude, i.e. in metres on the ground at this county's latitude.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

import sqlalchemy as sa

from enforcement import policy
from enforcement.accounts.principal import Principal
from enforcement.infrastructure.db import Database
from enforcement.models import (
    CaseStatus,
    EnforcementCase,
    Lead,
    LeadStatus,
    Sighting,
    VillageGrid,
)

OPEN_CASE = (CaseStatus.OPEN, CaseStatus.IN_PROGRESS, CaseStatus.RESUMED)
CLOSED_LEAD = (LeadStatus.REJECTED, LeadStatus.DUPLICATE, LeadStatus.NOT_FOUND,
               LeadStatus.CLOSED)


@dataclass(frozen=True, slots=True)
class Cluster:
    lon: float
    lat: float
    cases: int
    leads: int
    amount_outstanding: Decimal
    freshest_sighting: datetime | None
    case_ids: list[str]
    lead_ids: list[str]


@dataclass(frozen=True, slots=True)
class GridTotals:
    village_grid_id: str
    village_name: str
    township_id: str | None
    open_cases: int
    open_leads: int
    amount_outstanding: Decimal


def _targets(principal: Principal, township_id: str | None) -> sa.Subquery:
    """Open cases (at their address) and open leads (where reported) in the caller's scope."""
    cases = sa.select(
        sa.literal("case").label("kind"), EnforcementCase.id, EnforcementCase.id.label("case_id"),
        EnforcementCase.address_point.label("geom"), EnforcementCase.village_grid_id,
        EnforcementCase.township_id,
        (EnforcementCase.amount_owed - EnforcementCase.amount_recovered).label("outstanding"),
    ).where(policy.scope_filter(principal, "case.read_amounts", EnforcementCase),
            EnforcementCase.status.in_(OPEN_CASE), EnforcementCase.address_point.is_not(None))
    leads = sa.select(
        sa.literal("lead"), Lead.id, Lead.case_id, Lead.point, Lead.village_grid_id,
        Lead.township_id, sa.cast(0, EnforcementCase.amount_owed.type),
    ).where(Lead.court_id == principal.court_id, Lead.deleted_at.is_(None),
            Lead.status.not_in(CLOSED_LEAD), Lead.point.is_not(None))
    if policy.allows(principal, "lead.read"):
        leads = leads.where(policy.scope_filter(principal, "lead.read", Lead))
    if township_id:
        cases = cases.where(EnforcementCase.township_id == township_id)
        leads = leads.where(Lead.township_id == township_id)
    if not policy.allows(principal, "lead.read"):
        return cases.subquery("target")
    return sa.union_all(cases, leads).subquery("target")


def clusters(db: Database, principal: Principal, distance_m: float, min_size: int,
             township_id: str | None = None) -> list[Cluster]:
    """Groups of at least ``min_size`` targets each within ``distance_m`` of another."""
    policy.require(principal, "case.read_amounts")
    target = _targets(principal, township_id)
    metric = sa.func.ST_Transform(target.c.geom, 3857)
    eps = distance_m / sa.func.cos(sa.func.radians(sa.func.ST_Y(target.c.geom)))
    labelled = sa.select(
        target, sa.func.ST_ClusterDBSCAN(metric, eps, min_size).over().label("cluster")
    ).subquery("labelled")
    sighting = (sa.select(sa.func.max(Sighting.seen_at))
                .where(Sighting.court_id == principal.court_id,
                       Sighting.case_id == labelled.c.case_id, Sighting.deleted_at.is_(None))
                .scalar_subquery())
    centre = sa.func.ST_Centroid(sa.func.ST_Collect(labelled.c.geom))
    query = (
        sa.select(
            sa.func.ST_X(centre).label("lon"), sa.func.ST_Y(centre).label("lat"),
            sa.func.count().filter(labelled.c.kind == "case").label("cases"),
            sa.func.count().filter(labelled.c.kind == "lead").label("leads"),
            sa.func.coalesce(sa.func.sum(labelled.c.outstanding), 0).label("outstanding"),
            sa.func.max(sighting).label("freshest"),
            sa.func.array_agg(labelled.c.id).filter(labelled.c.kind == "case").label("cases_ids"),
            sa.func.array_agg(labelled.c.id).filter(labelled.c.kind == "lead").label("lead_ids"),
        )
        .where(labelled.c.cluster.is_not(None))
        .group_by(labelled.c.cluster)
        .order_by(sa.text("outstanding DESC"), sa.text("lon"))
    )
    with db.unit_of_work() as session:
        rows = session.execute(query).all()
    return [Cluster(row.lon, row.lat, row.cases, row.leads, Decimal(row.outstanding),
                    row.freshest, sorted(row.cases_ids or []), sorted(row.lead_ids or []))
            for row in rows]


def grid_totals(db: Database, principal: Principal,
                township_id: str | None = None) -> list[GridTotals]:
    """Open cases, open leads and money outstanding per village grid, busiest first."""
    policy.require(principal, "case.read_amounts")
    target = _targets(principal, township_id)
    query = (
        sa.select(
            VillageGrid.id, VillageGrid.name, VillageGrid.township_id,
            sa.func.count().filter(target.c.kind == "case").label("cases"),
            sa.func.count().filter(target.c.kind == "lead").label("leads"),
            sa.func.coalesce(sa.func.sum(target.c.outstanding), 0).label("outstanding"),
        )
        .join(target, target.c.village_grid_id == VillageGrid.id)
        .where(VillageGrid.court_id == principal.court_id)
        .group_by(VillageGrid.id, VillageGrid.name, VillageGrid.township_id)
        .order_by(sa.text("outstanding DESC"), VillageGrid.name)
    )
    with db.unit_of_work() as session:
        rows = session.execute(query).all()
    return [GridTotals(row.id, row.name, row.township_id, row.cases, row.leads,
                       Decimal(row.outstanding)) for row in rows]
