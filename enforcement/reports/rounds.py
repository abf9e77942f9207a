"""Rounds compared: what each concentrated enforcement round (驻村连片集中执行) did, and how
it compares with the round before it.

A round counts once it went out (locked, running or done; drafts and cancelled rounds are
left out). Its figures: targets planned, visits made and their results, outcomes (all
kinds but ``no_result``) recorded on the round, directly or through a lead assigned to it,
and the money those outcomes recovered. For each of targets, visits, outcomes and amount,
``previous`` is the round before (by start date, whatever the period asked for), ``delta``
this minus previous and ``ratio`` this over previous (None when previous is 0 or absent).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import aliased

from enforcement import policy
from enforcement.accounts.principal import Principal
from enforcement.infrastructure.db import Database
from enforcement.models import (
    EnforcementRound,
    Lead,
    Outcome,
    OutcomeKind,
    RoundStatus,
    RoundTarget,
    Visit,
    VisitResult,
)
from enforcement.reports.common import Period, record_export

WENT_OUT = (RoundStatus.LOCKED, RoundStatus.RUNNING, RoundStatus.DONE)
COMPARED = ("targets", "visits", "outcomes", "amount_recovered")


@dataclass(frozen=True, slots=True)
class Comparison:
    previous: Decimal | None
    delta: Decimal | None
    ratio: float | None


@dataclass(frozen=True, slots=True)
class RoundRow:
    round_id: str
    name: str
    seq: int | None
    starts_on: date
    ends_on: date
    status: str
    targets: int
    visits: int
    visit_results: dict[str, int]
    outcomes: int
    outcome_kinds: dict[str, int]
    amount_recovered: Decimal
    compared: dict[str, Comparison]


def round_report(db: Database, principal: Principal, period: Period,
                 export: str | None = None) -> list[RoundRow]:
    """Rounds that started in the period, oldest first, each compared with the one before."""
    policy.require(principal, "report.read")
    with db.unit_of_work() as session:
        rows = [_row(r) for r in session.execute(_query(principal.court_id, period))]
        record_export(session, principal, "rounds", export, {
            "from": str(period.start or ""), "to": str(period.end or ""), "rows": len(rows)})
        session.commit()
        return rows


def _per_round(court_id: str) -> tuple[Any, Any, Any]:
    count = sa.func.count
    targets = sa.select(RoundTarget.round_id, count().label("targets")).where(
        RoundTarget.court_id == court_id).group_by(RoundTarget.round_id).subquery("t")
    visits = sa.select(
        Visit.round_id, count().label("visits"),
        *(count().filter(Visit.result == r).label(f"visit_{r.value}") for r in VisitResult),
    ).where(Visit.court_id == court_id, Visit.deleted_at.is_(None),
            Visit.round_id.is_not(None)).group_by(Visit.round_id).subquery("v")
    lead = aliased(Lead, name="outcome_lead")
    round_id = sa.func.coalesce(Outcome.round_id, lead.round_id)
    outcomes = sa.select(
        round_id.label("round_id"),
        count().filter(Outcome.kind != OutcomeKind.NO_RESULT).label("outcomes"),
        sa.func.sum(Outcome.amount).label("amount_recovered"),
        *(count().filter(Outcome.kind == k).label(f"outcome_{k.value}") for k in OutcomeKind),
    ).select_from(Outcome).outerjoin(lead, sa.and_(
        lead.court_id == Outcome.court_id, lead.id == Outcome.lead_id,
    )).where(Outcome.court_id == court_id, round_id.is_not(None)).group_by(round_id
                                                                          ).subquery("o")
    return targets, visits, outcomes


def _query(court_id: str, period: Period) -> Any:
    targets, visits, outcomes = _per_round(court_id)
    R = EnforcementRound
    zero = sa.literal(0)
    figures = {
        "targets": sa.func.coalesce(targets.c.targets, zero),
        "visits": sa.func.coalesce(visits.c.visits, zero),
        "outcomes": sa.func.coalesce(outcomes.c.outcomes, zero),
        "amount_recovered": sa.func.coalesce(outcomes.c.amount_recovered, zero),
    }
    per_kind = [sa.func.coalesce(visits.c[f"visit_{r.value}"], zero).label(f"visit_{r.value}")
                for r in VisitResult]
    per_kind += [sa.func.coalesce(outcomes.c[f"outcome_{k.value}"], zero
                                  ).label(f"outcome_{k.value}") for k in OutcomeKind]
    base = (
        sa.select(R.id, R.name, R.seq, R.starts_on, R.ends_on, R.status,
                  *(value.label(name) for name, value in figures.items()), *per_kind)
        .select_from(R)
        .outerjoin(targets, targets.c.round_id == R.id)
        .outerjoin(visits, visits.c.round_id == R.id)
        .outerjoin(outcomes, outcomes.c.round_id == R.id)
        .where(R.court_id == court_id, R.status.in_(WENT_OUT))
        .subquery("base")
    )
    order = (base.c.starts_on, base.c.id)
    previous = {name: sa.func.lag(base.c[name]).over(order_by=order) for name in COMPARED}
    windowed = sa.select(
        base, *(prev.label(f"prev_{name}") for name, prev in previous.items()),
    ).subquery("windowed")
    compared = []
    for name in COMPARED:
        prev = windowed.c[f"prev_{name}"]
        compared += [(windowed.c[name] - prev).label(f"delta_{name}"),
                     (sa.cast(windowed.c[name], sa.Numeric)
                      / sa.func.nullif(prev, 0)).label(f"ratio_{name}")]
    return (sa.select(windowed, *compared)
            .where(*period.covers(windowed.c.starts_on))
            .order_by(windowed.c.starts_on, windowed.c.id))


def _row(raw: Any) -> RoundRow:
    def ratio(value: Any) -> float | None:
        return None if value is None else round(float(value), 4)

    return RoundRow(
        round_id=raw.id, name=raw.name, seq=raw.seq, starts_on=raw.starts_on,
        ends_on=raw.ends_on, status=str(raw.status.value if hasattr(raw.status, "value")
                                        else raw.status),
        targets=raw.targets, visits=raw.visits,
        visit_results={r.value: getattr(raw, f"visit_{r.value}") for r in VisitResult},
        outcomes=raw.outcomes,
        outcome_kinds={k.value: getattr(raw, f"outcome_{k.value}") for k in OutcomeKind},
        amount_recovered=Decimal(raw.amount_recovered).quantize(Decimal("0.01")),
        compared={name: Comparison(
            previous=getattr(raw, f"prev_{name}"), delta=getattr(raw, f"delta_{name}"),
            ratio=ratio(getattr(raw, f"ratio_{name}"))) for name in COMPARED},
    )
