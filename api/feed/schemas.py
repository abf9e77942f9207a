"""The urgent feed's payloads: sightings and leads in one shape."""

from __future__ import annotations

import marshmallow as ma

from api.fields import text
from api.pagination import PageArgsSchema, page_schema


class FeedItemSchema(ma.Schema):
    """An urgent record: a sighting or a lead."""

    type = ma.fields.String(metadata={"description": "sighting or lead"})
    id = ma.fields.String()
    created_at = ma.fields.DateTime()
    occurred_at = ma.fields.DateTime(allow_none=True, metadata={
        "description": "When the debtor was seen, or the lead observed"})
    author_id = ma.fields.String()
    case_id = ma.fields.String(allow_none=True)
    party_id = ma.fields.String(allow_none=True)
    debtor_text = ma.fields.String(allow_none=True)
    township_id = ma.fields.String(allow_none=True)
    village_grid_id = ma.fields.String(allow_none=True)
    text = ma.fields.String(metadata={"description": "The sighting's notes or lead's text"})
    point = ma.fields.Dict(allow_none=True, metadata={"description": "WGS-84 {lon, lat}"})


FeedPageSchema = page_schema(FeedItemSchema, "FeedPageSchema")


class FeedQueryArgsSchema(PageArgsSchema):
    township_id = text(36, metadata={"description": "Only this township (of yours)"})
