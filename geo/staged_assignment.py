"""Bulk re-assignment with the points placed in process (:mod:`geo.inprocess_placement`),
in chunks of table pages, placing one chunk while the database writes the previous one.

One PostgreSQL backend can only write on one core, and placing is pure numpy and shapely
(which release the GIL), so the two overlap: a single worker thread owns the connection
and, in order, reads the chunks ahead, COPYs chunk k's placements into a staging table
and runs its ``UPDATE … FROM``, while this thread places the next chunk
(bench/profile-findings.md, finding 12). Everything stays in the caller's transaction: a
reader sees the county either wholly re-assigned or not at all, and an error anywhere
rolls back every chunk with the rest of the import.

A chunk is a range of pages (``ctid``), read and written in table order with a TID range
scan. A staged placement is written only to the very row version that was read (same
``ctid`` and ``xmin``), and only when it differs from what the row holds (compared here,
before the COPY, so unchanged rows cost neither a COPY nor a join). What no chunk could
settle is placed at the end by the SQL rule of :mod:`geo.placement_rule`, from where each
row is then: the points left ``UNDECIDED`` in process, and every row version created by
another transaction since the run began (its ``xmin`` not visible in the snapshot taken
before the first read, and not one of this run's own writes) — a lead a phone moved or
added during the run lands where it now is. So the result is the database rule's for
every row, whoever decided it.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import numpy as np
import psycopg
import shapely
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from geo import grid_cells, inprocess_placement
from geo.placement_rule import (
    PointTable,
    Reassigned,
    covering_lateral,
    nearest_lateral,
    statement_settings,
    write_placed,
)

STAGE = "assignment_placed"
UNDECIDED_STAGE = "assignment_undecided"
CHUNK_ROWS = 100_000
"""Rows (by the planner's estimate of rows per page) per chunk: small enough that placing
the first chunk and writing the last, which cannot overlap, stay short; large enough that
each statement's fixed cost does not matter."""
_HEADER = b"PGCOPY\n\xff\r\n\x00" + b"\x00" * 8
_TRAILER = b"\xff\xff"
_ROW = np.dtype([("fields", ">i2"), ("tlen", ">i4"), ("block", ">u4"), ("offset", ">u2"),
                 ("xlen", ">i4"), ("xmin", ">u4"), ("glen", ">i4"), ("grid", ">i4"),
                 ("dlen", ">i4"), ("distance", ">f8"), ("olen", ">i4"), ("old", ">i4")])
"""One binary COPY row of ``STAGE``: (tid, row_xmin, grid, distance, old_rank)."""
_READ_FIELDS = [("fields", ">i2"), ("tlen", ">i4"), ("block", ">u4"), ("offset", ">u2"),
                ("xlen", ">i4"), ("xmin", ">u4"), ("lonlen", ">i4"), ("x", ">f8"),
                ("latlen", ">i4"), ("y", ">f8"), ("olen", ">i4"), ("old", ">i4"),
                ("slen", ">i4"), ("township_same", "u1")]
_READ = np.dtype(_READ_FIELDS)
"""One binary COPY row as ``read_chunk`` asks for it: where the row is (ctid, xmin), its
point, and what it holds now (its grid's rank, -1 for none; whether its township is that
grid's)."""
_READ_FLAGS = np.dtype([*_READ_FIELDS, ("oflen", ">i4"), ("outside", ">i2"),
                        ("nlen", ">i4"), ("distance_null", "u1"), ("dlen", ">i4"),
                        ("distance", ">f8")])
_COPY_OUT_HEADER = 19
"""Signature, flags and an empty header extension."""


@dataclass(frozen=True, slots=True)
class Run:
    """What every statement of one re-assignment shares."""

    target: PointTable
    grid_table: str
    court_id: str
    grids: inprocess_placement.Grids
    params: dict[str, object]


def load_grids(conn: Connection, court_id: str,
               grid_table: str) -> inprocess_placement.Grids | None:
    """The court's grids, or None when there are none or one is not a valid lon/lat
    polygon (then the SQL rule places everything)."""
    rows = conn.execute(sa.text(f"""
        SELECT id, ST_AsBinary(geom) AS wkb,
               coalesce(ST_IsValid(geom) AND NOT ST_IsEmpty(geom)
                        AND GeometryType(geom) IN ('POLYGON', 'MULTIPOLYGON')
                        AND ST_XMin(geom) >= -180 AND ST_XMax(geom) <= 180
                        AND ST_YMin(geom) >= -90 AND ST_YMax(geom) <= 90, false) AS usable
        FROM {grid_table} WHERE court_id = :court ORDER BY code, id
    """), {"court": court_id}).all()
    lattice = grid_cells.extent(conn, court_id, grid_table)
    if not rows or lattice is None or not all(r.usable for r in rows):
        return None
    polygons = shapely.from_wkb([bytes(r.wkb) for r in rows])
    return inprocess_placement.prepare([r.id for r in rows], polygons, lattice.max_abs_lat)


def reassign_in_process(conn: Connection, target: PointTable, court_id: str,
                        grid_table: str = "village_grid") -> Reassigned | None:
    """``geo.assignment.reassign`` with the placement computed here; None when the grids
    cannot be used here (the caller then runs the SQL statement)."""
    grids = load_grids(conn, court_id, grid_table)
    if grids is None:
        return None
    start = conn.execute(sa.text("""
        SELECT pg_current_snapshot()::text AS snapshot,
               pg_snapshot_xmax(pg_current_snapshot())::text::int8 AS xmax,
               age((pg_snapshot_xmin(pg_current_snapshot())::text::int8 % 4294967296)
                   ::text::xid) AS horizon,
               pg_relation_size(CAST(:t AS regclass))
                   / current_setting('block_size')::int8 AS pages,
               (SELECT reltuples / greatest(relpages, 1) FROM pg_class
                WHERE oid = CAST(:t AS regclass) AND relpages > 0) AS per_page
    """), {"t": target.table}).one()  # the snapshot is taken before the size is read
    conn.execute(sa.text(f"DROP TABLE IF EXISTS pg_temp.{STAGE}, pg_temp.{UNDECIDED_STAGE}"))
    conn.execute(sa.text(f"CREATE TEMPORARY TABLE {STAGE} (tid tid, row_xmin xid, "
                         "grid int4, distance float8, old_rank int4) ON COMMIT DROP"))
    conn.execute(sa.text(f"CREATE TEMPORARY TABLE {UNDECIDED_STAGE} ON COMMIT DROP AS "
                         "SELECT CAST(NULL AS tid) AS tid, CAST(NULL AS xid) AS row_xmin"))
    ours = conn.execute(sa.text(  # the (sub)transaction id this run's writes carry
        f"SELECT xmin::text FROM {UNDECIDED_STAGE}")).scalar_one()
    conn.execute(sa.text(f"TRUNCATE {UNDECIDED_STAGE}"))
    run = Run(target, grid_table, court_id, grids,
              {"court": court_id, "max_lat": grids.max_abs_lat})
    pages = int(start.pages)
    per_chunk = max(1, math.ceil(CHUNK_ROWS / max(float(start.per_page or 0), 1.0)))
    ranges = [(lo, min(lo + per_chunk, pages)) for lo in range(0, pages, per_chunk)]
    with statement_settings(conn):
        updated, moved, undecided = _pipeline(conn, run, ranges)
        if undecided:
            _copy(conn, f"COPY {UNDECIDED_STAGE} (tid, row_xmin) FROM STDIN", "".join(
                f"({b},{o})\t{x}\n" for b, o, x in undecided).encode())
        left = conn.execute(leftover_sql(target, grid_table), run.params | {
            "horizon": int(start.horizon), "ours": ours, "snapshot": start.snapshot,
            "xmax": int(start.xmax), "xmax_low": int(start.xmax) % 2**32}).one()
    return Reassigned(target.table, updated + int(left.updated), moved + int(left.moved))


def _pipeline(conn: Connection, run: Run,
              ranges: list[tuple[int, int]]) -> tuple[int, int, list[tuple[int, int, int]]]:
    """Read, place and write every chunk, placing here while the worker thread reads ahead
    and writes behind on the connection. Returns rows written, rows moved, and the
    (block, offset, xmin) of the points left to the SQL rule."""
    undecided: list[tuple[int, int, int]] = []
    updated = moved = 0
    pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="assignment-db")
    reads: list[Future[np.ndarray]] = []
    writes: list[Future[tuple[int, int]]] = []
    failures: list[BaseException] = []  # in the order the worker met them

    def submit(job: Callable[..., Any], *args: object) -> Future[Any]:
        def on_worker() -> Any:
            try:
                return job(conn, run, *args)
            except BaseException as exc:
                failures.append(exc)
                raise
        return pool.submit(on_worker)

    try:
        for k in range(min(2, len(ranges))):
            reads.append(submit(read_chunk, ranges[k]))
        for k, bounds in enumerate(ranges):
            read = reads[k].result()
            reads[k] = Future()  # let the chunk's points go
            if k + 2 < len(ranges):
                reads.append(submit(read_chunk, ranges[k + 2]))
            payload, doubts = place_chunk(run, read)
            undecided += doubts
            if payload is not None:
                writes.append(submit(write_chunk, bounds, payload))
        for done in writes:
            u, m = done.result()
            updated, moved = updated + u, moved + m
    except BaseException:
        pool.shutdown(wait=True, cancel_futures=True)  # the worker is done with conn
        if failures:  # what failed first, not the aborted transaction after it
            raise failures[0] from None
        raise
    pool.shutdown(wait=True)
    return updated, moved, undecided


def read_chunk(conn: Connection, run: Run, bounds: tuple[int, int]) -> np.ndarray:
    """Every located row of the pages ``bounds`` as (ctid, xmin, x, y, what it holds now):
    a binary COPY of fixed-width columns, which numpy reads without a loop (the backend
    only sends the columns, cheaper there than concatenating them into one value)."""
    t, p, g = run.target.table, run.target.point_column, run.grid_table
    flags = (", CASE WHEN r.outside_grid IS NULL THEN 2 WHEN r.outside_grid THEN 1 ELSE 0 "
             "END::int2, r.nearest_grid_distance_m IS NULL, "
             "coalesce(r.nearest_grid_distance_m, 0)::float8" if run.target.flags else "")
    raw = conn.connection.driver_connection
    court = psycopg.sql.Literal(run.court_id).as_string(raw)  # COPY takes no parameters
    statement = f"""
        COPY (
            WITH grids AS (
                SELECT (row_number() OVER (ORDER BY code, id) - 1)::int AS rank, id,
                       township_id
                FROM {g} WHERE court_id = {court}
            )
            SELECT r.ctid, r.xmin, ST_X(r.{p})::float8, ST_Y(r.{p})::float8,
                   coalesce(gr.rank, -1), r.township_id IS NOT DISTINCT FROM gr.township_id
                   {flags}
            FROM {t} AS r LEFT JOIN grids AS gr ON gr.id = r.village_grid_id
            WHERE r.ctid >= '({bounds[0]},0)'::tid AND r.ctid < '({bounds[1]},0)'::tid
              AND r.court_id = {court} AND r.{p} IS NOT NULL
        ) TO STDOUT (FORMAT BINARY)"""
    data = bytearray()
    with raw.cursor() as cur, cur.copy(statement) as copy:  # type: ignore[union-attr]
        while block := copy.read():
            data += block
    dtype = _READ_FLAGS if run.target.flags else _READ
    rows = np.frombuffer(bytes(data[_COPY_OUT_HEADER:-2]), dtype=dtype)
    if data[15:19] != b"\x00" * 4 or (rows["fields"] != (len(dtype.descr) - 2) // 2).any():
        raise RuntimeError("unexpected binary COPY layout")  # never seen: a guard
    return rows


def place_chunk(run: Run, read: np.ndarray) -> tuple[bytes | None, list[tuple[int, int, int]]]:
    """Place one chunk's points; the COPY payload of the rows whose placement changes (None
    when none does) and the rows left ``UNDECIDED``."""
    if not len(read):
        return None, []
    placed = inprocess_placement.place(
        run.grids, np.column_stack([read["x"], read["y"]]).astype(np.float64))
    decided = placed.grid != inprocess_placement.UNDECIDED
    doubts = [(int(b), int(o), int(x)) for b, o, x in zip(
        read["block"][~decided], read["offset"][~decided], read["xmin"][~decided],
        strict=True)]
    same = (read["old"] == placed.grid) & (read["township_same"] == 1)
    if run.target.flags:
        outside = ~np.isnan(placed.distance)
        same &= read["outside"] == outside.astype(np.int16)
        same &= np.where(outside, (read["distance_null"] == 0)
                         & (read["distance"] == placed.distance), read["distance_null"] == 1)
    keep = np.flatnonzero(decided & ~same)
    if not len(keep):
        return None, doubts
    rows = np.empty(len(keep), dtype=_ROW)
    rows["fields"], rows["tlen"], rows["xlen"], rows["glen"] = 5, 6, 4, 4
    rows["dlen"], rows["olen"] = 8, 4
    rows["block"], rows["offset"] = read["block"][keep], read["offset"][keep]
    rows["xmin"], rows["grid"] = read["xmin"][keep], placed.grid[keep]
    rows["distance"], rows["old"] = placed.distance[keep], read["old"][keep]
    return _HEADER + rows.tobytes() + _TRAILER, doubts


def write_chunk(conn: Connection, run: Run, bounds: tuple[int, int],
                payload: bytes) -> tuple[int, int]:
    """COPY one chunk's placements and write them to the rows still as they were read."""
    conn.execute(sa.text(f"TRUNCATE {STAGE}"))
    _copy(conn, f"COPY {STAGE} (tid, row_xmin, grid, distance, old_rank) FROM STDIN "
          "(FORMAT BINARY)", payload)
    row = conn.execute(chunk_sql(run.target, run.grid_table), run.params | {
        "lo": f"({bounds[0]},0)", "hi": f"({bounds[1]},0)"}).one()
    return int(row.updated), int(row.moved)


def _copy(conn: Connection, statement: str, payload: bytes) -> None:
    raw = conn.connection.driver_connection
    with raw.cursor() as cur, cur.copy(statement) as copy:  # type: ignore[union-attr]
        copy.write(payload)


def chunk_sql(target: PointTable, grid_table: str = "village_grid") -> sa.TextClause:
    """Write one chunk's staged placements (``:lo`` ≤ ctid < ``:hi``), each only to the row
    version it was computed from, and count the rows written and those that moved."""
    t, p = target.table, target.point_column
    flag_sets = (", outside_grid = s.distance IS NOT NULL, nearest_grid_distance_m = "
                 "s.distance" if target.flags else "")
    flag_diff = ("OR t.outside_grid IS DISTINCT FROM (s.distance IS NOT NULL) "
                 "OR t.nearest_grid_distance_m IS DISTINCT FROM s.distance"
                 if target.flags else "")
    return sa.text(f"""
        WITH grids AS (
            SELECT (row_number() OVER (ORDER BY code, id) - 1)::int AS rank, id, township_id
            FROM {grid_table} WHERE court_id = :court
        ), changed AS (
            UPDATE {t} AS t
            SET village_grid_id = gr.id, township_id = gr.township_id{flag_sets},
                version = t.version + 1, updated_at = now()
            FROM (SELECT tid, row_xmin, grid, nullif(distance, 'NaN'::float8) AS distance,
                         old_rank FROM {STAGE}) AS s
            JOIN grids AS gr ON gr.rank = s.grid
            WHERE t.ctid = s.tid AND t.xmin = s.row_xmin
              AND t.ctid >= CAST(:lo AS tid) AND t.ctid < CAST(:hi AS tid)
              AND t.court_id = :court AND t.{p} IS NOT NULL
              AND (t.village_grid_id IS DISTINCT FROM gr.id
                   OR t.township_id IS DISTINCT FROM gr.township_id {flag_diff})
            RETURNING s.old_rank <> s.grid AS moved
        )
        SELECT count(*) AS updated, count(*) FILTER (WHERE moved) AS moved FROM changed
    """)


def leftover_sql(target: PointTable, grid_table: str = "village_grid") -> sa.TextClause:
    """The SQL rule for what no chunk settled: the rows left ``UNDECIDED`` (if still the
    version read) and every row version another transaction made since the run began.

    Such a version's ``xmin`` is not visible in ``:snapshot``, the one taken before the
    first read. ``age(xmin)`` within ``:horizon`` (that snapshot's oldest running
    transaction, anywhere on the server) is the cheap first test; the exact one widens
    the 32-bit ``xmin`` to the ``xid8`` nearest ``:xmax`` and asks the snapshot. This
    run's own writes (``:ours``) are settled already."""
    t, p, g = target.table, target.point_column, grid_table
    xid8 = ("(:xmax + ((r.xmin::text::int8 - :xmax_low + 2147483648) % 4294967296 "
            "+ 4294967296) % 4294967296 - 2147483648)::text::xid8")
    newer = (f"CASE WHEN age(r.xmin) <= :horizon AND r.xmin <> CAST(:ours AS xid) "
             f"THEN NOT pg_visible_in_snapshot({xid8}, CAST(:snapshot AS pg_snapshot)) "
             "ELSE false END")
    return sa.text(f"""
        WITH joined AS MATERIALIZED (
            SELECT r.id, r.{p} AS pt, r.village_grid_id AS old_grid FROM {t} AS r
            WHERE r.court_id = :court AND r.{p} IS NOT NULL AND {newer}
            UNION ALL
            SELECT r.id, r.{p}, r.village_grid_id FROM {t} AS r
            JOIN {UNDECIDED_STAGE} AS u ON r.ctid = u.tid AND r.xmin = u.row_xmin
            WHERE r.court_id = :court AND r.{p} IS NOT NULL AND NOT ({newer})
        ), placed AS (
            SELECT c.id, c.old_grid, coalesce(cov.id, near.id) AS grid_id,
                   coalesce(cov.township_id, near.township_id) AS township_id,
                   cov.id IS NULL AS outside,
                   CASE WHEN cov.id IS NULL THEN round(near.distance::numeric, 1)::float8 END
                       AS distance
            FROM joined AS c
            {covering_lateral("c.pt", g)}
            {nearest_lateral(g, only_if="cov.id IS NULL")}
        ){write_placed(target)}
    """)

