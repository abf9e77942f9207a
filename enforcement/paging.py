"""Keyset pagination, newest first, on ``(created_at, id)``.

Offsets skip or repeat rows when new ones arrive between pages; a keyset position does
not. The position is a plain pair here; the API turns it into an opaque cursor.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, TypeVar

import sqlalchemy as sa

T = TypeVar("T")
Position = tuple[datetime, str]

MAX_LIMIT = 200
DEFAULT_LIMIT = 50


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    items: list[T]
    next_position: Position | None


def newest_first(query: Any, created_col: Any, id_col: Any, after: Position | None,
                 limit: int) -> Any:
    """``query`` limited to rows after ``after``, newest first, one more than ``limit``
    (the extra row tells whether there is a next page)."""
    if after is not None:
        query = query.where(sa.tuple_(created_col, id_col) < sa.tuple_(*after))
    return query.order_by(created_col.desc(), id_col.desc()).limit(limit + 1)


def page_of(rows: Sequence[Any], limit: int,
            position: Callable[[Any], Position] = lambda r: (r.created_at, r.id)) -> Page[Any]:
    items = list(rows[:limit])
    more = len(rows) > limit and items
    return Page(items, position(items[-1]) if more else None)
