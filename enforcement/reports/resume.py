"""The terminated-case library (终本库, Lishui report): cases closed for lack of property
that the grid network has since seen something of, and resuming one.

A case is a candidate when it is terminated and a lead or a sighting about it (linked to
the case, or to one of its debtors) arrived after it was terminated: after its
``terminated`` case event, or after the day of ``terminated_on`` when no event is stored.
Resuming (恢复执行) is a judge's recorded transition: the case goes back to enforcement as
``resumed``, with a ``CaseEvent`` and an audit entry written in the same transaction.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import aggregate_order_by

from enforcement import policy
from enforcement.accounts.principal import Principal
from enforcement.errors import Conflict
from enforcement.infrastructure import audit
from enforcement.infrastructure.db import Database
from enforcement.infrastructure.text_shield import shield_rows
from enforcement.models import (
    CaseEvent,
    CaseParty,
    CaseStatus,
    EnforcementCase,
    Lead,
    PartyRole,
    Sighting,
    Township,
    utcnow,
)
from enforcement.reports.common import LOCAL_TZ


@dataclass(frozen=True, slots=True)
class NewestLead:
    id: str
    kind: str
    status: str
    author_id: str
    created_at: datetime
    description: str


@dataclass(frozen=True, slots=True)
class ResumeCandidate:
    case_id: str
    case_number: str
    village_grid_id: str | None
    terminated_on: date | None
    terminated_at: datetime
    amount_owed: Decimal
    amount_recovered: Decimal
    new_leads: int
    new_sightings: int
    last_seen_at: datetime | None
    newest_lead: NewestLead | None


@dataclass(slots=True)
class TownshipCandidates:
    township_id: str | None
    township_name: str
    cases: list[ResumeCandidate] = field(default_factory=list)


def resume_candidates(db: Database, principal: Principal,
                      township_id: str | None = None) -> list[TownshipCandidates]:
    """Candidates per township (by name), each township's cases with the newest news first."""
    policy.require(principal, "report.read")
    with db.unit_of_work() as session:
        rows = session.execute(_candidates_query(principal.court_id, township_id)).all()
        newest = _newest_leads(session, principal,
                               [r.newest_id for r in rows if r.newest_id])
        names = dict(session.execute(sa.select(Township.id, Township.name).where(
            Township.court_id == principal.court_id)).all())
        session.commit()  # the audit of lead descriptions read unmasked
    groups: dict[str | None, TownshipCandidates] = {}
    for r in rows:
        group = groups.setdefault(r.township_id, TownshipCandidates(
            r.township_id, names.get(r.township_id, "") if r.township_id else ""))
        group.cases.append(ResumeCandidate(
            case_id=r.id, case_number=r.case_number, village_grid_id=r.village_grid_id,
            terminated_on=r.terminated_on, terminated_at=r.cutoff, amount_owed=r.amount_owed,
            amount_recovered=r.amount_recovered, new_leads=r.new_leads,
            new_sightings=r.new_sightings, last_seen_at=r.last_seen_at,
            newest_lead=newest.get(r.newest_id or "")))
    return sorted(groups.values(), key=lambda g: (g.township_id is None, g.township_name))


def _terminated_at(court_id: str) -> Any:
    """(case, time) of each case's latest ``terminated`` event, in one grouped scan."""
    return sa.select(CaseEvent.case_id, sa.func.max(CaseEvent.at).label("at")).where(
        CaseEvent.court_id == court_id, CaseEvent.to_status == CaseStatus.TERMINATED.value,
    ).group_by(CaseEvent.case_id).subquery("terminated_at")


def _cutoff(event_at: Any) -> Any:
    """When a case was terminated: its latest ``terminated`` event, else the end of the
    local day of ``terminated_on``."""
    next_day = sa.cast(EnforcementCase.terminated_on + 1, sa.DateTime)
    return sa.func.coalesce(event_at, sa.func.timezone(LOCAL_TZ, next_day),
                            EnforcementCase.updated_at)


def _hits(court_id: str, model: Any, at: Any, terminated: Any, debtors: Any) -> Any:
    """(case, record, time) for every lead or sighting after a case's termination that is
    linked to the case or to one of its debtors (UNION: a record linked both ways once)."""
    fresh = [model.court_id == court_id, model.deleted_at.is_(None), at > terminated.c.cutoff]
    by_case = sa.select(terminated.c.id.label("case_id"), model.id.label("record_id"),
                        at.label("at")).select_from(terminated).join(
        model, sa.and_(model.case_id == terminated.c.id, *fresh))
    by_debtor = sa.select(terminated.c.id, model.id, at).select_from(terminated).join(
        debtors, debtors.c.case_id == terminated.c.id).join(
        model, sa.and_(model.party_id == debtors.c.party_id, *fresh))
    return sa.union(by_case, by_debtor).subquery()


def _candidates_query(court_id: str, township_id: str | None) -> Any:
    case = EnforcementCase
    event = _terminated_at(court_id)
    terminated = sa.select(
        case.id, case.case_number, case.township_id, case.village_grid_id, case.terminated_on,
        case.amount_owed, case.amount_recovered, _cutoff(event.c.at).label("cutoff"),
    ).outerjoin(event, event.c.case_id == case.id).where(
        case.court_id == court_id, case.status == CaseStatus.TERMINATED)
    if township_id is not None:
        terminated = terminated.where(case.township_id == township_id)
    t = terminated.cte("terminated")
    debtors = sa.select(CaseParty.case_id, CaseParty.party_id).where(
        CaseParty.court_id == court_id, CaseParty.role == PartyRole.DEBTOR).cte("debtors")
    lead_hits = _hits(court_id, Lead, Lead.created_at, t, debtors)
    seen_hits = _hits(court_id, Sighting, Sighting.seen_at, t, debtors)
    newest = sa.func.array_agg(aggregate_order_by(
        lead_hits.c.record_id, lead_hits.c.at.desc(), lead_hits.c.record_id))[1]
    leads = sa.select(lead_hits.c.case_id, sa.func.count().label("n"),
                      newest.label("newest_id")).group_by(lead_hits.c.case_id).subquery("l")
    seen = sa.select(seen_hits.c.case_id, sa.func.count().label("n"),
                     sa.func.max(seen_hits.c.at).label("last")
                     ).group_by(seen_hits.c.case_id).subquery("s")
    return (
        sa.select(t, sa.func.coalesce(leads.c.n, 0).label("new_leads"),
                  sa.func.coalesce(seen.c.n, 0).label("new_sightings"),
                  seen.c.last.label("last_seen_at"), leads.c.newest_id)
        .select_from(t)
        .outerjoin(leads, leads.c.case_id == t.c.id)
        .outerjoin(seen, seen.c.case_id == t.c.id)
        .where(sa.or_(leads.c.n > 0, seen.c.n > 0))
        .order_by(t.c.township_id, sa.func.coalesce(leads.c.n, 0).desc(),
                  seen.c.last.desc().nulls_last(), t.c.case_number)
    )


def _newest_leads(session: Any, principal: Principal,
                  lead_ids: list[str]) -> dict[str, NewestLead]:
    """The leads, their descriptions as ``GET /leads`` shows them (``text_shield``)."""
    if not lead_ids:
        return {}
    leads = shield_rows(session, principal, "lead", session.scalars(sa.select(Lead).where(
        Lead.court_id == principal.court_id, Lead.id.in_(lead_ids))).all())
    return {lead.id: NewestLead(lead.id, lead.kind.value, lead.status.value, lead.author_id,
                                lead.created_at, lead.description) for lead in leads}


@dataclass(frozen=True, slots=True)
class Resumed:
    case_id: str
    case_number: str
    status: str
    version: int
    event_id: str
    at: datetime
    reason: str | None


def resume_case(db: Database, principal: Principal, case_id: str,
                reason: str | None) -> Resumed:
    """Put a terminated case back into enforcement (恢复执行); 409 ``case_not_terminated``
    for a case in any other status."""
    policy.require(principal, "case.resume")
    with db.unit_of_work() as session:
        case = policy.visible_row(session, principal, "case.resume", EnforcementCase, case_id,
                                  "case_not_found", for_update=True)
        if case.status != CaseStatus.TERMINATED:
            raise Conflict(f"the case is {case.status.value}, not terminated",
                           code="case_not_terminated", current_status=case.status.value)
        now = utcnow()
        event = CaseEvent(court_id=case.court_id, case_id=case.id, kind="resumed",
                          from_status=CaseStatus.TERMINATED.value,
                          to_status=CaseStatus.RESUMED.value, actor_id=principal.user_id,
                          reason=reason, at=now)
        case.status = CaseStatus.RESUMED
        case.version += 1
        case.updated_at = now
        session.add(event)
        audit.record(session, court_id=case.court_id, action="case.resume",
                     actor_id=principal.user_id, device_id=principal.device_id,
                     subject_table="enforcement_case", subject_id=case.id,
                     detail={"case_number": case.case_number, "reason": reason or ""})
        session.commit()
        return Resumed(case.id, case.case_number, case.status.value, case.version, event.id,
                       now, reason)
