"""Scope changes: which records left a device's scope, and which entered it.

A device's scope moves without its records changing (an assistant is assigned another
grid, a case is reassigned) and records move out of it by being edited (re-placed in
another grid). The feed alone cannot tell: it is ordered by when records changed, not by
when the scope did. So every pull that knows its device stores what the device holds
afterwards as a *snapshot* (the set of ``table:id`` keys, content-addressed, named by the
cursor it hands out), and the next pull diffs that snapshot against the scope now:

* held records whose feed row is no longer an in-scope upsert are *evicted*;
* in-scope records at or before the cursor that the device does not hold *entered* the
  scope and are delivered as upserts (records after the cursor come through the feed).

Any cursor a device ever received names an immutable snapshot, so a lost answer or a
retried, duplicated or reordered pull diffs against exactly what that cursor stands for.
A snapshot is deleted once its device confirms a newer cursor (and no other device's
cursor names it); the rest go with pruning. A device whose snapshot is gone (pruned, or a
stale duplicate of an old pull arriving late) is told to bootstrap again.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY, aggregate_order_by, insert
from sqlalchemy.orm import Session

from sync.feed import Position
from sync.tables import sync_change, sync_device_state, sync_prune_mark, sync_scope_snapshot


class ResyncRequired(Exception):
    """The device's cursor is older than what the server still keeps: bootstrap again."""

    code = "resync_required"


def key(table: str, record_id: str) -> str:
    return f"{table}:{record_id}"


def split_key(value: str) -> tuple[str, str]:
    table, record_id = value.split(":", 1)
    return table, record_id


def digest(user_id: str, device_id: str, keys: Iterable[str]) -> str:
    """Content address of a snapshot, per device (one device moving on never drops what
    another still holds)."""
    h = hashlib.sha256(f"{user_id}\n{device_id}".encode())
    for k in sorted(keys):
        h.update(b"\n" + k.encode())
    return h.hexdigest()[:32]


def require_fresh(session: Session, court_id: str, after: Position) -> None:
    """Refuse a cursor behind the newest pruned tombstone: it may have missed a delete."""
    m = sync_prune_mark.c
    mark = session.execute(sa.select(m.xid, m.seq).where(m.court_id == court_id)).first()
    if mark is not None and after < Position(mark.xid, mark.seq):
        raise ResyncRequired("this device was away longer than the server keeps deletes; "
                             "wipe the synced records and pull from the start")


def load(session: Session, court_id: str, user_id: str, name: str) -> set[str]:
    """The keys a device held when it was handed the cursor naming ``name``."""
    s = sync_scope_snapshot.c
    keys = session.execute(sa.select(s.record_keys).where(
        s.court_id == court_id, s.digest == name, s.user_id == user_id)).scalar()
    if keys is None:
        raise ResyncRequired("the server no longer knows what this device holds; "
                             "wipe the synced records and pull from the start")
    return set(keys)


Scopes = Mapping[str, sa.ColumnElement[bool]]
"""Per feed table (``sync_change.table_name``), which of its rows a caller pulls."""


def _scope_rows(court_id: str, scopes: Scopes, *columns: Any) -> Any:
    """The caller's in-scope upserts, one SELECT per feed table glued by UNION ALL: each
    is planned on its own (the primary key or the author index for its table and its own
    subqueries), where one OR across every table made PostgreSQL scan the court's whole
    feed and evaluate every table's subqueries (bench/profile-findings.md, finding 3).
    ``columns`` are functions of the feed table's name: each gets its own literal."""
    c = sync_change.c
    return sa.union_all(*(
        sa.select(c.record_id, c.xid, c.seq, *(column(feed) for column in columns))
        .where(c.court_id == court_id, c.table_name == feed, c.op == "upsert", scope)
        for feed, scope in scopes.items()
    )).subquery()


def _at_or_before(rows: Any, upto: Position) -> sa.ColumnElement[bool]:
    return sa.tuple_(rows.c.xid, rows.c.seq) <= sa.tuple_(
        sa.literal(upto.xid, sa.BigInteger), sa.literal(upto.seq, sa.BigInteger))


def in_scope(session: Session, court_id: str, scopes: Scopes, upto: Position
             ) -> list[tuple[str, bool]]:
    """Every record in scope now (not deleted), oldest first, and whether it sits at or
    before ``upto``: one indexed read of the scope, aggregated into two arrays (cheap to
    transfer), diffed in memory."""
    rows = _scope_rows(court_id, scopes,
                       lambda feed: sa.literal(f"{feed}:", sa.Text).label("prefix"))
    order = (rows.c.xid, rows.c.seq)
    keys, old = session.execute(sa.select(
        sa.func.array_agg(aggregate_order_by(rows.c.prefix + rows.c.record_id, *order)),
        sa.func.array_agg(aggregate_order_by(_at_or_before(rows, upto), *order)),
    )).one()
    return list(zip(keys or (), old or (), strict=True))


def _sql_digest(user_id: str, device_id: str, keys: Any) -> Any:
    """``digest`` computed by PostgreSQL over the text column ``keys`` of one aggregate
    group: the same bytes in the same order (``COLLATE "C"`` sorts UTF-8 by code point, as
    Python's ``sorted`` does), so both name a snapshot alike."""
    lines = sa.func.string_agg(sa.literal("\n") + keys,
                               aggregate_order_by(sa.literal(""), keys.collate("C")))
    text = sa.literal(f"{user_id}\n{device_id}") + sa.func.coalesce(lines, "")
    return sa.func.left(sa.func.encode(sa.func.sha256(sa.func.convert_to(text, "UTF8")),
                                       "hex"), 32)


def _array_digest(user_id: str, device_id: str, keys: Any) -> Any:
    """``digest`` computed by PostgreSQL over a text array already in ``digest``'s order
    (sorted ``COLLATE "C"``, no duplicates): the same bytes as ``_sql_digest``."""
    lines = sa.case((sa.func.cardinality(keys) > 0,
                     sa.literal("\n") + sa.func.array_to_string(keys, "\n")),
                    else_=sa.literal(""))
    text = sa.literal(f"{user_id}\n{device_id}") + lines
    return sa.func.left(sa.func.encode(sa.func.sha256(sa.func.convert_to(text, "UTF8")),
                                       "hex"), 32)


def unchanged(session: Session, court_id: str, user_id: str, device_id: str,
              scopes: Scopes, synced_as: Mapping[str, str], upto: Position,
              name: str) -> bool:
    """Whether snapshot ``name`` exists and holds exactly the records in scope at or before
    ``upto``: then nothing left the scope and nothing entered it behind the cursor, so
    ``diff`` would keep everything and add nothing. Decided inside PostgreSQL (one read of
    the scope, one digest): neither the snapshot nor the scope crosses the wire, which is
    most of an up-to-date pull of a device holding thousands of records. ``synced_as``
    names each feed table as the device knows it (``party`` rows are ``wanted`` keys)."""
    s = sync_scope_snapshot.c
    rows = _scope_rows(court_id, scopes, lambda feed: sa.literal(
        f"{synced_as.get(feed, feed)}:", sa.Text).label("prefix"))
    keys = sa.select((rows.c.prefix + rows.c.record_id).label("k")).where(
        _at_or_before(rows, upto)).subquery()
    exists = sa.select(s.digest).where(s.court_id == court_id, s.digest == name,
                                       s.user_id == user_id).exists()
    stored, current = session.execute(sa.select(
        exists, _sql_digest(user_id, device_id, keys.c.k)).select_from(keys)).one()
    return bool(stored) and current == name


def extend(session: Session, court_id: str, user_id: str, device_id: str, base: str,
           added: set[str], removed: set[str]) -> str:
    """Store snapshot ``base`` plus ``added`` minus ``removed`` (once per content, as
    ``store``) and return its name, building it inside PostgreSQL from the stored one: a
    page's few changes do not carry the device's whole holdings there and back."""
    if not added and not removed:
        return base
    s = sync_scope_snapshot.c
    text_array = ARRAY(sa.Text)
    held = sa.select(sa.func.unnest(s.record_keys).label("k")).where(
        s.court_id == court_id, s.digest == base, s.user_id == user_id)
    plus = sa.select(sa.func.unnest(sa.cast(sa.literal(list(added), text_array),
                                            text_array)).label("k"))
    merged: Any = sa.union_all(held, plus)
    if removed:
        merged = sa.except_(merged, sa.select(sa.func.unnest(
            sa.cast(sa.literal(list(removed), text_array), text_array)).label("k")))
    keys = merged.subquery()
    k = keys.c.k.collate("C")
    base_row = sa.select(s.digest).where(s.court_id == court_id, s.digest == base,
                                         s.user_id == user_id)
    # One sort, which also drops the keys ``added`` shares with the base; the name is
    # hashed from the sorted array (a bootstrap extends a growing snapshot every page:
    # hashing a union, an EXCEPT and two sorts was 20 ms a page at 10,000 keys).
    sorted_keys = sa.select(
        base_row.exists().label("found"),
        sa.func.coalesce(sa.func.array_agg(aggregate_order_by(sa.distinct(k), k)),
                         sa.cast(sa.literal([], text_array), text_array)).label("record_keys"),
    ).select_from(keys).cte("sorted_keys")
    content = sa.select(
        sorted_keys.c.found, sorted_keys.c.record_keys,
        _array_digest(user_id, device_id, sorted_keys.c.record_keys).label("digest"),
    ).cte("content")
    written = insert(sync_scope_snapshot).from_select(
        ["court_id", "digest", "user_id", "record_keys"],
        sa.select(sa.literal(court_id), content.c.digest, sa.literal(user_id),
                  content.c.record_keys).where(content.c.found),
    ).on_conflict_do_nothing().cte("written")
    # One statement sees one state: the base is read whole or found gone (a concurrent
    # pull of the same device dropped it), never half. A data-modifying CTE always runs.
    found, name = session.execute(sa.select(content.c.found, content.c.digest)
                                  .add_cte(written)).one()
    if not found:
        raise ResyncRequired("the server no longer knows what this device holds; "
                             "wipe the synced records and pull from the start")
    return str(name)


def diff(held: set[str], current: list[tuple[str, bool]], limit: int
         ) -> tuple[set[str], list[tuple[str, str]], bool]:
    """Held keys still in scope; in-scope records at or before the cursor that the device
    lacks (oldest first, up to ``limit``), and whether there are more of those."""
    kept = held & {k for k, _ in current}
    arrived = [k for k, old in current if old and k not in held]
    return kept, [split_key(k) for k in arrived[:limit]], len(arrived) > limit


def store(session: Session, court_id: str, user_id: str, device_id: str,
          keys: set[str], unchanged: str | None = None) -> str:
    """Save (once per content) what the device holds now; returns its name. ``unchanged``
    names a snapshot known to exist: when the content is the same, nothing is written."""
    name = digest(user_id, device_id, keys)
    if name == unchanged:
        return name
    session.execute(insert(sync_scope_snapshot).values(
        court_id=court_id, digest=name, user_id=user_id, record_keys=sorted(keys),
    ).on_conflict_do_nothing())
    return name


PULLED_AT_EVERY = timedelta(minutes=1)
"""How stale ``pulled_at`` may get before a pull that changes nothing else rewrites it
(pruning measures device activity in days)."""


@dataclass(frozen=True, slots=True)
class DevicePull:
    device_id: str
    sent: Position
    sent_snapshot: str | None
    issued_snapshot: str | None


def record_pull(session: Session, court_id: str, pull: DevicePull) -> None:
    """Remember how far the device has confirmed the feed (the cursor it sent) and which
    snapshots its cursors name; drop the snapshots it no longer needs."""
    d = sync_device_state.c
    state = sa.select(d.acked_xid, d.acked_seq, d.acked_digest, d.issued_digest,
                      (d.pulled_at > sa.func.now() - PULLED_AT_EVERY).label("recent")
                      ).where(d.court_id == court_id, d.device_id == pull.device_id)
    seen = session.execute(state).first()
    if seen is not None and seen.recent and _acked(seen, pull) == (
            Position(seen.acked_xid, seen.acked_seq), seen.acked_digest) \
            and seen.issued_digest == pull.issued_snapshot:
        # The same cursor again, a moment later (an up-to-date device polling): the row
        # already says so, and a read-only pull commits without waiting for the disk.
        return
    old = session.execute(state.with_for_update()).first()
    acked, acked_digest = _acked(old, pull)
    values = {"acked_xid": acked.xid, "acked_seq": acked.seq, "acked_digest": acked_digest,
              "issued_digest": pull.issued_snapshot, "pulled_at": sa.func.now()}
    session.execute(insert(sync_device_state)
                    .values(court_id=court_id, device_id=pull.device_id, **values)
                    .on_conflict_do_update(index_elements=["court_id", "device_id"],
                                           set_=values))
    if old is not None and old.acked_digest and acked_digest != old.acked_digest:
        # The device confirmed a newer cursor: it never sends the older one again. A
        # replaced ``issued`` snapshot is left to pruning: the request that replaced it may
        # be a stale duplicate while the device holds the cursor naming it.
        drop_unreferenced(session, court_id, {old.acked_digest} - {pull.issued_snapshot})


def _acked(old: Any, pull: DevicePull) -> tuple[Position, str | None]:
    """The furthest confirmed cursor: a stale duplicate pull never moves it back."""
    if old is not None and Position(old.acked_xid, old.acked_seq) > pull.sent:
        return Position(old.acked_xid, old.acked_seq), old.acked_digest
    return pull.sent, pull.sent_snapshot


def _referenced(court_id: str) -> Any:
    d = sync_device_state.c
    return sa.union(
        sa.select(d.acked_digest).where(d.court_id == court_id, d.acked_digest.is_not(None)),
        sa.select(d.issued_digest).where(d.court_id == court_id, d.issued_digest.is_not(None)),
    )


def drop_unreferenced(session: Session, court_id: str, names: set[str]) -> int:
    """Delete these snapshots unless some device's cursor still names them."""
    if not names:
        return 0
    s = sync_scope_snapshot.c
    result = session.execute(sa.delete(sync_scope_snapshot).where(
        s.court_id == court_id, s.digest.in_(names), s.digest.not_in(_referenced(court_id))))
    return int(result.rowcount or 0)
