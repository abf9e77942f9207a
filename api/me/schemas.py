from __future__ import annotations

import marshmallow as ma


class GridRefSchema(ma.Schema):
    village_grid_id = ma.fields.String()
    village_code = ma.fields.String()
    village_name = ma.fields.String()
    township_id = ma.fields.String(allow_none=True)
    township_name = ma.fields.String(allow_none=True)


class CourtRefSchema(ma.Schema):
    id = ma.fields.String()
    code = ma.fields.String()
    name = ma.fields.String()
    county_name = ma.fields.String()


class MeSchema(ma.Schema):
    user_id = ma.fields.String()
    username = ma.fields.String()
    display_name = ma.fields.String()
    role = ma.fields.String()
    locale = ma.fields.String()
    court = ma.fields.Nested(CourtRefSchema)
    device_id = ma.fields.String()
    grids = ma.fields.List(ma.fields.Nested(GridRefSchema))
