"""The app schema a WatermelonDB app declares, made from the sync specs: one definition of
every table and column, so an app developer copies nothing by hand and cannot drift.

Versions, as ``schema_version`` on the wire:

1. the first tables; times as ISO 8601 text.
2. ``attachments`` on leads and visits (JSON text).
3. times as numbers (milliseconds since the epoch, UTC), which WatermelonDB's ``@date``
   fields read, and ``created_at`` / ``updated_at`` on every table, as the non-optional
   numbers WatermelonDB requires of columns with those names. An app on 1 or 2 keeps
   getting text (and cannot declare those two columns: WatermelonDB refuses them as text).
4. ``round_stop`` (an officer's stops, read-only) and ``outline`` on townships and village
   grids (their simplified boundaries, for the phone's map).
5. ``position_source`` (``gps`` / ``manual``) and ``position_note`` on leads: how the
   position was taken and why it is less than the court asked for.

The answer is what ``appSchema`` / ``tableSchema`` and ``schemaMigrations`` /
``addColumns`` / ``createTable`` take, as JSON (docs/sync.md shows the few lines of app
code). A migration cannot change a column's type; the migration sync to 3 re-sends every
table whole (each gains columns), so the times a device holds become numbers.
"""

from __future__ import annotations

from typing import Any

from sync.spec import FieldSpec, Kind, Registry, SyncSpec

TIMES_AS_NUMBERS = 3
"""The first schema version whose times are milliseconds on the WatermelonDB wire."""
STAMPS = ("created_at", "updated_at")
POINT_COLUMNS = (("lon", "number"), ("lat", "number"), ("datum", "string"),
                 ("accuracy_m", "number"))
_TYPES = {Kind.NUMBER: "number", Kind.BOOLEAN: "boolean"}


def latest_version(registry: Registry) -> int:
    """The newest schema version the server knows."""
    return max([TIMES_AS_NUMBERS, *(f.since for spec in registry.specs.values()
                                    for f in spec.fields.values())])


def declared(name: str, spec: FieldSpec, version: int) -> bool:
    """Whether an app of ``version`` declares the field: it knows it, and WatermelonDB
    lets it (``created_at`` / ``updated_at`` only as numbers)."""
    return spec.since <= version and (name not in STAMPS or version >= TIMES_AS_NUMBERS)


def column_type(kind: Kind, version: int) -> str:
    if kind is Kind.TIME:
        return "number" if version >= TIMES_AS_NUMBERS else "string"
    return _TYPES.get(kind, "string")


def table_columns(spec: SyncSpec, version: int) -> list[dict[str, Any]]:
    """``tableSchema``'s columns: the record's version, then each field the app knows (a
    point as four columns). Indexed: references to other records (``…_id``)."""
    out = [_column("version", "number", optional=True)]
    for name, field in spec.fields.items():
        if not declared(name, field, version):
            continue
        if field.kind is Kind.POINT:
            out.extend(_column(col, kind, optional=True) for col, kind in POINT_COLUMNS)
        else:
            out.append(_column(name, column_type(field.kind, version),
                               optional=not (field.required or name in STAMPS)))
    return out


def _column(name: str, kind: str, *, optional: bool) -> dict[str, Any]:
    return {"name": name, "type": kind, "isOptional": optional,
            "isIndexed": name.endswith("_id")}


def app_schema(registry: Registry, version: int) -> dict[str, Any]:
    """``{version, tables: [{name, columns}], migrations: [{toVersion, steps}]}``."""
    tables = [{"name": name, "columns": table_columns(spec, version)}
              for name, spec in registry.specs.items() if has_table(spec, version)]
    return {"version": version, "tables": tables,
            "migrations": [_migration(registry, to) for to in range(2, version + 1)]}


def has_table(spec: SyncSpec, version: int) -> bool:
    """Whether an app of ``version`` declares the table (it knows one of its fields)."""
    return any(f.since <= version for f in spec.fields.values())


def _migration(registry: Registry, to: int) -> dict[str, Any]:
    """Steps from ``to - 1`` to ``to``: tables that appear, columns that appear."""
    steps: list[dict[str, Any]] = []
    for name, spec in registry.specs.items():
        if not has_table(spec, to):
            continue
        if not has_table(spec, to - 1):
            steps.append({"type": "create_table", "name": name,
                          "columns": table_columns(spec, to)})
            continue
        before = {c["name"] for c in table_columns(spec, to - 1)}
        added = [c for c in table_columns(spec, to) if c["name"] not in before]
        if added:
            steps.append({"type": "add_columns", "table": name, "columns": added})
    return {"toVersion": to, "steps": steps}
