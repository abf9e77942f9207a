"""The admin's health report: is the database there and migrated, is there room for
attachments, are phones keeping up with sync, which devices have gone quiet.

It answers the questions a court's IT office asks before a phone user calls them. The
database and disk parts are the server's; devices, sync lag and conflicts are the caller's
court's only.
"""

from __future__ import annotations

import shutil
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from alembic.script import ScriptDirectory
from sqlmodel import Session

from enforcement import policy
from enforcement.accounts.principal import Principal
from enforcement.infrastructure.db import Database
from enforcement.infrastructure.db_migrations import alembic_config
from enforcement.models import Device, User, utcnow
from sync.feed import COMMITTED_HORIZON
from sync.tables import sync_change, sync_conflict

STALE_DEVICES_LISTED = 50
"""The health page lists at most this many quiet devices (oldest contact first)."""


@dataclass(frozen=True, slots=True)
class HealthLimits:
    """Thresholds from configuration."""

    attachments_dir: str
    disk_free_warn_bytes: int
    device_stale_days: int


@cache
def migration_heads() -> tuple[str, ...]:
    """The revisions ``alembic upgrade head`` leads to (read once per process)."""
    return tuple(sorted(ScriptDirectory.from_config(alembic_config()).get_heads()))


def health_report(db: Database, principal: Principal, limits: HealthLimits) -> dict[str, Any]:
    """The report for the caller's court; only admins may read it."""
    policy.require(principal, "health.read")
    now = utcnow()
    started = time.perf_counter()
    with db.unit_of_work() as session:
        session.execute(sa.text("SELECT 1"))
        latency_ms = round((time.perf_counter() - started) * 1000, 2)
        database = _database(session, latency_ms)
        stale_before = now - timedelta(days=limits.device_stale_days)
        report = {
            "checked_at": now,
            "database": database,
            "disk": _disk(limits),
            "sync": _sync_lag(session, principal.court_id, now),
            "stale_devices": _stale_devices(session, principal.court_id, stale_before,
                                            limits.device_stale_days),
            "conflicts": _conflicts(session, principal.court_id),
        }
    report["warnings"] = _warnings(report)
    report["status"] = "warning" if report["warnings"] else "ok"
    return report


def _database(session: Session, latency_ms: float) -> dict[str, Any]:
    current = tuple(sorted(session.execute(
        sa.text("SELECT version_num FROM alembic_version")).scalars()))
    heads = migration_heads()
    return {"reachable": True, "latency_ms": latency_ms, "revisions": list(current),
            "head_revisions": list(heads), "at_head": current == heads}


def _disk(limits: HealthLimits) -> dict[str, Any]:
    """Free space on the file system that holds the attachments folder (or would)."""
    folder = Path(limits.attachments_dir).resolve()
    probe = next((p for p in (folder, *folder.parents) if p.exists()), Path("/"))
    usage = shutil.disk_usage(probe)
    return {"path": str(folder), "free_bytes": usage.free, "total_bytes": usage.total,
            "warn_below_bytes": limits.disk_free_warn_bytes,
            "low": usage.free < limits.disk_free_warn_bytes}


def _sync_lag(session: Session, court_id: str, now: datetime) -> dict[str, Any]:
    """How far the pull horizon and each group of devices trail the court's changes.

    The horizon is held back by the oldest running transaction (changes that commit are
    handed out only when it ends). A device group is the devices of one role; a device
    is *behind* when its last sync is older than the court's newest change, and the
    group's oldest unacknowledged change is the first change after its least recent sync
    (court-wide: a device's own scope may have had nothing new).
    """
    c = sync_change.c
    oldest_xact = session.execute(sa.text(
        "SELECT min(xact_start) FROM pg_stat_activity "
        "WHERE backend_xid IS NOT NULL AND pid <> pg_backend_pid()")).scalar()
    waiting = session.execute(
        sa.select(sa.func.count(), sa.func.min(c.changed_at))
        .where(c.court_id == court_id, c.xid >= COMMITTED_HORIZON)).one()
    newest = session.execute(
        sa.select(sa.func.max(c.changed_at)).where(c.court_id == court_id)).scalar()
    groups = []
    behind = (sa.or_(Device.last_seen_at.is_(None), Device.last_seen_at < newest)
              if newest is not None else sa.false())  # no change yet: nobody is behind
    rows = session.execute(
        sa.select(User.role, sa.func.count(), sa.func.min(Device.last_seen_at),
                  sa.func.count().filter(behind))
        .join(User, sa.and_(User.court_id == Device.court_id, User.id == Device.user_id))
        .where(Device.court_id == court_id, Device.revoked_at.is_(None))
        .group_by(User.role).order_by(User.role)).all()
    for role, devices, least_recent, lagging in rows:
        oldest = None
        if lagging:
            since = c.changed_at > least_recent if least_recent else sa.true()
            oldest = session.execute(sa.select(sa.func.min(c.changed_at)).where(
                c.court_id == court_id, since)).scalar()
        groups.append({"role": str(role), "devices": devices, "behind": lagging,
                       "least_recent_sync_at": least_recent,
                       "oldest_unacknowledged_change_at": oldest})
    return {
        "oldest_open_transaction_seconds": (
            round((now - oldest_xact).total_seconds(), 1) if oldest_xact else 0.0),
        "changes_waiting": int(waiting[0]), "oldest_waiting_change_at": waiting[1],
        "newest_change_at": newest, "device_groups": groups,
    }


def _stale_devices(session: Session, court_id: str, before: datetime, days: int
                   ) -> dict[str, Any]:
    quiet = sa.and_(Device.court_id == court_id, Device.revoked_at.is_(None),
                    sa.func.coalesce(Device.last_seen_at, Device.registered_at) < before)
    count = session.execute(sa.select(sa.func.count()).select_from(Device).where(quiet)
                            ).scalar_one()
    rows = session.execute(
        sa.select(Device.id, Device.name, User.username, User.role, Device.last_seen_at)
        .join(User, sa.and_(User.court_id == Device.court_id, User.id == Device.user_id))
        .where(quiet).order_by(Device.last_seen_at.asc().nulls_first(), Device.id)
        .limit(STALE_DEVICES_LISTED)).all()
    return {"days": days, "count": int(count), "devices": [
        {"device_id": d, "name": name, "username": username, "role": str(role),
         "last_seen_at": seen} for d, name, username, role, seen in rows]}


def _conflicts(session: Session, court_id: str) -> dict[str, Any]:
    c = sync_conflict.c
    count, oldest = session.execute(
        sa.select(sa.func.count(), sa.func.min(c.created_at))
        .where(c.court_id == court_id, c.status == "open")).one()
    return {"open": int(count), "oldest_open_at": oldest}


def _warnings(report: dict[str, Any]) -> list[str]:
    warnings = []
    if not report["database"]["at_head"]:
        warnings.append("migrations_pending")
    if report["disk"]["low"]:
        warnings.append("disk_low")
    if report["stale_devices"]["count"]:
        warnings.append("devices_not_seen")
    if report["sync"]["oldest_open_transaction_seconds"] > 300:
        warnings.append("sync_held_back")
    if report["conflicts"]["open"]:
        warnings.append("conflicts_open")
    return warnings
