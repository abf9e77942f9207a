"""Reading the change feed without ever skipping a change that commits late.

A naive cursor (a sequence number or a timestamp) skips: transaction A draws seq 7,
transaction B draws seq 8 and commits first, a device pulls up to 8, then A commits 7 behind
the device's cursor. So every change also carries the id of the transaction that wrote it
(``pg_current_xact_id()``, recorded by the trigger), and a pull hands out only changes whose
transaction is older than every transaction still running
(``xid < pg_snapshot_xmin(pg_current_snapshot())``). Those transactions are over: their
changes are all visible and no new change can ever get such an xid. Within that committed
prefix the order is ``(xid, seq)``, and the cursor is the position of the last change
delivered. The price: one long transaction holds every pull back (delays, never loses).
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, NamedTuple

import sqlalchemy as sa
from sqlalchemy.orm import Session

from sync import direct
from sync.tables import sync_change

CURSOR_PREFIX = "c1:"
SNAPSHOT_CURSOR_PREFIX = "c2:"
"""``c2:`` cursors also name the scope snapshot of what the device holds (``sync.scope``)."""
SCANNED_CURSOR_PREFIX = "c3:"
"""``c3:`` cursors are ``c2:`` ones that also say how far their pull looked (``PullCursor``)."""


class InvalidCursor(ValueError):
    """The cursor was not made by this server (or was tampered with)."""

    code = "invalid_cursor"


@dataclass(frozen=True, slots=True, order=True)
class Position:
    """Where a change sits in the feed: its writer's transaction id, then its sequence."""

    xid: int
    seq: int


START = Position(0, 0)


class PullCursor(NamedTuple):
    """What a native pull's cursor stands for.

    ``scanned``: the horizon of the pull that issued it, when that pull read the feed to
    its horizon (no page left) and left the snapshot verified: every change in the
    device's scope below it was delivered, and the snapshot was exact as of a moment
    every transaction below it had ended by. While nothing the scope reads changes, the
    next pull reads the feed from there rather than from ``position`` (the last change
    delivered), and checks writes since then rather than since the stored verification.
    An assistant whose grid is quiet in a busy court would otherwise read the court's
    every change since the last one of theirs on each poll (bench/profile-findings.md,
    finding 41). 0: not known."""

    position: Position
    snapshot: str | None = None
    scanned: int = 0

    def scan_from(self) -> Position:
        """Where the feed holds what the device may still lack, while ``scanned`` holds."""
        return max(self.position, Position(self.scanned, 0))


def encode_cursor(position: Position, snapshot: str | None = None, scanned: int = 0) -> str:
    """Opaque to clients: they send back what they got. ``scanned`` (``PullCursor``) is
    kept only with a ``snapshot``."""
    if snapshot is None:
        raw = f"{CURSOR_PREFIX}{position.xid}:{position.seq}"
    elif not scanned:
        raw = f"{SNAPSHOT_CURSOR_PREFIX}{position.xid}:{position.seq}:{snapshot}"
    else:
        raw = f"{SCANNED_CURSOR_PREFIX}{position.xid}:{position.seq}:{snapshot}:{scanned}"
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str | None) -> Position:
    """``None`` or ``""`` is the start of the feed (a bootstrap)."""
    return decode_pull_cursor(cursor).position


def decode_pull_cursor(cursor: str | None) -> PullCursor:
    """The position and, for ``c2:`` and ``c3:`` cursors, the scope snapshot's digest (and
    for ``c3:``, how far the pull that issued it looked)."""
    if not cursor:
        return PullCursor(START)
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        scanned = "0"
        if raw.startswith(CURSOR_PREFIX):
            xid, seq = raw[len(CURSOR_PREFIX):].split(":")
            snapshot = None
        elif raw.startswith(SNAPSHOT_CURSOR_PREFIX):
            xid, seq, snapshot = raw[len(SNAPSHOT_CURSOR_PREFIX):].split(":")
        elif raw.startswith(SCANNED_CURSOR_PREFIX):
            xid, seq, snapshot, scanned = raw[len(SCANNED_CURSOR_PREFIX):].split(":")
        else:
            raise ValueError(raw)
        if snapshot is not None and not (0 < len(snapshot) <= 32 and snapshot.isalnum()):
            raise ValueError(raw)
        found = PullCursor(Position(int(xid), int(seq)), snapshot, int(scanned))
    except (ValueError, UnicodeDecodeError, binascii.Error) as exc:
        raise InvalidCursor("this cursor was not issued by the server") from exc
    if not all(0 <= n < 2**63 for n in (found.position.xid, found.position.seq, found.scanned)):
        raise InvalidCursor("this cursor was not issued by the server")
    return found


class Change(NamedTuple):
    """A feed row as a pull reads it. A tuple, made straight from the row: a bootstrap
    reads 10,000 of them, and two frozen objects per change cost more than the SQL."""

    table_name: str
    record_id: str
    op: str
    version: int
    xid: int
    seq: int

    @property
    def position(self) -> Position:
        return Position(self.xid, self.seq)


COMMITTED_HORIZON = sa.text("pg_snapshot_xmin(pg_current_snapshot())::text::bigint")

PLAN_ONCE = sa.text("SET LOCAL plan_cache_mode = force_generic_plan")
"""Until ``PLAN_EACH_TIME`` or the transaction's end, a statement psycopg has prepared (from
its fifth use on a connection) reuses one plan. PostgreSQL's own choice keeps planning a
statement that holds a caller's scope clauses on every call, because its cost depends on
the bound cursor: that planning cost more than running it (2.5 against 1.3 ms for a feed
read; 3.4 against 0.6 ms for a WatermelonDB poll's opening statement)."""
PLAN_EACH_TIME = sa.text("RESET plan_cache_mode")


AFTER_XID = sa.bindparam("after_xid", type_=sa.BigInteger)
AFTER_SEQ = sa.bindparam("after_seq", type_=sa.BigInteger)
"""A cursor's position as the bound parameters of a statement built once (``changes_after``,
a native pull's opening)."""
SCAN_XID = sa.bindparam("scan_xid", type_=sa.BigInteger)
SCAN_SEQ = sa.bindparam("scan_seq", type_=sa.BigInteger)
"""Where a native pull's opening looks for changes in the feed (``PullCursor.scan_from``)."""
SCANNED = sa.bindparam("scanned", type_=sa.BigInteger)
"""A native cursor's ``PullCursor.scanned`` (0: none), for its opening's verification check."""


def changes_after(court_id: str, scope: sa.ColumnElement[bool], *,
                  bound_horizon: bool = True) -> sa.Select[Any]:
    """The feed read, with bound parameters ``after_xid``, ``after_seq``, ``limit`` and (with
    ``bound_horizon``) ``horizon``: a pull builds it once per actor, since generating the
    cache key of a statement holding an actor's scope clauses cost ~2 ms a pull
    (bench/profile-findings.md, 40)."""
    c = sync_change.c
    horizon = (sa.bindparam("horizon", type_=sa.BigInteger) if bound_horizon
               else COMMITTED_HORIZON)
    return (sa.select(c.table_name, c.record_id, c.op, c.version, c.xid, c.seq)
            .where(c.court_id == court_id,
                   sa.tuple_(c.xid, c.seq) > sa.tuple_(AFTER_XID, AFTER_SEQ),
                   # implied by the row comparison, whose selectivity a generic plan
                   # guesses at a third of the feed: then it scanned the whole table
                   c.xid >= AFTER_XID,
                   c.xid < horizon, scope)
            .order_by(c.xid, c.seq)
            .limit(sa.bindparam("limit", type_=sa.Integer)))


def read_changes(
    session: Session, court_id: str, after: Position, scope: sa.ColumnElement[bool],
    limit: int, *, horizon: int | None = None, statement: sa.Select[Any] | None = None,
    values: Mapping[str, Any] | None = None,
) -> tuple[list[Change], bool]:
    """Up to ``limit`` changes after ``after`` that every running transaction is newer than,
    filtered by ``scope`` (a clause on ``sync_change``); and whether more are ready.

    ``horizon``: ``COMMITTED_HORIZON`` as an earlier statement of the transaction read it
    (every transaction below it had ended then, so it still holds), else read now.
    ``statement``: ``changes_after`` for this court and scope, already built (``values``:
    its other bound parameters, a template actor's identity)."""
    if statement is None:
        statement = changes_after(court_id, scope, bound_horizon=horizon is not None)
    params = {**(values or {}), "after_xid": after.xid, "after_seq": after.seq,
              "limit": limit + 1}
    if horizon is not None:
        params["horizon"] = horizon
    # On the session's connection, compiled once for the driver (``sync.direct``)
    rows = direct.rows(session.connection(), statement, params)
    changes = list(map(Change._make, rows[:limit]))
    return changes, len(rows) > limit
