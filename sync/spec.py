"""Sync specs: how the domain tells the engine about one synced table.

The engine never imports the domain. For each table the domain registers which fields are
synced and who owns each (``sync.merge.Owner``), which feed rows are in a caller's scope,
and the hooks that read and write rows. The write hooks are the domain's own write path
(validation, placement on the grid, version bump), so a push and a REST edit are the same
write, and the change-feed trigger records both.

Rows handed back by the hooks must have ``id``, ``version`` and ``deleted_at`` attributes.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Protocol, TypeVar, cast

import sqlalchemy as sa

from sync.merge import Owner


class Actor(Protocol):
    """Whoever pushes or pulls: the engine needs only these; hooks may need more."""

    @property
    def court_id(self) -> str: ...

    @property
    def user_id(self) -> str: ...


class Kind(enum.StrEnum):
    """What a field's JSON value is, so that a protocol adapter can carry it in its own
    column types (WatermelonDB: a time as milliseconds, a point as four columns)."""

    TEXT = "text"
    NUMBER = "number"
    BOOLEAN = "boolean"
    TIME = "time"
    """ISO 8601 text in UTC on the native wire."""
    DATE = "date"
    """``YYYY-MM-DD`` text."""
    DECIMAL = "decimal"
    """An amount as decimal text (never a float)."""
    JSON = "json"
    """A list or an object."""
    POINT = "point"
    """``{lon, lat, datum, accuracy_m}`` or null."""


@dataclass(frozen=True, slots=True)
class FieldSpec:
    owner: Owner
    since: int = 1
    """The first client schema version that knows the field; older clients neither see it
    nor may they write it."""
    kind: Kind = Kind.TEXT
    required: bool = False
    """Never empty on the server (a phone's column for it need not be optional)."""

    def of(self, kind: Kind, *, required: bool = False, since: int | None = None
           ) -> FieldSpec:
        """This owner with another kind (``C.of(Kind.TIME)``)."""
        return replace(self, kind=kind, required=required,
                       since=self.since if since is None else since)


Load = Callable[[Any, Any, str], Any | None]
LoadMany = Callable[[Any, Any, Sequence[str]], Sequence[Any]]
Values = Callable[[Any, Any, Sequence[Any]], Mapping[str, dict[str, Any]]]
Create = Callable[[Any, Any, str, dict[str, Any]], Any]
Update = Callable[[Any, Any, Any, dict[str, Any]], None]
Remove = Callable[[Any, Any, Any], None]
Scope = Callable[[Any, sa.Table], sa.ColumnElement[bool]]
CreateMany = Callable[[Any, Any, Sequence[tuple[str, dict[str, Any]]]], Sequence[Any]]
Existing = Callable[[Any, Any, Sequence[str]], set[str]]
Pulled = tuple[list[dict[str, Any]], list[str]]
"""Records as a pull sends them (``{"id", "version", **values}``) and ids of tombstones."""


class PlainRecord(dict[str, Any]):
    """A record whose values are known, from how they were read, to be only text,
    integers, booleans, nulls, floats that every JSON encoder here writes alike (zero, or
    from 1e-4 to below 1e16) and lists or objects of those: an answer's encoder need not
    look inside it (``api.page_json``). Otherwise a dict like any other."""

    __slots__ = ()
PullMany = Callable[[Any, Any, Sequence[str], Collection[str]], Pulled]
Shown = Callable[[Any, Any, Mapping[str, dict[str, Any]]], dict[str, dict[str, Any]]]


@dataclass(frozen=True, slots=True)
class SyncSpec:
    """One synced table.

    ``load(session, actor, id)``: the row locked for update (tombstones included), or None
    when it does not exist or the actor may not see it.
    ``values(session, actor, rows)``: per row id, the synced fields as JSON values, as the
    actor may see them; read after the domain's writes to the rows (push results and
    conflicts carry them), so a table defines its values once for pushes and pulls.
    ``normalise(fields)``: client values in the canonical form ``values`` produces, so that
    equal values compare equal (times in UTC, enums as strings); raises to reject.
    ``create``/``update``/``delete``/``restore``: the domain's writes; they check
    permissions, validate, bump ``version`` and raise one of the registry's rejection
    errors to refuse.
    ``scope(actor, sync_change)``: which feed rows of this table the actor pulls.
    ``create_many(session, actor, [(id, values)])`` (optional, with ``existing``): what
    ``create`` does for each of many new records, validated first and written together;
    per record the created row or the rejection error ``create`` would raise, in order.
    The engine calls it only with ids ``existing`` found new in the same transaction (one
    that appears meanwhile fails the INSERT: the engine then goes one by one), so it need
    not look them up again.
    ``existing(session, actor, ids)``: which ids name a row, in any scope (those are not
    new: the engine sends them through ``load`` and ``create``/``update`` one by one).
    ``pull_many(session, actor, ids, fields)``: a pull's records (``fields``: those the
    client's schema version knows) and tombstones' ids, from the same definition as
    ``values`` (one SELECT per page: ``enforcement.syncing.values``); or else
    ``load_many(session, actor, ids)``: rows for a pull (no lock), which ``pulled`` passes
    through ``values`` (tables whose rows are built in Python: the reference data).
    ``shown(session, actor, values_by_id)`` (optional): values as a push hands them back to
    the actor (free text masked as a pull shows it); the merge works on ``values``.
    """

    table: str
    fields: Mapping[str, FieldSpec]
    load: Load
    values: Values
    create: Create
    update: Update
    delete: Remove
    restore: Remove
    scope: Scope
    normalise: Callable[[dict[str, Any]], dict[str, Any]] = dict
    create_many: CreateMany | None = None
    existing: Existing | None = None
    feed_table: str | None = None
    """The table whose ``sync_change`` rows feed this one, when it is not ``table`` (e.g.
    the wanted list is fed by changes to parties)."""
    pull_many: PullMany | None = None
    load_many: LoadMany | None = None
    shown: Shown | None = None

    @property
    def feed_name(self) -> str:
        return self.feed_table or self.table

    def owners(self, schema_version: int) -> dict[str, Owner]:
        """Fields a client of ``schema_version`` knows, with their owners."""
        return {name: f.owner for name, f in self.fields.items() if f.since <= schema_version}

    def pulled(self, session: Any, actor: Any, ids: Sequence[str], schema_version: int
               ) -> Pulled:
        """The rows ``ids`` as a pull sends them: ``{"id", "version", **values}`` limited
        to the fields ``schema_version`` knows, and the ids of those that are tombstones
        (deleted after the feed row was read). No order is promised."""
        known = self.owners(schema_version)
        if self.pull_many is not None:
            return self.pull_many(session, actor, ids, known.keys())
        assert self.load_many is not None, f"{self.table}: pull_many or load_many"
        upserts: list[dict[str, Any]] = []
        deletes: list[str] = []
        rows = []
        for row in self.load_many(session, actor, ids):
            if row.deleted_at is not None:
                deletes.append(row.id)
            else:
                rows.append(row)
        values = self.values(session, actor, rows) if rows else {}
        for row in rows:
            upserts.append({"id": row.id, "version": row.version,
                            **{k: v for k, v in values[row.id].items() if k in known}})
        return upserts, deletes


def _code(exc: Exception) -> str:
    return str(getattr(exc, "code", None) or "rejected")


_T = TypeVar("_T")

_A = TypeVar("_A", bound=Actor)

IDENTITY = ("court_id", "user_id", "device_id")
"""An actor's attributes that are values in its scope's SQL, never its shape: a template
actor (``Registry.template``) holds them as the bound parameters ``actor_<name>``."""


def identity(actor: Any) -> dict[str, Any]:
    """The values of a template's bound parameters (``Registry.template``) for ``actor``."""
    return {f"actor_{name}": getattr(actor, name) for name in IDENTITY if hasattr(actor, name)}


CACHED_ACTORS = 512
"""Actors whose scope clauses (and the statements made of them) a registry keeps built:
~115 KiB of clauses each for the enforcement registry, so at most ~60 MB per worker; a
court's assistants and staff fit, and rebuilding one costs a few milliseconds once."""


@dataclass(frozen=True)
class Registry:
    """Every synced table, and which domain exceptions mean "refuse this mutation"."""

    specs: Mapping[str, SyncSpec]
    rejections: tuple[type[Exception], ...] = ()
    code_of: Callable[[Exception], str] = field(default=_code)
    scope_clock: Callable[[], Any] | None = None
    """SQL whose value changes whenever the passing of time alone can move a scope (a rule
    comparing with today's date: the day, or a coarser bucket holding it). A pull trusts
    an earlier verification of the device's scope only under the same clock; a scope that
    reads the time with no clock given is verified in full on every pull."""
    scope_key: Callable[[Any], Any] | None = None
    """What an actor's scope clauses depend on (hashable), when not the whole actor: the
    engine builds them once per key. The enforcement registry's clauses read the court, the
    user and the role, not the device, so a phone's first pull reuses those of the user's
    earlier devices (a bootstrap is always a new device's first pull)."""
    shape_key: Callable[[Any], Any] | None = None
    """What the SQL of an actor's scope clauses depends on (hashable), when its court, user
    and device are only values in them: the enforcement registry's, on the role alone.
    With it, a statement every poll sends is built once per shape (``shared``), from a
    template actor whose court, user and device are bound parameters, and run with the
    actor's ``identity``: a server that tens of thousands of phones poll keeps a few such
    statements, where one per actor would be rebuilt on nearly every poll once the actors
    outnumber ``CACHED_ACTORS`` (bench/profile-findings.md, finding 34)."""
    cache: dict[Any, dict[str, Any]] = field(default_factory=dict, init=False,
                                             compare=False, repr=False)
    """Per actor (``scope_key``), what ``built`` keeps."""
    templates: dict[Any, Any] = field(default_factory=dict, init=False, compare=False,
                                      repr=False)
    """Per shape (``shape_key``), the template actor and what ``built`` keeps for it."""

    def built(self, actor: Actor, what: str, build: Callable[[], _T]) -> _T:
        """``build()``, kept per actor (``scope_key``) under ``what``: an actor's scope
        clauses and the statements made of them depend on its identity and role only, never
        on the data, and building them was a large part of a poll. At most
        ``CACHED_ACTORS`` are kept (then it starts afresh); an actor that cannot be hashed
        is built afresh. A template actor's (``template``) are kept apart, never evicted."""
        kept = self._kept(actor)
        if kept is None:
            return build()
        if what not in kept:
            kept[what] = build()
        return cast(_T, kept[what])

    def _kept(self, actor: Actor) -> dict[str, Any] | None:
        if self.shape_key is not None:
            template = self.templates.get(self.shape_key(actor))
            if template is not None and template[0] is actor:
                return cast(dict[str, Any], template[1])
        key = actor if self.scope_key is None else self.scope_key(actor)
        try:
            kept = self.cache.get(key)
        except TypeError:
            return None
        if kept is None:
            if len(self.cache) >= CACHED_ACTORS:
                self.cache.clear()
            kept = self.cache.setdefault(key, {})
        return kept

    def template(self, actor: _A) -> _A:
        """The actor of ``actor``'s shape whose identity (``IDENTITY``) is bound
        parameters, to build SQL that ``identity`` completes; ``actor`` itself without a
        ``shape_key``. What ``built`` keeps for a template is never evicted: there are as
        many as roles."""
        if self.shape_key is None:
            return actor
        shape = self.shape_key(actor)
        template = self.templates.get(shape)
        if template is None:
            bound: dict[str, Any] = {name: sa.bindparam(f"actor_{name}") for name in IDENTITY
                                     if hasattr(actor, name)}
            template = self.templates.setdefault(shape, (replace(cast(Any, actor), **bound),
                                                         {}))
        return cast(_A, template[0])

    def shared(self, actor: _A, what: str, build: Callable[[_A], _T]) -> _T:
        """``build(template)`` for ``actor``'s shape, built once: run it with
        ``identity(actor)``."""
        template = self.template(actor)
        return self.built(template, what, lambda: build(template))

    def get(self, table: str) -> SyncSpec | None:
        return self.specs.get(table)
