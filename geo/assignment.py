"""Set-based re-assignment of located records to village grids, one UPDATE per table.

After boundaries change, every lead, sighting, visit, task answer, case address and debtor
home must land in the grid that now holds it: one ``UPDATE … FROM`` per table, never a
Python loop. The rule is the one ``enforcement.grids.placement`` applies on write, so a record
gets the same grid whether it was written today or re-assigned tomorrow:

* inside (or on the edge of) one or more grids → the grid with the lowest code (then id):
  a point on a shared border lands in exactly one grid, the same one every time;
* outside every grid → the nearest grid on the spheroid among the ``KNN_CANDIDATES``
  nearest by planar distance (ties: lowest code), ``outside_grid`` true and
  ``nearest_grid_distance_m`` set (rounded to 0.1 m);
* the township is the chosen grid's township.

How it stays fast (bench/profile-findings.md, finding 4): JIT is off for the statement (it
compiled for longer than it ran), and so are merge joins (they sorted a big table's points
by cell, and the UPDATE then wrote them out of table order); covered points are placed
first and only the rest search for a nearest grid; a big table finds its covering grid
through a lattice of cells (``geo.grid_cells``: a hash join, no index probe per point), a
small one through the GiST index; and the spheroidal distance, the dearest step, is
measured for the planar-nearest candidate and then only for candidates whose lower bound
(planar distance with longitude scaled, times the smallest metres per degree) does not
already exceed it: the others are provably farther, so skipping them gives the same answer
as measuring all of them.

Only rows whose placement changes are written (with ``version + 1``), so the sync feed sees
real changes only. Tables and columns are arguments: ``geo`` knows no domain model.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from geo import grid_cells
from geo.placement_rule import (
    CELL_MIN_ROWS,
    PointTable,
    Reassigned,
    covering_lateral,
    estimated_rows,
    nearest_lateral,
    reassign_sql,
    statement_settings,
)

IN_PROCESS_MIN_ROWS = 50_000
"""From this many rows the points are placed in process (``geo.staged_assignment``)."""


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
    """Place WGS-84 (lon, lat) points of one court, in order, by the rule above with one
    statement: a push of a thousand new leads costs one query, not a thousand, and a
    record placed on write lands where re-assignment would put it."""
    if not points:
        return []
    lattice = grid_cells.extent(conn, court_id, grid_table)  # type: ignore[arg-type]
    rows = conn.execute(sa.text(f"""
        WITH c AS MATERIALIZED (
            SELECT p.ord, ST_SetSRID(ST_MakePoint(p.lon, p.lat), 4326) AS pt
            FROM unnest(CAST(:lons AS float8[]), CAST(:lats AS float8[]))
                 WITH ORDINALITY AS p(lon, lat, ord)
        )
        SELECT c.ord, coalesce(cov.id, near.id) AS grid_id,
               coalesce(cov.township_id, near.township_id) AS township_id,
               cov.id IS NULL AS outside,
               CASE WHEN cov.id IS NULL THEN round(near.distance::numeric, 1)::float8 END
                   AS distance
        FROM c
        {covering_lateral("c.pt", grid_table)}
        {nearest_lateral(grid_table, only_if="cov.id IS NULL")}
        ORDER BY c.ord
    """), {"court": court_id, "max_lat": lattice.max_abs_lat if lattice else 0.0,
           "lons": [float(lon) for lon, _ in points],
           "lats": [float(lat) for _, lat in points]})
    return [GridPlacement(r.grid_id, r.township_id, bool(r.outside), r.distance) for r in rows]


def reassign(conn: Connection, target: PointTable, court_id: str,
             grid_table: str = "village_grid", *, cells: bool | None = None,
             in_process: bool | None = None) -> Reassigned:
    """Re-place every located row of one table in one court; the caller owns the transaction.

    A table of ``IN_PROCESS_MIN_ROWS`` rows or more has its points placed in process, a
    chunk of pages at a time while the previous chunk is written back with COPY and
    ``UPDATE … FROM`` (``geo.staged_assignment``: same result, several times faster);
    ``in_process`` forces that on or off. ``cells`` forces the lattice of the SQL
    statement on or off (tests, benchmarks); by default a table of ``CELL_MIN_ROWS`` rows
    or more uses it."""
    rows = estimated_rows(conn, target.table)
    if in_process if in_process is not None else rows >= IN_PROCESS_MIN_ROWS:
        from geo.staged_assignment import reassign_in_process  # it builds on this module
        done = reassign_in_process(conn, target, court_id, grid_table)
        if done is not None:
            return done
    lattice = grid_cells.extent(conn, court_id, grid_table)
    use_cells = lattice is not None and (
        cells if cells is not None else rows >= CELL_MIN_ROWS)
    params: dict[str, object] = {"court": court_id,
                                 "max_lat": lattice.max_abs_lat if lattice else 0.0}
    with statement_settings(conn):
        if use_cells and lattice is not None:
            grid_cells.build(conn, court_id, grid_table, lattice)
            params |= grid_cells.params(lattice)
        row = conn.execute(reassign_sql(target, grid_table, use_cells), params).one()
    return Reassigned(target.table, int(row.updated), int(row.moved))
