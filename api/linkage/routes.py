"""Linkage units (Qijiang report) and the requests the court sends them."""

from __future__ import annotations

from typing import Any

from flask import url_for
from flask.views import MethodView

from api.etag import etag_of, required_if_match_version
from api.linkage.notice_schemas import (
    ListEntryCreateSchema,
    ListEntryPageSchema,
    ListEntrySchema,
    ListQueryArgsSchema,
    NoticeAcknowledgeSchema,
    NoticeCreateSchema,
    NoticePageSchema,
    NoticeQueryArgsSchema,
    NoticeSchema,
)
from api.linkage.schemas import (
    OverdueArgsSchema,
    OverdueGroupSchema,
    RequestAnswerSchema,
    RequestCreateSchema,
    RequestPageSchema,
    RequestQueryArgsSchema,
    RequestSchema,
    SentRequestSchema,
    UnitCountsSchema,
    UnitCreateSchema,
    UnitSchema,
    UnitUpdateSchema,
)
from api.pagination import decode_cursor, paged
from api.smorest import Blueprint, current_principal, db
from enforcement.linkage import lists as linkage_lists
from enforcement.linkage import punishment_notices
from enforcement.linkage import requests as linkage
from enforcement.linkage import units as linkage_units

blp = Blueprint("linkage", __name__,
                description="Linkage units (police, registries, banks…) and the court's "
                            "requests to them")
ETAG_HEADER = {"ETag": {"schema": {"type": "string"}}}



@blp.route("/units")
class Units(MethodView):
    @blp.auth()
    @blp.response(200, UnitSchema(many=True))
    def get(self) -> Any:
        """Court staff: every unit of the court, liaison phones whole (each read audited);
        a unit's users: their own unit, phone masked."""
        return linkage_units.list_units(db(), current_principal())

    @blp.auth()
    @blp.arguments(UnitCreateSchema)
    @blp.response(201, UnitSchema, headers=ETAG_HEADER)
    @blp.problem(409)
    def post(self, body: dict[str, Any]) -> Any:
        """Add a linkage unit with its duty list and liaison person (judges, admins)."""
        view = linkage_units.create_unit(db(), current_principal(), body)
        return view, 201, {"ETag": etag_of(view.unit.version),
                           "Location": url_for("linkage.UnitById", unit_id=view.unit.id)}


@blp.route("/units/<string:unit_id>")
class UnitById(MethodView):
    @blp.auth()
    @blp.response(200, UnitSchema, headers=ETAG_HEADER)
    @blp.problem(404)
    def get(self, unit_id: str) -> Any:
        """One unit."""
        view = linkage_units.get_unit(db(), current_principal(), unit_id)
        return view, 200, {"ETag": etag_of(view.unit.version)}

    @blp.auth()
    @blp.arguments(UnitUpdateSchema)
    @blp.response(200, UnitSchema, headers=ETAG_HEADER)
    @blp.problem(404)
    @blp.problem(409)
    @blp.problem(412)
    @blp.problem(428)
    def patch(self, body: dict[str, Any], unit_id: str) -> Any:
        """Change a unit (judges, admins); send `If-Match` with its ETag."""
        view = linkage_units.edit_unit(db(), current_principal(), unit_id,
                                       required_if_match_version(), body)
        return view, 200, {"ETag": etag_of(view.unit.version)}

    @blp.auth()
    @blp.response(204)
    @blp.problem(404)
    @blp.problem(409)
    def delete(self, unit_id: str) -> None:
        """Delete a unit with no requests and no members; else 409 `unit_in_use`."""
        linkage_units.delete_unit(db(), current_principal(), unit_id)


@blp.route("/units/<string:unit_id>/members/<string:user_id>")
class UnitMember(MethodView):
    @blp.auth()
    @blp.response(200, UnitSchema)
    @blp.problem(404)
    @blp.problem(422)
    def put(self, unit_id: str, user_id: str) -> Any:
        """Make a `liaison_unit` user a member of the unit (judges, admins); a user belongs
        to one unit, so this moves them from any other."""
        return linkage_units.set_member(db(), current_principal(), unit_id, user_id, True)

    @blp.auth()
    @blp.response(200, UnitSchema)
    @blp.problem(404)
    @blp.problem(422)
    def delete(self, unit_id: str, user_id: str) -> Any:
        """Take a user out of the unit (judges, admins)."""
        return linkage_units.set_member(db(), current_principal(), unit_id, user_id, False)


@blp.route("/requests")
class Requests(MethodView):
    @blp.auth()
    @blp.arguments(RequestQueryArgsSchema, location="query", as_kwargs=True)
    @blp.response(200, RequestPageSchema)
    def get(self, filters: Any, cursor: str | None, limit: int) -> Any:
        """Requests, newest first: court staff every one, a unit's users their unit's."""
        return paged(linkage.list_requests(db(), current_principal(), filters,
                                           decode_cursor(cursor), limit))

    @blp.auth()
    @blp.arguments(RequestCreateSchema)
    @blp.response(201, SentRequestSchema)
    def post(self, body: dict[str, Any]) -> Any:
        """Send a request about a case to a unit (judges, officers). The type must be one of
        the unit's duties (else 422 `request_kind_not_in_duties`); joint punishment goes out
        as a notice (422 `punishment_needs_notice`). The answer carries the unit's list
        colour, and `unit_blacklisted` when the unit is on the black list."""
        sent = linkage.send_request(db(), current_principal(), body)
        return sent, 201, {"Location": url_for("linkage.RequestById",
                                               request_id=sent.request.id)}


@blp.route("/requests/overdue")
class OverdueRequests(MethodView):
    @blp.auth()
    @blp.arguments(OverdueArgsSchema, location="query", as_kwargs=True)
    @blp.response(200, OverdueGroupSchema(many=True))
    def get(self, kinds: Any) -> Any:
        """Open requests past their due time, grouped per unit; `kind=joint_punishment`
        lists the joint punishment notices each unit has not acknowledged in time."""
        return linkage.overdue_by_unit(db(), current_principal(), kinds)


@blp.route("/summary")
class Counts(MethodView):
    @blp.auth()
    @blp.response(200, UnitCountsSchema(many=True))
    def get(self) -> Any:
        """Per unit: requests sent, answered (on time), open, overdue and withdrawn."""
        return linkage.counts_by_unit(db(), current_principal())


@blp.route("/requests/<string:request_id>")
class RequestById(MethodView):
    @blp.auth()
    @blp.response(200, RequestSchema)
    @blp.problem(404)
    def get(self, request_id: str) -> Any:
        """One request and its answer."""
        return linkage.get_request(db(), current_principal(), request_id)


@blp.route("/requests/<string:request_id>/answer")
class RequestAnswer(MethodView):
    @blp.auth()
    @blp.arguments(RequestAnswerSchema)
    @blp.response(200, RequestSchema)
    @blp.problem(404)
    @blp.problem(409)
    def post(self, body: dict[str, Any], request_id: str) -> Any:
        """Answer a request addressed to your unit (liaison users): text and a result,
        `done`, `partly_done`, `not_found` or `unable`. 409 once answered or withdrawn."""
        return linkage.answer_request(db(), current_principal(), request_id, body)


@blp.route("/requests/<string:request_id>/cancel")
class RequestCancel(MethodView):
    @blp.auth()
    @blp.response(200, RequestSchema)
    @blp.problem(404)
    @blp.problem(409)
    def post(self, request_id: str) -> Any:
        """Withdraw an open request (judges, officers)."""
        return linkage.cancel_request(db(), current_principal(), request_id)


@blp.route("/notices")
class Notices(MethodView):
    @blp.auth()
    @blp.arguments(NoticeQueryArgsSchema, location="query", as_kwargs=True)
    @blp.response(200, NoticePageSchema)
    def get(self, filters: Any, cursor: str | None, limit: int) -> Any:
        """Joint punishment notices (联合惩戒), newest first: court staff every one, a unit's
        users those sent to their unit (with only their unit's copy)."""
        return paged(punishment_notices.list_notices(db(), current_principal(), filters,
                                                     decode_cursor(cursor), limit))

    @blp.auth()
    @blp.arguments(NoticeCreateSchema)
    @blp.response(201, NoticeSchema)
    def post(self, body: dict[str, Any]) -> Any:
        """Issue a notice about a debtor of a case to the units concerned (judges,
        officers). Each unit gets a copy among its requests (kind `joint_punishment`),
        due by `due_at`; `blacklisted_unit_ids` flags units on the court's black list."""
        view = punishment_notices.issue_notice(db(), current_principal(), body)
        return view, 201, {"Location": url_for("linkage.NoticeById",
                                               notice_id=view.notice.id)}


@blp.route("/notices/<string:notice_id>")
class NoticeById(MethodView):
    @blp.auth()
    @blp.response(200, NoticeSchema)
    @blp.problem(404)
    def get(self, notice_id: str) -> Any:
        """One notice and who has acknowledged it."""
        return punishment_notices.get_notice(db(), current_principal(), notice_id)


@blp.route("/notices/<string:notice_id>/acknowledge")
class NoticeAcknowledge(MethodView):
    @blp.auth()
    @blp.arguments(NoticeAcknowledgeSchema)
    @blp.response(200, NoticeSchema)
    @blp.problem(404)
    @blp.problem(409)
    def post(self, body: dict[str, Any], notice_id: str) -> Any:
        """Acknowledge the notice for your unit (liaison users), with an optional note;
        409 `linkage_request_closed` once acknowledged or withdrawn."""
        return punishment_notices.acknowledge(db(), current_principal(), notice_id, body)


@blp.route("/lists")
class ListEntries(MethodView):
    @blp.auth()
    @blp.arguments(ListQueryArgsSchema, location="query", as_kwargs=True)
    @blp.response(200, ListEntryPageSchema)
    def get(self, filters: Any, cursor: str | None, limit: int) -> Any:
        """Red (cooperative), white (neutral) and black (obstructive) list entries of units
        and persons, newest first (judges, officers); `current=false` adds the history."""
        return paged(linkage_lists.list_entries(db(), current_principal(), filters,
                                                decode_cursor(cursor), limit))

    @blp.auth()
    @blp.arguments(ListEntryCreateSchema)
    @blp.response(201, ListEntrySchema)
    def post(self, body: dict[str, Any]) -> Any:
        """Put a unit or a person on a list with a reason (judges); their entry in force
        until now ends and stays in the history."""
        return linkage_lists.set_colour(db(), current_principal(), body), 201
