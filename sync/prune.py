"""Pruning: the feed's tombstones, push receipts and scope snapshots do not grow forever.

A tombstone must stay until every device that may hold the record has pulled past it
(guarantee 5), a receipt until its device can no longer retry the push, a snapshot while
some device's cursor names it. Devices do not all come back, so a *horizon* bounds the
wait: a device that has not pulled for longer than the horizon (or is revoked) stops
counting as active. Once pruned, a cursor behind the newest pruned tombstone, or one whose
snapshot is gone, is answered ``resync_required`` (``sync.scope``): that device bootstraps
again instead of silently missing a delete.

What is pruned, per court, older than the horizon:

* tombstones behind the position every active device has confirmed;
* receipts of devices that pulled after the push (their retries are over) or are revoked;
* snapshots no active device's cursor names;

and, whatever the horizon, the log of writes to the tables scopes read once it is older
than any verification of a scope still trusted (``sync.scope.VERIFIED_FOR``, twice).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from sync.feed import Position
from sync.scope import VERIFIED_FOR, delete_unneeded
from sync.tables import (
    sync_change,
    sync_device_state,
    sync_prune_mark,
    sync_receipt,
    sync_scope_input_change,
    sync_scope_snapshot,
)

device = sa.table("device", sa.column("court_id"), sa.column("id"), sa.column("revoked_at"))
"""The domain's device register, read only for ``revoked_at`` (the engine's tables already
refer to it)."""


@dataclass(frozen=True, slots=True)
class PruneReport:
    court_id: str
    tombstones: int
    receipts: int
    snapshots: int
    active_devices: int
    scope_inputs: int = 0
    """Logged writes to tables scopes read, older than any verification still trusted."""


def prune_court(session: Session, court_id: str, horizon: timedelta, now: datetime
                ) -> PruneReport:
    """Delete what no active device of the court needs any more; the caller commits (or
    rolls back for a dry run)."""
    cutoff = now - horizon
    d = sync_device_state.c
    active = sa.and_(d.court_id == court_id, d.pulled_at >= cutoff, ~sa.exists().where(
        device.c.court_id == d.court_id, device.c.id == d.device_id,
        device.c.revoked_at.is_not(None)))
    count = int(session.execute(sa.select(sa.func.count()).where(active)).scalar_one())
    tombstones = _prune_tombstones(session, court_id, cutoff, _min_position(session, active))
    receipts = _prune_receipts(session, court_id, cutoff)
    snapshots = _prune_snapshots(session, court_id, cutoff, active)
    i = sync_scope_input_change.c
    inputs = _deleted(session, sa.delete(sync_scope_input_change).where(
        i.court_id == court_id, i.changed_at < now - 2 * VERIFIED_FOR))
    return PruneReport(court_id, tombstones, receipts, snapshots, count, inputs)


def _min_position(session: Session, active: sa.ColumnElement[bool]) -> Position | None:
    d = sync_device_state.c
    first = session.execute(sa.select(d.acked_xid, d.acked_seq).where(active)
                            .order_by(d.acked_xid, d.acked_seq).limit(1)).first()
    return None if first is None else Position(first.acked_xid, first.acked_seq)


def _prune_tombstones(session: Session, court_id: str, cutoff: datetime,
                      confirmed: Position | None) -> int:
    c = sync_change.c
    where = [c.court_id == court_id, c.op == "delete", c.changed_at < cutoff]
    if confirmed is not None:
        # a cursor is the position of the last change delivered: that one was received
        where.append(sa.tuple_(c.xid, c.seq) <= sa.tuple_(sa.literal(confirmed.xid),
                                                           sa.literal(confirmed.seq)))
    pruned = session.execute(sa.delete(sync_change).where(*where)
                             .returning(c.xid, c.seq)).all()
    if not pruned:
        return 0
    newest = max(Position(xid, seq) for xid, seq in pruned)
    m = sync_prune_mark.c
    session.execute(insert(sync_prune_mark).values(
        court_id=court_id, xid=newest.xid, seq=newest.seq,
    ).on_conflict_do_update(index_elements=["court_id"], set_={
        "xid": sa.func.greatest(m.xid, newest.xid),
        "seq": sa.case((m.xid > newest.xid, m.seq),
                       (m.xid < newest.xid, newest.seq),
                       else_=sa.func.greatest(m.seq, newest.seq)),
        "pruned_at": sa.func.now()}))
    return len(pruned)


def _prune_receipts(session: Session, court_id: str, cutoff: datetime) -> int:
    r, d = sync_receipt.c, sync_device_state.c
    done = sa.or_(
        sa.exists().where(d.court_id == r.court_id, d.device_id == r.device_id,
                          d.pulled_at > r.created_at),
        sa.exists().where(device.c.court_id == r.court_id, device.c.id == r.device_id,
                          device.c.revoked_at.is_not(None)),
    )
    return _deleted(session, sa.delete(sync_receipt).where(
        r.court_id == court_id, r.created_at < cutoff, done))


def _prune_snapshots(session: Session, court_id: str, cutoff: datetime,
                     active: sa.ColumnElement[bool]) -> int:
    s, d = sync_scope_snapshot.c, sync_device_state.c
    named = sa.union(
        sa.select(d.acked_digest).where(active, d.acked_digest.is_not(None)),
        sa.select(d.issued_digest).where(active, d.issued_digest.is_not(None)),
    )
    return _deleted(session, delete_unneeded(
        court_id, sa.and_(s.created_at < cutoff, s.digest.not_in(named))))


def _deleted(session: Session, statement: sa.Delete) -> int:
    """How many rows ``statement`` deleted. ``Session.execute`` is typed as returning a
    ``Result``; for a DELETE it is the ``CursorResult`` that counts them."""
    result = cast("sa.CursorResult[Any]", session.execute(statement))
    return int(result.rowcount or 0)


def courts(session: Session) -> list[str]:
    """Courts with anything to prune."""
    return list(session.execute(sa.union(
        sa.select(sync_change.c.court_id), sa.select(sync_receipt.c.court_id),
        sa.select(sync_scope_snapshot.c.court_id))).scalars())
