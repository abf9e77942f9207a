"""Query arguments and payloads of the map endpoints."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import validate

from enforcement.models import Datum

MAX_SIMPLIFY_M = 5000


class GridQueryArgsSchema(ma.Schema):
    simplify = ma.fields.Float(
        load_default=None, validate=validate.Range(0, MAX_SIMPLIFY_M),
        metadata={"description": "Simplification tolerance in ground metres (0–5000); "
                                 "try 20 for a phone showing a whole township."})


class VillageQueryArgsSchema(GridQueryArgsSchema):
    township_id = ma.fields.String(load_default=None,
                                   metadata={"description": "Only this township's villages"})


class LocateQueryArgsSchema(ma.Schema):
    lon = ma.fields.Float(required=True, validate=validate.Range(-180, 180))
    lat = ma.fields.Float(required=True, validate=validate.Range(-90, 90))
    datum = ma.fields.Enum(Datum, by_value=True, load_default=Datum.WGS84,
                           metadata={"description": "wgs84 (GPS), gcj02 (AMap, Tencent), "
                                                    "bd09 (Baidu)"})


class LocatedGridSchema(ma.Schema):
    id = ma.fields.String()
    code = ma.fields.String()
    name = ma.fields.String()


class LocatedSchema(ma.Schema):
    lon = ma.fields.Float(metadata={"description": "WGS-84 longitude after datum conversion"})
    lat = ma.fields.Float(metadata={"description": "WGS-84 latitude after datum conversion"})
    datum = ma.fields.String(metadata={"description": "The datum the point was given in"})
    township = ma.fields.Nested(LocatedGridSchema, allow_none=True)
    village = ma.fields.Nested(
        LocatedGridSchema, allow_none=True,
        metadata={"description": "The village grid holding the point; when "
                                 "`outside_grid`, the nearest one"})
    outside_grid = ma.fields.Boolean()
    nearest_grid_distance_m = ma.fields.Float(
        allow_none=True, metadata={"description": "Metres to the nearest grid when outside"})
