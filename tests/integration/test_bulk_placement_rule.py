"""Bulk re-assignment puts every point where single placement on write puts it (PostGIS).

``geo.assignment`` has two ways to find the covering grid (a lattice of cells for big
tables, one GiST probe per point for small ones) and prunes the spheroidal distances of
the nearest-grid search; ``enforcement.grids.placement`` places one point at a time. A lead must
land in the same grid, with the same flag and distance, whichever of them placed it:
random points, points on shared borders and corners, in an overlap, in gaps, far away,
and exactly halfway between two grids.
"""

from __future__ import annotations

import random

import pytest
import sqlalchemy as sa
from shapely.geometry import Polygon, box
from sqlmodel import Session

from enforcement.grids.boundary_import import GridLevel, import_grids
from enforcement.grids.placement import ReportedPoint, place
from enforcement.models import Lead, Role
from geo import grid_cells
from geo.assignment import reassign
from geo.placement_rule import PointTable
from tests import factories

VILLAGES = [
    ("V-07", "东关村", box(108.30, 35.40, 108.31, 35.41)),
    ("V-03", "西坡村", box(108.31, 35.40, 108.32, 35.41)),           # shares x = 108.31
    ("V-05", "南塬村", box(108.30, 35.39, 108.32, 35.40)),           # shares y = 35.40
    ("V-01", "北沟村", Polygon([(108.325, 35.395), (108.34, 35.395), (108.34, 35.415),
                              (108.33, 35.405)])),                   # gap to V-03, concave
    ("V-09", "河湾村", box(108.335, 35.40, 108.345, 35.42)),          # overlaps V-01
    ("V-02", "塔寺村", box(108.30, 35.42, 108.31, 35.43)),            # gap above V-07
]
EXTENT = (108.29, 35.38, 108.355, 35.44)


def sample_points(rng: random.Random) -> list[tuple[float, float]]:
    x0, y0, x1, y1 = EXTENT
    points = [(rng.uniform(x0, x1), rng.uniform(y0, y1)) for _ in range(400)]
    points += [(108.31, rng.uniform(35.40, 35.41)) for _ in range(10)]    # V-07 | V-03
    points += [(rng.uniform(108.30, 108.32), 35.40) for _ in range(10)]   # V-05 under both
    points += [(108.31, 35.40), (108.30, 35.41), (108.32, 35.39), (108.33, 35.405)]
    points += [(108.34, 35.41), (108.3375, 35.41)]                        # V-01 ∩ V-09
    points += [(108.305, 35.415), (108.3225, 35.405)]    # halfway across a gap
    points += [(109.60, 35.40), (108.31, 37.20), (100.0, 20.0)]           # over 1° away
    return points


@pytest.fixture
def leads(db, engine, court, tmp_path) -> list[str]:
    path = factories.write_boundary_file(tmp_path / "villages.geojson", VILLAGES)
    import_grids(db, path, GridLevel.VILLAGE)
    with Session(engine) as session:
        author = factories.create_user(session, court, Role.OFFICER)
        ids = [factories.create_lead(session, author, lon=lon, lat=lat).id
               for lon, lat in sample_points(random.Random(20261123))]
        session.commit()
    return ids


def single_placements(engine, court_id: str) -> dict[str, tuple]:
    with Session(engine) as session:
        rows = session.execute(sa.select(Lead.id, Lead.reported_lon, Lead.reported_lat)
                               .where(Lead.court_id == court_id)).all()
        placed = {}
        for lead_id, lon, lat in rows:
            _, p = place(session, court_id, ReportedPoint(lon, lat))
            placed[lead_id] = (p.village_grid_id, p.township_id, p.outside_grid,
                               p.nearest_grid_distance_m)
        return placed


def bulk_placements(db, engine, court_id: str, cells: bool,
                    in_process: bool = False) -> dict[str, tuple]:
    with db.unit_of_work() as session:
        conn = session.connection()
        conn.execute(sa.text("UPDATE lead SET village_grid_id = NULL, township_id = NULL, "
                             "outside_grid = false, nearest_grid_distance_m = NULL "
                             "WHERE court_id = :c"), {"c": court_id})
        result = reassign(conn, PointTable("lead"), court_id, cells=cells,
                          in_process=in_process)
        session.commit()
    assert result.updated == result.moved > 400
    with engine.connect() as conn:
        return {r.id: (r.village_grid_id, r.township_id, r.outside_grid,
                       r.nearest_grid_distance_m)
                for r in conn.execute(sa.text(
                    "SELECT id, village_grid_id, township_id, outside_grid, "
                    "nearest_grid_distance_m FROM lead WHERE court_id = :c"),
                    {"c": court_id})}


@pytest.mark.parametrize(("cells", "in_process"), [(True, False), (False, False),
                                                   (False, True)],
                         ids=["lattice", "gist", "in_process"])
def test_bulk_and_single_placement_agree_on_every_point(db, engine, court, leads, cells,
                                                        in_process):
    single = single_placements(engine, court.id)
    bulk = bulk_placements(db, engine, court.id, cells, in_process)
    assert bulk == single
    outside = [v for v in bulk.values() if v[2]]
    assert len(outside) > 50 and all(v[0] is not None and v[3] > 0 for v in outside)


def test_borders_corners_and_overlaps_go_to_the_lowest_code(db, engine, court, leads):
    bulk = bulk_placements(db, engine, court.id, cells=True)
    with engine.connect() as conn:
        ids = dict(conn.execute(sa.text("SELECT code, id FROM village_grid "
                                        "WHERE court_id = :c"), {"c": court.id}).all())
        at = {(r.reported_lon, r.reported_lat): bulk[r.id] for r in conn.execute(sa.text(
            "SELECT id, reported_lon, reported_lat FROM lead WHERE court_id = :c"),
            {"c": court.id})}
    border = [v for (lon, lat), v in at.items() if lon == 108.31 and 35.40 < lat < 35.41]
    assert len(border) == 10 and {v[:3] for v in border} == {(ids["V-03"], None, False)}
    assert at[(108.31, 35.40)][0] == ids["V-03"]          # corner of V-07, V-03 and V-05
    assert at[(108.3375, 35.41)][0] == ids["V-01"]        # in both V-01 and V-09
    assert at[(108.305, 35.415)][2] is True               # in the gap below V-02


def test_the_lattice_marks_cells_inside_one_grid_as_sure(db, court, leads):
    """Most cells need no geometry test; cells on a border or an overlap always do."""
    with db.unit_of_work() as session:
        conn = session.connection()
        lattice = grid_cells.extent(conn, court.id, "village_grid")
        grid_cells.build(conn, court.id, "village_grid", lattice)
        sure, touching, border = conn.execute(sa.text(
            f"SELECT count(*) FILTER (WHERE sure), count(*), count(*) FILTER (WHERE sure AND "
            f"ST_Intersects(ST_MakeEnvelope(:x0 + cx * :s, :y0 + cy * :s, :x0 + (cx + 1) * :s,"
            f" :y0 + (cy + 1) * :s, 4326), 'SRID=4326;LINESTRING(108.31 35.40, 108.31 35.41)'"
            f"::geometry)) FROM {grid_cells.CELL_TABLE}"), grid_cells.params(lattice)).one()
    assert touching > sure > touching / 2
    assert border == 0
