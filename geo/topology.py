"""Overlaps and gaps between neighbouring grids, with their areas in square metres.

Two villages that both claim a strip of land send the same lead to two assistants; a hole
between villages leaves a strip nobody serves. The import reports both so that the land
office can fix its file. Computed in PostGIS on the stored (already repaired) layer of one
court, so a partial re-import is checked against the grids it did not touch too.

Areas are ``ST_Area(geom::geography)`` (on the spheroid) everywhere in Gridwork, so the
numbers here add up with ``area_m2`` of the grids. A gap is a hole enclosed by the union
of the layer; a notch open to the outside cannot be told from the county's own border and
is not reported. Slivers under ``min_area_m2`` (digitising noise) are ignored.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.engine import Connection

DEFAULT_MIN_AREA_M2 = 1.0


@dataclass(frozen=True, slots=True)
class Overlap:
    codes: tuple[str, str]
    area_m2: float


@dataclass(frozen=True, slots=True)
class Gap:
    neighbours: tuple[str, ...]
    area_m2: float
    lon: float
    lat: float
    """A point inside the gap, to find it on a map."""


def overlaps(conn: Connection, table: str, court_id: str, *,
             min_area_m2: float = DEFAULT_MIN_AREA_M2) -> list[Overlap]:
    """Pairs of grids of ``table`` in one court whose interiors overlap."""
    rows = conn.execute(sa.text(f"""
        SELECT a, b, area FROM (
            SELECT a.code AS a, b.code AS b,
                   ST_Area(ST_CollectionExtract(ST_Intersection(a.geom, b.geom), 3)::geography)
                       AS area
            FROM {table} AS a
            JOIN {table} AS b ON b.court_id = a.court_id AND a.code < b.code
                 AND a.geom && b.geom AND ST_Relate(a.geom, b.geom, '2********')
            WHERE a.court_id = :court
        ) AS pairs
        WHERE area >= :min_area ORDER BY a, b
    """), {"court": court_id, "min_area": min_area_m2})
    return [Overlap((r.a, r.b), float(r.area)) for r in rows]


def gaps(conn: Connection, table: str, court_id: str, *,
         min_area_m2: float = DEFAULT_MIN_AREA_M2) -> list[Gap]:
    """Holes enclosed by the grids of ``table`` in one court, with the grids around them."""
    rows = conn.execute(sa.text(f"""
        WITH layer AS (
            SELECT ST_Union(geom) AS geom FROM {table} WHERE court_id = :court
        ), parts AS (
            SELECT (ST_Dump(geom)).geom AS geom FROM layer
        ), holes AS (
            SELECT ST_MakePolygon(ST_InteriorRingN(p.geom, n)) AS geom
            FROM parts AS p, generate_series(1, ST_NumInteriorRings(p.geom)) AS n
        ), measured AS (
            SELECT geom, ST_Area(geom::geography) AS area FROM holes
        )
        SELECT m.area, ST_X(ST_PointOnSurface(m.geom)) AS lon,
               ST_Y(ST_PointOnSurface(m.geom)) AS lat,
               ARRAY(SELECT t.code FROM {table} AS t
                     WHERE t.court_id = :court AND ST_Intersects(t.geom, m.geom)
                     ORDER BY t.code) AS neighbours
        FROM measured AS m WHERE m.area >= :min_area ORDER BY m.area DESC
    """), {"court": court_id, "min_area": min_area_m2})
    return [Gap(tuple(r.neighbours), float(r.area), float(r.lon), float(r.lat)) for r in rows]
