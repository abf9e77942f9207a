"""Which targets deserve a visit first: one documented score from what the court knows.

A round has more candidate targets than its teams can visit, so the planner needs a single
number per target. VROOM maximises the sum of job priorities (0-100) before it minimises
driving time, so this score decides *who* is visited; the routing decides *in which order*.

``target_priority`` adds three parts (at most 100):

* **Amount still owed, up to 40 points**, on a log scale: 1,000 yuan → 4, 10,000 → 14,
  100,000 → 27, 1,000,000 yuan or more → 40. Logarithmic because a 2-million case is not
  worth twenty 100,000 cases to the people waiting for their money, but is worth more.
* **A fresh lead, up to 35 points**, decaying with a 21-day half-life: 35 for a lead from
  today, 17.5 three weeks on, about 4 after two months. Leads go stale: debtors move on.
* **Recent sightings, up to 25 points**: 25/3 per sighting in the last 30 days, capped at
  three. A debtor seen in the village is a debtor likely to be found at home.

Pure: takes plain numbers, so ``enforcement`` feeds it from the database and tests from
anywhere.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any, TypeVar

AMOUNT_POINTS = 40.0
LEAD_POINTS = 35.0
SIGHTING_POINTS = 25.0
LEAD_HALF_LIFE_DAYS = 21.0
SIGHTINGS_FOR_FULL_POINTS = 3
SIGHTING_WINDOW_DAYS = 30
FULL_AMOUNT_YUAN = 1_000_000.0

EVENING = (18 * 3600, 21 * 3600 + 1800)
"""18:00-21:30: when a debtor who works away by day is known to be home (night enforcement)."""

T = TypeVar("T")


def amount_points(amount_owed_yuan: float) -> float:
    """0-40 points on a log scale of the amount still owed (see the module docstring)."""
    if amount_owed_yuan <= 0:
        return 0.0
    scaled = math.log10(1 + amount_owed_yuan / 1000) / math.log10(1 + FULL_AMOUNT_YUAN / 1000)
    return AMOUNT_POINTS * min(1.0, scaled)


def lead_points(lead_age_days: float | None) -> float:
    """0-35 points for the freshest lead on the target, halving every 21 days."""
    if lead_age_days is None:
        return 0.0
    return LEAD_POINTS * 0.5 ** (max(0.0, lead_age_days) / LEAD_HALF_LIFE_DAYS)


def sighting_points(recent_sightings: int) -> float:
    """0-25 points for sightings in the last 30 days, full at three."""
    capped = min(max(recent_sightings, 0), SIGHTINGS_FOR_FULL_POINTS)
    return SIGHTING_POINTS * capped / SIGHTINGS_FOR_FULL_POINTS


def target_priority(amount_owed_yuan: float, lead_age_days: float | None = None,
                    recent_sightings: int = 0) -> int:
    """The target's VROOM priority, 0-100: amount + lead freshness + sightings."""
    total = (amount_points(amount_owed_yuan) + lead_points(lead_age_days)
             + sighting_points(recent_sightings))
    return max(0, min(100, round(total)))


def top_candidates(items: Iterable[T], limit: int, key: Any) -> list[T]:
    """The ``limit`` items with the highest ``key(item)`` (a (priority, id) pair sorts ties
    by id), so the solver sees a bounded problem and the same input gives the same choice."""
    ranked = sorted(items, key=lambda item: (-key(item)[0], key(item)[1]))
    return ranked[:max(0, limit)]
