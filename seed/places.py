"""Villages as places to put points in: the local-kilometre to WGS-84 map the county is drawn
in, and points sampled inside a village (away from its edge) as phones would report them."""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any

import shapely
from shapely import affinity
from shapely.geometry import MultiPolygon, Point, Polygon
from shapely.geometry.base import BaseGeometry

from enforcement.models import Datum
from geo.datum import wgs84_to_gcj02
from seed.records.court import DemoTownship, DemoVillage
from seed.reference import CENTER_LAT, CENTER_LON, KM_PER_DEG_LAT, KM_PER_DEG_LON


def to_lonlat(geom: BaseGeometry) -> BaseGeometry:
    """Local kilometres around the county centre to WGS-84 degrees (an affine map, so
    shared vertices stay shared and the tiling survives)."""
    return affinity.affine_transform(
        geom, [1 / KM_PER_DEG_LON, 0, 0, 1 / KM_PER_DEG_LAT, CENTER_LON, CENTER_LAT]
    )


def _polygons(geom: BaseGeometry) -> list[Polygon]:
    return [g for g in shapely.get_parts(geom) if isinstance(g, Polygon) and not g.is_empty]


def multi(geom: BaseGeometry) -> MultiPolygon:
    """The polygonal parts of ``geom`` as one MultiPolygon (the columns are MULTIPOLYGON)."""
    polys = _polygons(geom)
    if not polys:
        raise ValueError("empty polygonal geometry")
    return MultiPolygon(polys)


@dataclass(slots=True)
class Place:
    """A village ready for sampling points in it."""

    village: DemoVillage
    township: DemoTownship
    geom: MultiPolygon
    boundary: BaseGeometry
    bounds: tuple[float, float, float, float]
    margin: float
    centre: Point


def point_in(rng: random.Random, place: Place, near: Point | None = None,
             radius_m: float = 0.0) -> Point:
    """A point strictly inside the village, at least ``place.margin`` from its edge;
    within ``radius_m`` metres of ``near`` when given (and possible)."""
    geom = place.geom
    tries = 0
    while True:
        tries += 1
        if near is not None and tries <= 40:
            dx = rng.uniform(-radius_m, radius_m) / 1000 / KM_PER_DEG_LON
            dy = rng.uniform(-radius_m, radius_m) / 1000 / KM_PER_DEG_LAT
            x, y = near.x + dx, near.y + dy
        elif near is not None and tries == 41:
            return near
        else:
            minx, miny, maxx, maxy = place.bounds
            x, y = rng.uniform(minx, maxx), rng.uniform(miny, maxy)
        x, y = round(x, 7), round(y, 7)
        if not shapely.contains_xy(geom, x, y):
            continue
        margin = place.margin if tries < 400 else place.margin / 10
        if tries > 2000:
            return place.centre
        p = Point(x, y)
        if place.boundary.distance(p) > margin:
            return p


def report_fields(rng: random.Random, point: Point, place: Place) -> dict[str, Any]:
    """The location columns of a report made at ``point``, as a phone sends them
    (GCJ-02 with some accuracy)."""
    lon, lat = wgs84_to_gcj02(point.x, point.y)
    return {
        "point": point,
        "reported_lon": round(lon, 6),
        "reported_lat": round(lat, 6),
        "datum": Datum.GCJ02,
        "accuracy_m": float(rng.choice((5, 8, 10, 12, 15, 20, 30, 45))),
        "township_id": place.township.id,
        "village_grid_id": place.village.id,
    }
