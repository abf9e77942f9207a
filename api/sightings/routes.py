"""Sightings of debtors."""

from __future__ import annotations

from typing import Any

from flask import current_app, url_for
from flask.views import MethodView

from api.etag import etag_of, required_if_match_version
from api.pagination import decode_cursor, paged
from api.sightings.schemas import (
    SightingCreateSchema,
    SightingPageSchema,
    SightingQueryArgsSchema,
    SightingSchema,
    SightingUpdateSchema,
)
from api.smorest import Blueprint, current_principal
from enforcement import sightings
from enforcement.models import Sighting

blp = Blueprint("sightings", __name__, description="Debtors seen in the field")


def _db() -> Any:
    return current_app.extensions["gridwork"].db


def _with_etag(sighting: Sighting, status: int = 200, headers: dict[str, str] | None = None
               ) -> tuple[Sighting, int, dict[str, str]]:
    return sighting, status, {"ETag": etag_of(sighting.version), **(headers or {})}


@blp.route("")
class Sightings(MethodView):
    @blp.auth()
    @blp.arguments(SightingQueryArgsSchema, location="query", as_kwargs=True)
    @blp.response(200, SightingPageSchema)
    @blp.alt_response(422, response="Problem")
    def get(self, filters: Any, cursor: str | None, limit: int) -> Any:
        """Sightings you may see, newest first.

        Assistants see their own and those placed in their grids; officers and judges
        every sighting of the court. Follow `next_cursor` (or `Link: rel="next"`).
        """
        page = sightings.list_sightings(_db(), current_principal(), filters,
                                        decode_cursor(cursor), limit)
        return paged(page)

    @blp.auth()
    @blp.arguments(SightingCreateSchema)
    @blp.response(201, SightingSchema)
    @blp.alt_response(200, schema=SightingSchema, description="A retry: already stored")
    @blp.alt_response(409, response="Problem")
    @blp.alt_response(422, response="Problem")
    def post(self, body: dict[str, Any]) -> Any:
        """Report that a debtor was seen.

        Send the point with its `datum` as for leads; the server places it in its village
        grid and township. With `urgent: true` it appears at once in `GET /api/v1/feed`
        for the officers of that township.
        """
        sighting, created = sightings.report_sighting(_db(), current_principal(), body)
        location = url_for("sightings.SightingById", sighting_id=sighting.id)
        return _with_etag(sighting, 201 if created else 200, {"Location": location})


@blp.route("/<string:sighting_id>")
class SightingById(MethodView):
    @blp.auth()
    @blp.response(200, SightingSchema, headers={"ETag": {"schema": {"type": "string"}}})
    @blp.alt_response(404, response="Problem")
    def get(self, sighting_id: str) -> Any:
        """One sighting. Its `ETag` is what `If-Match` must carry to edit it."""
        return _with_etag(sightings.get_sighting(_db(), current_principal(), sighting_id))

    @blp.auth()
    @blp.arguments(SightingUpdateSchema)
    @blp.response(200, SightingSchema)
    @blp.alt_response(404, response="Problem")
    @blp.alt_response(412, response="Problem")
    @blp.alt_response(422, response="Problem")
    @blp.alt_response(428, response="Problem")
    def patch(self, body: dict[str, Any], sighting_id: str) -> Any:
        """Correct your own sighting. Requires `If-Match` (428 without, 412 when stale)."""
        version = required_if_match_version()
        return _with_etag(sightings.edit_sighting(_db(), current_principal(), sighting_id,
                                                  version, body))
