"""The pieces every list filter is built from, so each resource states only which of
its columns a filter narrows, not how to narrow them."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa

Clause = sa.ColumnElement[bool]


def equal(*pairs: tuple[Any, Any]) -> list[Clause]:
    """``column == value`` for each (column, value) whose value is set."""
    return [column == value for column, value in pairs if value is not None]


def one_of(*pairs: tuple[Any, Iterable[Any]]) -> list[Clause]:
    """``column IN values`` for each (column, values) whose values are not empty."""
    return [column.in_(tuple(values)) for column, values in pairs if values]


def between(column: Any, start: datetime | None, end: datetime | None) -> list[Clause]:
    """At or after ``start`` and before ``end``, either end open when not set."""
    where = [] if start is None else [column >= start]
    return where if end is None else [*where, column < end]


def in_box(point: Any, bbox: tuple[float, float, float, float] | None) -> list[Clause]:
    """Points inside a WGS-84 ``(minlon, minlat, maxlon, maxlat)`` box (GiST-indexed)."""
    if bbox is None:
        return []
    return [sa.func.ST_Intersects(point, sa.func.ST_MakeEnvelope(*bbox, 4326))]


def on_days(column: Any, first: date | None, last: date | None) -> list[Clause]:
    """On or after ``first`` and on or before ``last`` (whole days, both included)."""
    where = [] if first is None else [column >= first]
    return where if last is None else [*where, column <= last]


def starts_with(column: Any, prefix: str | None) -> list[Clause]:
    """Text beginning with ``prefix``, taken literally (``%`` and ``_`` are not wildcards)."""
    if not prefix:
        return []
    return [column.startswith(prefix, autoescape=True)]


def contains(column: Any, part: str | None) -> list[Clause]:
    """Text containing ``part`` anywhere, ignoring case, taken literally."""
    if not part:
        return []
    return [column.icontains(part, autoescape=True)]
