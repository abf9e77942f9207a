"""Placing a reported point: datum conversion and the village grid and township it is in.

Every record with a location (leads now; sightings, visits and case addresses later) is
placed on write, so lists can filter by grid without spatial joins at read time.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, cast

from geoalchemy2.elements import WKTElement
from geoalchemy2.shape import to_shape
from shapely.geometry import Point
from sqlmodel import Session

from enforcement.models import Datum
from geo.assignment import place_points
from geo.datum import to_wgs84


@dataclass(frozen=True, slots=True)
class ReportedPoint:
    lon: float
    lat: float
    datum: Datum = Datum.WGS84
    accuracy_m: float | None = None


@dataclass(frozen=True, slots=True)
class Placement:
    township_id: str | None
    village_grid_id: str | None
    outside_grid: bool
    nearest_grid_distance_m: float | None


def wkt_point(lon: float, lat: float) -> WKTElement:
    return WKTElement(f"POINT({lon!r} {lat!r})", srid=4326)


def lonlat(geom: Any) -> tuple[float, float] | None:
    """(lon, lat) of a stored point, or None."""
    if geom is None:
        return None
    shape = cast(Point, to_shape(geom))  # stored points are POINT columns
    return shape.x, shape.y


def place(session: Session, court_id: str, point: ReportedPoint) -> tuple[Any, Placement]:
    """The WGS-84 geometry of a reported point and the grid it belongs to."""
    return place_many(session, court_id, [point])[0]


def place_many(session: Session, court_id: str, points: Sequence[ReportedPoint]
               ) -> list[tuple[Any, Placement]]:
    """``place`` for many points with one query (``geo.assignment.place_points``, the rule
    boundary changes re-apply):

    A point inside (or on the edge of) several village grids goes to the one with the
    lowest code, so a point on a shared boundary lands in exactly one grid, the same one
    every time. A point outside every grid is placed in its nearest grid, flagged
    ``outside_grid`` with the distance in metres.
    """
    wgs84 = [to_wgs84(p.lon, p.lat, p.datum.value) for p in points]
    placed = place_points(session, court_id, wgs84)
    return [(wkt_point(lon, lat), Placement(g.township_id, g.village_grid_id, g.outside_grid,
                                            g.nearest_grid_distance_m))
            for (lon, lat), g in zip(wgs84, placed, strict=True)]


def set_point(session: Session, record: Any, point: ReportedPoint | None) -> None:
    """Store on a located record (lead, sighting, task answer, visit) the point as sent,
    its WGS-84 position and the grid it falls in; ``None`` clears them all."""
    if point is None:
        put_point(record, None, None)
        return
    put_point(record, point, place(session, record.court_id, point))


def put_point(record: Any, point: ReportedPoint | None,
              placed: tuple[Any, Placement] | None) -> None:
    """Store a point placed beforehand (``place_many``); ``None`` clears them all."""
    if point is None or placed is None:
        record.point = record.reported_lon = record.reported_lat = record.datum = None
        record.accuracy_m = record.township_id = record.village_grid_id = None
        record.nearest_grid_distance_m = None
        record.outside_grid = False
        return
    geom, placement = placed
    record.point = geom
    record.reported_lon, record.reported_lat = point.lon, point.lat
    record.datum, record.accuracy_m = point.datum, point.accuracy_m
    record.township_id = placement.township_id
    record.village_grid_id = placement.village_grid_id
    record.outside_grid = placement.outside_grid
    record.nearest_grid_distance_m = placement.nearest_grid_distance_m
