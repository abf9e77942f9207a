"""Keyset pagination: newest first on ``(created_at, id)``, or any ``SortOrder``.

Offsets skip or repeat rows when new ones arrive between pages; a keyset position does
not. The position is the last row's sort key values (the id always last, so ties are
broken the same way on every page); the API turns it into an opaque cursor.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any, Generic, TypeVar

import sqlalchemy as sa
from sqlmodel import Session

from enforcement.infrastructure.ids import plausible_id

T = TypeVar("T")
Position = tuple[Any, ...]
"""The sort key values of the last row of a page; for newest-first ``(created_at, id)``."""

MAX_LIMIT = 200
DEFAULT_LIMIT = 50
LAST = datetime(9999, 1, 1, tzinfo=UTC)
"""Stands in for a missing time in an ascending order, so rows without one come last."""
LAST_DAY = date(9999, 1, 1)


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    items: list[T]
    next_position: Position | None
    sort: str | None = None
    """The ``SortOrder`` name the position belongs to; None for plain newest-first lists."""


class BadPosition(ValueError):
    """A position that no page of this order could have produced."""


@dataclass(frozen=True)
class SortOrder:
    """One order of a list: SQL key expressions compared as a single row value.

    Every key runs in the same direction, which keeps the keyset condition one row
    comparison (``(k1, k2, id) < (:k1, :k2, :id)``); a key that must run the other way is
    written negated or ranked, a nullable one wrapped in ``coalesce``. ``kinds`` are the
    Python types of the keys, used to read a position back from a cursor.
    """

    name: str
    keys: tuple[Any, ...]
    kinds: tuple[type, ...]
    descending: bool = True

    def arrange(self, query: Any, after: Position | None, limit: int) -> Any:
        """``query`` with the keys as extra columns, after ``after``, one row too many."""
        query = query.add_columns(*(key.label(f"sort_key_{i}")
                                    for i, key in enumerate(self.keys)))
        if after is not None:
            here, there = sa.tuple_(*self.keys), sa.tuple_(*after)
            query = query.where(here < there if self.descending else here > there)
        order = [key.desc() if self.descending else key.asc() for key in self.keys]
        return query.order_by(*order).limit(limit + 1)

    def read(self, values: Sequence[Any]) -> Position:
        """The position that cursor values stand for; ``BadPosition`` for anything else."""
        if len(values) != len(self.kinds):
            raise BadPosition("wrong number of values")
        position = tuple(_read(kind, value) for kind, value in zip(self.kinds, values,
                                                                     strict=True))
        if not plausible_id(position[-1]):
            raise BadPosition("not an id")
        return position


def _read(kind: type, value: Any) -> Any:
    try:
        if kind is datetime:
            parsed = datetime.fromisoformat(value)
            if parsed.tzinfo is None:
                raise BadPosition("times carry their zone")
            return parsed
        if kind is date:
            return date.fromisoformat(value)
        if kind is Decimal:
            amount = Decimal(value)
            if not amount.is_finite():
                raise BadPosition("not an amount")
            return amount
        if kind is int and isinstance(value, int) and not isinstance(value, bool):
            return value
        if kind is str and isinstance(value, str) and len(value) <= 200:
            return value
    except (TypeError, ValueError, InvalidOperation) as error:
        raise BadPosition(str(error)) from error
    raise BadPosition(f"not a {kind.__name__}")


def newest(created_col: Any, id_col: Any) -> SortOrder:
    return SortOrder("newest", (created_col, id_col), (datetime, str))


def oldest(created_col: Any, id_col: Any) -> SortOrder:
    return SortOrder("oldest", (created_col, id_col), (datetime, str), descending=False)


def fetch_page(session: Session, query: Any, order: SortOrder, after: Position | None,
               limit: int, *, width: int = 1) -> Page[Any]:
    """One page of ``query`` in ``order``. ``width`` is how many columns the query selects
    (items are single values for 1, tuples otherwise)."""
    rows = session.execute(order.arrange(query, after, limit)).all()
    items = rows[:limit]
    more = len(rows) > limit and items
    return Page([row[0] if width == 1 else tuple(row[:width]) for row in items],
                tuple(items[-1][width:]) if more else None, order.name)


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
