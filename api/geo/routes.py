"""Grids as GeoJSON, locating a point, and Mapbox vector tiles."""

from __future__ import annotations

from typing import Any

from flask import Response, current_app
from flask.views import MethodView

from api.geo.schemas import (
    ClusterQueryArgsSchema,
    ClusterSchema,
    GridQueryArgsSchema,
    GridTotalsQueryArgsSchema,
    GridTotalsSchema,
    LocatedSchema,
    LocateQueryArgsSchema,
    VillageQueryArgsSchema,
)
from api.smorest import Blueprint, current_principal, db
from enforcement.grids import maps as grid_maps
from enforcement.grids.boundary_import import GridLevel
from enforcement.rounds import clusters
from geo import geojson, tiles

blp = Blueprint("geo", __name__, description="Township and village grids on the map")
tiles_blp = Blueprint("tiles", __name__, description="Vector tiles (Mapbox MVT) of the map")

GEOJSON_DOC = {"responses": {"200": {
    "description": "A GeoJSON FeatureCollection; each feature's `properties` are `id`, "
                   "`code`, `name`, `area_m2` (and `township_id` for villages).",
    "content": {geojson.MEDIA_TYPE: {"schema": {"type": "object"}}},
}}}
TILE_DOC = {"responses": {
    "200": {"description": "The tile (protobuf).",
            "content": {tiles.MEDIA_TYPE: {"schema": {"type": "string", "format": "binary"}}}},
    "204": {"description": "Nothing of this layer in this tile (no body)."},
}}



def _geojson(body: str) -> Response:
    return current_app.response_class(body, mimetype=geojson.MEDIA_TYPE)


@blp.route("/townships")
class Townships(MethodView):
    @blp.auth()
    @blp.arguments(GridQueryArgsSchema, location="query", as_kwargs=True)
    @blp.doc(**GEOJSON_DOC)
    def get(self, simplify: float | None) -> Response:
        """Your court's township grids as GeoJSON (WGS-84).

        Any signed-in role may read them. `simplify` (metres on the ground) thins the
        outlines for phones: each polygon is simplified on its own, in Web Mercator scaled
        to metres at its latitude, and stays valid.
        """
        return _geojson(grid_maps.grid_collection(db(), current_principal(),
                                                  GridLevel.TOWNSHIP, simplify_m=simplify))


@blp.route("/villages")
class Villages(MethodView):
    @blp.auth()
    @blp.arguments(VillageQueryArgsSchema, location="query", as_kwargs=True)
    @blp.doc(**GEOJSON_DOC)
    @blp.problem(404)
    def get(self, simplify: float | None, township_id: str | None) -> Response:
        """Your court's village grids as GeoJSON (WGS-84), optionally of one township."""
        return _geojson(grid_maps.grid_collection(
            db(), current_principal(), GridLevel.VILLAGE, township_id=township_id,
            simplify_m=simplify))


@blp.route("/locate")
class Locate(MethodView):
    @blp.auth()
    @blp.arguments(LocateQueryArgsSchema, location="query", as_kwargs=True)
    @blp.response(200, LocatedSchema)
    def get(self, lon: float, lat: float, datum: Any) -> grid_maps.Located:
        """Which township and village grid a point is in.

        Give the point in the datum your map SDK reports (`gcj02` for AMap and Tencent,
        `bd09` for Baidu, `wgs84` for raw GPS). The answer uses the rule every write uses:
        a point on a shared border belongs to the grid with the lowest code; a point
        outside every grid gets `outside_grid: true`, the nearest grid and the distance.
        """
        return grid_maps.locate(db(), current_principal(), lon, lat, datum.value)


@tiles_blp.route("/<string:layer>/<int(signed=True):z>/<int(signed=True):x>/"
                 "<int(signed=True):y>.mvt")
class Tile(MethodView):
    @tiles_blp.auth()
    @tiles_blp.doc(**TILE_DOC)
    @tiles_blp.problem(404)
    @tiles_blp.problem(422)
    def get(self, layer: str, z: int, x: int, y: int) -> Response:
        """One layer of the map as a Mapbox vector tile (XYZ scheme, Web Mercator).

        Layers: `townships`, `villages` (properties `id`, `code`, `name`, `township_id`),
        `leads` (`id`, `kind`, `status`, `village_grid_id`, `outside_grid`) and `cases`
        (`id`, `case_number`, `status`, `village_grid_id`). Leads and cases are those you
        may open in their lists: officers and judges the whole court; a grid assistant
        their own leads and the cases in their grids; a deputy the cases they follow; a
        role that may not read leads (or cases) gets 403 for that layer. An empty tile is
        `204 No Content`. `z` is 0–22 and `x`, `y` are 0 … 2^z − 1, else 422.
        """
        body = grid_maps.tile(db(), current_principal(), layer, z, x, y)
        if not body:
            return current_app.response_class(status=204)
        response = current_app.response_class(body, mimetype=tiles.MEDIA_TYPE)
        response.headers["Cache-Control"] = "private, max-age=60"
        return response


@blp.route("/clusters")
class Clusters(MethodView):
    @blp.auth()
    @blp.arguments(ClusterQueryArgsSchema, location="query", as_kwargs=True)
    @blp.response(200, ClusterSchema(many=True))
    def get(self, distance_m: float, min_size: int, township_id: str | None) -> Any:
        """Open cases and open leads grouped by distance, most money outstanding first.

        For picking the area of the next round: each cluster gives its centre, how many
        cases and leads it holds, what is still owed, and the freshest sighting of its
        debtors. Court staff only (roles that may see amounts).
        """
        return clusters.clusters(db(), current_principal(), distance_m, min_size, township_id)


@blp.route("/grid-totals")
class GridTotals(MethodView):
    @blp.auth()
    @blp.arguments(GridTotalsQueryArgsSchema, location="query", as_kwargs=True)
    @blp.response(200, GridTotalsSchema(many=True))
    def get(self, township_id: str | None) -> Any:
        """Open cases, open leads and money outstanding per village grid, busiest first."""
        return clusters.grid_totals(db(), current_principal(), township_id)
