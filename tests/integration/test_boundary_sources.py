"""Boundary files as land offices send them, made here from generated shapes: Gauss-Krüger
Shapefiles with GBK tables (with and without ``.cpg``, with and without ``.prj``), GeoJSON
from web tools with rings that cross themselves, GeoPackage, KML and KMZ; every import
checked against the shapes it was made from, on a real PostGIS."""

from __future__ import annotations

import zipfile

import numpy as np
import pytest
import shapely
import sqlalchemy as sa
from pyproj import Geod, Transformer
from shapely.geometry import MultiPolygon, Polygon, box
from shapely.ops import voronoi_diagram

from enforcement.errors import ValidationFailed
from enforcement.grids.boundary_import import GridLevel, SourceOptions, import_grids
from tests import factories

GEOD = Geod(ellps="WGS84")
ZHENGNING = (107.72, 35.54)


def neighbours(seed: int = 7, count: int = 8) -> list[Polygon]:
    """A county's neighbours: Voronoi cells with wiggly shared borders (~500 vertices)."""
    rng = np.random.default_rng(seed)
    (lon, lat), half = ZHENGNING, 0.3
    frame = box(lon - half, lat - half, lon + half, lat + half)
    seeds = shapely.MultiPoint(rng.uniform([lon - half, lat - half], [lon + half, lat + half],
                                           (count, 2)))
    cells = [cell.intersection(frame) for cell in voronoi_diagram(seeds, envelope=frame).geoms]

    def wiggle(xy):
        x, y = xy[:, 0], xy[:, 1]
        return np.column_stack([x + 7e-4 * np.sin(y * 900), y + 7e-4 * np.cos(x * 900)])

    return [shapely.transform(shapely.segmentize(cell, 0.002), wiggle) for cell in cells]


def knotted(polygon: Polygon, at: int = 10, size: float = 0.003) -> Polygon:
    """The ring with a small figure-eight loop, as web exports have them."""
    ring = list(polygon.exterior.coords)[:-1]
    (x, y), (x2, y2) = ring[at], ring[at + 1]
    loop = [(x, y), (x2 + size, y2 + size), (x2 + size, y - size / 2), (x - size / 3, y2 + size)]
    ring = ring[:at] + loop + ring[at + 1:]
    return Polygon([*ring, ring[0]])


def with_enclave(polygon: Polygon) -> MultiPolygon:
    """A township with a hole (another's enclave) and a detached island of its own."""
    centre = polygon.representative_point()
    hole = centre.buffer(0.01, quad_segs=8).exterior
    island = box(centre.x + 0.5, centre.y, centre.x + 0.52, centre.y + 0.02)
    return MultiPolygon([Polygon(polygon.exterior, [hole]), island])


def web_export() -> list[tuple[str, str, object]]:
    names = ["正宁县", "宁县", "旬邑县", "彬州市", "长武县", "泾川县", "合水县", "西峰区"]
    shapes = [knotted(cell, at=5 + i) for i, cell in enumerate(neighbours())]
    shapes[1] = with_enclave(shapes[1])
    pairs = zip(names, shapes, strict=True)
    return [(f"62102{i}", name, shape) for i, (name, shape) in enumerate(pairs)]


def project(features, epsg: int):
    forward = Transformer.from_crs(4326, epsg, always_xy=True).transform
    return [(code, name, shapely.transform(shape, lambda x, y: forward(x, y),
                                           interleaved=False))
            for code, name, shape in features]


def stored(engine, table: str = "township") -> dict[str, tuple[bytes, object, float]]:
    with engine.connect() as conn:
        rows = conn.execute(sa.text(
            f"SELECT code, convert_to(name, 'UTF8') AS name, ST_AsBinary(geom) AS wkb, "
            f"area_m2 FROM {table}")).all()
    return {r.code: (bytes(r.name), shapely.from_wkb(bytes(r.wkb)), r.area_m2) for r in rows}


def assert_same_places(engine, originals, table: str = "township") -> None:
    """Each stored shape has the original's area and centroid within a metre (the original
    as repaired: a figure-eight keeps both its loops), and its name byte for byte."""
    rows = stored(engine, table)
    assert sorted(rows) == sorted(code for code, _, _ in originals)
    for code, name, shape in originals:
        expected = shapely.make_valid(shape)
        stored_name, geom, area_m2 = rows[code]
        assert stored_name == name.encode("utf-8")
        assert geom.is_valid
        assert area_m2 == pytest.approx(abs(GEOD.geometry_area_perimeter(expected)[0]), abs=1)
        (ex, ey), (gx, gy) = expected.centroid.coords[0], geom.centroid.coords[0]
        assert GEOD.inv(ex, ey, gx, gy)[2] < 1


def snapshot(engine) -> list:
    with engine.connect() as conn:
        return conn.execute(sa.text(
            "SELECT code, name, ST_AsEWKB(geom), version FROM township ORDER BY code")).all()


def test_land_office_shapefile_updates_a_web_export_in_place(db, engine, court, tmp_path):
    """Issue item 1: GBK Shapefile in EPSG:4545 (3-degree CM 108E) over WGS-84 GeoJSON."""
    web = web_export()
    first = import_grids(db, factories.write_boundary_file(tmp_path / "web.geojson", web),
                         GridLevel.TOWNSHIP)
    assert len(first.repaired) == len(web) and first.overlaps
    land = [(code, name, shapely.affinity.translate(shape, 2e-5, -1e-5))  # 2 m east, 1 m south
            for code, name, shape in web]
    shp = factories.write_boundary_file(tmp_path / "乡镇界.shp", project(land, 4545),
                                        crs="EPSG:4545", encoding="GBK",
                                        code_field="XZQDM", name_field="XZQMC")

    report = import_grids(db, factories.zip_shapefile(shp), GridLevel.TOWNSHIP)
    assert (report.source_crs, report.encoding) == ("EPSG:4545", "UTF-8")
    assert report.updated == sorted(code for code, _, _ in web) and not report.created
    assert_same_places(engine, land)


@pytest.mark.parametrize("epsg", [
    4490,  # CGCS2000 geographic
    4545,  # CGCS2000 3-degree, CM 108E, no zone number
    4524,  # CGCS2000 3-degree zone 36 (CM 108E), zone number in the false easting
    4507,  # CGCS2000 6-degree, CM 105E, no zone number
    4496,  # CGCS2000 6-degree zone 18 (CM 105E)
    2381,  # Xian 1980 3-degree CM 108E
    2433,  # Beijing 1954 3-degree CM 108E
])
def test_every_chinese_system_reads_back_within_a_metre(db, engine, court, tmp_path, epsg):
    """A township straddling 109.5E, the edge of 3-degree zone 36, reads back in place."""
    features = [*web_export()[:3], ("621099", "跨带镇", box(109.3, 35.5, 109.7, 35.7))]
    shp = factories.write_boundary_file(tmp_path / "t.shp", project(features, epsg),
                                        crs=f"EPSG:{epsg}", encoding="GBK")
    report = import_grids(db, shp, GridLevel.TOWNSHIP)
    assert report.source_crs == f"EPSG:{epsg}"
    assert_same_places(engine, features)
    approximate = [note for note in report.notes if "approximate" in note]
    assert bool(approximate) == (epsg in (2381, 2433))


def test_gbk_names_without_cpg_are_detected_not_stored_as_mojibake(db, engine, court,
                                                                   tmp_path):
    """Issue item 2: the DBF is GBK, nothing says so; 正宁县 must not become ÕýÄþÏØ."""
    features = web_export()
    shp = factories.write_boundary_file(tmp_path / "t.shp", project(features, 4545),
                                        crs="EPSG:4545", encoding="GBK", cpg=False)
    report = import_grids(db, shp, GridLevel.TOWNSHIP)
    assert report.encoding == "GB18030"
    assert any("no .cpg" in note for note in report.notes)
    assert_same_places(engine, features)


def test_names_that_read_as_nothing_are_refused_until_the_encoding_is_named(db, engine, court,
                                                                             tmp_path):
    import_grids(db, factories.write_boundary_file(tmp_path / "ok.geojson", web_export()[:1]),
                 GridLevel.TOWNSHIP)
    before = snapshot(engine)
    features = [("621030", "東關村", box(107.9, 35.2, 108.0, 35.3))]
    shp = factories.write_boundary_file(tmp_path / "big5.shp", features, encoding="BIG5",
                                        cpg=False, crs="EPSG:4490", name_field="XZQMC")
    with pytest.raises(ValidationFailed) as caught:
        import_grids(db, shp, GridLevel.TOWNSHIP)
    assert caught.value.code == "boundary_text_undecodable"
    assert "'XZQMC'" in caught.value.detail and "--encoding" in caught.value.detail
    assert snapshot(engine) == before

    import_grids(db, shp, GridLevel.TOWNSHIP, options=SourceOptions(encoding="big5"))
    assert stored(engine)["621030"][0] == "東關村".encode()


def test_missing_prj_degrees_are_read_as_cgcs2000(db, engine, court, tmp_path):
    features = web_export()[:2]
    shp = factories.write_boundary_file(tmp_path / "t.shp", features, crs=None)
    report = import_grids(db, shp, GridLevel.TOWNSHIP)
    assert report.source_crs == "EPSG:4490"
    assert any("no .prj" in note for note in report.notes)
    assert_same_places(engine, features)


def test_missing_prj_metres_are_refused_until_crs_is_named(db, engine, court, tmp_path):
    features = web_export()[:2]
    shp = factories.write_boundary_file(tmp_path / "t.shp", project(features, 4524), crs=None)
    with pytest.raises(ValidationFailed) as caught:
        import_grids(db, shp, GridLevel.TOWNSHIP)
    assert caught.value.code == "boundary_crs_unknown"
    assert "--crs" in caught.value.detail and "EPSG:4524" in caught.value.detail
    assert snapshot(engine) == []

    import_grids(db, shp, GridLevel.TOWNSHIP, options=SourceOptions(crs="EPSG:4524"))
    assert_same_places(engine, features)


@pytest.mark.parametrize("suffix", [".gpkg", ".kml", ".kmz"])
def test_geopackage_kml_and_kmz(db, engine, court, tmp_path, suffix):
    features = web_export()[:3]
    path = factories.write_boundary_file(tmp_path / f"t{suffix.replace('kmz', 'kml')}",
                                         features)
    if suffix == ".kmz":
        kmz = tmp_path / "t.kmz"
        with zipfile.ZipFile(kmz, "w") as archive:
            archive.write(path, "doc.kml")
        path.unlink()
        path = kmz
    assert import_grids(db, path, GridLevel.TOWNSHIP).created == sorted(
        code for code, _, _ in features)
    assert_same_places(engine, features)


def test_a_geopackage_with_several_layers_needs_one_named(db, engine, court, tmp_path):
    gpkg = tmp_path / "county.gpkg"
    towns, villages = web_export()[:2], [("V-1", "东关村", box(107.7, 35.5, 107.71, 35.51))]
    factories.write_boundary_file(gpkg, towns, layer="xiangzhen")
    factories.write_boundary_file(gpkg, villages, layer="cun")
    with pytest.raises(ValidationFailed) as caught:
        import_grids(db, gpkg, GridLevel.TOWNSHIP)
    assert caught.value.code == "boundary_layer_ambiguous" and "--layer" in caught.value.detail
    import_grids(db, gpkg, GridLevel.TOWNSHIP, options=SourceOptions(layer="xiangzhen"))
    assert_same_places(engine, towns)
