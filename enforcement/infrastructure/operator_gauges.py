"""Numbers an operator watches, computed from the database when Prometheus scrapes.

They are gauges of what the database holds (open conflicts, devices by when they were
last seen, stored attachment bytes), so they are read at scrape time rather than counted
in a process that may restart. Each is one aggregate over an indexed court column: cheap
enough for a scrape every 15 seconds on a county court's data.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import QueryableAttribute
from sqlmodel import Session

from enforcement.models import Attachment, Device, utcnow
from sync.tables import sync_conflict

LAST_SEEN_BUCKETS: tuple[tuple[str, timedelta], ...] = (
    ("1d", timedelta(days=1)),
    ("7d", timedelta(days=7)),
    ("30d", timedelta(days=30)),
)
"""Devices are counted by the first bucket their last contact falls in; after the last
bucket comes ``older``, and ``never`` for a device registered but never seen."""


@dataclass(frozen=True, slots=True)
class CourtGauges:
    """Per court id: open conflicts, devices by last-seen bucket, complete attachment bytes."""

    open_conflicts: dict[str, int] = field(default_factory=dict)
    devices: dict[tuple[str, str], int] = field(default_factory=dict)
    attachment_bytes: dict[str, int] = field(default_factory=dict)


def court_gauges(session: Session) -> CourtGauges:
    """Read every court's gauges in three aggregate queries."""
    c = sync_conflict.c
    conflicts = session.execute(
        sa.select(c.court_id, sa.func.count()).where(c.status == "open").group_by(c.court_id)
    ).all()
    attachments = session.execute(
        sa.select(Attachment.court_id, sa.func.coalesce(sa.func.sum(Attachment.size_bytes), 0))
        .where(Attachment.complete.is_(True)).group_by(Attachment.court_id)
    ).all()
    bucket = last_seen_bucket(Device.last_seen_at)
    devices = session.execute(
        sa.select(Device.court_id, bucket, sa.func.count())
        .where(Device.revoked_at.is_(None)).group_by(Device.court_id, bucket)
    ).all()
    return CourtGauges(
        open_conflicts={court: int(n) for court, n in conflicts},
        devices={(court, name): int(n) for court, name, n in devices},
        attachment_bytes={court: int(n) for court, n in attachments},
    )


def last_seen_bucket(column: sa.ColumnElement[datetime | None] | QueryableAttribute[datetime | None]
                     ) -> sa.ColumnElement[str]:
    """SQL: the ``LAST_SEEN_BUCKETS`` name of a last-seen time (``never`` when null)."""
    now = utcnow()
    whens: list[tuple[sa.ColumnElement[bool], str]] = [(column.is_(None), "never")]
    whens += [(column >= now - age, name) for name, age in LAST_SEEN_BUCKETS]
    return sa.case(*whens, else_="older")
