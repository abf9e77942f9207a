"""Credit measures per month: listings, liftings, credit repairs, joint punishment notices
and judicial aid, as the court reports them upward (issue 11).

Each figure counts by its own day, in the local calendar:

* measures imposed and lifted: the day they took effect (``party_measure_event.effective_on``:
  a listing is an ``impose`` event of kind ``dishonest``), liftings by a credit repair apart;
* credit repairs approved and rejected: the day the judge decided;
* joint punishment notices: the day issued, and the units they went to;
* judicial aid: payments by the day paid, with the amount.

Months run without gaps from the first to the last month with any figure (or the period
asked for), so a chart of the rows has no missing months.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import date
from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from enforcement import policy
from enforcement.accounts.principal import Principal
from enforcement.infrastructure.db import Database
from enforcement.models import (
    CreditRepair,
    JudicialAidPayment,
    LinkageRequest,
    MeasureAction,
    MeasureEvent,
    MeasureKind,
    PunishmentNotice,
    RepairStatus,
)
from enforcement.reports.common import Period, local_date, record_export


@dataclass(slots=True)
class CreditMonth:
    month: str
    """``YYYY-MM``; ``None`` on the totals row."""
    dishonest_listed: int = 0
    consumption_restricted: int = 0
    exit_restricted: int = 0
    measures_lifted: int = 0
    lifted_by_repair: int = 0
    repairs_approved: int = 0
    repairs_rejected: int = 0
    notices_issued: int = 0
    notice_copies: int = 0
    aid_payments: int = 0
    aid_paid: Decimal = field(default_factory=lambda: Decimal("0.00"))


FIGURES = tuple(f.name for f in fields(CreditMonth) if f.name != "month")


@dataclass(frozen=True, slots=True)
class CreditReport:
    rows: list[CreditMonth]
    total: CreditMonth


def credit_report(db: Database, principal: Principal, period: Period,
                  export: str | None = None) -> CreditReport:
    """The court's credit figures per month of the period."""
    policy.require(principal, "report.read")
    counted: dict[str, CreditMonth] = {}
    with db.unit_of_work() as session:
        for month, figure, count, amount in session.execute(
                _figures(principal.court_id, period)):
            row = counted.setdefault(month, CreditMonth(month))
            setattr(row, figure, getattr(row, figure) + int(count))
            if figure == "aid_payments":
                row.aid_paid += amount
        rows = [counted.get(m) or CreditMonth(m) for m in _months(counted, period)]
        record_export(session, principal, "credit", export, {
            "from": str(period.start or ""), "to": str(period.end or ""), "rows": len(rows)})
        session.commit()
    total = CreditMonth(month=None)  # type: ignore[arg-type]
    for row in rows:
        for name in FIGURES:
            setattr(total, name, getattr(total, name) + getattr(row, name))
    return CreditReport(rows, total)


def _figures(court_id: str, period: Period) -> Any:
    """(month, figure, count, amount) from every source, in one UNION ALL."""
    def counted(figure: str, day: Any, court: Any, *where: Any, amount: Any = None) -> Any:
        month = sa.func.to_char(day, "YYYY-MM")
        total = sa.func.sum(amount) if amount is not None else sa.literal(0)
        return (sa.select(month.label("month"), sa.literal(figure).label("figure"),
                          sa.func.count().label("n"), sa.cast(total, sa.Numeric(14, 2)))
                .where(court == court_id, *where, *period.covers(day)).group_by(month))

    event = MeasureEvent
    imposed = {MeasureKind.DISHONEST: "dishonest_listed",
               MeasureKind.CONSUMPTION: "consumption_restricted",
               MeasureKind.EXIT: "exit_restricted"}
    decided_on = local_date(CreditRepair.decided_at)
    copies = (sa.select(LinkageRequest.court_id, PunishmentNotice.issued_at)
              .join(PunishmentNotice, sa.and_(
                  PunishmentNotice.court_id == LinkageRequest.court_id,
                  PunishmentNotice.id == LinkageRequest.notice_id))
              .subquery("copies"))
    lift = event.action == MeasureAction.LIFT
    return sa.union_all(
        *(counted(figure, event.effective_on, event.court_id,
                  event.action == MeasureAction.IMPOSE, event.kind == kind)
          for kind, figure in imposed.items()),
        counted("measures_lifted", event.effective_on, event.court_id, lift),
        counted("lifted_by_repair", event.effective_on, event.court_id, lift,
                event.repair_id.is_not(None)),
        counted("repairs_approved", decided_on, CreditRepair.court_id,
                CreditRepair.status == RepairStatus.APPROVED),
        counted("repairs_rejected", decided_on, CreditRepair.court_id,
                CreditRepair.status == RepairStatus.REJECTED),
        counted("notices_issued", local_date(PunishmentNotice.issued_at),
                PunishmentNotice.court_id),
        counted("notice_copies", local_date(copies.c.issued_at), copies.c.court_id),
        counted("aid_payments", JudicialAidPayment.paid_on, JudicialAidPayment.court_id,
                amount=JudicialAidPayment.amount),
    )


def _months(counted: dict[str, CreditMonth], period: Period) -> list[str]:
    """Every month from the first to the last, ``YYYY-MM``."""
    bounds = sorted(counted)
    first = period.start or (date.fromisoformat(bounds[0] + "-01") if bounds else None)
    last = period.end or (date.fromisoformat(bounds[-1] + "-01") if bounds else None)
    if first is None or last is None:
        return bounds
    months, year, month = [], first.year, first.month
    while (year, month) <= (last.year, last.month):
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months
