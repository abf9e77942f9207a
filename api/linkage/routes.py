"""Linkage units (Qijiang report) and the requests the court sends them."""

from __future__ import annotations

from typing import Any

from flask import current_app, url_for
from flask.views import MethodView

from api.etag import etag_of, required_if_match_version
from api.linkage.schemas import (
    OverdueGroupSchema,
    RequestAnswerSchema,
    RequestCreateSchema,
    RequestPageSchema,
    RequestQueryArgsSchema,
    RequestSchema,
    UnitCountsSchema,
    UnitCreateSchema,
    UnitSchema,
    UnitUpdateSchema,
)
from api.pagination import decode_cursor, paged
from api.smorest import Blueprint, current_principal
from enforcement import linkage, linkage_units

blp = Blueprint("linkage", __name__,
                description="Linkage units (police, registries, banks…) and the court's "
                            "requests to them")
ETAG_HEADER = {"ETag": {"schema": {"type": "string"}}}


def _db() -> Any:
    return current_app.extensions["gridwork"].db


@blp.route("/units")
class Units(MethodView):
    @blp.auth()
    @blp.response(200, UnitSchema(many=True))
    def get(self) -> Any:
        """Court staff: every unit of the court, liaison phones whole (each read audited);
        a unit's users: their own unit, phone masked."""
        return linkage_units.list_units(_db(), current_principal())

    @blp.auth()
    @blp.arguments(UnitCreateSchema)
    @blp.response(201, UnitSchema, headers=ETAG_HEADER)
    @blp.alt_response(409, response="Problem")
    @blp.alt_response(422, response="Problem")
    def post(self, body: dict[str, Any]) -> Any:
        """Add a linkage unit with its duty list and liaison person (judges, admins)."""
        view = linkage_units.create_unit(_db(), current_principal(), body)
        return view, 201, {"ETag": etag_of(view.unit.version),
                           "Location": url_for("linkage.UnitById", unit_id=view.unit.id)}


@blp.route("/units/<string:unit_id>")
class UnitById(MethodView):
    @blp.auth()
    @blp.response(200, UnitSchema, headers=ETAG_HEADER)
    @blp.alt_response(404, response="Problem")
    def get(self, unit_id: str) -> Any:
        """One unit."""
        view = linkage_units.get_unit(_db(), current_principal(), unit_id)
        return view, 200, {"ETag": etag_of(view.unit.version)}

    @blp.auth()
    @blp.arguments(UnitUpdateSchema)
    @blp.response(200, UnitSchema, headers=ETAG_HEADER)
    @blp.alt_response(404, response="Problem")
    @blp.alt_response(409, response="Problem")
    @blp.alt_response(412, response="Problem")
    @blp.alt_response(422, response="Problem")
    @blp.alt_response(428, response="Problem")
    def patch(self, body: dict[str, Any], unit_id: str) -> Any:
        """Change a unit (judges, admins); send `If-Match` with its ETag."""
        view = linkage_units.edit_unit(_db(), current_principal(), unit_id,
                                       required_if_match_version(), body)
        return view, 200, {"ETag": etag_of(view.unit.version)}

    @blp.auth()
    @blp.response(204)
    @blp.alt_response(404, response="Problem")
    @blp.alt_response(409, response="Problem")
    def delete(self, unit_id: str) -> None:
        """Delete a unit with no requests and no members; else 409 `unit_in_use`."""
        linkage_units.delete_unit(_db(), current_principal(), unit_id)


@blp.route("/units/<string:unit_id>/members/<string:user_id>")
class UnitMember(MethodView):
    @blp.auth()
    @blp.response(200, UnitSchema)
    @blp.alt_response(404, response="Problem")
    @blp.alt_response(422, response="Problem")
    def put(self, unit_id: str, user_id: str) -> Any:
        """Make a `liaison_unit` user a member of the unit (judges, admins); a user belongs
        to one unit, so this moves them from any other."""
        return linkage_units.set_member(_db(), current_principal(), unit_id, user_id, True)

    @blp.auth()
    @blp.response(200, UnitSchema)
    @blp.alt_response(404, response="Problem")
    @blp.alt_response(422, response="Problem")
    def delete(self, unit_id: str, user_id: str) -> Any:
        """Take a user out of the unit (judges, admins)."""
        return linkage_units.set_member(_db(), current_principal(), unit_id, user_id, False)


@blp.route("/requests")
class Requests(MethodView):
    @blp.auth()
    @blp.arguments(RequestQueryArgsSchema, location="query", as_kwargs=True)
    @blp.response(200, RequestPageSchema)
    @blp.alt_response(422, response="Problem")
    def get(self, filters: Any, cursor: str | None, limit: int) -> Any:
        """Requests, newest first: court staff every one, a unit's users their unit's."""
        return paged(linkage.list_requests(_db(), current_principal(), filters,
                                           decode_cursor(cursor), limit))

    @blp.auth()
    @blp.arguments(RequestCreateSchema)
    @blp.response(201, RequestSchema)
    @blp.alt_response(422, response="Problem")
    def post(self, body: dict[str, Any]) -> Any:
        """Send a request about a case to a unit (judges, officers). The type must be one of
        the unit's duties (else 422 `request_kind_not_in_duties`)."""
        request = linkage.send_request(_db(), current_principal(), body)
        return request, 201, {"Location": url_for("linkage.RequestById",
                                                  request_id=request.id)}


@blp.route("/requests/overdue")
class OverdueRequests(MethodView):
    @blp.auth()
    @blp.response(200, OverdueGroupSchema(many=True))
    def get(self) -> Any:
        """Open requests past their due time, grouped per unit."""
        return linkage.overdue_by_unit(_db(), current_principal())


@blp.route("/summary")
class Counts(MethodView):
    @blp.auth()
    @blp.response(200, UnitCountsSchema(many=True))
    def get(self) -> Any:
        """Per unit: requests sent, answered (on time), open, overdue and withdrawn."""
        return linkage.counts_by_unit(_db(), current_principal())


@blp.route("/requests/<string:request_id>")
class RequestById(MethodView):
    @blp.auth()
    @blp.response(200, RequestSchema)
    @blp.alt_response(404, response="Problem")
    def get(self, request_id: str) -> Any:
        """One request and its answer."""
        return linkage.get_request(_db(), current_principal(), request_id)


@blp.route("/requests/<string:request_id>/answer")
class RequestAnswer(MethodView):
    @blp.auth()
    @blp.arguments(RequestAnswerSchema)
    @blp.response(200, RequestSchema)
    @blp.alt_response(404, response="Problem")
    @blp.alt_response(409, response="Problem")
    @blp.alt_response(422, response="Problem")
    def post(self, body: dict[str, Any], request_id: str) -> Any:
        """Answer a request addressed to your unit (liaison users): text and a result,
        `done`, `partly_done`, `not_found` or `unable`. 409 once answered or withdrawn."""
        return linkage.answer_request(_db(), current_principal(), request_id, body)


@blp.route("/requests/<string:request_id>/cancel")
class RequestCancel(MethodView):
    @blp.auth()
    @blp.response(200, RequestSchema)
    @blp.alt_response(404, response="Problem")
    @blp.alt_response(409, response="Problem")
    def post(self, request_id: str) -> Any:
        """Withdraw an open request (judges, officers)."""
        return linkage.cancel_request(_db(), current_principal(), request_id)
