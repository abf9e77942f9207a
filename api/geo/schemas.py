"""Query arguments and payloads of the map endpoints."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import validate

from api.fields import money_string
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


class ClusterQueryArgsSchema(ma.Schema):
    distance_m = ma.fields.Float(load_default=500.0, validate=validate.Range(10, 20_000),
                                 metadata={"description": "Targets within this many metres "
                                                          "of another join its cluster"})
    min_size = ma.fields.Integer(load_default=3, validate=validate.Range(1, 100),
                                 metadata={"description": "Smallest cluster reported"})
    township_id = ma.fields.String(load_default=None, validate=validate.Length(max=36))


class ClusterSchema(ma.Schema):
    lon = ma.fields.Float()
    lat = ma.fields.Float()
    cases = ma.fields.Integer(metadata={"description": "Open cases (by their address)"})
    leads = ma.fields.Integer(metadata={"description": "Open leads (where reported)"})
    amount_outstanding = money_string(metadata={"description": "Owed minus recovered"})
    freshest_sighting = ma.fields.DateTime(allow_none=True)
    case_ids = ma.fields.List(ma.fields.String())
    lead_ids = ma.fields.List(ma.fields.String())


class GridTotalsSchema(ma.Schema):
    village_grid_id = ma.fields.String()
    village_name = ma.fields.String()
    township_id = ma.fields.String(allow_none=True)
    open_cases = ma.fields.Integer()
    open_leads = ma.fields.Integer()
    amount_outstanding = money_string()


class GridTotalsQueryArgsSchema(ma.Schema):
    township_id = ma.fields.String(load_default=None, validate=validate.Length(max=36))
