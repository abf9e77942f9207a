"""Boundary files without a database: reading, reprojection, repair, tile addresses."""

from __future__ import annotations

import pytest
import shapely
from pyproj import Transformer
from shapely.geometry import LineString, Polygon, box

from geo.boundaries import BoundaryFileError, read_boundaries, repair
from geo.tiles import TileOutOfRange, check_tile
from tests import factories


def test_bow_tie_becomes_two_valid_triangles():
    bow_tie = Polygon([(0, 0), (1, 1), (1, 0), (0, 1)])
    fixed, repaired = repair(bow_tie)
    assert repaired and fixed.is_valid
    assert len(fixed.geoms) == 2
    assert fixed.area == pytest.approx(0.5)


def test_valid_polygon_is_kept_as_a_multipolygon():
    fixed, repaired = repair(box(0, 0, 1, 1))
    assert not repaired and fixed.geom_type == "MultiPolygon"


def test_a_shape_with_no_area_is_refused():
    with pytest.raises(BoundaryFileError) as caught:
        repair(LineString([(0, 0), (1, 1)]))
    assert caught.value.code == "boundary_not_polygons"


def test_projected_shapefile_reads_back_in_degrees(tmp_path):
    to_gk = Transformer.from_crs(4326, 4547, always_xy=True).transform
    square = box(108.30, 35.40, 108.31, 35.41)
    projected = shapely.transform(square, lambda x, y: to_gk(x, y), interleaved=False)
    path = factories.write_boundary_file(tmp_path / "t.shp", [("1", "镇", projected)],
                                         crs="EPSG:4547", code_field="XZQDM",
                                         name_field="XZQMC")
    source = read_boundaries(path)
    [only] = source.boundaries
    assert (source.code_field, source.name_field, source.reprojected) == ("XZQDM", "XZQMC",
                                                                          True)
    assert (only.code, only.name) == ("1", "镇")
    assert shapely.hausdorff_distance(only.geom, square) < 1e-8


@pytest.mark.parametrize(("z", "x", "y"), [(-1, 0, 0), (23, 0, 0), (0, 1, 0), (3, 0, 8)])
def test_tile_addresses_outside_the_pyramid_are_refused(z, x, y):
    with pytest.raises(TileOutOfRange):
        check_tile(z, x, y)


def test_tile_addresses_inside_the_pyramid_pass():
    check_tile(0, 0, 0)
    check_tile(22, (1 << 22) - 1, 0)
