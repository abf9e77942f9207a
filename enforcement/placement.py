"""Placing a reported point: datum conversion and the village grid and township it is in.

Every record with a location (leads now; sightings, visits and case addresses later) is
placed on write, so lists can filter by grid without spatial joins at read time.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from geoalchemy2 import Geography
from geoalchemy2.elements import WKTElement
from geoalchemy2.shape import to_shape
from sqlmodel import Session

from enforcement.models import Datum, VillageGrid
from geo.datum import to_wgs84

NEAREST_CANDIDATES = 8
"""Grids ranked by planar (degree) distance before the exact metric distance decides."""


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
    shape = to_shape(geom)
    return shape.x, shape.y


def place(session: Session, court_id: str, point: ReportedPoint) -> tuple[Any, Placement]:
    """The WGS-84 geometry of a reported point and the grid it belongs to.

    A point inside (or on the edge of) several village grids goes to the one with the
    lowest code, so a point on a shared boundary lands in exactly one grid, the same one
    every time. A point outside every grid is placed in its nearest grid, flagged
    ``outside_grid`` with the distance in metres.
    """
    lon, lat = to_wgs84(point.lon, point.lat, point.datum.value)
    geom = wkt_point(lon, lat)
    covering = session.execute(
        sa.select(VillageGrid.id, VillageGrid.township_id)
        .where(VillageGrid.court_id == court_id, sa.func.ST_Covers(VillageGrid.geom, geom))
        .order_by(VillageGrid.code, VillageGrid.id)
        .limit(1)
    ).first()
    if covering is not None:
        return geom, Placement(covering.township_id, covering.id, False, None)
    return geom, _nearest(session, court_id, geom)


def _nearest(session: Session, court_id: str, geom: WKTElement) -> Placement:
    distance = sa.func.ST_Distance(
        sa.cast(VillageGrid.geom, Geography), sa.cast(geom, Geography)
    ).label("distance")
    candidates = (
        sa.select(VillageGrid.id, VillageGrid.township_id, VillageGrid.code)
        .where(VillageGrid.court_id == court_id)
        .order_by(VillageGrid.geom.op("<->")(geom))
        .limit(NEAREST_CANDIDATES)
        .subquery()
    )
    row = session.execute(
        sa.select(candidates.c.id, candidates.c.township_id, distance)
        .join(VillageGrid, sa.and_(VillageGrid.court_id == court_id,
                                   VillageGrid.id == candidates.c.id))
        .order_by(distance, candidates.c.code)
        .limit(1)
    ).first()
    if row is None:
        return Placement(None, None, True, None)
    return Placement(row.township_id, row.id, True, round(float(row.distance), 1))


def set_point(session: Session, record: Any, point: ReportedPoint | None) -> None:
    """Store on a located record (lead, sighting, task answer, visit) the point as sent,
    its WGS-84 position and the grid it falls in; ``None`` clears them all."""
    if point is None:
        record.point = record.reported_lon = record.reported_lat = record.datum = None
        record.accuracy_m = record.township_id = record.village_grid_id = None
        record.nearest_grid_distance_m = None
        record.outside_grid = False
        return
    geom, placement = place(session, record.court_id, point)
    record.point = geom
    record.reported_lon, record.reported_lat = point.lon, point.lat
    record.datum, record.accuracy_m = point.datum, point.accuracy_m
    record.township_id = placement.township_id
    record.village_grid_id = placement.village_grid_id
    record.outside_grid = placement.outside_grid
    record.nearest_grid_distance_m = placement.nearest_grid_distance_m
