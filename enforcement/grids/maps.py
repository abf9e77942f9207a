"""Reading the map: grid layers as GeoJSON, locating a point, and vector tiles.

Grids are reference data every signed-in member of a court may read. Leads and cases on
tiles follow the access policy exactly as their lists do (``policy.scope_filter`` with
``lead.read`` and ``case.read``): a tile never shows a record its caller could not open.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from enforcement import policy
from enforcement.accounts.principal import Principal
from enforcement.errors import NotFound, ValidationFailed
from enforcement.grids.boundary_import import LEVEL_TABLES, GridLevel, resolve_court
from enforcement.grids.placement import ReportedPoint, lonlat, place
from enforcement.infrastructure.db import Database
from enforcement.models import Datum, EnforcementCase, Lead, Township, VillageGrid
from geo import geojson, tiles

GRID_PROPERTIES = {
    GridLevel.TOWNSHIP: ("id", "code", "name", "area_m2"),
    GridLevel.VILLAGE: ("id", "code", "name", "township_id", "area_m2"),
}
TILE_LAYERS = ("townships", "villages", "leads", "cases")


def grid_collection(db: Database, principal: Principal, level: GridLevel, *,
                    township_id: str | None = None, simplify_m: float | None = None) -> str:
    """The court's townships or villages (optionally of one township) as GeoJSON text."""
    where, params = "court_id = :court", {"court": principal.court_id}
    with db.unit_of_work() as session:
        if township_id is not None:
            if session.get(Township, (principal.court_id, township_id)) is None:
                raise NotFound(f"no township {township_id}", code="township_not_found")
            where, params = where + " AND township_id = :township", {
                **params, "township": township_id}
        return geojson.feature_collection(
            session.connection(), LEVEL_TABLES[level], GRID_PROPERTIES[level],
            where=where, params=params, simplify_m=simplify_m)


def export_layer(db: Database, level: GridLevel, court_code: str | None) -> tuple[str, int]:
    """A court's whole layer as GeoJSON text (for ``flask geo export``) and its size."""
    table = LEVEL_TABLES[level]
    with db.unit_of_work() as session:
        court_id = resolve_court(session, court_code)
        conn = session.connection()
        body = geojson.feature_collection(conn, table, GRID_PROPERTIES[level],
                                          where="court_id = :court",
                                          params={"court": court_id})
        count = conn.execute(sa.text(f"SELECT count(*) FROM {table} WHERE court_id = :court"),
                             {"court": court_id}).scalar_one()
    return body, int(count)


@dataclass(frozen=True, slots=True)
class GridRef:
    id: str
    code: str
    name: str


@dataclass(frozen=True, slots=True)
class Located:
    lon: float
    lat: float
    """WGS-84, after datum conversion."""
    datum: str
    township: GridRef | None
    village: GridRef | None
    outside_grid: bool
    nearest_grid_distance_m: float | None


def locate(db: Database, principal: Principal, lon: float, lat: float,
           datum: str = "wgs84") -> Located:
    """Which township and village grid a point is in, by the rule used on every write."""
    with db.unit_of_work() as session:
        geom, placed = place(session, principal.court_id, ReportedPoint(lon, lat, Datum(datum)))
        village = _ref(session.get(VillageGrid, (principal.court_id, placed.village_grid_id))
                       if placed.village_grid_id else None)
        township = _ref(session.get(Township, (principal.court_id, placed.township_id))
                        if placed.township_id else None)
    wgs_lon, wgs_lat = lonlat(geom) or (lon, lat)
    return Located(wgs_lon, wgs_lat, datum, township, village, placed.outside_grid,
                   placed.nearest_grid_distance_m)


def _ref(row: Any) -> GridRef | None:
    return GridRef(row.id, row.code, row.name) if row is not None else None


def tile(db: Database, principal: Principal, layer: str, z: int, x: int, y: int) -> bytes:
    """One layer's Mapbox vector tile for the caller; empty bytes when nothing is there."""
    if layer not in TILE_LAYERS:
        raise NotFound(f"no tile layer {layer!r}; layers: {', '.join(TILE_LAYERS)}",
                       code="tile_layer_not_found")
    rows, geom = _layer_rows(principal, layer)
    try:
        statement = tiles.tile_statement(layer, rows, geom, z, x, y)
    except tiles.TileOutOfRange as exc:
        raise ValidationFailed(str(exc), code=exc.code) from None
    with db.unit_of_work() as session:
        return bytes(session.execute(statement).scalar_one() or b"")


def _layer_rows(principal: Principal, layer: str) -> tuple[sa.Select[*tuple[Any, ...]], Any]:
    court = principal.court_id
    if layer == "townships":
        return (sa.select(Township.id, Township.code, Township.name)
                .where(Township.court_id == court), Township.geom)
    if layer == "villages":
        return (sa.select(VillageGrid.id, VillageGrid.code, VillageGrid.name,
                          VillageGrid.township_id)
                .where(VillageGrid.court_id == court), VillageGrid.geom)
    if layer == "leads":
        return (sa.select(Lead.id, Lead.kind, Lead.status, Lead.village_grid_id,
                          Lead.outside_grid)
                .where(policy.scope_filter(principal, "lead.read", Lead),
                       Lead.deleted_at.is_(None), Lead.point.is_not(None)), Lead.point)
    case = EnforcementCase
    return (sa.select(case.id, case.case_number, case.status, case.village_grid_id)
            .where(policy.scope_filter(principal, "case.read", case),
                   case.address_point.is_not(None)), case.address_point)
