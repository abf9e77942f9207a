"""Statements a pull sends often, compiled once and handed straight to psycopg.

A pull's statements are built once per role or actor (``Registry.shared``) and never
change; SQLAlchemy's execution still did, on every call, the work whose answer never
changes: the statement's cache key, the expansion of its constant ``IN`` lists into the
text, the conversion of every constant value, the set-up of the result. For the empty
poll's one statement that was a fifth of the poll's CPU (bench/profile-findings.md,
finding 45). Here a statement is compiled once per dialect (``Ready``: the text, the
constants already converted, the converters of the caller's values and of the columns),
and executed on the driver connection, inside whatever transaction that connection is
in. The rows answer to the same names, with the same types, as SQLAlchemy's; errors are
raised as SQLAlchemy raises them.

A statement whose caller values include a list SQLAlchemy expands into the text, or a
value computed per execution, is executed by SQLAlchemy as before; so is a call that sets
a value its first call left to the statement's default (that value was kept as a
constant). The rows of one whose
columns are not all Python names (unnamed expressions, repeated names) are plain tuples,
read by position.
"""

from __future__ import annotations

import weakref
from collections import namedtuple
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, cast

import psycopg
import sqlalchemy as sa
from sqlalchemy.sql.compiler import SQLCompiler


@dataclass(slots=True)
class Ready:
    """A statement compiled for the driver: its SQL text, its constant values (already
    converted for the driver), the converters of the caller's values, and how to make the
    row SQLAlchemy would have returned (its columns' converters depend on the types
    PostgreSQL answers with, so they are set at the first read)."""

    sql: str
    constants: dict[str, Any]
    converters: dict[str, Callable[[Any], Any] | None]
    names: dict[str, str]
    """The caller's names of values, and the statement's (escaped) names for them."""
    constant: frozenset[str]
    """Names of the statement's values that the first caller left to their defaults:
    they are in ``constants``, so a caller that sets one is served by SQLAlchemy."""
    row: Callable[..., Any]
    types: tuple[sa.types.TypeEngine[Any], ...]
    results: tuple[tuple[int, Callable[[Any], Any]], ...] | None = None

    def values(self, parameters: Mapping[str, Any]) -> dict[str, Any]:
        values = dict(self.constants)
        for name, value in parameters.items():
            if name in self.names:
                convert = self.converters[name]
                values[self.names[name]] = value if convert is None else convert(value)
        return values

    def made(self, fetched: tuple[Any, ...], answered: Any, dialect: sa.Dialect) -> Any:
        if self.results is None:
            self.results = tuple(
                (at, process) for at, (kind, column) in enumerate(zip(
                    self.types, answered, strict=True))
                if (process := kind.dialect_impl(dialect).result_processor(
                    dialect, column.type_code)) is not None)
        if self.results:
            fetched_list = list(fetched)
            for at, convert in self.results:
                fetched_list[at] = convert(fetched_list[at])
            fetched = tuple(fetched_list)
        return self.row(*fetched)


_READY: weakref.WeakKeyDictionary[Any, weakref.WeakKeyDictionary[Any, Ready | None]] = (
    weakref.WeakKeyDictionary())
"""Per dialect, per statement (kept as long as whoever built the statement keeps it)."""


def ready(statement: sa.Executable, parameters: Mapping[str, Any],
          dialect: sa.Dialect) -> Ready | None:
    """``statement`` compiled for ``dialect``'s driver, once; None when SQLAlchemy must
    execute it (see the module's docstring)."""
    try:
        kept = _READY[dialect]
    except KeyError:
        kept = _READY.setdefault(dialect, weakref.WeakKeyDictionary())
    try:
        made = kept[statement]
    except KeyError:
        made = kept[statement] = _compile(statement, parameters, dialect)
    except TypeError:  # not weakly referable
        return None
    if made is not None and not made.constant.isdisjoint(parameters):
        return None
    return made


def _compile(statement: sa.Executable, parameters: Mapping[str, Any],
             dialect: sa.Dialect) -> Ready | None:
    compiled = cast(SQLCompiler, cast(sa.ClauseElement, statement).compile(dialect=dialect))
    binds = compiled.binds
    if any(bind.callable is not None for bind in binds.values()) or any(
            binds[name].expanding for name in parameters if name in binds):
        return None
    columns = list(getattr(statement, "selected_columns", ()))
    if not columns:
        return None
    keys = [column.key for column in columns]
    named = len(set(keys)) == len(keys) and all(
        isinstance(key, str) and key.isidentifier() and not key.startswith("_")
        for key in keys)
    expanded = compiled.construct_expanded_state(compiled.construct_params(dict(parameters)))
    escaped: Mapping[str, str] = compiled.escaped_bind_names or {}
    names = {name: escaped.get(name, name) for name in parameters if name in binds}
    caller = set(names.values())
    processors = expanded.processors
    constants = {name: (value if processors.get(name) is None else processors[name](value))
                 for name, value in expanded.parameters.items() if name not in caller}
    return Ready(str(expanded.statement), constants,
                 {name: processors.get(escaped_name) for name, escaped_name in names.items()},
                 names, frozenset(binds) - names.keys(),
                 namedtuple("Row", keys) if named else _positional,
                 tuple(column.type for column in columns))


def _positional(*values: Any) -> tuple[Any, ...]:
    """The row of a statement whose columns are not all Python names: read by position."""
    return values


def fetch(driver: Any, made: Ready, parameters: Mapping[str, Any], dialect: sa.Dialect,
          invalidate: Callable[[BaseException], None]) -> list[Any]:
    """Every row ``made`` selects with ``parameters``, on the psycopg connection
    ``driver``; a dropped connection is ``invalidate``d and the error raised as
    SQLAlchemy's (``connection_invalidated`` set)."""
    values = made.values(parameters)
    try:
        cursor = driver.execute(made.sql, values)
        fetched, answered = cursor.fetchall(), cursor.description
    except psycopg.Error as exc:
        gone = dialect.is_disconnect(cast(Any, exc), driver, None)
        if gone:
            invalidate(exc)
        raise sa.exc.DBAPIError.instance(
            made.sql, values, exc, dialect.loaded_dbapi.Error,
            connection_invalidated=gone, dialect=dialect) from exc
    return [made.made(row, answered, dialect) for row in fetched]


def rows(connection: sa.Connection, statement: sa.Executable,
         parameters: Mapping[str, Any]) -> list[Any]:
    """Every row ``statement`` selects, on ``connection``, in its transaction."""
    made = ready(statement, parameters, connection.dialect)
    if made is None:
        return list(connection.execute(statement, parameters).all())
    return fetch(connection.connection.driver_connection, made, parameters,
                 connection.dialect, connection.invalidate)


def one(found: list[Any]) -> Any:
    """The one row of ``found``, as ``Result.one()`` says it."""
    if len(found) != 1:
        raise (sa.exc.NoResultFound("No row was found when one was required")
               if not found else sa.exc.MultipleResultsFound(
                   "Multiple rows were found when exactly one was required"))
    return found[0]
