"""How long it takes a field team to drive between points: the planner's only view of roads.

The planner asks a ``TravelModel`` for a matrix of driving times and never looks at roads
itself, so a road-network model (OSRM or Valhalla over OpenStreetMap, or the county's own
road layer) can replace the default without touching ``geo.planning``.

The default, ``StraightLineRoads``, is deliberately simple: great-circle distance, times a
detour factor, at an average speed. Its numbers are chosen for the rural Loess plateau
(黄土高原) of eastern Gansu, where rounds take place:

* ``detour_factor=1.4``: village roads follow ridges (塬) and wind down into gullies (沟),
  so the road is longer than the straight line. 1.3-1.5 is the usual ratio of road to
  straight-line distance for rural road networks; 1.4 is its middle.
* ``speed_kmh=35``: a court vehicle averages about 60 km/h on county roads but 20-30 km/h
  on cement village lanes and dirt tracks; most legs of a round are the latter.

Together: a target 10 km away as the crow flies is 14 km of road, 24 minutes of driving.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np

EARTH_RADIUS_M = 6_371_008.8
"""Mean Earth radius (IUGG). Haversine on the sphere is within 0.5 % of the ellipsoid."""

LonLat = tuple[float, float]


class TravelModel(Protocol):
    """Anything that can answer "how many seconds from point i to point j"."""

    def durations(self, points: Sequence[LonLat]) -> np.ndarray:
        """A square matrix of whole seconds (``int64``); the diagonal is 0."""
        ...


def haversine_matrix(points: Sequence[LonLat]) -> np.ndarray:
    """Great-circle distances in metres between every pair of WGS-84 (lon, lat) points."""
    if not points:
        return np.zeros((0, 0))
    coords = np.radians(np.asarray(points, dtype=float))
    lon, lat = coords[:, 0], coords[:, 1]
    dlat = lat[:, None] - lat[None, :]
    dlon = lon[:, None] - lon[None, :]
    a = np.sin(dlat / 2) ** 2 + np.cos(lat[:, None]) * np.cos(lat[None, :]) * np.sin(dlon / 2) ** 2
    return 2 * EARTH_RADIUS_M * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))


def haversine_m(a: LonLat, b: LonLat) -> float:
    """Great-circle distance in metres between two (lon, lat) points."""
    return float(haversine_matrix([a, b])[0, 1])


@dataclass(frozen=True, slots=True)
class StraightLineRoads:
    """Straight-line distance × ``detour_factor`` at ``speed_kmh``; see the module docstring."""

    speed_kmh: float = 35.0
    detour_factor: float = 1.4

    def __post_init__(self) -> None:
        if self.speed_kmh <= 0 or self.detour_factor < 1:
            raise ValueError("speed_kmh must be positive and detour_factor at least 1")

    def seconds_for(self, metres: float) -> int:
        """Driving time for a straight-line distance, rounded up to whole seconds."""
        return math.ceil(metres * self.detour_factor / (self.speed_kmh / 3.6))

    def durations(self, points: Sequence[LonLat]) -> np.ndarray:
        metres = haversine_matrix(points)
        seconds = np.ceil(metres * self.detour_factor / (self.speed_kmh / 3.6))
        return seconds.astype(np.int64)
