"""Metrics that are not request counts: the database pool, and gauges read at scrape time.

The pool gauges follow SQLAlchemy's pool events, so that under gunicorn every worker
writes its own numbers and ``/metrics`` adds them up (``livesum``). The court gauges
(open conflicts, devices by last contact, attachment bytes) come from the database when
Prometheus scrapes, through ``enforcement.infrastructure.operator_gauges``; if the
database does not answer, the scrape still works and says so in ``gridwork_database_up``.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping
from typing import Any

import sqlalchemy as sa
from prometheus_client import Gauge
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy.exc import SQLAlchemyError

from enforcement.infrastructure.db import Database
from enforcement.infrastructure.operator_gauges import court_gauges

log = logging.getLogger("gridwork.metrics")


def watch_pool(engine: sa.Engine, gauges: Mapping[str, Gauge]) -> None:
    """Keep ``size``, ``checked_out`` and ``overflow`` gauges in step with the pool."""
    pool = engine.pool
    size = getattr(pool, "size", None)
    gauges["size"].set(size() if callable(size) else 0)

    def overflow() -> None:
        current = getattr(pool, "overflow", None)
        gauges["overflow"].set(max(0, current()) if callable(current) else 0)

    def on_checkout(*_: Any) -> None:
        gauges["checked_out"].inc()
        overflow()

    def on_checkin(*_: Any) -> None:
        gauges["checked_out"].dec()
        overflow()

    sa.event.listen(pool, "checkout", on_checkout)
    sa.event.listen(pool, "checkin", on_checkin)


class DatabaseGaugeCollector(Collector):
    """Per-court gauges computed from the database at each scrape."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def describe(self) -> list[Any]:
        return []  # names are only known at collect time; nothing to check for clashes

    def collect(self) -> Iterator[GaugeMetricFamily]:
        up = GaugeMetricFamily("gridwork_database_up",
                               "1 when the database answered this scrape's queries")
        try:
            with self.db.unit_of_work() as session:
                gauges = court_gauges(session)
        except SQLAlchemyError:
            log.warning("metrics: the database did not answer")
            up.add_metric([], 0)
            yield up
            return
        up.add_metric([], 1)
        yield up
        conflicts = GaugeMetricFamily("gridwork_sync_open_conflicts",
                                      "Sync conflicts waiting for a person", labels=["court_id"])
        for court, count in sorted(gauges.open_conflicts.items()):
            conflicts.add_metric([court], count)
        yield conflicts
        devices = GaugeMetricFamily(
            "gridwork_devices", "Devices not revoked, by when they were last seen "
            "(1d, 7d, 30d, older, never)", labels=["court_id", "last_seen"])
        for (court, bucket), count in sorted(gauges.devices.items()):
            devices.add_metric([court, bucket], count)
        yield devices
        stored = GaugeMetricFamily("gridwork_attachment_bytes",
                                   "Bytes of completely uploaded attachments",
                                   labels=["court_id"])
        for court, size in sorted(gauges.attachment_bytes.items()):
            stored.add_metric([court], size)
        yield stored
