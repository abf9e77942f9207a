"""Sightings of debtors."""

from __future__ import annotations

from typing import Any

from flask import url_for
from flask.views import MethodView

from api.etag import if_match_version, required_if_match_version, with_etag
from api.pagination import decode_cursor, paged
from api.sightings.schemas import (
    SightingCreateSchema,
    SightingPageSchema,
    SightingQueryArgsSchema,
    SightingSchema,
    SightingUpdateSchema,
)
from api.smorest import Blueprint, current_principal, db
from enforcement.sightings import usecases as sightings

blp = Blueprint("sightings", __name__, description="Debtors seen in the field")



@blp.route("")
class Sightings(MethodView):
    @blp.auth()
    @blp.arguments(SightingQueryArgsSchema, location="query", as_kwargs=True)
    @blp.response(200, SightingPageSchema)
    def get(self, filters: Any, sort: Any, cursor: str | None, limit: int) -> Any:
        """Sightings you may see, newest first unless `sort` says otherwise.

        Assistants see their own and those placed in their grids; officers and judges
        every sighting of the court. Follow `next_cursor` (or `Link: rel="next"`).
        """
        page = sightings.list_sightings(db(), current_principal(), filters,
                                        decode_cursor(cursor, sort), limit, sort)
        return paged(page)

    @blp.auth()
    @blp.arguments(SightingCreateSchema)
    @blp.response(201, SightingSchema)
    @blp.alt_response(200, schema=SightingSchema, description="A retry: already stored")
    @blp.problem(409)
    def post(self, body: dict[str, Any]) -> Any:
        """Report that a debtor was seen.

        Send the point with its `datum` as for leads; the server places it in its village
        grid and township. With `urgent: true` it appears at once in `GET /api/v1/feed`
        for the officers of that township.
        """
        sighting, created = sightings.report_sighting(db(), current_principal(), body)
        location = url_for("sightings.SightingById", sighting_id=sighting.id)
        return with_etag(sighting, sighting.version, 201 if created else 200,
                         {"Location": location})


@blp.route("/<string:sighting_id>")
class SightingById(MethodView):
    @blp.auth()
    @blp.response(200, SightingSchema, headers={"ETag": {"schema": {"type": "string"}}})
    @blp.problem(404)
    def get(self, sighting_id: str) -> Any:
        """One sighting. Its `ETag` is what `If-Match` must carry to edit it."""
        sighting = sightings.get_sighting(db(), current_principal(), sighting_id)
        return with_etag(sighting, sighting.version)

    @blp.auth()
    @blp.arguments(SightingUpdateSchema)
    @blp.response(200, SightingSchema)
    @blp.problem(404)
    @blp.problem(412)
    @blp.problem(428)
    def patch(self, body: dict[str, Any], sighting_id: str) -> Any:
        """Correct your own sighting. Requires `If-Match` (428 without, 412 when stale)."""
        version = required_if_match_version()
        sighting = sightings.edit_sighting(db(), current_principal(), sighting_id, version,
                                           body)
        return with_etag(sighting, sighting.version)

    @blp.auth()
    @blp.response(204)
    @blp.problem(404)
    @blp.problem(409)
    @blp.problem(412)
    def delete(self, sighting_id: str) -> None:
        """Withdraw your own sighting within 24 hours of reporting it.

        Later it is 409 `sighting_not_withdrawable` (the court may have acted on it;
        correct it with PATCH instead). The sighting is kept, leaves lists and the feed,
        and the withdrawal is audited. `If-Match` is optional; when sent, a stale
        version is 412.
        """
        sightings.withdraw_sighting(db(), current_principal(), sighting_id,
                                    if_match_version())
