"""Grids as GeoJSON, locate, and vector tiles, over real HTTP on a real PostGIS."""

from __future__ import annotations

import math

import pytest
from geoalchemy2.shape import from_shape
from pyproj import Geod
from shapely.geometry import MultiPolygon, Point

from enforcement.models import Role
from geo.datum import wgs84_to_bd09, wgs84_to_gcj02
from tests import factories
from tests.api.helpers import assert_problem


def test_every_role_reads_its_courts_townships_as_geojson(http, world):
    for role in Role:
        response = http.get("/api/v1/geo/townships", headers=world.headers(world.users[role]))
        assert response.status_code == 200, (role, response.text)
        assert response.headers["Content-Type"].startswith("application/geo+json")
        body = response.json()
        assert body["type"] == "FeatureCollection"
        assert [f["id"] for f in body["features"]] == [world.township.id]
    [feature] = body["features"]
    assert feature["geometry"]["type"] == "MultiPolygon"
    assert set(feature["properties"]) == {"id", "code", "name", "area_m2"}


def test_villages_of_one_township_and_never_another_courts(http, world):
    headers = world.headers(world.assistant)
    body = http.get("/api/v1/geo/villages", headers=headers,
                    params={"township_id": world.township.id}).json()
    assert sorted(f["properties"]["code"] for f in body["features"]) == ["V-A", "V-B"]
    assert {f["properties"]["township_id"] for f in body["features"]} == {world.township.id}
    foreign = world.other_village.township_id
    assert_problem(http.get("/api/v1/geo/villages", headers=headers,
                            params={"township_id": foreign}), 404, "township_not_found")
    assert_problem(http.get("/api/v1/geo/villages"), 401, "token_missing")


def test_simplify_shrinks_the_payload(http, world, session):
    round_village = MultiPolygon([Point(108.35, 35.45).buffer(0.01, quad_segs=256)])
    factories.create_village(session, world.township, geom=from_shape(round_village, 4326))
    session.commit()
    headers = world.headers(world.judge_user)
    full = http.get("/api/v1/geo/villages", headers=headers)
    thin = http.get("/api/v1/geo/villages", headers=headers, params={"simplify": 50})
    assert len(thin.content) < len(full.content) / 3
    [circle] = [f for f in thin.json()["features"] if len(f["geometry"]["coordinates"][0][0]) > 5]
    assert 8 < len(circle["geometry"]["coordinates"][0][0]) < 200
    assert_problem(http.get("/api/v1/geo/villages", headers=headers,
                            params={"simplify": -1}), 422, "validation_failed")


@pytest.mark.parametrize("convert", [None, wgs84_to_gcj02, wgs84_to_bd09])
def test_locate_converts_the_datum_and_finds_the_village(http, world, convert):
    lon, lat = 108.305, 35.405
    datum = {None: "wgs84", wgs84_to_gcj02: "gcj02", wgs84_to_bd09: "bd09"}[convert]
    sent = convert(lon, lat) if convert else (lon, lat)
    body = http.get("/api/v1/geo/locate", headers=world.headers(world.assistant),
                    params={"lon": sent[0], "lat": sent[1], "datum": datum}).json()
    assert body["village"]["id"] == world.village_a.id
    assert body["township"]["id"] == world.township.id
    assert body["outside_grid"] is False and body["nearest_grid_distance_m"] is None
    assert body["lon"] == pytest.approx(lon, abs=1e-7)
    assert body["lat"] == pytest.approx(lat, abs=1e-7)


def test_locate_border_and_outside_points(http, world):
    headers = world.headers(world.users[Role.OFFICER])
    border = http.get("/api/v1/geo/locate", headers=headers,
                      params={"lon": 108.31, "lat": 35.405}).json()
    assert border["village"]["code"] == "V-A"  # the lower code of the two that hold it
    outside = http.get("/api/v1/geo/locate", headers=headers,
                       params={"lon": 108.33, "lat": 35.405}).json()
    _, _, expected = Geod(ellps="WGS84").inv(108.33, 35.405, 108.32, 35.405)
    assert outside["outside_grid"] is True
    assert outside["village"]["code"] == "V-B"
    assert outside["nearest_grid_distance_m"] == pytest.approx(expected, rel=0.01)
    assert_problem(http.get("/api/v1/geo/locate", headers=headers,
                            params={"lon": 200, "lat": 35}), 422, "validation_failed")


def tile_of(lon: float, lat: float, z: int) -> tuple[int, int]:
    """The XYZ tile holding a point (the slippy-map formula)."""
    n = 1 << z
    rad = math.radians(lat)
    return int((lon + 180) / 360 * n), int((1 - math.asinh(math.tan(rad)) / math.pi) / 2 * n)


def get_tile(http, headers, layer: str, lon=108.305, lat=35.405, z=14):
    x, y = tile_of(lon, lat, z)
    return http.get(f"/api/v1/tiles/{layer}/{z}/{x}/{y}.mvt", headers=headers)


def test_grid_tiles_hold_only_the_callers_court(http, world):
    headers = world.headers(world.assistant)
    tile = get_tile(http, headers, "villages")
    assert tile.status_code == 200, tile.text
    assert tile.headers["Content-Type"] == "application/vnd.mapbox-vector-tile"
    # MVT stores string values verbatim: our grids' ids are in it, the other court's not.
    assert world.village_a.id.encode() in tile.content
    assert world.village_b.id.encode() in tile.content
    assert world.other_village.id.encode() not in tile.content
    assert b"villages" in tile.content
    assert get_tile(http, headers, "townships").status_code == 200
    assert get_tile(http, headers, "villages", lon=100.0, lat=20.0).status_code == 204


def test_lead_and_case_tiles_follow_the_access_policy(http, world, session):
    mine = factories.create_lead(session, world.assistant, world.village_a)
    theirs = factories.create_lead(session, world.neighbour, world.village_a)
    foreign = factories.create_lead(session, world.stranger, world.other_village)
    case = factories.create_case(session, world.court, village_grid_id=world.village_a.id,
                                 address_point=factories.point(108.305, 35.405))
    session.commit()

    officer = get_tile(http, world.headers(world.users[Role.OFFICER]), "leads").content
    assert mine.id.encode() in officer and theirs.id.encode() in officer
    assert foreign.id.encode() not in officer
    own = get_tile(http, world.headers(world.assistant), "leads").content
    assert mine.id.encode() in own and theirs.id.encode() not in own
    assert case.id.encode() in get_tile(http, world.headers(world.assistant), "cases").content
    assert get_tile(http, world.headers(world.assistant_b), "cases").status_code == 204
    deputy = get_tile(http, world.headers(world.users[Role.DEPUTY]), "leads")
    assert_problem(deputy, 403, "forbidden")


@pytest.mark.parametrize(("path", "status", "code"), [
    ("/api/v1/tiles/villages/23/0/0.mvt", 422, "tile_out_of_range"),
    ("/api/v1/tiles/villages/2/4/0.mvt", 422, "tile_out_of_range"),
    ("/api/v1/tiles/villages/2/0/-1.mvt", 422, "tile_out_of_range"),
    ("/api/v1/tiles/roads/2/0/0.mvt", 404, "tile_layer_not_found"),
])
def test_bad_tile_addresses_are_problems(http, world, path, status, code):
    assert_problem(http.get(path, headers=world.headers(world.assistant)), status, code)
