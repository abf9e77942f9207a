"""WatermelonDB push: refused whole when a record changed since the pull, otherwise merged
record by record through the engine against each device's bases."""

from __future__ import annotations

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
from sync.merge import Owner
from sync.protocol import Mutation, MutationResult, Op, Status
from sync.spec import Actor, Registry, SyncSpec
from sync.tables import sync_change, sync_device_base
from sync.watermelon.columns import Key, changed_columns, from_columns, shared_values
from sync.watermelon.pull import forget_verified

RECORD_ID = re.compile(r"^([0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}|[A-Za-z0-9]{16})$")


class InvalidPush(ValueError):
    """The push is not of Watermelon's shape (e.g. an id no phone generates)."""

    code = "invalid_push"


class PullFirst(Exception):
    """Records of the push changed on the server after ``last_pulled_at``."""

    code = "sync_pull_first"

    def __init__(self, records: list[tuple[str, str]]) -> None:
        super().__init__(f"{len(records)} record(s) changed on the server since your last pull")
        self.records = records


@dataclass(frozen=True, slots=True)
class FeedRow:
    version: int
    op: str
    xid: int


def push(session: Session, registry: Registry, actor: Actor, device_id: str,
         last_pulled_at: int | None, schema_version: int,
         changes: Mapping[str, Mapping[str, list[Any]]]) -> list[MutationResult]:
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
    feed_rows = _feed_rows(session, registry, actor, keys)
    bases = _bases(session, actor.court_id, device_id, keys)
    moved = [key for key in keys if key in feed_rows
             and feed_rows[key].xid >= (last_pulled_at or 0)
             and not _holds(bases.get(key), feed_rows[key])]
    if moved:
        raise PullFirst(moved)
    mutations = []
    for table, record_id, op, raw in records:
        mutation = _mutation(registry.get(table), table, record_id, op, raw,
                             feed_rows.get((table, record_id)), bases.get((table, record_id)),
                             last_pulled_at)
        if mutation is not None:
            mutations.append(mutation)
    results = engine.push(session, registry, actor, device_id, schema_version, mutations,
                          strict=True)
    _settle_feed(session, registry, actor, mutations, results)
    held = {(table, record_id): shared_values(spec, from_columns(spec, raw), schema_version)
            for table, record_id, op, raw in records
            if op != "deleted" and (spec := registry.get(table)) is not None}
    _remember_pushed(session, actor, device_id, mutations, results, held)
    return results


def rejected_ids(results: Iterable[MutationResult]) -> dict[str, list[str]]:
    """``experimentalRejectedIds`` for ``synchronize()``: records refused whole stay
    unsynced on the device (it sends them again once fixed), never marked as synced."""
    out: dict[str, list[str]] = {}
    for result in results:
        if result.status is Status.REJECTED:
            out.setdefault(result.table, []).append(result.id)
    return out


def _records(changes: Mapping[str, Mapping[str, list[Any]]]
             ) -> Iterable[tuple[str, str, str, dict[str, Any]]]:
    for table, table_changes in changes.items():
        for kind in ("created", "updated"):
            for raw in table_changes.get(kind) or []:
                yield table, str(raw.get("id")), kind, raw
        for record_id in table_changes.get("deleted") or []:
            yield table, str(record_id), "deleted", {}


def _feed_rows(session: Session, registry: Registry, actor: Actor,
               keys: list[Key]) -> dict[Key, FeedRow]:
    """The feed rows of the pushed records that lie in the actor's scope. A record outside
    it is answered as one that does not exist: never "changed since your last pull" (409)
    for an id the device could not have pulled, whatever the rest of the court did."""
    c = sync_change.c
    by_feed = {(registry.specs[t].feed_name if t in registry.specs else t, i): (t, i)
               for t, i in keys}
    if not by_feed:
        return {}
    rows = session.execute(sa.select(c.table_name, c.record_id, c.version, c.op, c.xid).where(
        c.court_id == actor.court_id, sa.tuple_(c.table_name, c.record_id).in_(list(by_feed)),
        engine.in_scope(registry, actor)))
    return {by_feed[(t, i)]: FeedRow(v, op, xid) for t, i, v, op, xid in rows}


def _holds(base: tuple[int, dict[str, Any]] | None, feed: FeedRow) -> bool:
    """The device holds the record's current version: the last write was its own push.

    A pull hands out changes below the commit horizon, which any long transaction on the
    server (a report, a backup) holds back; until it moves on, the timestamp a phone pulls
    stays below the xid of the phone's own push. Without this, a phone editing a record it
    has just pushed would be told "pull first" on every try, while nothing it has not seen
    changed. Another's write gives the record a newer version, so it is still refused."""
    return base is not None and base[0] == feed.version


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
              raw: dict[str, Any], feed: FeedRow | None,
              base: tuple[int, dict[str, Any]] | None,
              last_pulled_at: int | None) -> Mutation | None:
    """The engine mutation for one raw record; None for a delete of an unknown record
    (the contract: ignore it).

    What a phone means: a created record's ``null`` is "not set" (the table's defaults
    apply, as on the REST create); an updated record changes only the columns in its
    ``_changed``, since WatermelonDB sends every column of the record."""
    if kind == "deleted":
        if feed is None:
            return None
        op, fields = Op.DELETE, {}
    else:
        op = Op.CREATE if feed is None else Op.UPDATE
        only = changed_columns(raw) if kind == "updated" and feed is not None else None
        fields = from_columns(spec, raw, only) if spec is not None else {}
        if kind == "created" or only is None:
            fields = {name: value for name, value in fields.items() if value is not None}
        if spec is not None:
            fields = _without_own_columns(spec, fields, creating=op is Op.CREATE)
    base_version = base[0] if base else (feed.version if feed else None)
    body = json.dumps([last_pulled_at, table, record_id, op.value, raw], sort_keys=True,
                      default=str)
    mutation_id = "wm:" + hashlib.sha256(body.encode()).hexdigest()[:48]
    return Mutation(mutation_id, table, op, record_id, fields,
                    base_version if op is not Op.CREATE else None,
                    base[1] if base and op is Op.UPDATE else None)


WATERMELON_STAMPS = frozenset({"created_at", "updated_at"})
"""Columns WatermelonDB itself sets on every create and update: not the person's write."""


def _without_own_columns(spec: SyncSpec, fields: dict[str, Any], *,
                         creating: bool) -> dict[str, Any]:
    """The fields a person wrote: a server-owned column that WatermelonDB fills itself (its
    stamps) or, on a create, with the placeholder of a non-optional column (``''``, ``0``,
    ``false``) is no write. Any other value in a server-owned column is, and refuses the
    record (``strict`` push)."""
    out = {}
    for name, value in fields.items():
        field = spec.fields.get(name)
        if field is not None and field.owner is Owner.SERVER and (
                name in WATERMELON_STAMPS or (creating and value in ("", 0))):
            continue
        out[name] = value
    return out


def _settle_feed(session: Session, registry: Registry, actor: Actor,
                 mutations: list[Mutation], results: list[MutationResult]) -> None:
    """Move every pushed record up the feed so the next pull sends the server's version
    back. A refused create has no row to move: it stays on the device, unsynced
    (``rejected_ids``), and is listed among the court's refusals."""
    c = sync_change.c
    touched = [(_feed_name(registry, m.table), m.id) for m in mutations]
    if touched:
        session.execute(sa.update(sync_change).where(
            c.court_id == actor.court_id, sa.tuple_(c.table_name, c.record_id).in_(touched),
            engine.in_scope(registry, actor),  # never another's record, by naming its id
        ).values(seq=sa.text("DEFAULT"), xid=sa.text("pg_current_xact_id()::text::bigint")))


def _feed_name(registry: Registry, table: str) -> str:
    spec = registry.get(table)
    return spec.feed_name if spec is not None else table


def _remember_pushed(session: Session, actor: Actor, device_id: str,
                     mutations: list[Mutation], results: list[MutationResult],
                     held: dict[Key, dict[str, Any]]) -> None:
    """Pushed records: what the device holds now (every shared column it sent, ``null``
    too) is its base. The rest had no local edit, so what the last pull sent them is."""
    b = sync_device_base.c
    mine = sa.and_(b.court_id == actor.court_id, b.device_id == device_id)
    keys = [(m.table, m.id) for m in mutations]
    promote = sa.update(sync_device_base).where(mine, b.pending.is_not(None))
    if keys:
        promote = promote.where(sa.tuple_(b.table_name, b.record_id).not_in(keys))
    session.execute(promote.values(base=b.pending, version=b.pending_version, pending=sa.null(),
                                   pending_version=None))
    kept = [
        {"court_id": actor.court_id, "device_id": device_id, "table_name": m.table,
         "record_id": m.id, "version": r.version or 1, "base": held[(m.table, m.id)]}
        for m, r in zip(mutations, results, strict=True)
        if m.op is not Op.DELETE and r.status is not Status.REJECTED
    ]
    if kept:
        stmt = insert(sync_device_base)
        session.execute(stmt.on_conflict_do_update(
            index_elements=["court_id", "device_id", "table_name", "record_id"],
            set_={"base": stmt.excluded.base, "version": stmt.excluded.version,
                  "pending": sa.null(), "pending_version": None}), kept)
    gone = [(m.table, m.id) for m, r in zip(mutations, results, strict=True)
            if m.op is Op.DELETE and r.status is Status.APPLIED]
    if gone:
        session.execute(sa.delete(sync_device_base).where(
            mine, sa.tuple_(b.table_name, b.record_id).in_(gone)))
    if kept or gone:  # what the device holds changed without a pull
        forget_verified(session, actor.court_id, device_id)
