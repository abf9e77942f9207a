"""The parties' satisfaction (issue 21): their evaluations per judge, township or month,
and how fast judges answered their complaints.

An evaluation counts on the local day it was written, under the judge and township the
case had then (kept with it). Figures per group:

* ``evaluations``, ``average_rating`` (1-5, two decimals; null without evaluations),
  ``satisfied`` (rated 4 or 5);
* ``complaints``; of those ``answered``, ``answered_on_time`` (by the due time) and
  ``overdue`` (unanswered and past due now); ``average_answer_hours`` from the complaint
  to the judge's answer, over those answered (null when none).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from enforcement import policy
from enforcement.accounts.principal import Principal
from enforcement.infrastructure.db import Database
from enforcement.models import PartyEvaluation, Township, User, utcnow
from enforcement.reports.common import LOCAL_TZ, Period, local_date

GROUPINGS = ("judge", "township", "month")


@dataclass(frozen=True, slots=True)
class SatisfactionRow:
    key: str | None
    label: str | None
    evaluations: int
    average_rating: Decimal | None
    satisfied: int
    complaints: int
    answered: int
    answered_on_time: int
    overdue: int
    average_answer_hours: Decimal | None


@dataclass(frozen=True, slots=True)
class SatisfactionReport:
    group_by: str
    rows: list[SatisfactionRow]
    total: SatisfactionRow


def satisfaction_report(db: Database, principal: Principal, group_by: str,
                        period: Period) -> SatisfactionReport:
    """Judges and officers of the court; ``group_by`` is judge, township or month."""
    policy.require(principal, "report.read")
    pe = PartyEvaluation
    key: Any = {
        "judge": pe.judge_id,
        "township": pe.township_id,
        "month": sa.func.to_char(sa.func.timezone(LOCAL_TZ, pe.created_at), "YYYY-MM"),
    }[group_by]
    where = [policy.scope_filter(principal, "report.read", pe),
             *period.covers(local_date(pe.created_at))]
    with db.unit_of_work() as session:
        rows = session.execute(
            sa.select(key.label("key"), *_figures()).where(*where)
            .group_by(key).order_by(key.nulls_last())).all()
        total = session.execute(sa.select(sa.null(), *_figures()).where(*where)).one()
        labels = _labels(session, principal.court_id, group_by, [r[0] for r in rows])
    return SatisfactionReport(group_by, [_row(r, labels.get(r[0])) for r in rows],
                              _row(total, None))


def _figures() -> list[Any]:
    pe = PartyEvaluation
    complaint = pe.complaint.is_not(None)
    answered = sa.and_(complaint, pe.replied_at.is_not(None))
    hours = sa.extract("epoch", pe.replied_at - pe.created_at) / 3600
    return [
        sa.func.count(),
        sa.func.round(sa.func.avg(pe.rating), 2),
        sa.func.count().filter(pe.rating >= 4),
        sa.func.count().filter(complaint),
        sa.func.count().filter(answered),
        sa.func.count().filter(answered, pe.replied_at <= pe.due_at),
        sa.func.count().filter(complaint, pe.replied_at.is_(None), pe.due_at < utcnow()),
        sa.func.round(sa.func.avg(hours).filter(answered), 1),
    ]


def _row(row: Any, label: str | None) -> SatisfactionRow:
    key, count, avg, satisfied, complaints, answered, on_time, overdue, hours = row
    return SatisfactionRow(key, label if label is not None else key, count,
                           None if avg is None else Decimal(avg), satisfied, complaints,
                           answered, on_time, overdue,
                           None if hours is None else Decimal(hours))


def _labels(session: Any, court_id: str, group_by: str, keys: list[str | None]
            ) -> dict[str | None, str]:
    wanted = [k for k in keys if k is not None]
    if group_by == "judge":
        return dict(session.execute(sa.select(User.id, User.display_name).where(
            User.court_id == court_id, User.id.in_(wanted))).all())
    if group_by == "township":
        return dict(session.execute(sa.select(Township.id, Township.name).where(
            Township.court_id == court_id, Township.id.in_(wanted))).all())
    return {}
