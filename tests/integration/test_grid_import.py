"""Boundary import on a real PostGIS: real GeoJSON and Shapefile files made by code."""

from __future__ import annotations

import pytest
import shapely
import sqlalchemy as sa
from pyproj import Geod, Transformer
from shapely.geometry import Polygon, box
from sqlmodel import Session

from enforcement.errors import ValidationFailed
from enforcement.grids.boundary_import import GridLevel, import_grids
from enforcement.models import Township, VillageGrid
from tests import factories

GEOD = Geod(ellps="WGS84")
WEST = box(108.30, 35.40, 108.31, 35.41)
EAST = box(108.31, 35.40, 108.32, 35.41)


def geodesic_area(shape) -> float:
    return abs(GEOD.geometry_area_perimeter(shape)[0])


def villages(engine, court) -> dict[str, VillageGrid]:
    with Session(engine) as session:
        rows = session.exec(sa.select(VillageGrid).where(VillageGrid.court_id == court.id))
        return {v.code: v for (v,) in rows}


def test_geojson_import_creates_then_reimport_updates_in_place(db, engine, court, tmp_path):
    path = factories.write_boundary_file(tmp_path / "v.geojson",
                                         [("V-A", "东关村", WEST), ("V-B", "西坡村", EAST)])
    first = import_grids(db, path, GridLevel.VILLAGE)
    assert (first.created, first.updated, first.court_id) == (["V-A", "V-B"], [], court.id)
    before = villages(engine, court)
    assert before["V-A"].area_m2 == pytest.approx(geodesic_area(WEST), rel=1e-3)

    again = import_grids(db, path, GridLevel.VILLAGE)
    assert (again.created, again.updated, again.unchanged) == ([], [], ["V-A", "V-B"])

    moved = factories.write_boundary_file(tmp_path / "v2.geojson", [
        ("V-A", "东关村", box(108.30, 35.40, 108.305, 35.41)),
        ("V-B", "西坡新村", box(108.305, 35.40, 108.32, 35.41))])
    third = import_grids(db, moved, GridLevel.VILLAGE)
    after = villages(engine, court)
    assert (third.created, third.updated) == ([], ["V-A", "V-B"])
    assert {c: v.id for c, v in after.items()} == {c: v.id for c, v in before.items()}
    assert after["V-B"].name == "西坡新村"
    assert after["V-B"].version == before["V-B"].version + 1


def to_cgcs2000_gk114(shape):
    """EPSG:4547: CGCS2000 / 3-degree Gauss-Kruger CM 114E, in metres (west of its zone)."""
    forward = Transformer.from_crs(4326, 4547, always_xy=True).transform
    return shapely.transform(shape, lambda x, y: forward(x, y), interleaved=False)


def test_projected_shapefile_is_reprojected_and_bow_tie_repaired(db, engine, court, tmp_path):
    bow_tie = Polygon([(108.30, 35.40), (108.32, 35.42), (108.32, 35.40), (108.30, 35.42)])
    shp = factories.write_boundary_file(tmp_path / "towns.shp", [
        ("T-1", "山河镇", to_cgcs2000_gk114(box(108.30, 35.40, 108.31, 35.42))),
        ("T-2", "永和镇", to_cgcs2000_gk114(bow_tie)),
    ], crs="EPSG:4547")
    report = import_grids(db, factories.zip_shapefile(shp), GridLevel.TOWNSHIP)

    assert report.reprojected and "4547" in report.source_crs
    assert report.repaired == ["T-2"]
    with Session(engine) as session:
        rows = session.execute(sa.text(
            "SELECT code, ST_HausdorffDistance(geom, ST_GeomFromText(:box, 4326)) AS off,"
            " ST_NumGeometries(geom) AS n, ST_IsValid(geom) AS valid"
            " FROM township WHERE court_id = :c ORDER BY code"),
            {"c": court.id, "box": box(108.30, 35.40, 108.31, 35.42).wkt}).all()
    assert [r.valid for r in rows] == [True, True]
    assert rows[0].off < 1e-8  # degrees: about a millimetre
    assert rows[1].n == 2  # the bow-tie's two triangles


def test_plain_shp_imports_too(db, court, tmp_path):
    shp = factories.write_boundary_file(tmp_path / "v.shp", [("V-A", "东关村", WEST)])
    assert import_grids(db, shp, GridLevel.VILLAGE).created == ["V-A"]


def test_villages_link_to_the_township_holding_most_of_them(db, engine, court, tmp_path):
    towns = factories.write_boundary_file(tmp_path / "t.geojson", [
        ("T-1", "山河镇", box(108.30, 35.40, 108.313, 35.41)),
        ("T-2", "永和镇", box(108.313, 35.40, 108.33, 35.41))])
    vills = factories.write_boundary_file(tmp_path / "v.geojson",
                                          [("V-A", "东关村", WEST), ("V-B", "西坡村", EAST)])
    import_grids(db, vills, GridLevel.VILLAGE)
    report = import_grids(db, towns, GridLevel.TOWNSHIP)
    with Session(engine) as session:
        ids = {t.code: t.id for (t,) in session.exec(
            sa.select(Township).where(Township.court_id == court.id))}
    linked = {c: v.township_id for c, v in villages(engine, court).items()}
    assert linked == {"V-A": ids["T-1"], "V-B": ids["T-2"]}  # V-B is 70 % in T-2
    assert report.relinked == ["V-A", "V-B"]


def test_overlaps_and_gaps_are_reported_in_square_metres(db, court, tmp_path):
    ring = [("V-W", "西村", box(108.30, 35.40, 108.31, 35.43)),
            ("V-E", "东村", box(108.319, 35.40, 108.33, 35.43)),
            ("V-S", "南村", box(108.31, 35.40, 108.32, 35.41)),
            ("V-N", "北村", box(108.31, 35.42, 108.32, 35.43))]
    report = import_grids(db, factories.write_boundary_file(tmp_path / "r.geojson", ring),
                          GridLevel.VILLAGE)

    overlaps = {o.codes: o.area_m2 for o in report.overlaps}
    assert set(overlaps) == {("V-E", "V-N"), ("V-E", "V-S")}
    expected = geodesic_area(box(108.319, 35.40, 108.32, 35.41))
    assert overlaps[("V-E", "V-S")] == pytest.approx(expected, rel=0.01)
    [gap] = report.gaps
    assert gap.area_m2 == pytest.approx(geodesic_area(box(108.31, 35.41, 108.319, 35.42)),
                                        rel=0.01)
    assert gap.neighbours == ("V-E", "V-N", "V-S", "V-W")
    assert 108.31 < gap.lon < 108.319 and 35.41 < gap.lat < 35.42


def snapshot(engine) -> list:
    with engine.connect() as conn:
        return conn.execute(sa.text(
            "SELECT 'v', code, name, ST_AsEWKT(geom), version FROM village_grid UNION ALL "
            "SELECT 't', code, name, ST_AsEWKT(geom), version FROM township ORDER BY 1, 2"
        )).all()


@pytest.mark.parametrize(("name", "expected_code"), [
    ("garbage", "boundary_file_unreadable"),
    ("points", "boundary_not_polygons"),
    ("no_code", "boundary_field_missing"),
    ("no_prj", "boundary_crs_unknown"),
    ("metres_as_degrees", "boundary_crs_unknown"),
    ("empty", "boundary_file_empty"),
    ("duplicate", "boundary_code_duplicate"),
])
def test_bad_files_raise_a_clear_error_and_change_nothing(db, engine, court, tmp_path,
                                                          name, expected_code):
    import_grids(db, factories.write_boundary_file(tmp_path / "ok.geojson",
                                                   [("V-A", "东关村", WEST)]), GridLevel.VILLAGE)
    before = snapshot(engine)
    path = bad_file(tmp_path, name)
    with pytest.raises(ValidationFailed) as caught:
        import_grids(db, path, GridLevel.VILLAGE)
    assert caught.value.code == expected_code
    assert caught.value.detail
    assert snapshot(engine) == before


def bad_file(tmp_path, name: str):
    if name == "garbage":
        path = tmp_path / "garbage.geojson"
        path.write_bytes(bytes(range(256)) * 4)
        return path
    if name == "points":
        from shapely.geometry import Point
        return factories.write_boundary_file(tmp_path / "p.geojson",
                                             [("V-A", "东关村", Point(108.3, 35.4))])
    if name == "no_code":
        return factories.write_boundary_file(tmp_path / "n.geojson", [("V-A", "东关村", EAST)],
                                             code_field="bianhao")
    if name == "no_prj":  # metres with no .prj: which zone, which datum? (degrees would do)
        return factories.write_boundary_file(tmp_path / "n.shp",
                                             [("V-A", "东关村", to_cgcs2000_gk114(EAST))],
                                             crs=None)
    if name == "metres_as_degrees":
        return factories.write_boundary_file(tmp_path / "m.geojson", [
            ("V-A", "东关村", box(500000, 3918000, 501000, 3919000))])
    if name == "empty":
        path = tmp_path / "e.geojson"
        path.write_text('{"type": "FeatureCollection", "features": []}')
        return path
    return factories.write_boundary_file(tmp_path / "d.geojson",
                                         [("V-A", "东关村", EAST), ("V-A", "西坡村", WEST)])


def test_missing_code_field_can_be_named(db, court, tmp_path):
    path = factories.write_boundary_file(tmp_path / "n.geojson", [("V-A", "东关村", EAST)],
                                         code_field="bianhao", name_field="cunming")
    report = import_grids(db, path, GridLevel.VILLAGE, code_field="BIANHAO",
                          name_field="cunming")
    assert report.created == ["V-A"]


def test_several_courts_need_the_court_named(db, engine, court, tmp_path):
    with Session(engine, expire_on_commit=False) as session:
        other = factories.create_court(session)
        session.commit()
    path = factories.write_boundary_file(tmp_path / "v.geojson", [("V-A", "东关村", WEST)])
    with pytest.raises(ValidationFailed) as caught:
        import_grids(db, path, GridLevel.VILLAGE)
    assert caught.value.code == "court_required"
    assert import_grids(db, path, GridLevel.VILLAGE, court_code=other.code).court_id == other.id

