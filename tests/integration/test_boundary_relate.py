"""Shapes PostGIS cannot relate: an in-place update must neither crash nor store half of it.

PostGIS on Debian 12 runs GEOS 3.11, whose relate throws "side location conflict" on some
pairs of valid polygons (libgeos/geos#1026, fixed by RelateNG in GEOS 3.13); the issue's
traceback was one. Below is that pair, scaled by powers of two (exact in floating point, so
GEOS meets the same numbers) to lie in Xinjiang.
"""

from __future__ import annotations

import pytest
import shapely
import sqlalchemy as sa
from geoalchemy2.shape import from_shape
from shapely.geometry import MultiPolygon
from sqlmodel import Session

from enforcement.grids.boundary_import import GridLevel, import_grids
from geo import layers, relatable
from geo.boundaries import Boundary
from tests import factories

SCALE = (2.0 ** -12, 2.0 ** -17)
TOWNSHIP = shapely.transform(shapely.from_wkt(
    "POLYGON((335645.7810000004 5677846.65,335648.6579999998 5677845.801999999,"
    "335650.8630842535 5677845.143617179,335650.77673334075 5677844.7250704905,"
    "335642.90299999993 5677847.498,335645.7810000004 5677846.65))"), lambda xy: xy * SCALE)
VILLAGE = shapely.transform(shapely.from_wkt(
    "POLYGON((335642.903 5677847.498,335642.894 5677847.459,335645.92 5677846.69,"
    "335647.378 5677852.523,335644.403 5677853.285,335644.374 5677853.293,"
    "335642.903 5677847.498))"), lambda xy: xy * SCALE)


def store_village_as_is(engine, court) -> None:
    """A village stored before imports snapped shapes to a grid (or by another tool)."""
    with Session(engine) as session:
        township = factories.create_township(session, court, code="T-OLD", lon=81.0, lat=43.0)
        factories.create_village(session, township, code="V-B", name="西村",
                                 geom=from_shape(MultiPolygon([VILLAGE]), srid=4326))
        session.commit()


def test_township_geos_could_not_relate_with_a_stored_village_imports(db, engine, court,
                                                                       tmp_path):
    store_village_as_is(engine, court)
    gpkg = factories.write_boundary_file(tmp_path / "t.gpkg", [("T-A", "阿镇", TOWNSHIP)])

    report = import_grids(db, gpkg, GridLevel.TOWNSHIP)
    assert report.created == ["T-A"] and report.stored_repaired == []
    with engine.connect() as conn:
        moved, version = conn.execute(sa.text(
            "SELECT ST_HausdorffDistance(geom, ST_GeomFromWKB(:wkb, 4326)), version "
            "FROM village_grid WHERE code = 'V-B'"), {"wkb": shapely.to_wkb(VILLAGE)}).one()
    assert report.relinked == ["V-B"]  # most of the village lies in the new township
    assert moved < 1e-9 and version == 2  # put on the grid (no version) and relinked (one)


def test_a_pair_geos_cannot_relate_is_named_and_rolled_back(engine, court):
    store_village_as_is(engine, court)
    with engine.connect() as conn, conn.begin():
        layers.stage_boundaries(conn, [Boundary("T-A", "阿镇", MultiPolygon([TOWNSHIP]),
                                                False)])
        relate = sa.text(f"SELECT ST_Relate(s.geom, v.geom, '2********') "
                         f"FROM {layers.STAGE} AS s, village_grid AS v")
        if not fails(conn, relate):  # a GEOS that relates the pair (3.13 or later)
            with relatable.relating(conn, ["township", "village_grid"], court.id):
                assert conn.execute(relate).all()
            return
        with (pytest.raises(relatable.UnrelatableBoundary) as caught,
              relatable.relating(conn, ["township", "village_grid"], court.id)):
            conn.execute(sa.text(f"UPDATE {layers.STAGE} SET name = 'changed'"))
            conn.execute(relate).all()
        assert "T-A (阿镇)" in caught.value.message
        assert "V-B (西村, stored village_grid)" in caught.value.message
        assert "side location conflict" in caught.value.message
        name = conn.execute(sa.text(f"SELECT name FROM {layers.STAGE}")).scalar_one()
        assert name == "阿镇"  # the block was rolled back, the transaction goes on


def fails(conn, statement) -> bool:
    savepoint = conn.begin_nested()
    try:
        conn.execute(statement).all()
    except sa.exc.DBAPIError:
        savepoint.rollback()
        return True
    savepoint.commit()
    return False
