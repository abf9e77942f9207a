"""Conflict records: a device's value the server could not take, kept for a person.

Kinds: ``field`` (both sides changed a shared field), ``edit_deleted`` (a device edited a
record the server had deleted: the edit is kept here, not lost), ``delete_edited`` (a device
deleted a record the server had changed since: the record stays).
"""

from __future__ import annotations

import enum
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from sync.protocol import Mutation
from sync.spec import Actor, Registry
from sync.tables import sync_conflict


class Resolution(enum.StrEnum):
    TAKE_SERVER = "take_server"
    TAKE_CLIENT = "take_client"
    MERGED = "merged"


class ConflictError(LookupError):
    """Base for resolve errors; ``code`` is the stable problem code."""

    code = "conflict_not_found"


class ConflictNotFound(ConflictError):
    code = "conflict_not_found"


class ConflictClosed(ConflictError):
    code = "conflict_already_resolved"


class ResolutionInvalid(ConflictError):
    code = "conflict_resolution_invalid"


@dataclass(frozen=True, slots=True)
class NewConflict:
    kind: str
    field: str | None
    base: Any
    server: Any
    client: Any
    base_known: bool = True


def record(session: Session, actor: Actor, device_id: str, mutation: Mutation,
           conflict: NewConflict) -> str:
    """Store one conflict in the push's transaction; returns its id."""
    conflict_id = str(uuid.uuid4())
    session.execute(sync_conflict.insert().values(
        court_id=actor.court_id, id=conflict_id, table_name=mutation.table,
        record_id=mutation.id, kind=conflict.kind, field=conflict.field, device_id=device_id,
        author_id=actor.user_id, mutation_id=mutation.mutation_id,
        base_known=conflict.base_known, base_value=conflict.base,
        server_value=conflict.server, client_value=conflict.client,
    ))
    return conflict_id


def list_conflicts(session: Session, court_id: str, *, author_id: str | None = None,
                   status: str | None = "open", limit: int = 200) -> list[dict[str, Any]]:
    """A court's conflicts, oldest first; ``author_id`` narrows to one person's."""
    c = sync_conflict.c
    return court_rows(session, sync_conflict, court_id, author_id=author_id, status=status,
                      order_by=(c.created_at, c.id), limit=limit)


def court_rows(session: Session, table: sa.Table, court_id: str, *, author_id: str | None,
               status: str | None, order_by: tuple[Any, ...], limit: int
               ) -> list[dict[str, Any]]:
    """Rows of a court kept for people (conflicts, refusals): every one, or one author's,
    of one status or all."""
    query = sa.select(table).where(table.c.court_id == court_id)
    if author_id is not None:
        query = query.where(table.c.author_id == author_id)
    if status is not None:
        query = query.where(table.c.status == status)
    return [dict(row) for row in
            session.execute(query.order_by(*order_by).limit(limit)).mappings()]


def resolve(session: Session, registry: Registry, actor: Actor, conflict_id: str,
            resolution: Resolution, value: Any = None, *, author_only: bool = False
            ) -> dict[str, Any]:
    """Settle a conflict; the record is written through the table's own hooks, as the
    resolver. ``merged`` gives the field the resolver's ``value``."""
    c = sync_conflict.c
    query = sa.select(sync_conflict).where(c.court_id == actor.court_id, c.id == conflict_id)
    if author_only:
        query = query.where(c.author_id == actor.user_id)
    found = session.execute(query.with_for_update()).mappings().first()
    if found is None:
        raise ConflictNotFound("no such conflict")
    row = dict(found)
    if row["status"] != "open":
        raise ConflictClosed("the conflict was already resolved")
    _apply_resolution(session, registry, actor, row, resolution, value)
    values: dict[str, Any] = {
        "status": "resolved", "resolution": resolution.value, "resolved_by": actor.user_id,
        "resolved_at": datetime.now(UTC),
        "resolved_value": value if resolution is Resolution.MERGED else None,
    }
    session.execute(sync_conflict.update()
                    .where(c.court_id == actor.court_id, c.id == conflict_id).values(values))
    return {**row, **values}


def _apply_resolution(session: Session, registry: Registry, actor: Actor,
                      row: Mapping[str, Any], resolution: Resolution, value: Any) -> None:
    if resolution is Resolution.TAKE_SERVER:
        return
    spec = registry.get(row["table_name"])
    record_row = spec.load(session, actor, row["record_id"]) if spec else None
    if spec is None or record_row is None:
        raise ConflictNotFound("the record of this conflict is gone")
    kind = row["kind"]
    if resolution is Resolution.MERGED and kind != "field":
        raise ResolutionInvalid("only a field conflict can take a merged value")
    if kind == "field":
        chosen = value if resolution is Resolution.MERGED else row["client_value"]
        spec.update(session, actor, record_row, spec.normalise({row["field"]: chosen}))
    elif kind == "edit_deleted":
        spec.restore(session, actor, record_row)
        spec.update(session, actor, record_row, spec.normalise(dict(row["client_value"])))
    elif kind == "delete_edited":
        spec.delete(session, actor, record_row)
