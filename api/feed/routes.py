"""The urgent feed of a township's officers and judges."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView

from api.feed.schemas import FeedPageSchema, FeedQueryArgsSchema
from api.pagination import decode_cursor, paged
from api.smorest import Blueprint, current_principal, db
from enforcement.grids import urgent_feed

blp = Blueprint("feed", __name__,
                description="Urgent sightings and leads for a township's officers")



@blp.route("")
class Feed(MethodView):
    @blp.auth()
    @blp.arguments(FeedQueryArgsSchema, location="query", as_kwargs=True)
    @blp.response(200, FeedPageSchema)
    def get(self, cursor: str | None, limit: int, township_id: str | None = None) -> Any:
        """Urgent sightings and urgent open leads, newest first.

        For officers and judges: those in the townships of the village grids you serve,
        or the whole court if you serve none. A record is here as soon as it is stored.
        """
        page = urgent_feed.urgent_feed(db(), current_principal(), township_id,
                                decode_cursor(cursor), limit)
        return paged(page)
