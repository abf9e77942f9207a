"""The figures the court publishes about supervision by deputies in a year (Pingtan:
"参与见证执行256次，参与调解执行案件47件……协助执行到位655.76万元").

The year is the calendar year in China time (UTC+8), the court's own calendar.

* deputies active — deputies who witnessed a node, filed an evaluation or sent an
  opinion card in the year;
* nodes witnessed — witness records of the year (a node event two deputies witnessed
  counts twice: each deputy was there);
* cases mediated with deputies — cases with a settlement (执行和解) agreed in the year on
  a day a deputy followed the case;
* amount recovered in followed cases — money of outcomes dated in the year on a day a
  deputy followed the case, each outcome once however many deputies followed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy.orm import Session

from enforcement import policy
from enforcement.accounts.principal import Principal
from enforcement.infrastructure.db import Database
from enforcement.models import (
    CaseFollow,
    DeputyEvaluation,
    NodeWitness,
    Outcome,
    Settlement,
    utcnow,
)

CHINA = timezone(timedelta(hours=8))
COURT_TIMEZONE = "Asia/Shanghai"
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class SupervisionSummary:
    year: int
    deputies_active: int
    nodes_witnessed: int
    cases_mediated: int
    amount_recovered: Decimal
    cases_followed: int
    evaluations: int
    opinions_sent: int
    opinions_answered: int
    opinions_overdue: int


def year_bounds(year: int) -> tuple[datetime, datetime]:
    """The first instant of the year and of the next, China time."""
    return (datetime(year, 1, 1, tzinfo=CHINA), datetime(year + 1, 1, 1, tzinfo=CHINA))


def summary(db: Database, principal: Principal, year: int) -> SupervisionSummary:
    policy.require(principal, "supervision.summary")
    court = principal.court_id
    start, end = year_bounds(year)
    with db.unit_of_work() as session:
        witnessed = sa.select(NodeWitness.deputy_id.label("deputy_id")).where(
            NodeWitness.court_id == court, NodeWitness.witnessed_at >= start,
            NodeWitness.witnessed_at < end)
        wrote = sa.select(DeputyEvaluation.deputy_id).where(
            DeputyEvaluation.court_id == court, DeputyEvaluation.created_at >= start,
            DeputyEvaluation.created_at < end)
        active = sa.union(witnessed, wrote).subquery()
        cards = _cards(court, start, end)
        return SupervisionSummary(
            year=year,
            deputies_active=_one(session, sa.select(sa.func.count()).select_from(active)),
            nodes_witnessed=_one(session, sa.select(sa.func.count()).select_from(
                witnessed.subquery())),
            cases_mediated=_one(session,
                sa.select(sa.func.count(sa.distinct(Settlement.case_id))).where(
                    Settlement.court_id == court, Settlement.agreed_on >= date(year, 1, 1),
                    Settlement.agreed_on < date(year + 1, 1, 1),
                    _followed_on(Settlement.court_id, Settlement.case_id, Settlement.agreed_on))),
            amount_recovered=_one(session,
                sa.select(sa.func.coalesce(sa.func.sum(Outcome.amount), 0)).where(
                    Outcome.court_id == court, Outcome.occurred_on >= date(year, 1, 1),
                    Outcome.occurred_on < date(year + 1, 1, 1),
                    _followed_on(Outcome.court_id, Outcome.case_id, Outcome.occurred_on))),
            cases_followed=_one(session,
                sa.select(sa.func.count(sa.distinct(CaseFollow.case_id))).where(
                    CaseFollow.court_id == court, CaseFollow.started_at < end,
                    sa.or_(CaseFollow.ended_at.is_(None), CaseFollow.ended_at >= start))),
            evaluations=_one(session, cards.where(DeputyEvaluation.kind == "evaluation")),
            opinions_sent=_one(session, cards.where(DeputyEvaluation.kind == "opinion")),
            opinions_answered=_one(session, cards.where(
                DeputyEvaluation.kind == "opinion", DeputyEvaluation.replied_at.is_not(None))),
            opinions_overdue=_one(session, cards.where(
                DeputyEvaluation.kind == "opinion", DeputyEvaluation.replied_at.is_(None),
                DeputyEvaluation.due_at < utcnow())),
        )


def _one(session: Session, aggregate: sa.Select[T]) -> T:
    """An aggregate's value: it always answers one row (a count of nothing is 0)."""
    return session.execute(aggregate).scalar_one()


def _cards(court: str, start: datetime, end: datetime) -> Any:
    return sa.select(sa.func.count()).select_from(DeputyEvaluation).where(
        DeputyEvaluation.court_id == court, DeputyEvaluation.created_at >= start,
        DeputyEvaluation.created_at < end)


def _local_day(column: Any) -> Any:
    return sa.cast(sa.func.timezone(COURT_TIMEZONE, column), sa.Date)


def _followed_on(court_col: Any, case_col: Any, day: Any) -> sa.ColumnElement[bool]:
    """Some deputy followed the case on ``day`` (the follow's first and last days count)."""
    return sa.select(CaseFollow.id).where(
        CaseFollow.court_id == court_col, CaseFollow.case_id == case_col,
        _local_day(CaseFollow.started_at) <= day,
        sa.or_(CaseFollow.ended_at.is_(None), _local_day(CaseFollow.ended_at) >= day),
    ).exists()
