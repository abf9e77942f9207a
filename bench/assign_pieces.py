"""Where bulk assignment's time goes, piece by piece (bench/profile-findings.md, finding 4).
批量网格分配各部分耗时。

EXPLAIN ANALYZE times every node and inflates the nearest-grid search most, so the pieces
are timed as plain statements instead, each the median of three, on the same seeded points
as bench.assign_ab and with the statement's own settings: building the cell lattice, the
covering join alone, the covering join plus the nearest-grid search of the points no grid
covers, the spheroidal distances alone (each outside point to its chosen grid, read from
a temporary table: the floor of any nearest-grid search), the whole
statement, and an UPDATE of every row with constants (the write with no placement).

    DATABASE_URL=… .venv/bin/python -m bench.assign_pieces --points 200000
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

import sqlalchemy as sa
from sqlalchemy.engine import Connection, make_url

from bench.assign_ab import TABLE, fresh_points, make_source
from bench.common import database_url
from geo import grid_cells
from geo.placement_rule import nearest_lateral, reassign_sql, statement_settings


def timed(conn: Connection, sql: str, params: dict, repeat: int = 3) -> float:
    """Median seconds of ``sql``, each run rolled back to a savepoint."""
    seconds = []
    for _ in range(repeat):
        conn.execute(sa.text("SAVEPOINT piece"))
        started = time.perf_counter()
        result = conn.execute(sa.text(sql), params)
        if result.returns_rows:
            result.all()
        seconds.append(time.perf_counter() - started)
        conn.execute(sa.text("ROLLBACK TO SAVEPOINT piece"))
    return statistics.median(seconds)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Bulk assignment, timed piece by piece. "
                                     "批量网格分配分段计时。")
    parser.add_argument("--points", type=int, default=200_000, help="random points / 点数")
    parser.add_argument("--database", default="gridwork_bench",
                        help="database made by bench.run / 基准数据库名")
    args = parser.parse_args(argv)
    url = database_url()
    engine = sa.create_engine(make_url(url).set(database=args.database))
    with engine.begin() as conn:
        court = conn.execute(sa.text("SELECT court_id FROM village_grid LIMIT 1")).scalar()
        make_source(conn, court, args.points, 0.42)
        fresh_points(conn)
    with engine.begin() as conn, statement_settings(conn):
        lattice = grid_cells.extent(conn, court, "village_grid")
        assert lattice is not None
        started = time.perf_counter()
        grid_cells.build(conn, court, "village_grid", lattice)
        built = time.perf_counter() - started
        params = {"court": court, "max_lat": lattice.max_abs_lat} | grid_cells.params(lattice)
        covered = (f"WITH covered AS MATERIALIZED (SELECT r.id, r.point AS pt, cov.id AS grid_id "
                   f"FROM bench_point AS r {grid_cells.covering_join('point')} "
                   f"WHERE r.court_id = :court AND r.point IS NOT NULL)")
        pieces = {
            "covering join": f"{covered} SELECT count(grid_id) FROM covered",
            "covering join + nearest grid": f"{covered} SELECT sum(near.distance) FROM "
            f"covered AS c {nearest_lateral('village_grid')} WHERE c.grid_id IS NULL",
            "whole statement": reassign_sql(TABLE, "village_grid", cells=True).text,
            "write only (constants)": "UPDATE bench_point SET village_grid_id = 'x', "
            "township_id = 'y', outside_grid = false, nearest_grid_distance_m = 1, "
            "version = version + 1, updated_at = now()",
        }
        seconds = {name: timed(conn, sql, params) for name, sql in pieces.items()}
        conn.execute(reassign_sql(TABLE, "village_grid", cells=True), params)
        conn.execute(sa.text("""
            CREATE TEMPORARY TABLE assign_piece_outside ON COMMIT DROP AS
            SELECT g.geom, b.point FROM bench_point AS b
            JOIN village_grid AS g ON g.id = b.village_grid_id WHERE b.outside_grid"""))
        seconds["spheroidal distances alone"] = timed(conn, """
            SELECT sum(ST_Distance(geom::geography, point::geography))
            FROM assign_piece_outside""", {})
        outside = conn.execute(sa.text(
            "SELECT count(*) FROM bench_point WHERE outside_grid")).scalar_one()
    print(f"{args.points:,} points, {outside:,} outside every grid; "
          f"load average {os.getloadavg()[0]:.1f}")
    print(f"  {'cell lattice build':<32} {built:6.2f} s")
    for name, s in seconds.items():
        print(f"  {name:<32} {s:6.2f} s")
    engine.dispose()


if __name__ == "__main__":
    main()
