"""Helpers shared by sync tests (API tests too)."""

from __future__ import annotations

import time
from typing import Any

import sqlalchemy as sa

from enforcement.leads.settings import LeadSettings

SETTINGS = LeadSettings(manual_position=True)
"""A court's lead settings as configured by default (``FIELD_APP_MANUAL_POSITION`` on), for
the sync use cases called directly."""


def settle(engine: Any, timeout: float = 30) -> None:
    """Wait until every recorded change is below the pull horizon. Other test runs on the
    same server (xids are cluster-wide) may hold it back briefly: a delay, never a loss."""
    deadline = time.monotonic() + timeout
    query = sa.text("SELECT coalesce(max(xid), 0) < pg_snapshot_xmin(pg_current_snapshot())"
                    "::text::bigint FROM sync_change")
    while time.monotonic() < deadline:
        with engine.connect() as conn:
            if conn.execute(query).scalar():
                return
        time.sleep(0.05)
    raise AssertionError("the pull horizon did not pass the last change")


def hold_horizon(conn: Any, timeout: float = 30) -> None:
    """Make ``conn``'s open transaction the one holding the pull horizon back: it takes a
    transaction id, then waits until no older transaction (another test run's, on the same
    cluster) is still open, so the horizon stays put until ``conn`` ends."""
    mine = int(conn.execute(sa.text("SELECT pg_current_xact_id()::text::bigint")).scalar())
    deadline = time.monotonic() + timeout
    query = sa.text("SELECT pg_snapshot_xmin(pg_current_snapshot())::text::bigint")
    while time.monotonic() < deadline:
        with conn.engine.connect() as other:
            if int(other.execute(query).scalar()) == mine:
                return
        time.sleep(0.05)
    raise AssertionError("an older transaction kept the horizon below this one")


def busy_writing(engine: sa.Engine) -> bool:
    """A server transaction on this database has written something and not committed yet
    (a push in flight): the moment crash and shutdown tests strike."""
    with engine.connect() as conn:
        return bool(conn.execute(sa.text(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND backend_xid IS NOT NULL AND pid <> pg_backend_pid()")).scalar())


def count_rows(engine: sa.Engine, table: str) -> int:
    with engine.connect() as conn:
        return int(conn.execute(sa.text(f"SELECT count(*) FROM {table}")).scalar_one())
