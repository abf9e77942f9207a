"""Grid assignment placed in process (shapely, numpy, PostGIS's geodetic steps replayed)
gives exactly the SQL rule's result, row for row, against the real PostGIS.

Hypothesis draws grids (jittered quadrilaterals sharing edges and vertices, gaps, an
overlapping triangle, a hole, a grid in two parts, repeated codes, at several latitudes
and sizes) and points inside,
on shared edges, on vertices, a hair outside, near, far (beyond the rule's 100 km
pruning limit), and exactly halfway between two mirrored grids (spheroidal ties). The
same rows are re-assigned once by the SQL statement and once by the in-process path;
grid, township, outside flag and rounded distance must be identical for every row.
"""

from __future__ import annotations

import itertools
import random
from unittest.mock import patch

import numpy as np
import shapely
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from shapely import affinity
from shapely.geometry import MultiPolygon, Polygon, box
from shapely.geometry.base import BaseGeometry

from geo import inprocess_placement, staged_assignment
from geo.assignment import reassign
from geo.placement_rule import PointTable

COURT = "court-hyp"
GRIDS = "hyp_grid"
COLUMNS = "village_grid_id, township_id, outside_grid, nearest_grid_distance_m"


@st.composite
def layouts(draw: st.DrawFn) -> tuple[list[tuple[str, str, str, BaseGeometry]],
                                      list[tuple[float, float]]]:
    lon0 = draw(st.sampled_from([108.3, -71.06, 12.5, 179.0]))
    lat0 = draw(st.sampled_from([35.4, -33.9, 61.2, 0.0]))
    size = draw(st.sampled_from([0.004, 0.03, 0.15]))
    nx, ny = draw(st.integers(1, 4)), draw(st.integers(1, 3))
    mirrored = draw(st.booleans())
    rng = random.Random(draw(st.integers(0, 2**32 - 1)))
    jitter = 0.0 if mirrored else 0.3

    shift = {(i, j): (rng.uniform(-jitter, jitter), rng.uniform(-jitter, jitter))
             for i in range(nx + 1) for j in range(ny + 1)}

    def vertex(i: int, j: int) -> tuple[float, float]:  # shared by the cells around it
        return lon0 + (i + shift[i, j][0]) * size, lat0 + (j + shift[i, j][1]) * size

    cells = [(i, j) for i in range(nx) for j in range(ny)
             if not (mirrored and i % 2) and (not cells_dropped(draw, i, j))]
    if not cells:
        cells = [(0, 0)]
    shapes: list[BaseGeometry] = [Polygon([vertex(i, j), vertex(i + 1, j), vertex(i + 1, j + 1),
                       vertex(i, j + 1)]) for i, j in cells]
    if draw(st.booleans()):
        shapes.append(Polygon([vertex(0, 0), vertex(nx, 0),
                               (lon0 + nx * size / 2, lat0 + ny * size * 0.7)]))
    if draw(st.booleans()):  # a hole (a village enclosing another's land)
        hole = affinity.scale(shapes[0], 0.4, 0.4, origin="centroid")
        holed = Polygon(shapes[0].exterior.coords, [hole.exterior.coords])
        shapes[0] = holed if holed.is_valid else shapes[0]
    if draw(st.booleans()):  # a grid in two parts, the second apart to the west
        shapes[-1] = MultiPolygon([shapes[-1], Polygon([
            (lon0 - 2.5 * size, lat0), (lon0 - 1.5 * size, lat0),
            (lon0 - 2 * size, lat0 + size)])])
    codes = draw(st.lists(st.sampled_from(["V1", "V2", "V3"]), min_size=len(shapes),
                          max_size=len(shapes)))
    grids = [(f"g{rng.randrange(1000):03d}-{k}", code, f"t{k % 2}", shape)
             for k, (code, shape) in enumerate(zip(codes, shapes, strict=True))]
    return grids, draw_points(rng, shapes, lon0, lat0, size, nx, ny, mirrored)


def cells_dropped(draw: st.DrawFn, i: int, j: int) -> bool:
    return (i, j) != (0, 0) and draw(st.integers(0, 3)) == 0


def draw_points(rng: random.Random, shapes: list[BaseGeometry], lon0: float, lat0: float,
                size: float, nx: int, ny: int, mirrored: bool) -> list[tuple[float, float]]:
    points: list[tuple[float, float]] = []
    rings = [list(r.coords) for shape in shapes for part in getattr(shape, "geoms", [shape])
             for r in [part.exterior, *part.interiors]]
    for ring in rings:
        for (ax, ay), (bx, by) in itertools.pairwise(ring):
            t = rng.choice([0.0, 0.5, rng.random()])
            px, py = ax + t * (bx - ax), ay + t * (by - ay)
            points.append((px, py))                                  # edge or vertex
            nxv, nyv = by - ay, ax - bx                               # outward-ish normal
            norm = max((nxv * nxv + nyv * nyv) ** 0.5, 1e-300)
            for off in (1e-10, 1e-7, 1e-4, 0.01, rng.uniform(0.0, 0.5)):
                points.append((px + nxv / norm * off * size * 10,
                               py + nyv / norm * off * size * 10))
    for shape in shapes:
        cx, cy = shape.centroid.x, shape.centroid.y
        points.append((cx, cy))
        points.append((cx + rng.uniform(-0.3, 0.3) * size, cy + rng.uniform(-0.3, 0.3) * size))
    for _ in range(5):
        far = rng.choice([0.5, 1.2, 3.0])
        points.append((lon0 + rng.uniform(-far, nx * size + far),
                       lat0 + rng.uniform(-far, ny * size + far)))
    if mirrored:  # halfway between a grid and its mirror image across an empty column
        for j in range(ny):
            points.append((lon0 + 1.5 * size, lat0 + (j + rng.random()) * size))
    return [(max(-179.99, min(179.99, x)), max(-89.0, min(89.0, y))) for x, y in points]


def setup(conn: sa.Connection, grids: list, points: list[tuple[float, float]]) -> None:
    conn.execute(sa.text(f"""
        CREATE TEMPORARY TABLE {GRIDS} (court_id text, id text, code text, township_id text,
                                        geom geometry(MultiPolygon, 4326)) ON COMMIT DROP"""))
    conn.execute(sa.text(f"INSERT INTO {GRIDS} VALUES (:c, :id, :code, :t, "
                         "ST_Multi(ST_GeomFromText(:wkt, 4326)))"),
                 [{"c": COURT, "id": i, "code": code, "t": t, "wkt": shape.wkt}
                  for i, code, t, shape in grids])
    for name in ("hyp_sql", "hyp_fast", "hyp_pages"):
        conn.execute(sa.text(f"""
            CREATE TEMPORARY TABLE {name} (
                court_id text NOT NULL, id text NOT NULL, point geometry(Point, 4326),
                village_grid_id text, township_id text, outside_grid boolean,
                nearest_grid_distance_m double precision, version integer NOT NULL DEFAULT 1,
                updated_at timestamptz, PRIMARY KEY (court_id, id)) ON COMMIT DROP"""))
        conn.execute(sa.text(f"INSERT INTO {name} (court_id, id, point) SELECT :c, "
                             "o::text, ST_SetSRID(ST_MakePoint(x, y), 4326) FROM unnest("
                             "CAST(:x AS float8[]), CAST(:y AS float8[])) WITH ORDINALITY "
                             "AS p(x, y, o)"),
                     {"c": COURT, "x": [p[0] for p in points], "y": [p[1] for p in points]})


def both_ways(conn: sa.Connection) -> tuple[list, list]:
    """The SQL rule's rows and the in-process path's, after checking that the in-process
    path cut into one-page chunks (a chunk boundary every few dozen rows) stores exactly
    what it stores in one chunk."""
    reassign(conn, PointTable("hyp_sql"), COURT, GRIDS, cells=False, in_process=False)
    reassign(conn, PointTable("hyp_fast"), COURT, GRIDS, in_process=True)
    with patch.object(staged_assignment, "CHUNK_ROWS", 1):
        reassign(conn, PointTable("hyp_pages"), COURT, GRIDS, in_process=True)
    by_sql, fast, pages = (conn.execute(sa.text(f"SELECT id, {COLUMNS} FROM {name} ORDER BY id"))
                           .all() for name in ("hyp_sql", "hyp_fast", "hyp_pages"))
    assert pages == fast
    return by_sql, fast


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(layouts())
def test_in_process_placement_is_the_sql_rule_row_for_row(engine, layout) -> None:
    grids, points = layout
    with engine.connect() as conn:
        setup(conn, grids, points)
        by_sql, in_process = both_ways(conn)
        conn.rollback()
    assert len(by_sql) == len(points)
    assert in_process == by_sql


def test_most_points_are_decided_in_process_and_agree(engine) -> None:
    """On village-sized grids the database is left only the few points on a border or
    too close to call; the rest, outside points included, are placed in process."""
    rng = np.random.default_rng(20)
    shapes = [box(108.30 + i * 0.01, 35.40 + j * 0.01, 108.31 + i * 0.01, 35.41 + j * 0.01)
              for i in range(5) for j in range(4) if (i + j) % 4]
    grids = [(f"g{k:02d}", f"V{k % 7}", f"t{k % 3}", s) for k, s in enumerate(shapes)]
    points = [tuple(p) for p in np.column_stack([rng.uniform(108.28, 108.37, 3000),
                                                 rng.uniform(35.38, 35.46, 3000)])]
    with engine.connect() as conn:
        setup(conn, grids, points)
        loaded = staged_assignment.load_grids(conn, COURT, GRIDS)
        assert loaded is not None
        placed = inprocess_placement.place(loaded, np.array(points))
        by_sql, in_process = both_ways(conn)
        conn.rollback()
    decided = placed.grid != inprocess_placement.UNDECIDED
    outside = ~np.isnan(placed.distance)
    assert decided.mean() > 0.95 and outside.sum() > 500
    assert in_process == by_sql
    assert sum(1 for r in by_sql if r.outside_grid) >= outside.sum()
    assert shapely.get_num_geometries(loaded.polygons).min() == 1


def test_a_row_moved_while_points_are_placed_lands_where_it_now_is(engine, monkeypatch):
    """Placements computed from a point that another transaction moved meanwhile are not
    written: the row is placed by the SQL rule from where it is at the UPDATE."""
    shapes = [box(108.30, 35.40, 108.31, 35.41), box(108.32, 35.40, 108.33, 35.41)]
    grids = [("west", "V1", "t1", shapes[0]), ("east", "V2", "t2", shapes[1])]
    with engine.begin() as setup_conn:
        setup_conn.execute(sa.text("DROP TABLE IF EXISTS hyp_moved"))
        setup_conn.execute(sa.text(
            "CREATE TABLE hyp_moved (court_id text NOT NULL, id text NOT NULL, "
            "point geometry(Point, 4326), village_grid_id text, township_id text, "
            "outside_grid boolean, nearest_grid_distance_m double precision, "
            "version integer NOT NULL DEFAULT 1, updated_at timestamptz, "
            "PRIMARY KEY (court_id, id))"))
        setup_conn.execute(sa.text(
            "INSERT INTO hyp_moved (court_id, id, point) VALUES "
            "(:c, 'a', 'SRID=4326;POINT(108.305 35.405)'), "
            "(:c, 'b', 'SRID=4326;POINT(108.305 35.406)')"), {"c": COURT})
    real_place = inprocess_placement.place

    def place_while_b_moves(loaded, xy):
        with engine.begin() as other:  # a phone moves lead b into the east grid
            other.execute(sa.text("UPDATE hyp_moved SET point = "
                                  "'SRID=4326;POINT(108.325 35.405)' WHERE id = 'b'"))
        return real_place(loaded, xy)

    monkeypatch.setattr(inprocess_placement, "place", place_while_b_moves)
    try:
        with engine.connect() as conn:
            setup(conn, grids, [])
            reassign(conn, PointTable("hyp_moved"), COURT, GRIDS, in_process=True)
            placed = dict(conn.execute(sa.text(
                "SELECT id, village_grid_id FROM hyp_moved ORDER BY id")).all())
            conn.rollback()
    finally:
        with engine.begin() as cleanup:
            cleanup.execute(sa.text("DROP TABLE hyp_moved"))
    assert placed == {"a": "west", "b": "east"}
