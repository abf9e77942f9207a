"""Set-based re-assignment of located records to village grids, one UPDATE per table.

After boundaries change, every lead, sighting, visit, task answer, case address and debtor
home must land in the grid that now holds it: one ``UPDATE … FROM`` per table, driven by
the GiST index on the grids (``ST_Covers`` for inside, KNN ``<->`` for outside), never a
Python loop. The rule is the one ``enforcement.placement`` applies on write, so a record
gets the same grid whether it was written today or re-assigned tomorrow:

* inside (or on the edge of) one or more grids → the grid with the lowest code (then id):
  a point on a shared border lands in exactly one grid, the same one every time;
* outside every grid → the nearest grid (8 KNN candidates, then the exact distance on the
  spheroid), ``outside_grid`` true and ``nearest_grid_distance_m`` set (rounded to 0.1 m);
* the township is the chosen grid's township.

Only rows whose placement changes are written (with ``version + 1``), so the sync feed sees
real changes only. Tables and columns are arguments: ``geo`` knows no domain model.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

KNN_CANDIDATES = 8
"""Grids ranked by planar distance before the spheroidal distance picks the nearest."""


@dataclass(frozen=True, slots=True)
class PointTable:
    """A table of located records: its point column, and whether it can flag outsiders."""

    table: str
    point_column: str = "point"
    flags: bool = True
    """Has ``outside_grid`` and ``nearest_grid_distance_m``."""


@dataclass(frozen=True, slots=True)
class Reassigned:
    table: str
    updated: int
    """Rows whose placement changed in any way (grid, township, flag or distance)."""
    moved: int
    """Rows now in a different village grid than before."""


PLACED_COLUMNS = """coalesce(cov.id, near.id) AS grid_id,
                   coalesce(cov.township_id, near.township_id) AS township_id,
                   cov.id IS NULL AS outside,
                   CASE WHEN cov.id IS NULL
                        THEN round(near.distance::numeric, 1)::float8 END AS distance"""
"""What ``placement_joins`` decides: grid, township, outside flag, distance (0.1 m)."""


def placement_joins(point: str, court: str, grid_table: str = "village_grid") -> str:
    """The placement rule as two LATERAL joins (``cov``: the covering grid with the lowest
    code; ``near``: the nearest grid when none covers) for the SQL expressions ``point``
    and ``court``. Re-assignment and placement on write both use it: one rule, one place."""
    g = grid_table
    return f"""LEFT JOIN LATERAL (
                SELECT g.id, g.township_id FROM {g} AS g
                WHERE g.court_id = {court} AND ST_Covers(g.geom, {point})
                ORDER BY g.code, g.id LIMIT 1
            ) AS cov ON true
            LEFT JOIN LATERAL (
                SELECT k.id, k.township_id,
                       ST_Distance(k.geom::geography, ({point})::geography) AS distance
                FROM (SELECT g.id, g.township_id, g.code, g.geom FROM {g} AS g
                      WHERE g.court_id = {court} AND cov.id IS NULL
                      ORDER BY g.geom <-> {point} LIMIT {KNN_CANDIDATES}) AS k
                ORDER BY distance, k.code, k.id LIMIT 1
            ) AS near ON true"""


def reassign_sql(target: PointTable, grid_table: str = "village_grid") -> sa.TextClause:
    """The statement re-placing every located row of ``target`` in the court ``:court``."""
    t, p, g = target.table, target.point_column, grid_table
    flag_sets = (", outside_grid = p.outside, nearest_grid_distance_m = p.distance"
                 if target.flags else "")
    flag_diff = ("OR t.outside_grid IS DISTINCT FROM p.outside "
                 "OR t.nearest_grid_distance_m IS DISTINCT FROM p.distance"
                 if target.flags else "")
    return sa.text(f"""
        WITH placed AS (
            SELECT r.court_id, r.id, r.village_grid_id AS old_grid, {PLACED_COLUMNS}
            FROM {t} AS r
            {placement_joins(f"r.{p}", "r.court_id", g)}
            WHERE r.court_id = :court AND r.{p} IS NOT NULL
        ), changed AS (
            UPDATE {t} AS t
            SET village_grid_id = p.grid_id, township_id = p.township_id{flag_sets},
                version = t.version + 1, updated_at = now()
            FROM placed AS p
            WHERE t.court_id = p.court_id AND t.id = p.id
              AND (t.village_grid_id IS DISTINCT FROM p.grid_id
                   OR t.township_id IS DISTINCT FROM p.township_id {flag_diff})
            RETURNING p.old_grid IS DISTINCT FROM p.grid_id AS moved
        )
        SELECT count(*) AS updated, count(*) FILTER (WHERE moved) AS moved FROM changed
    """)


@dataclass(frozen=True, slots=True)
class GridPlacement:
    """Where one point lands: its grid and township (None when the court has no grid),
    whether it lies outside every grid and, then, how far from the nearest (metres)."""

    village_grid_id: str | None
    township_id: str | None
    outside_grid: bool
    nearest_grid_distance_m: float | None


def place_points(conn: Connection | Session, court_id: str,
                 points: Sequence[tuple[float, float]],
                 grid_table: str = "village_grid") -> list[GridPlacement]:
    """Place WGS-84 (lon, lat) points of one court, in order, with one statement: a push of
    a thousand new leads costs one query, not a thousand (bench/profile-findings.md)."""
    if not points:
        return []
    rows = conn.execute(sa.text(f"""
        SELECT p.ord, {PLACED_COLUMNS}
        FROM unnest(CAST(:lons AS float8[]), CAST(:lats AS float8[]))
             WITH ORDINALITY AS p(lon, lat, ord)
        CROSS JOIN LATERAL (SELECT ST_SetSRID(ST_MakePoint(p.lon, p.lat), 4326) AS geom) AS pt
        {placement_joins("pt.geom", ":court", grid_table)}
        ORDER BY p.ord
    """), {"court": court_id, "lons": [float(lon) for lon, _ in points],
           "lats": [float(lat) for _, lat in points]})
    return [GridPlacement(r.grid_id, r.township_id, bool(r.outside), r.distance) for r in rows]


def reassign(conn: Connection, target: PointTable, court_id: str,
             grid_table: str = "village_grid") -> Reassigned:
    """Re-place every located row of one table in one court; the caller owns the transaction."""
    row = conn.execute(reassign_sql(target, grid_table), {"court": court_id}).one()
    return Reassigned(target.table, int(row.updated), int(row.moved))
