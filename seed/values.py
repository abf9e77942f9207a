"""Small values every builder draws or formats: weighted choices, amounts in yuan, and
moments on the demo's local (Beijing) days, stored in UTC."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

CHINA = timezone(timedelta(hours=8))
CENT = Decimal("0.01")


def weighted(rng: random.Random, pairs: Any) -> Any:
    """One item of ``(item, weight, ...)`` pairs, drawn by weight."""
    items = [p[0] for p in pairs]
    weights = [p[1] for p in pairs]
    return rng.choices(items, weights)[0]


def money(value: float) -> Decimal:
    """An amount with fen."""
    return Decimal(f"{value:.2f}")


def yuan(value: float) -> Decimal:
    """A whole-yuan amount (payments are mostly round numbers)."""
    return Decimal(int(value)).quantize(CENT)


def add_months(d: date, months: int) -> date:
    """The same day ``months`` later (at most the 28th, so every month has it)."""
    y, m = divmod(d.month - 1 + months, 12)
    year, month = d.year + y, m + 1
    day = min(d.day, 28)
    return date(year, month, day)


def weekday(d: date) -> date:
    """Move a weekend date to the following Monday."""
    while d.weekday() >= 5:
        d += timedelta(days=1)
    return d


def local_moment(d: date, rng: random.Random, start_hour: float = 8.5,
                 end_hour: float = 18.0) -> datetime:
    """A moment on local day ``d`` (Beijing time) between the given hours, in UTC."""
    minutes = int(rng.uniform(start_hour, end_hour) * 60)
    local = datetime(d.year, d.month, d.day, minutes // 60, minutes % 60,
                     rng.randrange(60), tzinfo=CHINA)
    return local.astimezone(UTC)


def local_date(moment: datetime) -> date:
    """The Beijing date of a moment."""
    return moment.astimezone(CHINA).date()


def end_of(d: date) -> datetime:
    """23:00 Beijing time on ``d``: the last moment the demo's days count."""
    return datetime(d.year, d.month, d.day, 23, 0, tzinfo=CHINA).astimezone(UTC)


def rand_date(rng: random.Random, lo: date, hi: date) -> date:
    """A day from ``lo`` to ``hi`` inclusive (``lo`` when the range is empty)."""
    if hi <= lo:
        return lo
    return lo + timedelta(days=rng.randrange((hi - lo).days + 1))
