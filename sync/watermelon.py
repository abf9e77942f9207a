"""The WatermelonDB protocol on top of the engine: pull ``{changes, timestamp}`` and push
``{changes}`` with raw records (``id`` and column names), as ``synchronize()`` sends them.

**Timestamp.** Watermelon wants a number. It is the feed's commit horizon: the oldest
transaction id still running (``pg_snapshot_xmin``), read before the changes. A pull hands
out every change with ``last_pulled_at <= xid < timestamp``: those transactions are over,
and any later change gets an xid at or above the horizon, so the next pull (from this
timestamp) finds it. A change that commits late is never skipped. xids are 64-bit with the
epoch but far below 2^53, so they are safe JavaScript numbers.

**Bases.** Watermelon sends whole records and no base; its pull keeps locally edited
columns over the server's. So the server remembers per device and record the values the
device holds unchanged (``sync_device_base.base``) and what later pulls sent it
(``pending``). A record absent from a push had no local edit, so its pending values
become its base; a pushed record is merged three-way against its base and its values
become the new base. A shared field both sides changed is a conflict, as in the native
protocol. When unsure (the device pulled a newer value and then edited the field) the
merge errs towards a conflict: a person decides, nothing is overwritten blindly.

**Scope changes.** The bases also say what each device holds, so a pull adds the records
that entered its scope without changing (older than ``last_pulled_at``, never sent to it)
and answers records it holds that left its scope as deleted: no full download.

**Contract.** A push that contains a record changed on the server after
``last_pulled_at`` is refused whole (``PullFirst``): the device pulls and pushes again.
Everything else applies in one transaction through the engine (receipts, merge, conflicts,
field ownership). Every record the push touched is moved up the feed, so the next pull
sends the server's version back and the device converges; a refused create is answered
with a tombstone (the mutation stays in its receipt). ``_status`` and ``_changed`` are
ignored. A point travels as flat columns ``lon``, ``lat``, ``datum``, ``accuracy_m``; lists
and objects as JSON text.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from sync import engine
from sync.feed import COMMITTED_HORIZON
from sync.merge import Owner
from sync.protocol import Mutation, MutationResult, Op, Status
from sync.spec import Actor, Registry, SyncSpec
from sync.tables import sync_change, sync_device_base

RECORD_ID = re.compile(r"^([0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}|[A-Za-z0-9]{16})$")
POINT_COLUMNS = ("lon", "lat", "datum", "accuracy_m")
BOOKKEEPING = frozenset({"id", "_status", "_changed", "version"})
MAX_TIMESTAMP = 2**53 - 1


class InvalidPush(ValueError):
    """The push is not of Watermelon's shape (e.g. an id no phone generates)."""

    code = "invalid_push"


class PullFirst(Exception):
    """Records of the push changed on the server after ``last_pulled_at``."""

    code = "sync_pull_first"

    def __init__(self, records: list[tuple[str, str]]) -> None:
        super().__init__(f"{len(records)} record(s) changed on the server since your last pull")
        self.records = records


Key = tuple[str, str]


@dataclass(frozen=True, slots=True)
class FeedRow:
    version: int
    op: str
    xid: int


# --- columns ---------------------------------------------------------------------------


def to_columns(values: Mapping[str, Any]) -> dict[str, Any]:
    """Synced values as Watermelon columns: the point flattened, lists and objects as
    JSON text (Watermelon columns hold strings, numbers and booleans)."""
    out: dict[str, Any] = {}
    for name, value in values.items():
        if name == "point":
            point = value or {}
            out.update({col: point.get(col) for col in POINT_COLUMNS})
        elif isinstance(value, list | dict):
            out[name] = json.dumps(value, ensure_ascii=False, sort_keys=True)
        else:
            out[name] = value
    return out


def from_columns(spec: SyncSpec, raw: Mapping[str, Any],
                 json_fields: frozenset[str] = frozenset()) -> dict[str, Any]:
    """A raw record as engine fields: bookkeeping dropped, the point rebuilt, JSON text
    parsed back for ``json_fields`` (those the server keeps as lists or objects)."""
    fields = {k: v for k, v in raw.items() if k not in BOOKKEEPING and k not in POINT_COLUMNS}
    if "point" in spec.fields and any(col in raw for col in POINT_COLUMNS):
        lon, lat = raw.get("lon"), raw.get("lat")
        fields["point"] = None if lon is None or lat is None else {
            "lon": lon, "lat": lat, "datum": raw.get("datum") or "wgs84",
            "accuracy_m": raw.get("accuracy_m")}
    for name in json_fields & fields.keys():
        if isinstance(fields[name], str):
            with contextlib.suppress(ValueError):  # left as text: the table refuses it
                fields[name] = json.loads(fields[name]) if fields[name] else None
    return fields


# --- pull ------------------------------------------------------------------------------


def horizon(session: Session) -> int:
    return int(session.execute(sa.select(COMMITTED_HORIZON)).scalar_one())


def pull(session: Session, registry: Registry, actor: Actor, device_id: str,
         last_pulled_at: int | None, schema_version: int) -> dict[str, Any]:
    """Changes in the actor's scope since ``last_pulled_at`` (none: everything), plus the
    scope's changes: records that entered it without changing come as created, records
    the device holds that left it as deleted."""
    timestamp = horizon(session)
    since = last_pulled_at or 0
    c = sync_change.c
    table_of = {spec.feed_name: name for name, spec in registry.specs.items()}
    scopes = [sa.and_(c.table_name == spec.feed_name, spec.scope(actor, sync_change))
              for spec in registry.specs.values()]
    own_tombstones = sa.and_(c.op == "delete", c.author_id == actor.user_id,
                             c.table_name.in_(list(table_of)))
    rows = session.execute(sa.select(c.table_name, c.record_id, c.op).where(
        c.court_id == actor.court_id, c.xid >= since, c.xid < timestamp,
        sa.or_(*scopes, own_tombstones),
    ).order_by(c.xid, c.seq)).all()
    held = _held(session, actor, device_id)
    changes = {name: {"created": [], "updated": [], "deleted": []} for name in registry.specs}
    upserts: dict[str, list[str]] = {}
    for feed_table, record_id, op in rows:
        table = table_of[feed_table]
        if op == "delete":
            changes[table]["deleted"].append(record_id)
        else:
            upserts.setdefault(table, []).append(record_id)
    if since:
        for table, record_id in _arrived(session, registry, actor, device_id, since):
            upserts.setdefault(table, []).append(record_id)
    delivered: list[dict[str, Any]] = []
    for table, ids in upserts.items():
        spec = registry.specs[table]
        known = spec.owners(schema_version)
        writable = any(owner is not Owner.SERVER for owner in known.values())
        for row in spec.load_many(session, actor, ids):
            if row.deleted_at is not None:
                changes[table]["deleted"].append(row.id)
                continue
            values = {k: v for k, v in spec.values(row, actor).items() if k in known}
            kind = "updated" if (table, row.id) in held else "created"
            changes[table][kind].append({"id": row.id, "version": row.version,
                                         **to_columns(values)})
            delivered.append({"table_name": table, "record_id": row.id,
                              "version": row.version, "base": values if writable else {}})
    for table, record_id in _evicted(session, registry, actor, device_id):
        if record_id not in changes[table]["deleted"]:
            changes[table]["deleted"].append(record_id)
    gone = [(t, i) for t, ch in changes.items() for i in ch["deleted"]]
    _remember_pulled(session, actor, device_id, delivered, gone)
    return {"changes": changes, "timestamp": timestamp}


def _held(session: Session, actor: Actor, device_id: str) -> set[Key]:
    b = sync_device_base.c
    return {(t, i) for t, i in session.execute(sa.select(b.table_name, b.record_id).where(
        b.court_id == actor.court_id, b.device_id == device_id))}


def _arrived(session: Session, registry: Registry, actor: Actor, device_id: str,
             since: int) -> list[Key]:
    """Records that entered the device's scope without changing (a new grid, a case
    assigned): older than ``since``, in scope, and never sent to this device."""
    b, c = sync_device_base.c, sync_change.c
    out: list[Key] = []
    for name, spec in registry.specs.items():
        held = sa.select(b.record_id).where(b.court_id == actor.court_id,
                                            b.device_id == device_id, b.table_name == name)
        out.extend((name, record_id) for record_id in session.scalars(
            sa.select(c.record_id).where(
                c.court_id == actor.court_id, c.table_name == spec.feed_name, c.op == "upsert",
                c.xid < since, spec.scope(actor, sync_change), c.record_id.not_in(held))))
    return out


def _evicted(session: Session, registry: Registry, actor: Actor,
             device_id: str) -> list[Key]:
    """Records the device was sent that its scope no longer covers."""
    b, c = sync_device_base.c, sync_change.c
    out: list[Key] = []
    for name, spec in registry.specs.items():
        in_scope = sa.select(c.record_id).where(
            c.court_id == actor.court_id, c.table_name == spec.feed_name,
            spec.scope(actor, sync_change))
        out.extend((name, record_id) for record_id in session.scalars(
            sa.select(b.record_id).where(b.court_id == actor.court_id,
                                         b.device_id == device_id, b.table_name == name,
                                         b.record_id.not_in(in_scope))))
    return out


def _remember_pulled(session: Session, actor: Actor, device_id: str,
                     delivered: list[dict[str, Any]], gone: list[Key]) -> None:
    b = sync_device_base.c
    if gone:
        session.execute(sa.delete(sync_device_base).where(
            b.court_id == actor.court_id, b.device_id == device_id,
            sa.tuple_(b.table_name, b.record_id).in_(gone)))
    if delivered:  # executemany: one cached statement, not one giant VALUES list
        stmt = insert(sync_device_base)
        session.execute(stmt.on_conflict_do_update(
            index_elements=["court_id", "device_id", "table_name", "record_id"],
            set_={"pending": stmt.excluded.base, "pending_version": stmt.excluded.version}),
            [{"court_id": actor.court_id, "device_id": device_id, **row} for row in delivered])


# --- push ------------------------------------------------------------------------------


def push(session: Session, registry: Registry, actor: Actor, device_id: str,
         last_pulled_at: int | None, schema_version: int,
         changes: Mapping[str, Mapping[str, list[Any]]],
         json_fields: Mapping[str, frozenset[str]] | None = None) -> list[MutationResult]:
    """Apply a Watermelon push in the caller's transaction (the caller commits).

    Raises ``PullFirst`` (nothing written) when a pushed record changed on the server
    after ``last_pulled_at``, ``InvalidPush`` for an id no phone generates."""
    session.execute(sa.select(sa.func.pg_advisory_xact_lock(
        sa.func.hashtextextended(f"sync:{actor.court_id}:{device_id}", 0))))
    records = list(_records(changes))
    bad = sorted({record_id for _, record_id, _, _ in records if not RECORD_ID.match(record_id)})
    if bad:
        raise InvalidPush(f"not a UUID nor a 16-character id: {', '.join(bad[:5])}")
    keys = [(table, record_id) for table, record_id, _, _ in records]
    if len(set(keys)) != len(keys):
        raise InvalidPush("a record appears more than once in the push")
    feed_rows = _feed_rows(session, registry, actor.court_id, keys)
    moved = [key for key in keys if key in feed_rows
             and feed_rows[key].xid >= (last_pulled_at or 0)]
    if moved:
        raise PullFirst(moved)
    bases = _bases(session, actor.court_id, device_id, keys)
    mutations = []
    for table, record_id, op, raw in records:
        mutation = _mutation(registry.get(table), table, record_id, op, raw,
                             (json_fields or {}).get(table, frozenset()),
                             feed_rows.get((table, record_id)), bases.get((table, record_id)),
                             last_pulled_at)
        if mutation is not None:
            mutations.append(mutation)
    results = engine.push(session, registry, actor, device_id, schema_version, mutations)
    _settle_feed(session, registry, actor, mutations, results)
    _remember_pushed(session, actor, device_id, mutations, results)
    return results


def _records(changes: Mapping[str, Mapping[str, list[Any]]]
             ) -> Iterable[tuple[str, str, str, dict[str, Any]]]:
    for table, table_changes in changes.items():
        for kind in ("created", "updated"):
            for raw in table_changes.get(kind) or []:
                yield table, str(raw.get("id")), kind, raw
        for record_id in table_changes.get("deleted") or []:
            yield table, str(record_id), "deleted", {}


def _feed_rows(session: Session, registry: Registry, court_id: str,
               keys: list[Key]) -> dict[Key, FeedRow]:
    c = sync_change.c
    by_feed = {(registry.specs[t].feed_name if t in registry.specs else t, i): (t, i)
               for t, i in keys}
    if not by_feed:
        return {}
    rows = session.execute(sa.select(c.table_name, c.record_id, c.version, c.op, c.xid).where(
        c.court_id == court_id, sa.tuple_(c.table_name, c.record_id).in_(list(by_feed))))
    return {by_feed[(t, i)]: FeedRow(v, op, xid) for t, i, v, op, xid in rows}


def _bases(session: Session, court_id: str, device_id: str,
           keys: list[Key]) -> dict[Key, tuple[int, dict[str, Any]]]:
    if not keys:
        return {}
    b = sync_device_base.c
    rows = session.execute(sa.select(b.table_name, b.record_id, b.version, b.base).where(
        b.court_id == court_id, b.device_id == device_id,
        sa.tuple_(b.table_name, b.record_id).in_(keys)))
    return {(t, i): (v, base) for t, i, v, base in rows}


def _mutation(spec: SyncSpec | None, table: str, record_id: str, kind: str,
              raw: dict[str, Any], json_fields: frozenset[str], feed: FeedRow | None,
              base: tuple[int, dict[str, Any]] | None,
              last_pulled_at: int | None) -> Mutation | None:
    """The engine mutation for one raw record; None for a delete of an unknown record
    (the contract: ignore it)."""
    if kind == "deleted":
        if feed is None:
            return None
        op, fields = Op.DELETE, {}
    else:
        op = Op.CREATE if feed is None else Op.UPDATE
        fields = from_columns(spec, raw, json_fields) if spec is not None else {}
    base_version = base[0] if base else (feed.version if feed else None)
    body = json.dumps([last_pulled_at, table, record_id, op.value, raw], sort_keys=True,
                      default=str)
    mutation_id = "wm:" + hashlib.sha256(body.encode()).hexdigest()[:48]
    return Mutation(mutation_id, table, op, record_id, fields,
                    base_version if op is not Op.CREATE else None,
                    base[1] if base and op is Op.UPDATE else None)


def _settle_feed(session: Session, registry: Registry, actor: Actor,
                 mutations: list[Mutation], results: list[MutationResult]) -> None:
    """Move every pushed record up the feed so the next pull sends the server's version
    back; answer a refused create with a tombstone."""
    c = sync_change.c
    touched = [(_feed_name(registry, m.table), m.id) for m in mutations]
    if touched:
        session.execute(sa.update(sync_change).where(
            c.court_id == actor.court_id, sa.tuple_(c.table_name, c.record_id).in_(touched),
        ).values(seq=sa.text("DEFAULT"), xid=sa.text("pg_current_xact_id()::text::bigint")))
    refused = [
        {"court_id": actor.court_id, "table_name": _feed_name(registry, m.table),
         "record_id": m.id, "op": "delete", "version": 1, "author_id": actor.user_id,
         "xid": sa.text("pg_current_xact_id()::text::bigint")}
        for m, r in zip(mutations, results, strict=True)
        if m.op is Op.CREATE and r.status is Status.REJECTED and registry.get(m.table)
    ]
    for row in refused:
        session.execute(insert(sync_change).values(row).on_conflict_do_nothing())


def _feed_name(registry: Registry, table: str) -> str:
    spec = registry.get(table)
    return spec.feed_name if spec is not None else table


def _remember_pushed(session: Session, actor: Actor, device_id: str,
                     mutations: list[Mutation], results: list[MutationResult]) -> None:
    """Pushed records: what the device holds now is its base. The rest had no local
    edit, so what the last pull sent them is."""
    b = sync_device_base.c
    mine = sa.and_(b.court_id == actor.court_id, b.device_id == device_id)
    keys = [(m.table, m.id) for m in mutations]
    promote = sa.update(sync_device_base).where(mine, b.pending.is_not(None))
    if keys:
        promote = promote.where(sa.tuple_(b.table_name, b.record_id).not_in(keys))
    session.execute(promote.values(base=b.pending, version=b.pending_version, pending=None,
                                   pending_version=None))
    kept = [
        {"court_id": actor.court_id, "device_id": device_id, "table_name": m.table,
         "record_id": m.id, "version": r.version or 1, "base": m.fields}
        for m, r in zip(mutations, results, strict=True)
        if m.op is not Op.DELETE and r.status is not Status.REJECTED
    ]
    if kept:
        stmt = insert(sync_device_base)
        session.execute(stmt.on_conflict_do_update(
            index_elements=["court_id", "device_id", "table_name", "record_id"],
            set_={"base": stmt.excluded.base, "version": stmt.excluded.version,
                  "pending": None, "pending_version": None}), kept)
    gone = [(m.table, m.id) for m, r in zip(mutations, results, strict=True)
            if m.op is Op.DELETE and r.status is Status.APPLIED]
    if gone:
        session.execute(sa.delete(sync_device_base).where(
            mine, sa.tuple_(b.table_name, b.record_id).in_(gone)))


__all__ = ["MAX_TIMESTAMP", "InvalidPush", "PullFirst", "from_columns", "pull", "push",
           "to_columns"]
