"""Many rows of one table in one ``INSERT … SELECT``, their values in one JSON document.

A push writes a lead, its first transition and a receipt per mutation: one statement per
table, not a statement (parse, plan, executor start) per row as with executemany;
SQLAlchemy's multi-row VALUES was slower still (bench/profile-findings.md, finding 1).
"""

from __future__ import annotations

import datetime as dt
import decimal
import json
import math
import uuid
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from geoalchemy2 import Geometry
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Session


def insert_rows(session: Session, table: sa.Table, rows: Sequence[dict[str, Any]]) -> None:
    """Insert ``rows`` (dicts by column name; a column the first row leaves out gets its
    default), each value as SQLAlchemy would bind it, in one statement.

    The values that differ between rows travel as one JSON document, a row an array, which
    PostgreSQL reads with ``jsonb_array_elements`` (each value through its column type's
    input, as a bound text value would be). A column holding the very same object in every
    row (the court, the author, the status) is bound once, and one that is null in every
    row is a typed NULL (a JSON column's None is SQL NULL, not JSON null). Before, each
    column was an array parameter: psycopg adapts a list element by element (a text
    element through a regular expression, a JSON one escaped again), which cost a push of
    100 leads more than the database's work (bench/profile-findings.md, finding 29)."""
    if not rows:
        return
    dialect = session.get_bind().dialect
    present = rows[0].keys()
    columns = [column for column in table.columns if column.name in present]
    selected: list[str] = []
    params: dict[str, Any] = {}
    varying: list[list[Any]] = []
    for k, column in enumerate(columns):
        values = [row[column.name] for row in rows]
        first = values[0]
        if isinstance(column.type, sa.ARRAY):
            raise TypeError(f"{table.name}.{column.name}: arrays are not inserted in bulk")
        is_json = isinstance(column.type, (sa.JSON, JSONB))
        if is_json:
            sql_type, process, template = "jsonb", None, "{}"
        elif isinstance(column.type, Geometry):
            sql_type, template = "text", "ST_GeomFromEWKT({})"
            process = column.type.bind_processor(dialect)
        else:
            sql_type, template = column.type.compile(dialect), "{}"
            process = column.type.bind_processor(dialect)
        if all(value is first for value in values):
            if first is None:
                source = f"CAST(NULL AS {sql_type})"
            else:
                source = f"CAST(:c{k} AS {sql_type})"
                params[f"c{k}"] = (json.dumps(first) if is_json
                                   else first if process is None else process(first))
        else:
            if process is not None:
                values = [None if v is None else process(v) for v in values]
            if isinstance(column.type, sa.Float):
                values = [_float(v) for v in values]
            position = len(varying)
            varying.append(values)
            source = (f"nullif(e -> {position}, 'null')" if is_json  # None: SQL NULL
                      else f"CAST(e ->> {position} AS {sql_type})")
        selected.append(template.format(source))
    if varying:
        params["rows"] = json.dumps(list(zip(*varying, strict=True)), default=_plain)
        source_rows = "jsonb_array_elements(CAST(:rows AS jsonb)) AS e"
    else:  # the same values in every row: as many rows all alike
        params["n_rows"] = len(rows)
        source_rows = "generate_series(1, :n_rows) AS e"
    names = ", ".join(f'"{column.name}"' for column in columns)
    session.execute(sa.text(
        f"INSERT INTO {table.name} ({names}) SELECT {', '.join(selected)} "
        f"FROM {source_rows}"), params)


def _float(value: Any) -> Any:
    """A float as JSON can carry it into float8: NaN and the infinities as text, and zero
    too (JSON numbers become ``numeric``, which has no -0)."""
    if isinstance(value, float) and (value == 0.0 or not math.isfinite(value)):
        return repr(value)
    return value


def _plain(value: Any) -> Any:
    """Values JSON has no type for, as the text their column type reads."""
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, bytes):
        return "\\x" + value.hex()
    raise TypeError(f"{type(value).__name__} cannot be inserted in bulk")
