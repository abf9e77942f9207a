"""Set-based re-assignment of located records after a boundary import (real PostGIS)."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from pyproj import Geod
from shapely.geometry import box
from sqlmodel import Session

from enforcement.grids.boundary_import import GridLevel, import_grids
from enforcement.models import EnforcementCase, Lead, Party, Role, VillageGrid
from geo.assignment import reassign
from geo.placement_rule import PointTable
from tests import factories

WEST = box(108.30, 35.40, 108.31, 35.41)
EAST = box(108.31, 35.40, 108.32, 35.41)


@pytest.fixture
def grids(db, court, tmp_path) -> dict[str, str]:
    """Villages V-A (west) and V-B (east) sharing the meridian 108.31; code → id."""
    path = factories.write_boundary_file(tmp_path / "v.geojson",
                                         [("V-B", "西坡村", EAST), ("V-A", "东关村", WEST)])
    import_grids(db, path, GridLevel.VILLAGE)
    with db.unit_of_work() as session:
        return dict(session.execute(sa.select(VillageGrid.code, VillageGrid.id)
                                    .where(VillageGrid.court_id == court.id)).all())


def add_leads(engine, court, *points: tuple[float, float]) -> list[str]:
    with Session(engine) as session:
        author = factories.create_user(session, court, Role.OFFICER)
        ids = [factories.create_lead(session, author, lon=lon, lat=lat).id
               for lon, lat in points]
        session.commit()
        return ids


def lead(engine, lead_id: str) -> Lead:
    with Session(engine) as session:
        return session.exec(sa.select(Lead).where(Lead.id == lead_id)).one()[0]


def reimport(db, tmp_path, west, east, name="v2.geojson", court_code=None):
    path = factories.write_boundary_file(tmp_path / name,
                                         [("V-A", "东关村", west), ("V-B", "西坡村", east)])
    return import_grids(db, path, GridLevel.VILLAGE, court_code=court_code)


def test_boundary_change_moves_a_lead_and_the_counts_say_so(db, engine, court, grids,
                                                            tmp_path):
    moving, staying = add_leads(engine, court, (108.307, 35.405), (108.302, 35.405))
    first = reimport(db, tmp_path, WEST, EAST)
    assert lead(engine, moving).village_grid_id == grids["V-A"]
    assert {r.table: r.moved for r in first.reassigned}["lead"] == 2  # placed for the first time

    report = reimport(db, tmp_path, box(108.30, 35.40, 108.305, 35.41),
                      box(108.305, 35.40, 108.32, 35.41), name="v3.geojson")
    counts = {r.table: (r.updated, r.moved) for r in report.reassigned}
    assert counts["lead"] == (1, 1)
    assert counts["sighting"] == counts["visit"] == (0, 0)
    assert report.moved == 1
    moved = lead(engine, moving)
    assert (moved.village_grid_id, moved.outside_grid) == (grids["V-B"], False)
    assert moved.version == 3
    assert lead(engine, staying).village_grid_id == grids["V-A"]


def test_border_point_lands_in_exactly_one_grid_every_time(db, engine, court, grids,
                                                           tmp_path):
    [border] = add_leads(engine, court, (108.31, 35.405))
    for attempt in range(3):
        reimport(db, tmp_path, WEST, EAST, name=f"again{attempt}.geojson")
        placed = lead(engine, border)
        assert (placed.village_grid_id, placed.outside_grid) == (grids["V-A"], False)
    with engine.connect() as conn:
        covering = conn.execute(sa.text(
            "SELECT count(*) FROM village_grid WHERE ST_Covers(geom, ST_Point(108.31, 35.405, "
            "4326))")).scalar()
    assert covering == 2  # both grids hold it; the lower code wins


def test_outside_point_is_flagged_with_nearest_grid_and_distance(db, engine, court, grids):
    [outside] = add_leads(engine, court, (108.33, 35.405))
    with db.unit_of_work() as session:
        result = reassign(session.connection(), PointTable("lead"), court.id)
        session.commit()
    assert (result.updated, result.moved) == (1, 1)
    placed = lead(engine, outside)
    _, _, expected = Geod(ellps="WGS84").inv(108.33, 35.405, 108.32, 35.405)
    assert placed.outside_grid is True
    assert placed.village_grid_id == grids["V-B"]
    assert placed.nearest_grid_distance_m == pytest.approx(expected, rel=0.01)


def test_cases_and_debtor_homes_are_reassigned_and_other_courts_untouched(db, engine, court,
                                                                         grids, tmp_path):
    with Session(engine, expire_on_commit=False) as session:
        case = factories.create_case(session, court, address_point=factories.point(108.315,
                                                                                   35.405))
        party = factories.create_party(session, court, home_point=factories.point(108.305,
                                                                                   35.405))
        other = factories.create_court(session)
        stranger = factories.create_user(session, other, Role.OFFICER)
        foreign = factories.create_lead(session, stranger, lon=108.305, lat=35.405)
        session.commit()
    report = reimport(db, tmp_path, WEST, EAST, court_code=court.code)
    counts = {r.table: r.moved for r in report.reassigned}
    assert (counts["enforcement_case"], counts["party"]) == (1, 1)
    with Session(engine) as session:
        assert session.get(EnforcementCase, (court.id, case.id)).village_grid_id == grids["V-B"]
        assert session.get(Party, (court.id, party.id)).village_grid_id == grids["V-A"]
        assert session.get(Lead, (other.id, foreign.id)).village_grid_id is None


def test_reassigning_changes_nothing_when_nothing_moved(db, engine, court, grids, tmp_path):
    add_leads(engine, court, (108.302, 35.405), (108.33, 35.405))
    reimport(db, tmp_path, WEST, EAST)
    again = reimport(db, tmp_path, WEST, EAST, name="same.geojson")
    assert all((r.updated, r.moved) == (0, 0) for r in again.reassigned)


@pytest.mark.parametrize("cells", [True, False], ids=["lattice", "gist"])
def test_the_statement_settings_are_put_back_for_the_rest_of_the_transaction(
        db, court, grids, engine, cells):
    """JIT, work_mem and merge joins are changed for the re-assignment statement only: the
    caller's later statements in the same transaction plan as before."""
    add_leads(engine, court, (108.302, 35.405), (108.33, 35.405))
    names = ("jit", "work_mem", "enable_mergejoin")
    with db.unit_of_work() as session:
        conn = session.connection()
        before = [conn.execute(sa.text("SELECT current_setting(:n)"), {"n": n}).scalar_one()
                  for n in names]
        result = reassign(conn, PointTable("lead"), court.id, cells=cells)
        after = [conn.execute(sa.text("SELECT current_setting(:n)"), {"n": n}).scalar_one()
                 for n in names]
        session.commit()
    assert result.updated == 2
    assert after == before
