"""Arrays of text bound in psycopg's binary format.

A pull binds its page's record ids (1,000 of them) and the snapshot's added, removed and
changed keys as arrays. In text format psycopg quotes each element after a regular
expression search, ~1.3 ms per 1,000 ids, four arrays per bootstrap page; the binary
format writes each element's bytes with its length, ~0.2 ms, and any text goes through
unchanged (quotes, braces, backslashes, newlines, ``NULL``). The value is a constant array
of a known type either way, so the planner still hashes ``= ANY(...)``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import psycopg
import sqlalchemy as sa
from psycopg.types.array import ListBinaryDumper
from sqlalchemy.dialects.postgresql import ARRAY


class _BinaryTexts(list[str]):
    """A list psycopg sends as a binary ``text[]`` (registered below)."""


psycopg.adapters.register_dumper(_BinaryTexts, ListBinaryDumper)


def binary_arrays(dbapi_connection: Any, _record: Any = None) -> None:
    """Register the binary dumper on a new connection (an engine's ``connect`` event).
    The global registration above reaches only engines made after this module was
    imported: SQLAlchemy's psycopg dialect copies psycopg's adapters when the engine is
    created, and the app creates its engine before it imports the sync specs."""
    adapters = getattr(dbapi_connection, "adapters", None)
    if adapters is not None:
        adapters.register_dumper(_BinaryTexts, ListBinaryDumper)


def _binary(value: Iterable[str] | None) -> _BinaryTexts | None:
    return None if value is None else _BinaryTexts(value)


class TextArray(sa.types.TypeDecorator[list[str]]):
    """``text[]`` for bound parameters (``sa.bindparam("ids", type_=TextArray())``), sent in
    binary: ARRAY's own bind processing would copy the list into a plain one, which psycopg
    quotes element by element."""

    impl = ARRAY(sa.Text)
    cache_ok = True

    def bind_processor(self, dialect: Any) -> Callable[[Any], Any]:
        return _binary
