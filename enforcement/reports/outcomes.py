"""The outcome report: what leads brought in, per township, village, assistant, round or
month, with a totals row.

Two cohorts, both computed by the database in one statement:

* lead figures count the leads *submitted in the period* (by the local date they reached
  the server) and follow each to where it stands now: accepted, rejected, duplicate, the
  median hours from submission to triage, and whether it led to an outcome;
* outcome figures count the outcomes that *occurred in the period*: debtors located,
  property sealed, frozen or seized, settlements reached, money recovered, and how much of
  that money came through leads.

A group is where the record belongs: a lead's own township, village, author or round;
an outcome's lead's (or else its visit's, or else its case's) township and village, its
lead's author, its round. Records that have no such group are one row with key ``None``
(e.g. money recovered without a lead, when grouping by assistant), so the rows always add
up to the totals row. ``lead_share`` is the group's money through leads over all money
recovered in the period, so the shares of the rows add up to the share of the totals row.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import aliased
from sqlmodel import Session

from enforcement import policy
from enforcement.accounts.principal import Principal
from enforcement.infrastructure.db import Database
from enforcement.models import (
    EnforcementCase,
    EnforcementRound,
    Lead,
    LeadStatus,
    Outcome,
    OutcomeKind,
    Township,
    User,
    VillageGrid,
    Visit,
)
from enforcement.reports.common import LOCAL_TZ, Period, local_date, record_export

GROUPINGS = ("township", "village", "assistant", "round", "month")

ACCEPTED_OR_LATER = (LeadStatus.ACCEPTED, LeadStatus.ASSIGNED, LeadStatus.VERIFIED,
                     LeadStatus.NOT_FOUND, LeadStatus.OUTCOME_RECORDED, LeadStatus.CLOSED)
"""Every status a lead can only reach through ``accepted``."""
LOCATED = (OutcomeKind.DEBTOR_LOCATED, OutcomeKind.DEBTOR_DETAINED)
SECURED = (OutcomeKind.PROPERTY_SEALED, OutcomeKind.PROPERTY_FROZEN,
           OutcomeKind.PROPERTY_SEIZED)
"""查封、冻结、扣押: property put under the court's control."""

_TZ: sa.ColumnClause[str] = sa.literal_column(f"'{LOCAL_TZ}'")
_MONTH: sa.ColumnClause[str] = sa.literal_column("'YYYY-MM'")
# Literal (not bound) so that the key in SELECT and in GROUP BY is the same expression
# to PostgreSQL, which GROUPING() insists on.


@dataclass(frozen=True, slots=True)
class OutcomeRow:
    key: str | None
    label: str
    leads_submitted: int
    leads_accepted: int
    leads_rejected: int
    leads_duplicate: int
    median_hours_to_triage: float | None
    leads_with_outcome: int
    debtors_located: int
    property_sealed: int
    settlements: int
    amount_recovered: Decimal
    amount_through_leads: Decimal
    lead_share: float | None


@dataclass(frozen=True, slots=True)
class OutcomeReport:
    group_by: str
    period: Period
    rows: list[OutcomeRow]
    total: OutcomeRow


def outcome_report(db: Database, principal: Principal, group_by: str, period: Period,
                   export: str | None = None) -> OutcomeReport:
    """The report for the caller's court; ``export`` (csv, xlsx) puts the export on record."""
    policy.require(principal, "report.read")
    with db.unit_of_work() as session:
        rows = session.execute(_report_query(principal.court_id, group_by, period)).all()
        labels = _labels(session, principal.court_id, group_by,
                         [r.key for r in rows if r.key is not None])
        built = [_row(r, labels) for r in rows]
        total = next((r for r, raw in zip(built, rows, strict=True) if raw.is_total),
                     None) or _empty_total()
        groups = sorted((r for r, raw in zip(built, rows, strict=True) if not raw.is_total),
                        key=lambda r: _order(r, group_by, labels))
        record_export(session, principal, "outcomes", export, {
            "group_by": group_by, "from": str(period.start or ""), "to": str(period.end or ""),
            "rows": len(groups)})
        session.commit()
        return OutcomeReport(group_by, period, groups, total)


def _lead_key(group_by: str) -> Any:
    return {
        "township": Lead.township_id, "village": Lead.village_grid_id,
        "assistant": Lead.author_id, "round": Lead.round_id,
        "month": sa.func.to_char(sa.func.timezone(_TZ, Lead.created_at), _MONTH),
    }[group_by]


def _outcome_key(group_by: str, lead: Any) -> Any:
    return {
        "township": sa.func.coalesce(lead.township_id, Visit.township_id,
                                     EnforcementCase.township_id),
        "village": sa.func.coalesce(lead.village_grid_id, Visit.village_grid_id,
                                    EnforcementCase.village_grid_id),
        "assistant": lead.author_id,
        "round": sa.func.coalesce(Outcome.round_id, lead.round_id),
        "month": sa.func.to_char(Outcome.occurred_on, _MONTH),
    }[group_by]


def _lead_side(court_id: str, group_by: str, period: Period) -> Any:
    useful = sa.select(Outcome.lead_id).where(
        Outcome.court_id == court_id, Outcome.lead_id.is_not(None),
        Outcome.kind != OutcomeKind.NO_RESULT).distinct().subquery("useful")
    key = _lead_key(group_by)
    hours = sa.extract("epoch", Lead.triaged_at - Lead.created_at) / 3600
    count = sa.func.count
    return (
        sa.select(
            key.label("key"), sa.func.grouping(key).label("is_total"),
            count().label("leads_submitted"),
            count().filter(Lead.status.in_(ACCEPTED_OR_LATER)).label("leads_accepted"),
            count().filter(Lead.status == LeadStatus.REJECTED).label("leads_rejected"),
            count().filter(Lead.status == LeadStatus.DUPLICATE).label("leads_duplicate"),
            sa.func.percentile_cont(0.5).within_group(hours).label("median_hours"),
            count().filter(useful.c.lead_id.is_not(None)).label("leads_with_outcome"),
        )
        .select_from(Lead).outerjoin(useful, useful.c.lead_id == Lead.id)
        .where(Lead.court_id == court_id, Lead.deleted_at.is_(None),
               *period.covers(local_date(Lead.created_at)))
        .group_by(sa.func.rollup(key))
        .subquery("l")
    )


def _outcome_side(court_id: str, group_by: str, period: Period) -> Any:
    lead = aliased(Lead, name="outcome_lead")
    key = _outcome_key(group_by, lead)
    count = sa.func.count
    amount = sa.func.coalesce(sa.func.sum(Outcome.amount), 0)
    return (
        sa.select(
            key.label("key"), sa.func.grouping(key).label("is_total"),
            count().filter(Outcome.kind.in_(LOCATED)).label("debtors_located"),
            count().filter(Outcome.kind.in_(SECURED)).label("property_sealed"),
            count().filter(Outcome.kind == OutcomeKind.SETTLEMENT_REACHED).label("settlements"),
            amount.label("amount_recovered"),
            sa.func.coalesce(sa.func.sum(Outcome.amount).filter(Outcome.lead_id.is_not(None)),
                             0).label("amount_through_leads"),
        )
        .select_from(Outcome)
        .outerjoin(lead, sa.and_(lead.court_id == Outcome.court_id, lead.id == Outcome.lead_id))
        .outerjoin(Visit, sa.and_(Visit.court_id == Outcome.court_id,
                                  Visit.id == Outcome.visit_id))
        .outerjoin(EnforcementCase, sa.and_(EnforcementCase.court_id == Outcome.court_id,
                                            EnforcementCase.id == Outcome.case_id))
        .where(Outcome.court_id == court_id, *period.covers(Outcome.occurred_on))
        .group_by(sa.func.rollup(key))
        .subquery("o")
    )


def _report_query(court_id: str, group_by: str, period: Period) -> Any:
    """Lead figures and outcome figures per group, side by side (a full join: a group may
    have leads and no outcomes in the period, or the other way round)."""
    lead, out = _lead_side(court_id, group_by, period), _outcome_side(court_id, group_by, period)
    zero = sa.literal(0)
    all_money = sa.func.max(out.c.amount_recovered).filter(out.c.is_total == 1).over()
    return (
        sa.select(
            sa.func.coalesce(lead.c.key, out.c.key).label("key"),
            (sa.func.coalesce(lead.c.is_total, out.c.is_total) == 1).label("is_total"),
            *(sa.func.coalesce(lead.c[name], zero).label(name) for name in (
                "leads_submitted", "leads_accepted", "leads_rejected", "leads_duplicate",
                "leads_with_outcome")),
            lead.c.median_hours,
            *(sa.func.coalesce(out.c[name], zero).label(name) for name in (
                "debtors_located", "property_sealed", "settlements", "amount_recovered",
                "amount_through_leads")),
            (out.c.amount_through_leads / sa.func.nullif(all_money, 0)).label("lead_share"),
        )
        .select_from(lead)
        .join(out, sa.and_(sa.func.coalesce(lead.c.key, "") == sa.func.coalesce(out.c.key, ""),
                           lead.c.is_total == out.c.is_total), full=True)
    )


def _row(raw: Any, labels: dict[str, str]) -> OutcomeRow:
    key = None if raw.is_total else raw.key
    return OutcomeRow(
        key=key, label=labels.get(key or "", key or ""),
        leads_submitted=raw.leads_submitted, leads_accepted=raw.leads_accepted,
        leads_rejected=raw.leads_rejected, leads_duplicate=raw.leads_duplicate,
        median_hours_to_triage=None if raw.median_hours is None
        else round(float(raw.median_hours), 1),
        leads_with_outcome=raw.leads_with_outcome, debtors_located=raw.debtors_located,
        property_sealed=raw.property_sealed, settlements=raw.settlements,
        amount_recovered=Decimal(raw.amount_recovered).quantize(Decimal("0.01")),
        amount_through_leads=Decimal(raw.amount_through_leads).quantize(Decimal("0.01")),
        lead_share=None if raw.lead_share is None else round(float(raw.lead_share), 4),
    )


def _empty_total() -> OutcomeRow:
    nothing = Decimal("0.00")
    return OutcomeRow(None, "", 0, 0, 0, 0, None, 0, 0, 0, 0, nothing, nothing, None)


def _order(row: OutcomeRow, group_by: str, labels: dict[str, str]) -> tuple[Any, ...]:
    """Months and rounds in time order, names alphabetically; the row without a group last."""
    if row.key is None:
        return (1, "")
    if group_by == "round":
        return (0, labels.get("order:" + row.key, ""), row.key)
    return (0, row.key if group_by == "month" else row.label, row.key)


def _labels(session: Session, court_id: str, group_by: str, keys: list[str]) -> dict[str, str]:
    """Names for the group keys (and, for rounds, their start dates to order by)."""
    if group_by == "month" or not keys:
        return {}
    model: Any = {"township": Township, "village": VillageGrid, "assistant": User,
                  "round": EnforcementRound}[group_by]
    name = User.display_name if model is User else model.name
    columns = [model.id, name]
    if model is EnforcementRound:
        columns.append(EnforcementRound.starts_on)
    labels: dict[str, str] = {}
    for row in session.execute(sa.select(*columns).where(model.court_id == court_id,
                                                         model.id.in_(keys))):
        labels[row[0]] = row[1]
        if model is EnforcementRound:
            labels["order:" + row[0]] = row[2].isoformat()
    return labels
