"""The database's rule for placing points on grids, as SQL pieces: the covering grid (lowest
code, then id), the nearest grid on the spheroid for a point outside every grid (distance
rounded to 0.1 m), and the write-back of changed placements. ``geo.assignment`` runs it;
``geo.staged_assignment`` and ``geo.inprocess_placement`` reproduce its answers and leave
it whatever they cannot decide. See ``geo.assignment`` for the rule and why it is fast.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from geo import grid_cells

KNN_CANDIDATES = 8
"""Grids ranked by planar distance before the spheroidal distance picks the nearest."""
CELL_MIN_ROWS = 50_000
"""From this many rows (planner estimate) the lattice pays for its build (0.3–1 s)."""
LONGITUDE_SCALE = "cos(radians(least(89.9, greatest(abs(ST_Y(c.pt)), :max_lat) + 0.1)))"
"""cos of the highest latitude a geodesic shorter than ``PRUNE_WITHIN_M`` between the point
and any grid can reach (the point's or the grids' highest, plus 0.1° for its bulge)."""
METRES_PER_SCALED_DEGREE = 0.99 * 110_574.0
"""After longitude is multiplied by ``LONGITUDE_SCALE``, one planar degree is at least
110,574 m on the ellipsoid (the meridian scale at the equator, the smallest scale there
is); 1 % margin for the spheroidal approximations of ``ST_Distance(geography)``."""
MARGIN_M = 10.0
"""Absolute margin: geography edges are great-circle arcs, geometry edges straight lines
in degrees; over a 25 km edge they part by less than 10 m."""
PRUNE_WITHIN_M = 100_000.0
"""Pruning is used only when the first candidate is nearer than this (short geodesics)."""
STATEMENT_SETTINGS = {"jit": "off", "work_mem": "64MB", "enable_mergejoin": "off"}
"""Set for the statement only. JIT compiled the per-row expressions for longer than they
ran; the hash join of points to cells wants more than the default 4 MB; and without merge
joins the planner hashes the few thousand cells instead of sorting every point by cell:
that sort spilled to disk from about a million rows, and it handed the UPDATE its rows in
cell order rather than table order (bench/profile-findings.md, finding 4: 30 % of the
statement's CPU at 1,000,000 points, 10 % at 200,000)."""


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


def covering_lateral(point: str, g: str) -> str:
    """The covering grid with the lowest code of the SQL expression ``point``, through one
    GiST probe per point."""
    return f"""
        LEFT JOIN LATERAL (
            SELECT g.id, g.township_id FROM {g} AS g
            WHERE g.court_id = :court AND ST_Covers(g.geom, {point})
            ORDER BY g.code, g.id LIMIT 1
        ) AS cov ON true"""


def nearest_lateral(g: str, only_if: str = "true") -> str:
    """``near``: the nearest grid of ``c.pt``, covered by none (see the module docstring).

    The spheroidal distance d1 to the planar-nearest grid is measured first. Another grid
    can only be nearer if its lower bound (``METRES_PER_SCALED_DEGREE`` × planar distance
    with longitude scaled) is within d1 + ``MARGIN_M``; since scaling shrinks distances by
    at most ``LONGITUDE_SCALE``, such grids lie within a planar radius that the GiST index
    searches directly (``ST_DWithin``), still the nearest ``KNN_CANDIDATES`` of them by
    planar distance. Only those passing the exact bound are measured: the others are
    provably farther, so the answer is the one measuring all candidates gives. Points for
    which the SQL condition ``only_if`` is false get no ``near`` row."""
    scaled = (f"ST_Distance(ST_Scale(k.geom, {LONGITUDE_SCALE}, 1), "
              f"ST_Scale(c.pt, {LONGITUDE_SCALE}, 1))")
    radius = (f"CASE WHEN first.d1 >= {PRUNE_WITHIN_M} THEN 1000 ELSE (first.d1 + "
              f"{MARGIN_M}) / ({METRES_PER_SCALED_DEGREE} * {LONGITUDE_SCALE}) END")
    return f"""
        LEFT JOIN LATERAL (
            SELECT f.id, ST_Distance(f.geom::geography, c.pt::geography) AS d1
            FROM {g} AS f WHERE f.court_id = :court AND ({only_if})
            ORDER BY f.geom <-> c.pt LIMIT 1
        ) AS first ON true
        LEFT JOIN LATERAL (
            SELECT k.id, k.township_id,
                   CASE WHEN k.id = first.id THEN first.d1
                        ELSE ST_Distance(k.geom::geography, c.pt::geography) END AS distance
            FROM (SELECT g.id, g.township_id, g.code, g.geom FROM {g} AS g
                  WHERE g.court_id = :court AND ST_DWithin(g.geom, c.pt, {radius})
                  ORDER BY g.geom <-> c.pt LIMIT {KNN_CANDIDATES}) AS k
            WHERE k.id = first.id OR first.d1 >= {PRUNE_WITHIN_M}
               OR {METRES_PER_SCALED_DEGREE} * {scaled} <= first.d1 + {MARGIN_M}
            ORDER BY distance, k.code, k.id LIMIT 1
        ) AS near ON true"""


def write_placed(target: PointTable) -> str:
    """The end of a re-placing statement: write the CTE ``placed`` (id, old_grid, grid_id,
    township_id, outside, distance) into ``target``, only rows whose placement changed,
    and count the rows written and those that moved to another grid."""
    t = target.table
    flag_sets = (", outside_grid = p.outside, nearest_grid_distance_m = p.distance"
                 if target.flags else "")
    flag_diff = ("OR t.outside_grid IS DISTINCT FROM p.outside "
                 "OR t.nearest_grid_distance_m IS DISTINCT FROM p.distance"
                 if target.flags else "")
    return f""", changed AS (
            UPDATE {t} AS t
            SET village_grid_id = p.grid_id, township_id = p.township_id{flag_sets},
                version = t.version + 1, updated_at = now()
            FROM placed AS p
            WHERE t.court_id = :court AND t.id = p.id
              AND (t.village_grid_id IS DISTINCT FROM p.grid_id
                   OR t.township_id IS DISTINCT FROM p.township_id {flag_diff})
            RETURNING p.old_grid IS DISTINCT FROM p.grid_id AS moved
        )
        SELECT count(*) AS updated, count(*) FILTER (WHERE moved) AS moved FROM changed"""


def reassign_sql(target: PointTable, grid_table: str = "village_grid",
                 cells: bool = False) -> sa.TextClause:
    """The statement re-placing every located row of ``target`` in the court ``:court``;
    with ``cells`` the lattice of :mod:`geo.grid_cells` must exist (:func:`reassign`).

    Covered points are placed first (``covered``); only the points no grid covers go
    through the nearest-grid search, so the covered majority pays nothing for it."""
    t, p, g = target.table, target.point_column, grid_table
    covering = grid_cells.covering_join(p) if cells else covering_lateral(f"r.{p}", g)
    return sa.text(f"""
        WITH covered AS MATERIALIZED (
            SELECT r.id, r.{p} AS pt, r.village_grid_id AS old_grid,
                   cov.id AS grid_id, cov.township_id
            FROM {t} AS r
            {covering}
            WHERE r.court_id = :court AND r.{p} IS NOT NULL
        ), placed AS (
            SELECT id, old_grid, grid_id, township_id,
                   false AS outside, NULL::float8 AS distance
            FROM covered WHERE grid_id IS NOT NULL
            UNION ALL
            SELECT c.id, c.old_grid, near.id, near.township_id,
                   true, round(near.distance::numeric, 1)::float8
            FROM covered AS c
            {nearest_lateral(g)}
            WHERE c.grid_id IS NULL
        ){write_placed(target)}
    """)


def estimated_rows(conn: Connection, table: str) -> float:
    """The planner's row estimate of a table (-1 when it was never analysed)."""
    return float(conn.execute(sa.text(
        "SELECT coalesce((SELECT reltuples FROM pg_class WHERE oid = to_regclass(:t)), -1)"),
        {"t": table}).scalar_one())


@contextmanager
def statement_settings(conn: Connection) -> Iterator[None]:
    """Apply ``STATEMENT_SETTINGS`` inside the caller's transaction, then put back what was."""
    before = {name: conn.execute(sa.text("SELECT current_setting(:n)"), {"n": name})
              .scalar_one() for name in STATEMENT_SETTINGS}
    for name, value in STATEMENT_SETTINGS.items():
        conn.execute(sa.text("SELECT set_config(:n, :v, true)"), {"n": name, "v": value})
    yield  # on an error the transaction is aborted and its rollback undoes the settings
    for name, value in before.items():
        conn.execute(sa.text("SELECT set_config(:n, :v, true)"), {"n": name, "v": value})
