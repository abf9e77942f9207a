"""Push and pull: the sync engine's two entry points.

``push`` applies a device's batch inside the caller's transaction (the caller commits, so
a batch is all or nothing: a crash half-way leaves none of it, and the retry does it all).
Each mutation runs in a savepoint: one the domain refuses is rolled back alone and answered
``rejected`` while the rest applies; its content stays in its receipt. A receipt per
(court, device, mutation id) makes a replayed mutation answer its stored result without
being applied again; pushes of one device are serialised by an advisory lock so that two
copies of a batch racing each other cannot both apply.

``pull`` reads the change feed from a cursor (``sync.feed``) and answers current rows.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from sync import feed
from sync.apply import apply_mutation
from sync.protocol import Mutation, MutationResult, Status
from sync.spec import Actor, Registry
from sync.tables import sync_change, sync_receipt

AfterEach = Callable[[int, MutationResult], None]


def push(session: Session, registry: Registry, actor: Actor, device_id: str,
         schema_version: int, mutations: Sequence[Mutation], *,
         after_each: AfterEach | None = None) -> list[MutationResult]:
    """Apply a batch; one result per mutation, in order. The caller commits.

    ``after_each(index, result)`` runs after each mutation (tests inject faults with it).
    """
    session.execute(sa.select(sa.func.pg_advisory_xact_lock(
        sa.func.hashtextextended(f"sync:{actor.court_id}:{device_id}", 0))))
    done = _stored_results(session, actor.court_id, device_id, mutations)
    results, receipts = [], []
    for index, mutation in enumerate(mutations):
        result = done.get(mutation.mutation_id)
        if result is None:
            result = apply_mutation(session, registry, actor, device_id, schema_version,
                                    mutation)
            receipts.append(_receipt(actor.court_id, device_id, mutation, result))
            done[mutation.mutation_id] = result
        results.append(result)
        if after_each is not None:
            after_each(index, result)
    if receipts:  # one statement for the batch: they commit (or not) with it anyway
        session.execute(insert(sync_receipt), receipts)
    return results


def _stored_results(session: Session, court_id: str, device_id: str,
                    mutations: Sequence[Mutation]) -> dict[str, MutationResult]:
    r = sync_receipt.c
    rows = session.execute(sa.select(r.mutation_id, r.result).where(
        r.court_id == court_id, r.device_id == device_id,
        r.mutation_id.in_({m.mutation_id for m in mutations}),
    ))
    return {mutation_id: MutationResult.from_json(body) for mutation_id, body in rows}


def _receipt(court_id: str, device_id: str, mutation: Mutation,
             result: MutationResult) -> dict[str, Any]:
    return {"court_id": court_id, "device_id": device_id, "mutation_id": mutation.mutation_id,
            "table_name": mutation.table, "record_id": mutation.id,
            "result": result.to_json(), "mutation": mutation.to_json()}


@dataclass(frozen=True, slots=True)
class TableChanges:
    upserts: list[dict[str, Any]] = field(default_factory=list)
    deletes: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class PullResult:
    changes: dict[str, TableChanges]
    next_cursor: str
    has_more: bool

    def to_json(self) -> dict[str, Any]:
        return {
            "changes": {table: {"upserts": c.upserts, "deletes": c.deletes}
                        for table, c in self.changes.items()},
            "next_cursor": self.next_cursor, "has_more": self.has_more,
        }


def pull(session: Session, registry: Registry, actor: Actor, cursor: str | None,
         limit: int, schema_version: int) -> PullResult:
    """Changes after ``cursor`` in the actor's scope; no cursor is a bootstrap, paged.

    Upserts carry the record's *current* values (a record changed several times comes once),
    limited to the fields ``schema_version`` knows; deletes are tombstone ids.
    """
    after = feed.decode_cursor(cursor)
    scopes = [sa.and_(sync_change.c.table_name == spec.feed_name, spec.scope(actor, sync_change))
              for spec in registry.specs.values()]
    synced_as = {spec.feed_name: table for table, spec in registry.specs.items()}
    changes, has_more = feed.read_changes(session, actor.court_id, after, sa.or_(*scopes),
                                          limit)
    by_table: dict[str, TableChanges] = {table: TableChanges() for table in registry.specs}
    upserts: dict[str, list[str]] = {}
    for change in changes:
        table = synced_as[change.table_name]
        if change.op == "delete":
            by_table[table].deletes.append(change.record_id)
        else:
            upserts.setdefault(table, []).append(change.record_id)
    for table, ids in upserts.items():
        _add_upserts(session, registry, actor, table, ids, schema_version, by_table[table])
    position = changes[-1].position if changes else after
    return PullResult(by_table, feed.encode_cursor(position), has_more)


def _add_upserts(session: Session, registry: Registry, actor: Actor, table: str,
                 ids: list[str], schema_version: int, into: TableChanges) -> None:
    spec = registry.specs[table]
    known = spec.owners(schema_version)
    for row in spec.load_many(session, actor, ids):
        if row.deleted_at is not None:  # deleted after the feed row was read
            into.deletes.append(row.id)
            continue
        values = spec.values(row, actor)
        into.upserts.append({"id": row.id, "version": row.version,
                             **{k: v for k, v in values.items() if k in known}})


__all__ = ["Mutation", "MutationResult", "PullResult", "Status", "pull", "push"]
