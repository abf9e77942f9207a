"""Re-assignment in chunks of pages, placed in one thread while the other writes
(geo.staged_assignment): what the chunks add to the rule's proof — rows moved or added by
another transaction before, during or after their chunk land where they now are; readers
never see some chunks written and not others; an error in any chunk, in either thread,
leaves every row as it was and the connection usable.

Every test uses real tables, committed, so that another connection can move rows while
the run is under way and see what the run has (not) written.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from shapely.geometry import box

from geo import inprocess_placement, staged_assignment
from geo.assignment import reassign
from geo.placement_rule import PointTable, Reassigned

COURT = "court-chunks"
TABLE = PointTable("chunk_point")
GRIDS = "chunk_grid"
WEST, EAST = (108.30, 35.40, 108.31, 35.41), (108.32, 35.40, 108.33, 35.41)
ROWS = 400


@pytest.fixture
def table(engine, monkeypatch) -> Iterator[None]:
    """400 points in the west grid, about ten pages, one page per chunk; the first is
    already placed there, the others not yet."""
    monkeypatch.setattr(staged_assignment, "CHUNK_ROWS", 1)
    with engine.begin() as conn:
        conn.execute(sa.text(f"DROP TABLE IF EXISTS {TABLE.table}, {GRIDS}"))
        conn.execute(sa.text(f"""
            CREATE TABLE {GRIDS} (court_id text, id text, code text, township_id text,
                                  geom geometry(MultiPolygon, 4326));
            CREATE TABLE {TABLE.table} (
                court_id text NOT NULL, id text NOT NULL, point geometry(Point, 4326),
                village_grid_id text, township_id text, outside_grid boolean,
                nearest_grid_distance_m double precision, version integer NOT NULL DEFAULT 1,
                updated_at timestamptz, PRIMARY KEY (court_id, id))"""))
        conn.execute(sa.text(f"INSERT INTO {GRIDS} VALUES (:c, :id, :code, :t, "
                             "ST_Multi(ST_GeomFromText(:wkt, 4326)))"),
                     [{"c": COURT, "id": "west", "code": "V1", "t": "t1", "wkt": box(*WEST).wkt},
                      {"c": COURT, "id": "east", "code": "V2", "t": "t2", "wkt": box(*EAST).wkt}])
        conn.execute(sa.text(f"""
            INSERT INTO {TABLE.table} (court_id, id, point, village_grid_id, township_id,
                                       outside_grid)
            SELECT :c, lpad(n::text, 4, '0'),
                   ST_SetSRID(ST_MakePoint(108.301 + n * 0.00002, 35.405), 4326),
                   CASE WHEN n = 1 THEN 'west' END, CASE WHEN n = 1 THEN 't1' END,
                   CASE WHEN n = 1 THEN false END
            FROM generate_series(1, {ROWS}) AS n"""), {"c": COURT})
        conn.execute(sa.text(f"ANALYZE {TABLE.table}"))
        pages = conn.execute(sa.text(
            f"SELECT count(DISTINCT (ctid::text::point)[0]) FROM {TABLE.table}")).scalar_one()
    assert pages >= 4  # several chunks, so several boundaries
    yield
    with engine.begin() as conn:
        conn.execute(sa.text(f"DROP TABLE {TABLE.table}, {GRIDS}"))


def run(engine) -> Reassigned:
    with engine.begin() as conn:
        return reassign(conn, TABLE, COURT, GRIDS, in_process=True)


def stored(engine) -> dict[str, tuple]:
    with engine.connect() as conn:
        return {r.id: (r.village_grid_id, r.township_id, r.outside_grid)
                for r in conn.execute(sa.text(
                    f"SELECT id, village_grid_id, township_id, outside_grid FROM {TABLE.table}"))}


def move(engine, ident: str, x: float) -> None:
    """Another transaction (a phone) moves one record, committed at once."""
    with engine.begin() as other:
        other.execute(sa.text(f"UPDATE {TABLE.table} SET point = "
                              "ST_SetSRID(ST_MakePoint(:x, 35.405), 4326) WHERE id = :id"),
                      {"x": x, "id": ident})


def test_every_chunk_is_written_and_counted(engine, table) -> None:
    done = run(engine)
    assert (done.updated, done.moved) == (ROWS - 1, ROWS - 1)
    assert set(stored(engine).values()) == {("west", "t1", False)}
    again = run(engine)  # nothing changes: nothing is written
    assert (again.updated, again.moved) == (0, 0)


def test_rows_moved_or_added_around_their_chunk_land_where_they_now_are(engine, table,
                                                                        monkeypatch) -> None:
    """While the third chunk (page 2) is placed, phones move three records east: the
    first chunk's placed one (read, unchanged, so neither written nor locked by the run),
    one of the third chunk (read, its stale placement about to be written) and one of
    the last chunk (not read yet); and a new record is added."""
    with engine.connect() as conn:
        by_page = conn.execute(sa.text(
            f"SELECT id, (ctid::text::point)[0]::int AS page FROM {TABLE.table} "
            "ORDER BY ctid")).all()
    third = next(r.id for r in by_page if r.page == 2)
    moved = {"0001", third, by_page[-1].id, "new"}
    real_place, calls = inprocess_placement.place, []

    def place_while_phones_write(grids, xy):
        calls.append(len(xy))
        if len(calls) == 3:
            for ident in ("0001", third, by_page[-1].id):
                move(engine, ident, 108.325)
            with engine.begin() as other:
                other.execute(sa.text(
                    f"INSERT INTO {TABLE.table} (court_id, id, point) VALUES "
                    "(:c, 'new', 'SRID=4326;POINT(108.3251 35.4051)')"), {"c": COURT})
        return real_place(grids, xy)

    monkeypatch.setattr(inprocess_placement, "place", place_while_phones_write)
    run(engine)
    placed = stored(engine)
    assert len(calls) >= 4 and by_page[-1].page >= 4
    assert {i: placed[i] for i in moved} == dict.fromkeys(moved, ("east", "t2", False))
    assert {v for i, v in placed.items() if i not in moved} == {("west", "t1", False)}


def test_readers_see_no_chunk_before_the_whole_run_commits(engine, table,
                                                           monkeypatch) -> None:
    real_write, seen = staged_assignment.write_chunk, []

    def write_then_look(conn, run_, bounds, payload):
        result = real_write(conn, run_, bounds, payload)
        with engine.connect() as reader:
            seen.append(reader.execute(sa.text(
                f"SELECT count(village_grid_id) FROM {TABLE.table}")).scalar_one())
        return result

    monkeypatch.setattr(staged_assignment, "write_chunk", write_then_look)
    run(engine)
    assert len(seen) >= 4 and set(seen) == {1}  # the one placed before the run
    assert set(stored(engine).values()) == {("west", "t1", False)}


@pytest.mark.parametrize("fails", ["write", "statement", "place"])
def test_a_failing_chunk_leaves_every_row_as_it_was(engine, table, monkeypatch,
                                                    fails) -> None:
    """The second chunk's write fails in the database thread (in Python, or a statement
    that aborts the transaction: the caller gets that error, not the next chunk's
    "transaction is aborted"), or the third chunk's placing fails here while earlier
    chunks are written: the error reaches the caller, whose rollback undoes the chunks
    already written, and the connection is reusable."""
    real_write, real_place = staged_assignment.write_chunk, inprocess_placement.place
    writes, places = [], []

    def write(conn, run_, bounds, payload):
        writes.append(bounds)
        if fails == "write" and len(writes) == 2:
            raise RuntimeError("injected: chunk write failed")
        if fails == "statement" and len(writes) == 2:
            conn.execute(sa.text("SELECT CAST('injected' AS int)"))
        return real_write(conn, run_, bounds, payload)

    def place(grids, xy):
        places.append(len(xy))
        if fails == "place" and len(places) == 3:
            raise RuntimeError("injected: placing failed")
        return real_place(grids, xy)

    monkeypatch.setattr(staged_assignment, "write_chunk", write)
    monkeypatch.setattr(inprocess_placement, "place", place)
    with engine.connect() as conn:
        conn.begin()
        with pytest.raises((RuntimeError, sa.exc.DataError), match="injected"):
            reassign(conn, TABLE, COURT, GRIDS, in_process=True)
        conn.rollback()
        assert conn.execute(sa.text("SELECT 1")).scalar_one() == 1
    assert writes  # at least one chunk had been written before the failure
    before = stored(engine)
    assert before.pop("0001") == ("west", "t1", False)
    assert set(before.values()) == {(None, None, None)}
    monkeypatch.setattr(staged_assignment, "write_chunk", real_write)
    monkeypatch.setattr(inprocess_placement, "place", real_place)
    assert run(engine).updated == ROWS - 1


def test_a_table_without_outside_flags_is_placed_by_chunks_like_the_sql_rule(
        engine, table) -> None:
    """A debtor's home (``party``) has no outside flag or distance: the chunks read and
    write only grid and township, and agree with the SQL rule, points outside included."""
    homes = PointTable(TABLE.table, flags=False)
    with engine.begin() as conn:
        conn.execute(sa.text(f"UPDATE {TABLE.table} SET point = ST_SetSRID(ST_MakePoint("
                             "108.29 + (id::int % 7) * 0.007, 35.405), 4326), "
                             "village_grid_id = NULL, township_id = NULL, outside_grid = NULL"))
    placed = {}
    for in_process in (False, True):
        with engine.connect() as conn:
            conn.begin()
            done = reassign(conn, homes, COURT, GRIDS, in_process=in_process)
            placed[in_process] = (done, sorted(conn.execute(sa.text(
                f"SELECT id, village_grid_id, township_id, outside_grid, "
                f"nearest_grid_distance_m FROM {TABLE.table}")).all()))
            conn.rollback()
    assert placed[True] == placed[False]
    rows = placed[True][1]
    assert {r.village_grid_id for r in rows} == {"west", "east"}
    assert {(r.outside_grid, r.nearest_grid_distance_m) for r in rows} == {(None, None)}
