"""A throw-away lattice over one court's village grids that answers "which grid covers
this point" with a hash join instead of one GiST probe per point.

Bulk re-assignment of a million points spent most of its covers time starting an index
scan and a sort per point. Here the grids' extent is cut into square cells; a cell that
touches exactly one grid and lies wholly inside it is *sure*: every point in it is covered
by that grid and by no other, with no geometry test at all. A point in any other cell is
tested with ``ST_Covers`` against the few grids that touch its cell, lowest code first, so
the answer is exactly the one the GiST probe gives (border points included). Cells are
built with a margin of ``CELL_MARGIN`` degrees on every side, so rounding in the cell
number of a point can never put it in a cell that does not hold it.

The lattice lives in a temporary table dropped at commit: it is cheap to build (a few
thousand polygon-box tests) and always matches the boundaries of the same transaction.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.engine import Connection

CELLS_ACROSS = 256
"""Cells along the longer side of the grids' extent (256² cells at most)."""
CELL_MARGIN = 1e-9
"""Degrees added around every cell before testing it against the grids (~0.1 mm)."""
CELL_TABLE = "assignment_cell"


@dataclass(frozen=True, slots=True)
class Lattice:
    """Where cell (0, 0) starts and how wide a cell is, in degrees."""

    x0: float
    y0: float
    size: float
    max_abs_lat: float
    """The largest |latitude| of the grids: bounds metres per degree (see assignment)."""


def extent(conn: Connection, court_id: str, grid_table: str) -> Lattice | None:
    """The lattice over a court's grids, or None when the court has no grids."""
    row = conn.execute(sa.text(f"""
        SELECT ST_XMin(e) AS x0, ST_YMin(e) AS y0, ST_XMax(e) AS x1, ST_YMax(e) AS y1
        FROM (SELECT ST_Extent(geom) AS e FROM {grid_table} WHERE court_id = :court) s
    """), {"court": court_id}).one()
    if row.x0 is None:
        return None
    size = max(row.x1 - row.x0, row.y1 - row.y0, 1e-6) / CELLS_ACROSS
    return Lattice(row.x0, row.y0, size, max(abs(row.y0), abs(row.y1)))


def build(conn: Connection, court_id: str, grid_table: str, lattice: Lattice) -> None:
    """(Re)create the cell table: one row per cell and grid touching it, with the grid's
    rank by code inside the cell and whether the cell is sure."""
    conn.execute(sa.text(f"DROP TABLE IF EXISTS pg_temp.{CELL_TABLE}"))
    conn.execute(sa.text(f"""
        CREATE TEMPORARY TABLE {CELL_TABLE} ON COMMIT DROP AS
        WITH pair AS (
            SELECT cx, cy, g.id, g.township_id, g.code, g.geom,
                   ST_MakeEnvelope(:x0 + cx * :s - :m, :y0 + cy * :s - :m,
                                   :x0 + (cx + 1) * :s + :m, :y0 + (cy + 1) * :s + :m,
                                   4326) AS box
            FROM {grid_table} AS g,
                 generate_series(floor((ST_XMin(g.geom) - :x0) / :s)::int - 1,
                                 floor((ST_XMax(g.geom) - :x0) / :s)::int + 1) AS cx,
                 generate_series(floor((ST_YMin(g.geom) - :y0) / :s)::int - 1,
                                 floor((ST_YMax(g.geom) - :y0) / :s)::int + 1) AS cy
            WHERE g.court_id = :court
        ), touching AS (
            SELECT cx, cy, id, township_id, code, geom, ST_Covers(geom, box) AS holds_cell
            FROM pair WHERE ST_Intersects(geom, box)
        )
        SELECT cx, cy, id, township_id, geom,
               holds_cell AND count(*) OVER (PARTITION BY cx, cy) = 1 AS sure,
               row_number() OVER (PARTITION BY cx, cy ORDER BY code, id) AS rank
        FROM touching
    """), {"court": court_id, "x0": lattice.x0, "y0": lattice.y0, "s": lattice.size,
           "m": CELL_MARGIN})
    conn.execute(sa.text(f"CREATE INDEX ON {CELL_TABLE} (cx, cy, rank)"))
    conn.execute(sa.text(f"ANALYZE {CELL_TABLE} (cx, cy, rank, sure)"))


def covering_join(point: str) -> str:
    """SQL joining ``r`` (alias) to the one cell row whose grid covers ``r.<point>``:
    ``LEFT JOIN`` so that a point covered by no grid keeps a row with ``cov.id`` NULL.
    The lowest-ranked covering grid wins: a grid of rank > 1 is taken only when no grid
    of lower rank in the same cell covers the point."""
    return f"""
        LEFT JOIN {CELL_TABLE} AS cov
          ON cov.cx = floor((ST_X(r.{point}) - :x0) / :s)::int
         AND cov.cy = floor((ST_Y(r.{point}) - :y0) / :s)::int
         AND (cov.sure OR (ST_Covers(cov.geom, r.{point}) AND (cov.rank = 1 OR NOT EXISTS (
              SELECT 1 FROM {CELL_TABLE} AS lower
              WHERE lower.cx = cov.cx AND lower.cy = cov.cy AND lower.rank < cov.rank
                AND ST_Covers(lower.geom, r.{point})))))"""


def params(lattice: Lattice) -> dict[str, float]:
    """Bind values for :func:`covering_join`."""
    return {"x0": lattice.x0, "y0": lattice.y0, "s": lattice.size}
