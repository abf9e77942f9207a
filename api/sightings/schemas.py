"""Sighting and feed payloads. Load schemas list only what a client may set: a
server-owned field (grid, author, court, timestamps, version) is a 422 ``unknown_field``."""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from marshmallow import validate

from api.fields import (
    RECORD_ID,
    Bbox,
    LocatedSchema,
    PointSchema,
    aware,
    plausible_time,
    ref,
    text,
)
from api.pagination import PageArgsSchema, page_schema, sort_field
from enforcement.sightings.usecases import SIGHTING_ORDERS, SightingFilters


class SightingUpdateSchema(ma.Schema):
    """What the author may correct."""

    case_id = ref("The case of the debtor seen, if known")
    party_id = ref("The debtor (party) seen, if known")
    debtor_text = text(200, allow_none=True, metadata={
        "description": "The debtor's name as written, for the court to match"})
    point = ma.fields.Nested(PointSchema, metadata={"description": "Where they were seen"})
    seen_at = aware(validate=plausible_time, metadata={
        "description": "When (UTC); not before 2000, not in the future"})
    vehicle_plate = text(16, allow_none=True, metadata={"example": "甘M12345"})
    companions = text(300, allow_none=True, metadata={"description": "Who was with them"})
    confidence = ma.fields.Integer(validate=validate.Range(1, 5), metadata={
        "description": "1 (unsure) to 5 (certain)"})
    urgent = ma.fields.Boolean(metadata={
        "description": "Urgent sightings go at once to the township's officers' feed"})
    notes = text(10_000)


class SightingCreateSchema(SightingUpdateSchema):
    id = ma.fields.String(validate=RECORD_ID, metadata={
        "description": "Optional id chosen by the phone; a retry returns the stored sighting"})
    point = ma.fields.Nested(PointSchema, required=True)
    seen_at = aware(required=True, validate=plausible_time, metadata={
        "description": "When (UTC); not before 2000, not in the future"})


class SightingSchema(LocatedSchema):
    id = ma.fields.String()
    court_id = ma.fields.String()
    author_id = ma.fields.String()
    device_id = ma.fields.String(allow_none=True)
    case_id = ma.fields.String(allow_none=True)
    party_id = ma.fields.String(allow_none=True)
    debtor_text = ma.fields.String(allow_none=True)
    seen_at = ma.fields.DateTime()
    vehicle_plate = ma.fields.String(allow_none=True)
    companions = ma.fields.String(allow_none=True)
    confidence = ma.fields.Integer()
    urgent = ma.fields.Boolean()
    notes = ma.fields.String()
    created_at = ma.fields.DateTime()
    updated_at = ma.fields.DateTime()
    version = ma.fields.Integer()


SightingPageSchema = page_schema(SightingSchema, "SightingPageSchema")


class SightingQueryArgsSchema(PageArgsSchema):
    sort = sort_field(SIGHTING_ORDERS, "newest (default) or oldest reported; seen: most "
                                       "recently seen first; urgency: urgent first, then "
                                       "the surest")
    urgent = ma.fields.Boolean()
    township_id = text(36)
    village_grid_id = text(36)
    case_id = text(36)
    party_id = text(36)
    author_id = text(36)
    created_from = aware(data_key="from", metadata={"description": "created at or after"})
    created_to = aware(data_key="to", metadata={"description": "created before"})
    bbox = Bbox(metadata={"description": "minlon,minlat,maxlon,maxlat (WGS-84)"})

    @ma.post_load
    def make(self, data: dict[str, Any], **_: Any) -> dict[str, Any]:
        page = {"cursor": data.pop("cursor"), "limit": data.pop("limit"),
                "sort": SIGHTING_ORDERS[data.pop("sort")]}
        return page | {"filters": SightingFilters(**data)}
