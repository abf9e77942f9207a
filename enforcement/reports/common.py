"""What every report shares: the period it covers, local dates, and auditing exports."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

from enforcement.accounts.principal import Principal
from enforcement.errors import ValidationFailed
from enforcement.infrastructure import audit

LOCAL_TZ = "Asia/Shanghai"
"""Courts report by the local calendar: a lead sent at 07:00 on the 1st belongs to that
day and month, not to the UTC day before."""

EXPORT_FORMATS = ("csv", "xlsx")


@dataclass(frozen=True, slots=True)
class Period:
    """Inclusive local dates; either end may be open."""

    start: date | None = None
    end: date | None = None

    def __post_init__(self) -> None:
        if self.start and self.end and self.end < self.start:
            raise ValidationFailed("the period ends before it starts", errors={
                "query": {"to": ["must not be before from"]}})

    def covers(self, column: Any) -> list[sa.ColumnElement[bool]]:
        """WHERE clauses for a DATE column."""
        where: list[sa.ColumnElement[bool]] = []
        if self.start:
            where.append(column >= self.start)
        if self.end:
            where.append(column <= self.end)
        return where

    def label(self) -> str:
        """``2025-01-01_2025-03-31``, ``all`` when open at both ends (for file names)."""
        if not self.start and not self.end:
            return "all"
        return f"{self.start or 'start'}_{self.end or 'today'}"


def local_date(timestamp: Any) -> Any:
    """The local calendar date of a ``timestamptz`` column."""
    return sa.cast(sa.func.timezone(LOCAL_TZ, timestamp), sa.Date)


def record_export(session: Session, principal: Principal, report: str, fmt: str | None,
                  detail: dict[str, Any]) -> None:
    """Every file a report leaves the server as is on record (who, which report, filters)."""
    if fmt is None:
        return
    audit.record(session, court_id=principal.court_id, action="report.export",
                 actor_id=principal.user_id, device_id=principal.device_id,
                 subject_table=None, subject_id=None,
                 detail={"report": report, "format": fmt, **detail})
