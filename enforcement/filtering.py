"""The pieces every list filter is built from, so each resource states only which of
its columns a filter narrows, not how to narrow them."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
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
