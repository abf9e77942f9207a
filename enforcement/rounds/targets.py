"""Who a round could visit: cases in its area, and accepted leads that point to a place.

Cases: open, in progress or resumed, plus terminated (终本) cases with a lead newer than
their termination, since new property or whereabouts is what reopens them; each with its
address point inside the round's area.

Leads: accepted (or already assigned to an officer) leads about the debtor's whereabouts
or property one can see on site (real estate, vehicles, livestock and crops), whose point
lies in the area, unless their case is already settled or closed. A grid assistant's
"he is back in the village, at his brother's" is a place to go even when the case's
address is elsewhere or the lead names no case.

Deduplicated: a lead within ``SAME_PLACE_M`` of its own case's target is folded into that
target (the stop carries the lead's id, and the lead's freshness already counts in the
case's score); of several leads about the same case or debtor at the same place, the
freshest stands for all (the same case, party, or debtor's name as the assistant wrote
it). Each candidate has a stable ``key`` (``case:<id>`` or ``lead:<id>``) that plans and
pinned assignments use.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

from enforcement.models import (
    CaseParty,
    CaseStatus,
    EnforcementCase,
    EnforcementRound,
    Lead,
    LeadKind,
    LeadStatus,
    PartyRole,
    Sighting,
)
from geo.targeting import SIGHTING_WINDOW_DAYS, target_priority
from geo.travel import haversine_m

ACTIVE = (CaseStatus.OPEN, CaseStatus.IN_PROGRESS, CaseStatus.RESUMED)
DEAD_LEADS = (LeadStatus.REJECTED, LeadStatus.DUPLICATE)
TARGET_LEAD_STATUSES = (LeadStatus.ACCEPTED, LeadStatus.ASSIGNED)
TARGET_LEAD_KINDS = (LeadKind.DEBTOR_WHEREABOUTS, LeadKind.REAL_ESTATE, LeadKind.VEHICLE,
                     LeadKind.LIVESTOCK_OR_CROPS)
FINISHED_CASES = (CaseStatus.SETTLED, CaseStatus.CLOSED)
SAME_PLACE_M = 300.0
"""A lead this close to its case's address is the same stop (a village lane, a yard)."""


def candidates(session: Session, rnd: EnforcementRound, now: datetime) -> list[dict[str, Any]]:
    """Every target worth a visit in the round's area, cases and leads, deduplicated."""
    cases = case_candidates(session, rnd, now)
    by_case = {c["case_id"]: c for c in cases}
    kept: list[dict[str, Any]] = []
    for lead in sorted(lead_candidates(session, rnd, now),
                       key=lambda c: (c["lead_at"], c["lead_id"]), reverse=True):
        own = by_case.get(lead["case_id"])
        if own is not None and _near(own, lead):
            own["lead_id"] = own["lead_id"] or lead["lead_id"]
            continue
        if any(_same_subject(other, lead) and _near(other, lead) for other in kept):
            continue
        kept.append(lead)
    return cases + kept


def case_candidates(session: Session, rnd: EnforcementRound,
                    now: datetime) -> list[dict[str, Any]]:
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
        _debtor_of(case).label("party_id"),
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
        row |= {"key": f"case:{row['case_id']}", "lead_id": None}
    return rows


def lead_candidates(session: Session, rnd: EnforcementRound,
                    now: datetime) -> list[dict[str, Any]]:
    """Accepted leads in the area that send a team somewhere (see the module docstring)."""
    case = EnforcementCase
    query = (
        sa.select(
            Lead.id.label("lead_id"), Lead.case_id, Lead.village_grid_id, Lead.debtor_text,
            sa.func.coalesce(Lead.party_id, _debtor_of(case)).label("party_id"),
            sa.func.coalesce(Lead.observed_at, Lead.created_at).label("lead_at"),
            sa.func.ST_X(Lead.point).label("lon"), sa.func.ST_Y(Lead.point).label("lat"),
            case.case_number,
            sa.func.coalesce(case.amount_owed - case.amount_recovered, 0).label("owed"),
        )
        .select_from(Lead)
        .outerjoin(case, sa.and_(case.court_id == Lead.court_id, case.id == Lead.case_id))
        .where(Lead.court_id == rnd.court_id, Lead.deleted_at.is_(None),
               Lead.status.in_(TARGET_LEAD_STATUSES), Lead.kind.in_(TARGET_LEAD_KINDS),
               Lead.point.is_not(None), sa.func.ST_Covers(rnd.area, Lead.point),
               sa.or_(case.id.is_(None), case.status.not_in(FINISHED_CASES)))
    )
    rows = [dict(row._mapping) for row in session.execute(query)]
    for row in rows:
        age = (now - row["lead_at"]).total_seconds() / 86400
        row["priority"] = target_priority(float(row["owed"]), age, 0)
        row |= {"key": f"lead:{row['lead_id']}", "sightings": 0, "evening_sightings": 0}
    return rows


def _debtor_of(case: Any) -> Any:
    return sa.select(CaseParty.party_id).where(
        CaseParty.court_id == case.court_id, CaseParty.case_id == case.id,
        CaseParty.role == PartyRole.DEBTOR,
    ).order_by(CaseParty.party_id).limit(1).scalar_subquery()


def _near(a: dict[str, Any], b: dict[str, Any]) -> bool:
    return haversine_m((a["lon"], a["lat"]), (b["lon"], b["lat"])) <= SAME_PLACE_M


def _same_subject(a: dict[str, Any], b: dict[str, Any]) -> bool:
    return any(a[k] and a[k] == b[k] for k in ("case_id", "party_id", "debtor_text"))
