"""Each synced table's values, defined once, as SQL that PostgreSQL formats.

A device receives a record's values from a pull and, after a push, in the push's result
(``server_values``) and its conflicts. Both used to be built in Python from loaded rows
(``lead_values`` and its kin), and leads had a second definition in SQL for pulls, kept
equal by a test. Now a table declares its values once (``TableValues``: field name → SQL
expression, in the order a device receives them, with the role-dependent fields marked)
and one SELECT per page or per pushed record gives them already in their JSON form: times
as ``iso`` writes them (``iso_sql``), enums and money as their text, dates as
``YYYY-MM-DD``; Python only pairs names with values, builds points from their parts and
adds the attachments (one query per page). A push reads the rows it wrote back through
the same statement, so what a push answers is what the next pull sends.

Pulls show free text as ``GET /leads`` shows it (``text_shield``, per page); push results
carry the stored values, as before (the merge compares them with what the device sent).
tests/sync/test_values_wire.py pins the JSON of every table, kind of record, role and
schema version.

The read-only reference data (``syncing.reference``: townships, village grids, the wanted
list, tasks, cases) is defined the same way: what one rule in Python decides stays there
(``Computed``: a bounding box rounded, an outline parsed; ``finish``: names masked by
``party_view`` and ``mask_name``, amounts by role), read in the same SELECT;
tests/sync/test_reference_values.py compares it with the Python definition it replaced.
An officer's round stops (``rounds.stop_spec``) are still built in Python.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB, aggregate_order_by
from sqlmodel import Session
from sqlmodel.sql.sqltypes import AutoString

from enforcement import policy
from enforcement.accounts.principal import Principal
from enforcement.infrastructure.text_shield import FREE_TEXT, shield
from enforcement.models import Attachment, AttachmentRef, Datum
from enforcement.models.base import table_of
from enforcement.policy import COURT_ROLES
from enforcement.syncing.common import iso_sql
from sync import direct
from sync.binary import TextArray
from sync.spec import PlainRecord, Pulled

AS_POINT = "<point>"
"""Marks the ``point`` field: ``{lon, lat, datum, accuracy_m}`` from the row's
``reported_lon``, ``reported_lat``, ``datum`` and ``accuracy_m`` (null without both
coordinates)."""
AS_FILES = "<attachments>"
"""Marks the ``attachments`` field: ``[{sha256, caption}]`` from ``attachment_ref``, in the
order ``refs_of`` gives them, read in the same SELECT (a push reads one record's values in
one statement)."""


class Computed:
    """A field Python finishes from SQL columns, read in the same SELECT: ``make(*values)``
    (a reference table's bounding box rounded as ``round`` does, its outline parsed)."""

    def __init__(self, *columns: Any, make: Callable[..., Any]) -> None:
        self.columns = columns
        self.make = make


Finish = Callable[[Session, Principal, list[dict[str, Any]]], None]
"""Per page (or per push), values shown to the caller that one rule in Python decides from
what was read: names masked as ``party_view`` or ``mask_name`` masks them, amounts left out
for roles that may not read them. Changes the records in place."""


def text_of(column: Any) -> Any:
    """A VARCHAR enum column as its stored text (the enum's value), not an enum member."""
    return sa.type_coerce(column, sa.String())


def money(column: Any) -> Any:
    """An amount as decimal text (``12.50``), as ``str(Decimal)`` writes it."""
    return sa.cast(column, sa.Text)


def day(column: Any) -> Any:
    """A date as ``YYYY-MM-DD`` (``date.isoformat``), whatever the session's DateStyle."""
    return sa.func.to_char(column, sa.literal_column("'YYYY-MM-DD'"), type_=sa.Text)


def json_or_null(column: Any) -> Any:
    """A JSON value, or null when it is empty (``value or None``)."""
    empty = sa.func.nullif(sa.func.nullif(sa.func.nullif(
        column, sa.literal_column("'{}'::jsonb")), sa.literal_column("'[]'::jsonb")),
        sa.literal_column("'null'::jsonb"))
    return sa.type_coerce(empty, JSONB)


def placed(table: sa.Table) -> tuple[tuple[str, Any], ...]:
    """Placement and timestamps, as every reported record carries them."""
    c = table.c
    return (("township_id", c.township_id), ("village_grid_id", c.village_grid_id),
            ("outside_grid", c.outside_grid),
            ("nearest_grid_distance_m", c.nearest_grid_distance_m),
            ("created_at", iso_sql(c.created_at)), ("updated_at", iso_sql(c.updated_at)))


class TableValues:
    """One table's synced values: ``fields`` are (name, SQL expression or ``AS_POINT`` or
    ``AS_FILES``) in the order a device receives them; ``court_only`` names the fields only
    court roles are sent; ``files`` is the table's name in ``attachment_ref``;
    ``shielded`` its name in ``text_shield.FREE_TEXT`` when pulls mask free text. A field may
    also be ``Computed`` (Python finishes it from SQL columns); ``finish`` decides values by
    caller; ``tombstones=False`` for tables whose rows are never sent as deletes (the
    reference data: no ``deleted_at``, or one the table ignores)."""

    def __init__(self, model: Any, fields: Sequence[tuple[str, Any]], *,
                 court_only: Collection[str] = (), files: str | None = None,
                 shielded: str | None = None, finish: Finish | None = None,
                 tombstones: bool = True) -> None:
        self.table = table_of(model)
        self.fields = tuple(fields)
        self.court_only = frozenset(court_only)
        self.files = files
        self.shielded = shielded
        self.finish = finish
        self._deleted = self.table.c.deleted_at.is_not(None) if tombstones else sa.false()
        self._exprs = {name: self._files_json() if _is(expr, AS_FILES) else expr
                       for name, expr in self.fields}
        self._order = {name: n for n, (name, _) in enumerate(self.fields)}
        self._files_field = frozenset(n for n, e in self.fields if _is(e, AS_FILES))
        c = self.table.c
        self._point_at = next((n for n, e in self.fields if _is(e, AS_POINT)), None)
        self._point = ((c.reported_lon, c.reported_lat, sa.func.coalesce(
            text_of(c.datum), sa.literal_column(f"'{Datum.WGS84.value}'")), c.accuracy_m)
            if self._point_at else ())
        declared = FREE_TEXT.get(shielded) if shielded else None
        self._shield_keys = tuple(k for k in (declared.author, declared.case, declared.party)
                                  if k) if declared else ()
        self._statements: dict[tuple[str, ...], sa.Select[Any]] = {}
        self._plain: dict[tuple[str, ...], Any] = {}

    def _files_json(self) -> Any:
        """The record's files as JSON built by PostgreSQL: only text (hashes and captions),
        so its JSON is the one Python would write."""
        if self.files is None:
            raise ValueError("a table with attachments names its attachment_ref table")
        refs, files_table = table_of(AttachmentRef), table_of(Attachment)
        ref, file, c = refs.c, files_table.c, self.table.c
        item = sa.func.json_build_object(sa.literal_column("'sha256'"), file.sha256,
                                         sa.literal_column("'caption'"), ref.caption)
        files = sa.func.coalesce(sa.func.json_agg(aggregate_order_by(item, ref.id)),
                                 sa.literal_column("'[]'::json"))
        return sa.type_coerce(
            sa.select(files).select_from(refs.join(files_table, sa.and_(
                file.court_id == ref.court_id, file.sha256 == ref.sha256)))
            .where(ref.court_id == c.court_id,
                   ref.record_table == sa.literal_column(f"'{self.files}'"),
                   ref.record_id == c.id).scalar_subquery(), sa.JSON)

    def names(self, principal: Principal, fields: Iterable[str] | None = None
              ) -> tuple[str, ...]:
        """The fields the caller is sent, of ``fields`` (default: all), in order."""
        wanted = self._order.keys() if fields is None else set(fields)
        hidden = self.court_only if principal.role not in COURT_ROLES else frozenset()
        return tuple(name for name, _ in self.fields if name in wanted and name not in hidden)

    def _statement(self, names: tuple[str, ...]) -> sa.Select[Any]:
        """The SELECT for these fields: built once per set of fields, so SQLAlchemy's
        compiled cache serves every page after the first."""
        stmt = self._statements.get(names)
        if stmt is None:
            c = self.table.c
            columns = [sa.null() if isinstance(self._exprs[n], str | Computed)
                       else self._exprs[n] for n in names]  # filled in from the tail
            computed = [column for n in names if isinstance(e := self._exprs[n], Computed)
                        for column in e.columns]
            plain = self._plain_rule(names)
            stmt = cast(sa.Select[Any], sa.select(
                c.id, c.version, *columns, self._deleted, *self._point, *computed,
                *(c[key] for key in self._missing(names)),
                *([plain] if plain is not None and plain is not True else []),
            ).where(c.court_id == sa.bindparam("court_id"),
                    c.id == sa.any_(sa.bindparam("ids", type_=TextArray()))))
            self._statements[names] = stmt
            self._plain[names] = plain
        return stmt

    def _plain_rule(self, names: tuple[str, ...]) -> Any:
        """When these fields' values are all plain (``PlainRecord``): True always, None
        never (a field Python computes or a ``finish`` step may give any value; JSON and
        decimal columns), or a condition PostgreSQL checks per row (its floats)."""
        if self.finish is not None:
            return None
        floats: list[Any] = []
        for name in names:
            expr = self._exprs[name]
            if _is(expr, AS_POINT):
                lon, lat, _, accuracy = cast(tuple[Any, ...], self._point)
                floats += [lon, lat, accuracy]
            elif name in self._files_field:
                continue  # hashes and captions: text
            elif isinstance(expr, str | Computed):
                return None
            else:
                kind = _plain_kind(expr)
                if kind is None:
                    return None
                if kind == "float":
                    floats.append(expr)
        if not floats:
            return True
        return sa.and_(*(sa.or_(f.is_(None), f == _ZERO, sa.and_(
            sa.func.abs(f) >= _TINY, sa.func.abs(f) < _HUGE)) for f in floats))

    def _missing(self, names: tuple[str, ...]) -> tuple[str, ...]:
        """What ``shield`` reads of a record (its author, case, party) that ``names``
        leaves out: read too, after the fields."""
        return tuple(key for key in self._shield_keys if key not in names)

    def _read(self, session: Session, principal: Principal, ids: Sequence[str],
              names: tuple[str, ...], *, tombstones: bool
              ) -> tuple[list[dict[str, Any]], list[str], dict[str, tuple[Any, ...]]]:
        """Records ``{"id", "version", **values}``, ids of tombstones (unless asked to
        read them as records), and per record the columns ``shield`` reads."""
        keys = ("id", "version", *names)
        width, missing = len(keys), self._missing(names)
        point = self._point_at if self._point_at in names else None
        computed = [(n, e) for n in names if isinstance(e := self._exprs[n], Computed)]
        after_point = width + 1 + len(self._point)
        shield_at = after_point + sum(len(e.columns) for _, e in computed)
        shield_end = shield_at + len(missing)
        records: list[dict[str, Any]] = []
        deletes: list[str] = []
        shield_of: dict[str, tuple[Any, ...]] = {}
        statement = self._statement(names)
        plain = self._plain[names]
        session.flush()  # what the ORM's execute would have done first
        rows = direct.rows(session.connection(), statement,
                           {"court_id": principal.court_id, "ids": list(ids)})
        for row in rows:
            if row[width] and not tombstones:
                deletes.append(row[0])
                continue
            # fewer keys: the tail falls off
            record = (PlainRecord(zip(keys, row, strict=False)) if plain is True or (
                plain is not None and row[-1]) else dict(zip(keys, row, strict=False)))
            if point is not None:
                lon, lat, datum, accuracy = row[width + 1:width + 5]
                record[point] = (None if lon is None or lat is None else
                                 {"lon": lon, "lat": lat, "datum": datum, "accuracy_m": accuracy})
            at = after_point
            for name, field in computed:
                record[name] = field.make(*row[at:at + len(field.columns)])
                at += len(field.columns)
            if missing:
                shield_of[row[0]] = row[shield_at:shield_end]
            records.append(record)
        return records, deletes, shield_of

    def pull(self, session: Session, principal: Principal, ids: Sequence[str],
             fields: Collection[str]) -> Pulled:
        """``SyncSpec.pull_many``: the page's records with the fields ``fields`` the
        caller is sent, free text as REST shows it to them, and the tombstones' ids."""
        names = self.names(principal, fields)
        records, deletes, shield_of = self._read(session, principal, ids, names,
                                                 tombstones=False)
        if self.shielded and records:
            self._shield(session, principal, records, self._missing(names), shield_of)
        if self.finish is not None and records:
            self.finish(session, principal, records)
        return records, deletes

    def values(self, session: Session, principal: Principal, rows: Sequence[Any]
               ) -> dict[str, dict[str, Any]]:
        """``SyncSpec.values``: per row id, every field the caller is sent, as stored
        (after the push's own writes, which are flushed first)."""
        session.flush()
        names = self.names(principal)
        records, _, _ = self._read(session, principal, [row.id for row in rows], names,
                                   tombstones=True)
        if self.finish is not None and records:
            self.finish(session, principal, records)
        return {record.pop("id"): _without_version(record) for record in records}

    def shown(self, session: Session, principal: Principal,
              values: Mapping[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
        """``SyncSpec.shown``: values as a push answers them, free text masked for roles
        that see parties masked, as their pulls show it (roles that see it unmasked get it
        as stored, as before)."""
        out = {record_id: dict(record) for record_id, record in values.items()}
        if not self.shielded or policy.allows(principal, "party.read_unmasked"):
            return out
        rows = [{"id": record_id, **record} for record_id, record in out.items()]
        masked = shield(session, principal, self.shielded, rows, get=dict.get)
        for record_id, record in out.items():
            record.update({k: v for k, v in masked.get(record_id, {}).items() if k in record})
        return out

    def _shield(self, session: Session, principal: Principal, records: list[dict[str, Any]],
                missing: tuple[str, ...], shield_of: Mapping[str, tuple[Any, ...]]) -> None:
        """Free text masked as ``GET`` shows it, for the whole page at once; the author,
        case and party of each record are read even when the device's schema lacks them."""
        assert self.shielded is not None
        rows = records if not missing else [
            {**dict(zip(missing, shield_of[r["id"]], strict=True)), **r} for r in records]
        shown = shield(session, principal, self.shielded, rows, get=dict.get)
        if shown:  # (a page of one's own records shows them as written: nothing to do)
            by_id = {record["id"]: record for record in records}
            for record_id, masked in shown.items():
                record = by_id[record_id]
                record.update({k: v for k, v in masked.items() if k in record})


def _is(expr: Any, marker: str) -> bool:
    return isinstance(expr, str) and expr == marker


def _without_version(record: dict[str, Any]) -> dict[str, Any]:
    del record["version"]
    return record


_TINY: Any = sa.literal_column("CAST('1e-4' AS double precision)")
_HUGE: Any = sa.literal_column("CAST('1e16' AS double precision)")
_ZERO: Any = sa.literal_column("CAST(0 AS double precision)")
"""The floats ``api.page_json`` lets orjson write (zero, or from 1e-4 to below 1e16; NaN
and infinities fail these comparisons in PostgreSQL as in Python)."""


def _plain_kind(expr: Any) -> str | None:
    """"float", "plain" (text, integers, booleans, null) or None (anything else: JSON,
    decimals, enum members, geometry; of the type decorators only SQLModel's
    ``AutoString``, which reads the stored text as it is) for a column's values."""
    if isinstance(expr, sa.sql.elements.Null):
        return "plain"
    kind = expr.type
    if isinstance(kind, sa.Float):
        return "float"
    if isinstance(kind, sa.Boolean | sa.Integer) or type(kind) is AutoString or (
            isinstance(kind, sa.String) and not isinstance(kind, sa.Enum)):
        return "plain"
    return None

