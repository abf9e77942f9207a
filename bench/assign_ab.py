"""In-process A/B of bulk point-to-grid assignment statements (bench/profile-findings.md,
finding 4). 在同一进程中交替比较批量网格分配语句的速度。

Every repetition re-creates the same seeded random points (the bench row's table shape),
runs each variant on a fresh copy in its own transaction, times it, and checks that it puts
every point in the same grid, with the same flag and distance, as the statement it
replaces. Variants run in a rotating order so that a noisy minute on the shared machine
does not favour one of them, and besides the wall time each run reports the CPU time the
PostgreSQL backend spent on it (from /proc: the server must run on this machine), which
the other engineers' load inflates far less. Needs the database that
`python -m bench.run --only assign` made:

    DATABASE_URL=… .venv/bin/python -m bench.assign_ab --points 200000 --repeat 3
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from collections.abc import Callable
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Connection, make_url

from bench.common import database_url
from geo.assignment import reassign
from geo.placement_rule import STATEMENT_SETTINGS, PointTable

TABLE = PointTable("bench_point")

BEFORE_SQL = """
    WITH placed AS (
        SELECT r.court_id, r.id, coalesce(cov.id, near.id) AS grid_id,
               coalesce(cov.township_id, near.township_id) AS township_id,
               cov.id IS NULL AS outside,
               CASE WHEN cov.id IS NULL THEN round(near.distance::numeric, 1)::float8 END
                   AS distance
        FROM bench_point AS r
        LEFT JOIN LATERAL (
            SELECT g.id, g.township_id FROM village_grid AS g
            WHERE g.court_id = r.court_id AND ST_Covers(g.geom, r.point)
            ORDER BY g.code, g.id LIMIT 1
        ) AS cov ON true
        LEFT JOIN LATERAL (
            SELECT k.id, k.township_id,
                   ST_Distance(k.geom::geography, r.point::geography) AS distance
            FROM (SELECT g.id, g.township_id, g.code, g.geom FROM village_grid AS g
                  WHERE g.court_id = r.court_id AND cov.id IS NULL
                  ORDER BY g.geom <-> r.point LIMIT 8) AS k
            ORDER BY distance, k.code, k.id LIMIT 1
        ) AS near ON true
        WHERE r.court_id = :court AND r.point IS NOT NULL
    )
    UPDATE bench_point AS t
    SET village_grid_id = p.grid_id, township_id = p.township_id, outside_grid = p.outside,
        nearest_grid_distance_m = p.distance, version = t.version + 1, updated_at = now()
    FROM placed AS p
    WHERE t.court_id = p.court_id AND t.id = p.id
"""
"""The statement of geo.assignment before finding 4 was worked on (commit b20120f)."""


def before(jit: bool) -> Callable[[Connection, str], None]:
    def run(conn: Connection, court_id: str) -> None:
        conn.execute(sa.text(f"SET LOCAL jit = {'on' if jit else 'off'}"))
        conn.execute(sa.text(BEFORE_SQL), {"court": court_id})
    return run


def after(cells: bool, merge_joins: bool = False) -> Callable[[Connection, str], None]:
    """Today's SQL statement; ``merge_joins`` allows them as before the second round of
    finding 4 (commit 02b4017), when the points were sorted by cell."""
    def run(conn: Connection, court_id: str) -> None:
        saved = dict(STATEMENT_SETTINGS)
        if merge_joins:
            STATEMENT_SETTINGS.pop("enable_mergejoin", None)
        try:
            reassign(conn, TABLE, court_id, cells=cells, in_process=False)
        finally:
            STATEMENT_SETTINGS.clear()
            STATEMENT_SETTINGS.update(saved)
    return run


def in_process(conn: Connection, court_id: str) -> None:
    reassign(conn, TABLE, court_id, in_process=True)


def in_process_once(conn: Connection, court_id: str) -> None:
    """Finding 7's path: everything read, placed, COPYed, then one UPDATE."""
    from bench.assign_once import reassign_in_process as once
    once(conn, TABLE, court_id)


VARIANTS: dict[str, Callable[[Connection, str], None]] = {
    "before (JIT on)": before(True),
    "before, JIT off": before(False),
    "GiST covers + pruned nearest": after(False),
    "cells + pruned nearest": after(True),
    "cells, merge joins (02b4017)": after(True, merge_joins=True),
    "in process, one UPDATE (finding 7)": in_process_once,
    "in process, chunks overlapped": in_process,
}
"""Variants 6 and 7 place the points in this process (finding 7: bench.assign_once, all
read, placed and COPYed, then one UPDATE; finding 12: geo.staged_assignment, chunks of
pages placed here while the previous chunk is written): their client CPU is this
process's, the others' is nearly nil."""


def fresh_points(conn: Connection) -> None:
    conn.execute(sa.text("DROP TABLE IF EXISTS bench_point"))
    conn.execute(sa.text("""
        CREATE UNLOGGED TABLE bench_point (
            court_id text NOT NULL, id text NOT NULL, point geometry(Point, 4326),
            village_grid_id text, township_id text, outside_grid boolean,
            nearest_grid_distance_m double precision, version integer NOT NULL DEFAULT 1,
            updated_at timestamptz, PRIMARY KEY (court_id, id));
        INSERT INTO bench_point (court_id, id, point) SELECT court_id, id, point FROM ab_source;
        ANALYZE bench_point;
    """))


def make_source(conn: Connection, court_id: str, n: int, seed: float) -> None:
    conn.execute(sa.text("SELECT setseed(:s)"), {"s": seed})
    conn.execute(sa.text("DROP TABLE IF EXISTS ab_source"))
    conn.execute(sa.text("""
        CREATE UNLOGGED TABLE ab_source AS
        SELECT CAST(:c AS text) AS court_id, n::text AS id,
               ST_SetSRID(ST_MakePoint(b.x0 + random() * (b.x1 - b.x0),
                                       b.y0 + random() * (b.y1 - b.y0)), 4326) AS point
        FROM (SELECT ST_XMin(e) x0, ST_XMax(e) x1, ST_YMin(e) y0, ST_YMax(e) y1
              FROM (SELECT ST_Extent(geom) e FROM village_grid WHERE court_id = :c) s) b,
             generate_series(1, :n) n
    """), {"c": court_id, "n": n})


def backend_cpu_seconds(pid: int) -> float:
    """User + system CPU time of one PostgreSQL backend so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def placements(conn: Connection) -> list[tuple]:
    return [tuple(r) for r in conn.execute(sa.text(
        "SELECT id, village_grid_id, township_id, outside_grid, nearest_grid_distance_m "
        "FROM bench_point ORDER BY id"))]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="A/B of bulk assignment statements. "
                                     "批量网格分配语句的交替对比。")
    parser.add_argument("--points", type=int, default=200_000, help="random points / 点数")
    parser.add_argument("--repeat", type=int, default=3, help="repetitions / 重复次数")
    parser.add_argument("--database", default="gridwork_bench",
                        help="database made by bench.run / 基准数据库名")
    parser.add_argument("--only", default="", help="comma-separated variant numbers "
                        "(1-based) / 只运行这些变体")
    args = parser.parse_args(argv)
    url = database_url()
    engine = sa.create_engine(make_url(url).set(database=args.database))
    names = list(VARIANTS)
    if args.only:
        names = [names[int(i) - 1] for i in args.only.split(",")]
    with engine.begin() as conn:
        court_id = conn.execute(sa.text("SELECT court_id FROM village_grid LIMIT 1")).scalar()
        make_source(conn, court_id, args.points, 0.42)
    seconds: dict[str, list[float]] = {name: [] for name in names}
    cpu: dict[str, list[float]] = {name: [] for name in names}
    client: dict[str, list[float]] = {name: [] for name in names}
    reference: list[tuple] | None = None
    for rep in range(args.repeat):
        for name in names[rep % len(names):] + names[:rep % len(names)]:
            with engine.begin() as conn:
                fresh_points(conn)
            with engine.begin() as conn:
                pid = conn.execute(sa.text("SELECT pg_backend_pid()")).scalar_one()
                cpu_before, started = backend_cpu_seconds(pid), time.perf_counter()
                client_before = time.process_time()
                VARIANTS[name](conn, court_id)
                client[name].append(time.process_time() - client_before)
            seconds[name].append(time.perf_counter() - started)
            cpu[name].append(backend_cpu_seconds(pid) - cpu_before)
            with engine.connect() as conn:
                got = placements(conn)
            reference = reference or got
            differ = sum(1 for a, b in zip(reference, got, strict=True) if a != b)
            print(f"rep {rep + 1} {name:<32} {seconds[name][-1]:7.2f} s "
                  f"{args.points / seconds[name][-1]:>10,.0f} points/s  "
                  f"backend CPU {cpu[name][-1]:6.2f} s  client CPU {client[name][-1]:5.2f} s  "
                  f"{differ} differ from {names[0]!r}", flush=True)
    print(f"load average {os.getloadavg()[0]:.1f}; medians:")
    for name in names:
        m, c = statistics.median(seconds[name]), statistics.median(cpu[name])
        print(f"  {name:<32} {m:7.2f} s {args.points / m:>10,.0f} points/s; backend CPU "
              f"{c:6.2f} s {args.points / c:>10,.0f} points/CPU-s; client CPU "
              f"{statistics.median(client[name]):5.2f} s")
    with engine.begin() as conn:
        conn.execute(sa.text("DROP TABLE IF EXISTS ab_source, bench_point"))
    engine.dispose()


if __name__ == "__main__":
    main()
