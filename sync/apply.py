"""Applying one mutation: ownership, three-way merge, conflicts, tombstones.

Runs inside a savepoint so that a mutation the domain refuses leaves nothing behind while
the rest of the batch goes on.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from sync import conflicts
from sync.conflicts import NewConflict
from sync.merge import Rejection, accepted_fields, merge
from sync.protocol import ConflictNote, Mutation, MutationResult, Op, Status
from sync.spec import Actor, Registry, SyncSpec


class Refused(Exception):
    """Raised inside the engine to answer ``rejected`` with a code."""

    def __init__(self, code: str, detail: str | None = None) -> None:
        super().__init__(detail or code)
        self.code = code
        self.detail = detail


def apply_mutation(session: Session, registry: Registry, actor: Actor, device_id: str,
                   schema_version: int, mutation: Mutation, *,
                   strict: bool = False) -> MutationResult:
    """``strict``: a write to a server-owned field refuses the whole mutation
    (``field_server_owned``) instead of applying the rest and naming the field; for
    protocols whose clients read nothing but the refused ids (WatermelonDB)."""
    spec = registry.get(mutation.table)
    try:
        if spec is None:
            raise Refused("unknown_table", f"{mutation.table} is not synced")
        with session.begin_nested():
            return _apply(session, spec, actor, device_id, schema_version, mutation, strict)
    except Refused as exc:
        return _rejected(mutation, exc.code, exc.detail)
    except IntegrityError as exc:  # e.g. two devices creating one id at the same moment
        return _rejected(mutation, "constraint_violation", type(exc.orig).__name__)
    except registry.rejections as exc:
        return _rejected(mutation, registry.code_of(exc), str(exc))


def apply_creates(session: Session, registry: Registry, spec: SyncSpec, actor: Actor,
                  schema_version: int, mutations: Sequence[Mutation], *,
                  strict: bool = False) -> list[MutationResult]:
    """Creates of records that do not exist yet (the engine made sure), validated together
    and written at once by ``spec.create_many``: the results ``apply_mutation`` gives one
    by one, without a savepoint, a lookup and a flush per mutation. A database error
    (e.g. another device creating one of the ids this moment) rolls the batch's writes
    back and propagates: on an ``IntegrityError`` the engine applies them one by one."""
    assert spec.create_many is not None
    results: list[MutationResult | None] = [None] * len(mutations)
    owners = spec.owners(schema_version)
    items: list[tuple[str, dict[str, Any]]] = []
    slots: list[tuple[int, dict[str, Rejection]]] = []
    for k, mutation in enumerate(mutations):
        try:
            fields = spec.normalise(given(mutation))
        except registry.rejections as exc:
            results[k] = _rejected(mutation, registry.code_of(exc), str(exc))
            continue
        values, rejected = accepted_fields(fields, owners)
        if strict and (refused := server_owned(rejected)):
            results[k] = _rejected(mutation, refused.code, refused.detail)
            continue
        items.append((mutation.id, values))
        slots.append((k, rejected))
    if items:
        with session.begin_nested():
            created = spec.create_many(session, actor, items)
        for (k, rejected), row in zip(slots, created, strict=True):
            mutation = mutations[k]
            if isinstance(row, Exception):
                results[k] = _rejected(mutation, registry.code_of(row), str(row))
            else:
                results[k] = _result(mutation, Status.APPLIED, row.version,
                                     rejected_fields=rejected)
    return [result for result in results if result is not None]


def given(mutation: Mutation) -> dict[str, Any]:
    """The fields a mutation sets. On a create, ``null`` means "not set": the table's
    defaults apply, as on a REST create (phone libraries send every column, and a column
    the app never set arrives as ``null``)."""
    if mutation.op is Op.CREATE:
        return {name: value for name, value in mutation.fields.items() if value is not None}
    return dict(mutation.fields)


def server_owned(rejected: Mapping[str, Any]) -> Refused | None:
    """The refusal of a mutation that writes server-owned fields, naming them (the native
    protocol names them in ``rejected_fields`` and applies the rest); None if it writes
    none."""
    names = sorted(n for n, why in rejected.items() if why == Rejection.SERVER_OWNED)
    if not names:
        return None
    return Refused(Rejection.SERVER_OWNED.value,
                   f"kept by the court, not the phone: {', '.join(names)}")


def _rejected(mutation: Mutation, code: str, detail: str | None) -> MutationResult:
    return MutationResult(mutation.mutation_id, mutation.table, mutation.id, Status.REJECTED,
                          code=code, detail=detail)


def _apply(session: Session, spec: SyncSpec, actor: Actor, device_id: str,
           schema_version: int, mutation: Mutation, strict: bool = False) -> MutationResult:
    row = spec.load(session, actor, mutation.id)
    if mutation.op is Op.DELETE:
        return _delete(session, spec, actor, device_id, schema_version, mutation, row)
    owners = spec.owners(schema_version)
    fields = spec.normalise(given(mutation))
    if row is None:
        if mutation.op is Op.UPDATE:
            raise Refused("not_found", "no such record")
        values, rejected = accepted_fields(fields, owners)
        if strict and (refused := server_owned(rejected)):
            raise refused
        created = spec.create(session, actor, mutation.id, values)
        return _result(mutation, Status.APPLIED, created.version, rejected_fields=rejected)
    if row.deleted_at is not None:
        values, rejected = accepted_fields(fields, owners)
        if strict and (refused := server_owned(rejected)):
            raise refused
        note = _conflict(session, actor, device_id, mutation, NewConflict(
            "edit_deleted", None, None, {"deleted_at": _iso(row.deleted_at)}, values))
        return _result(mutation, Status.CONFLICT, row.version, conflicts=(note,),
                       rejected_fields=rejected, server_values={"deleted": True})
    return _update(session, spec, actor, device_id, mutation, row, owners, fields, strict)


def _update(session: Session, spec: SyncSpec, actor: Actor, device_id: str,
            mutation: Mutation, row: Any, owners: dict[str, Any],
            fields: dict[str, Any], strict: bool = False) -> MutationResult:
    server = values_of(session, spec, actor, row)
    base = _base(spec, mutation, row, server)
    server_moved = mutation.base_version != row.version
    outcome = merge(base=base, server=server, changes=fields, owners=owners)
    if strict and (refused := server_owned(outcome.rejected)):
        raise refused
    if outcome.updates:
        spec.update(session, actor, row, dict(outcome.updates))
    notes = tuple(
        _conflict(session, actor, device_id, mutation, NewConflict(
            "field", name, c.base, c.server, c.client, c.base_known))
        for name, c in outcome.conflicts.items()
    )
    rejected = {name: reason.value for name, reason in outcome.rejected.items()}
    if notes:
        status = Status.CONFLICT
    elif rejected and not outcome.applied:
        status = Status.REJECTED
    else:
        status = Status.MERGED if server_moved else Status.APPLIED
    current = None
    if notes or server_moved:  # read again only when this mutation wrote
        current = shown(session, spec, actor, row, known(
            values_of(session, spec, actor, row) if outcome.updates else server, owners))
    return _result(mutation, status, row.version, conflicts=notes, rejected_fields=rejected,
                   server_values=current,
                   code="field_server_owned" if status is Status.REJECTED else None)


def _base(spec: SyncSpec, mutation: Mutation, row: Any, server: dict[str, Any]
          ) -> dict[str, Any] | None:
    """What the device based its change on: the values it says, else the server's own when
    the device had the current version, else unknown."""
    if mutation.base is not None:
        return _normalised(spec, mutation.base)
    if mutation.base_version is not None and mutation.base_version == row.version:
        return server
    return None


def _normalised(spec: SyncSpec, base: dict[str, Any]) -> dict[str, Any]:
    """The base's fields in canonical form; a field the table cannot read is left out (an
    unknown base, so a differing shared field becomes a conflict), never a refusal of the
    change itself."""
    out: dict[str, Any] = {}
    for name, value in base.items():
        try:
            out.update(spec.normalise({name: value}))
        except Exception:  # whatever the table refuses is unknown, as documented
            continue
    return out


def values_of(session: Session, spec: SyncSpec, actor: Actor, row: Any) -> dict[str, Any]:
    """The row's values as the actor is sent them, read as they are now (after this
    mutation's writes): what the next pull will send."""
    return dict(spec.values(session, actor, [row])[row.id])


def shown(session: Session, spec: SyncSpec, actor: Actor, row: Any, values: dict[str, Any]
          ) -> dict[str, Any]:
    """The values a push hands back to the device (its result, a delete's conflict), as the
    actor's pulls show them: a reader who is shown a record's free text masked must not
    get it unmasked by pushing a stale change."""
    if spec.shown is None:
        return values
    return spec.shown(session, actor, {row.id: values})[row.id]


def known(values: dict[str, Any], owners: dict[str, Any]) -> dict[str, Any]:
    """The values a device of that schema version knows: an older device must not be
    handed fields it would keep and its pulls never update."""
    return {name: value for name, value in values.items() if name in owners}


def _delete(session: Session, spec: SyncSpec, actor: Actor, device_id: str,
            schema_version: int, mutation: Mutation, row: Any) -> MutationResult:
    if row is None:
        raise Refused("not_found", "no such record")
    if row.deleted_at is not None:
        return _result(mutation, Status.APPLIED, row.version)
    if mutation.base_version is not None and row.version > mutation.base_version:
        server = shown(session, spec, actor, row, known(values_of(session, spec, actor, row),
                                                        spec.owners(schema_version)))
        note = _conflict(session, actor, device_id, mutation, NewConflict(
            "delete_edited", None, None, server, {"deleted": True}))
        return _result(mutation, Status.CONFLICT, row.version, conflicts=(note,),
                       server_values=server)
    spec.delete(session, actor, row)
    return _result(mutation, Status.APPLIED, row.version)


def _conflict(session: Session, actor: Actor, device_id: str, mutation: Mutation,
              conflict: NewConflict) -> ConflictNote:
    conflict_id = conflicts.record(session, actor, device_id, mutation, conflict)
    return ConflictNote(conflict_id, conflict.field, conflict.server, conflict.client)


def _result(mutation: Mutation, status: Status, version: int | None, **extra: Any
            ) -> MutationResult:
    return MutationResult(mutation.mutation_id, mutation.table, mutation.id, status,
                          version=version, **extra)


def _iso(value: Any) -> Any:
    return value.isoformat() if hasattr(value, "isoformat") else value
