"""What times the server believes a phone: not before 2000, not far in the future.

Phones' clocks drift, and some are set wrong by hand. A time a little ahead is taken as
sent; one beyond ``CLOCK_SKEW`` would break the 48-hour duplicate window and the order of
events, so REST and sync both refuse it, with the same rule.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)
CLOCK_SKEW = timedelta(days=3)
"""Observations up to this far in the future are accepted: phones' clocks drift."""


def plausible(value: datetime) -> bool:
    """``value`` (timezone-aware) lies between 2000 and now plus the clock skew allowed."""
    return EARLIEST <= value <= datetime.now(UTC) + CLOCK_SKEW
