"""Finding 7's bulk re-assignment, kept for ``bench.assign_ab`` to compare against: every
point read in one statement, placed in process, written with one COPY into a staging
table and one ``UPDATE … FROM`` (joined by id, ``xmin`` checked). ``geo.staged_assignment``
replaced it (finding 12: chunks of pages, placing overlapped with writing).
"""

from __future__ import annotations

import numpy as np
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from geo import inprocess_placement
from geo.placement_rule import (
    PointTable,
    Reassigned,
    covering_lateral,
    nearest_lateral,
    statement_settings,
    write_placed,
)
from geo.staged_assignment import load_grids

STAGE = "assignment_placed"
PLACE_CHUNK = 100_000
"""Points placed at a time: ~40 MB of working arrays instead of ~400 MB for a million."""
_HEADER = b"PGCOPY\n\xff\r\n\x00" + b"\x00" * 8
_TAIL = np.dtype([("glen", ">i4"), ("grid", ">i4"), ("dlen", ">i4"), ("distance", ">f8"),
                  ("xlen", ">i4"), ("xmin", ">i8")])
_HEAD = np.dtype([("fields", ">i2"), ("idlen", ">i4")])
_READ = np.dtype([("x", ">f8"), ("y", ">f8"), ("xmin", ">i8")])


def reassign_in_process(conn: Connection, target: PointTable, court_id: str,
                        grid_table: str = "village_grid") -> Reassigned | None:
    """``geo.assignment.reassign`` with the placement computed here; None when the grids
    cannot be used here (the caller then runs the SQL statement)."""
    grids = load_grids(conn, court_id, grid_table)
    if grids is None:
        return None
    p = target.point_column
    row = conn.execute(sa.text(f"""
        SELECT count(*) AS n, convert_to(string_agg(id, E'\\n'), 'UTF8') AS ids,
               string_agg(float8send(ST_X({p})) || float8send(ST_Y({p}))
                          || int8send(xmin::text::int8), ''::bytea) AS data
        FROM {target.table} WHERE court_id = :court AND {p} IS NOT NULL
    """), {"court": court_id}).one()
    conn.execute(sa.text(f"DROP TABLE IF EXISTS pg_temp.{STAGE}"))
    conn.execute(sa.text(f"CREATE TEMPORARY TABLE {STAGE} (id text, grid int4, "
                         "distance float8, row_xmin int8) ON COMMIT DROP"))
    if row.n:
        ids = np.frombuffer(bytes(row.ids), dtype=np.uint8)
        read = np.frombuffer(bytes(row.data), dtype=_READ)
        breaks = np.flatnonzero(ids == ord("\n"))
        if len(breaks) == row.n - 1:  # else an id holds a newline: the SQL rule for all
            starts = np.r_[0, breaks + 1]
            lengths = np.r_[breaks, len(ids)] - starts
            grid, distance = _place(grids, np.column_stack([read["x"], read["y"]])
                                    .astype(np.float64))
            keep = np.flatnonzero(grid != inprocess_placement.UNDECIDED)
            _copy(conn, _payload(ids, starts[keep], lengths[keep], grid[keep],
                                 distance[keep], read["xmin"][keep]))
            conn.execute(sa.text(f"ANALYZE {STAGE}"))
    with statement_settings(conn):
        result = conn.execute(staged_sql(target, grid_table), {
            "court": court_id, "max_lat": grids.max_abs_lat}).one()
    return Reassigned(target.table, int(result.updated), int(result.moved))


def _place(grids: inprocess_placement.Grids, xy: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Place in chunks of ``PLACE_CHUNK`` points: the same answers (points are placed one
    by one), with the working arrays of one chunk in memory at a time."""
    grid, distance = np.empty(len(xy), dtype=np.intp), np.empty(len(xy))
    for at in range(0, len(xy), PLACE_CHUNK):
        placed = inprocess_placement.place(grids, xy[at:at + PLACE_CHUNK])
        grid[at:at + PLACE_CHUNK], distance[at:at + PLACE_CHUNK] = placed.grid, placed.distance
    return grid, distance


def _payload(ids: np.ndarray, starts: np.ndarray, lengths: np.ndarray, grid: np.ndarray,
             distance: np.ndarray, xmin: np.ndarray) -> bytes:
    """Binary COPY rows (id, grid, distance, row_xmin), built without a Python loop."""
    k = len(starts)
    row_len = _HEAD.itemsize + lengths + _TAIL.itemsize
    offset = len(_HEADER) + np.cumsum(row_len) - row_len
    buf = np.empty(len(_HEADER) + int(row_len.sum()) + 2, dtype=np.uint8)
    buf[:len(_HEADER)] = np.frombuffer(_HEADER, dtype=np.uint8)
    buf[-2:] = 255  # trailer: int16 -1
    head = np.empty(k, dtype=_HEAD)
    head["fields"], head["idlen"] = 4, lengths
    _scatter(buf, offset, head.view(np.uint8).reshape(k, _HEAD.itemsize))
    tail = np.empty(k, dtype=_TAIL)
    tail["glen"], tail["grid"], tail["dlen"], tail["distance"] = 4, grid, 8, distance
    tail["xlen"], tail["xmin"] = 8, xmin
    _scatter(buf, offset + _HEAD.itemsize + lengths,
             tail.view(np.uint8).reshape(k, _TAIL.itemsize))
    total = int(lengths.sum())
    within = np.arange(total) - np.repeat(np.cumsum(lengths) - lengths, lengths)
    buf[np.repeat(offset + _HEAD.itemsize, lengths) + within] = ids[
        np.repeat(starts, lengths) + within]
    return buf.tobytes()


def _scatter(buf: np.ndarray, offset: np.ndarray, rows: np.ndarray) -> None:
    buf[offset[:, None] + np.arange(rows.shape[1])] = rows


def _copy(conn: Connection, payload: bytes) -> None:
    raw = conn.connection.driver_connection
    with raw.cursor() as cur, cur.copy(  # type: ignore[union-attr]
            f"COPY {STAGE} (id, grid, distance, row_xmin) FROM STDIN (FORMAT BINARY)") as copy:
        copy.write(payload)


def staged_sql(target: PointTable, grid_table: str = "village_grid") -> sa.TextClause:
    """``geo.placement_rule.reassign_sql`` reading staged placements; rows without one (or
    changed since they were read) take the SQL rule's covering and nearest-grid search."""
    t, p, g = target.table, target.point_column, grid_table
    return sa.text(f"""
        WITH grids AS (
            SELECT (row_number() OVER (ORDER BY code, id) - 1)::int AS rank, id, township_id
            FROM {g} WHERE court_id = :court
        ), joined AS MATERIALIZED (
            SELECT r.id, r.{p} AS pt, r.village_grid_id AS old_grid, s.grid,
                   nullif(s.distance, 'NaN'::float8) AS distance
            FROM {t} AS r
            LEFT JOIN {STAGE} AS s ON s.id = r.id AND s.row_xmin = r.xmin::text::int8
            WHERE r.court_id = :court AND r.{p} IS NOT NULL
        ), placed AS (
            SELECT j.id, j.old_grid, gr.id AS grid_id, gr.township_id,
                   j.distance IS NOT NULL AS outside, j.distance
            FROM joined AS j JOIN grids AS gr ON gr.rank = j.grid
            UNION ALL
            SELECT c.id, c.old_grid, coalesce(cov.id, near.id),
                   coalesce(cov.township_id, near.township_id), cov.id IS NULL,
                   CASE WHEN cov.id IS NULL THEN round(near.distance::numeric, 1)::float8 END
            FROM joined AS c
            {covering_lateral("c.pt", g)}
            {nearest_lateral(g, only_if="cov.id IS NULL")}
            WHERE c.grid IS NULL
        ){write_placed(target)}
    """)
