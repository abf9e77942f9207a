"""Supervision by deputies (Pingtan report): the node catalogue, node events on cases,
deputies' inbox, witnessing, evaluation forms and opinion cards, follows, and the
published summary."""

from __future__ import annotations

from typing import Any

from flask import current_app, url_for
from flask.views import MethodView

from api.etag import etag_of, required_if_match_version
from api.pagination import decode_cursor, paged
from api.smorest import Blueprint, current_principal, db
from api.supervision.schemas import (
    EvaluationCreateSchema,
    EvaluationPageSchema,
    EvaluationQueryArgsSchema,
    EvaluationSchema,
    FollowCreateSchema,
    FollowPageSchema,
    FollowQueryArgsSchema,
    FollowSchema,
    InboxPageSchema,
    InboxQueryArgsSchema,
    NodeCreateSchema,
    NodeEventCreateSchema,
    NodeEventPageSchema,
    NodeEventQueryArgsSchema,
    NodeEventSchema,
    NodeQueryArgsSchema,
    NodeSchema,
    NodeUpdateSchema,
    OpinionCreateSchema,
    OpinionPageSchema,
    OpinionQueryArgsSchema,
    OpinionReplySchema,
    OpinionSchema,
    SummaryArgsSchema,
    SummarySchema,
    WitnessCreateSchema,
    WitnessSchema,
)
from enforcement.models import utcnow
from enforcement.supervision import catalogue, deputies, events, follows, summary
from enforcement.supervision.deputies import EVALUATION, OPINION, CardFilters

blp = Blueprint("supervision", __name__,
                description="Supervision by deputies: key nodes, witnessing, evaluations, "
                            "opinion cards and their answers")
ETAG_HEADER = {"ETag": {"schema": {"type": "string"}}}



@blp.route("/nodes")
class Nodes(MethodView):
    @blp.auth()
    @blp.arguments(NodeQueryArgsSchema, location="query")
    @blp.response(200, NodeSchema(many=True))
    def get(self, args: dict[str, Any]) -> Any:
        """The court's catalogue of key enforcement nodes, in order (retired ones on request)."""
        return catalogue.list_nodes(db(), current_principal(), args["include_retired"])

    @blp.auth()
    @blp.arguments(NodeCreateSchema)
    @blp.response(201, NodeSchema, headers=ETAG_HEADER)
    @blp.problem(409)
    def post(self, body: dict[str, Any]) -> Any:
        """Add a node to the catalogue (judges, admins); 409 `node_code_exists`."""
        node = catalogue.create_node(db(), current_principal(), body)
        return node, 201, {"ETag": etag_of(node.version)}


@blp.route("/nodes/standard")
class StandardNodes(MethodView):
    @blp.auth()
    @blp.response(200, NodeSchema(many=True))
    def post(self) -> Any:
        """Add the 23 nodes of the Pingtan report that the court lacks (by code); returns
        those added. Running it again adds nothing."""
        return catalogue.load_standard_nodes(db(), current_principal())


@blp.route("/nodes/<string:node_id>")
class NodeById(MethodView):
    @blp.auth()
    @blp.arguments(NodeUpdateSchema)
    @blp.response(200, NodeSchema, headers=ETAG_HEADER)
    @blp.problem(404)
    @blp.problem(412)
    @blp.problem(428)
    def patch(self, body: dict[str, Any], node_id: str) -> Any:
        """Rename, reorder, retire (`active: false`) or bring back a node (judges, admins).
        Send `If-Match` with the node's ETag (its `version`)."""
        node = catalogue.edit_node(db(), current_principal(), node_id,
                                   required_if_match_version(), body)
        return node, 200, {"ETag": etag_of(node.version)}

    @blp.auth()
    @blp.response(204)
    @blp.problem(404)
    @blp.problem(409)
    def delete(self, node_id: str) -> None:
        """Delete a node nobody used; a node in use is 409 `node_in_use`: retire it."""
        catalogue.delete_node(db(), current_principal(), node_id)


@blp.route("/node-events")
class NodeEvents(MethodView):
    @blp.auth()
    @blp.arguments(NodeEventQueryArgsSchema, location="query")
    @blp.response(200, NodeEventPageSchema)
    def get(self, args: dict[str, Any]) -> Any:
        """Node events, newest recorded first: court staff every one of the court, deputies
        those of the cases they follow now."""
        return paged(events.list_events(db(), current_principal(), args.get("case_id"),
                                        decode_cursor(args["cursor"]), args["limit"]))

    @blp.auth()
    @blp.arguments(NodeEventCreateSchema)
    @blp.response(201, NodeEventSchema)
    def post(self, body: dict[str, Any]) -> Any:
        """Record that a key node takes or took place on a case (officers, judges). Events of
        witnessable nodes reach the inbox of the deputies following the case."""
        view = events.record_event(db(), current_principal(), body)
        return view, 201, {"Location": url_for("supervision.NodeEventById",
                                               event_id=view.event.id)}


@blp.route("/node-events/<string:event_id>")
class NodeEventById(MethodView):
    @blp.auth()
    @blp.response(200, NodeEventSchema)
    @blp.problem(404)
    def get(self, event_id: str) -> Any:
        """One node event."""
        return events.get_event(db(), current_principal(), event_id)


@blp.route("/node-events/<string:event_id>/witness")
class NodeEventWitness(MethodView):
    @blp.auth()
    @blp.arguments(WitnessCreateSchema)
    @blp.response(201, WitnessSchema)
    @blp.problem(404)
    @blp.problem(409)
    def post(self, body: dict[str, Any], event_id: str) -> Any:
        """Record that you witnessed the event (deputies following its case). Once:
        again is 409 `already_witnessed`; before it starts 409 `node_event_upcoming`."""
        return events.witness(db(), current_principal(), event_id, body), 201


@blp.route("/inbox")
class Inbox(MethodView):
    @blp.auth()
    @blp.arguments(InboxQueryArgsSchema, location="query")
    @blp.response(200, InboxPageSchema)
    def get(self, args: dict[str, Any]) -> Any:
        """A deputy's inbox: witnessable node events of the cases you follow, newest
        recorded first, each read or unread, witnessed or not, upcoming or past."""
        return paged(events.inbox(db(), current_principal(), args["unread"],
                                  decode_cursor(args["cursor"]), args["limit"]))


@blp.route("/inbox/<string:event_id>/read")
class InboxRead(MethodView):
    @blp.auth()
    @blp.response(204)
    @blp.problem(404)
    def post(self, event_id: str) -> None:
        """Mark an inbox event read (deputies); again changes nothing."""
        events.mark_read(db(), current_principal(), event_id)


@blp.route("/follows")
class Follows(MethodView):
    @blp.auth()
    @blp.arguments(FollowQueryArgsSchema, location="query", as_kwargs=True)
    @blp.response(200, FollowPageSchema)
    def get(self, filters: Any, cursor: str | None, limit: int) -> Any:
        """Which deputy follows which case: court staff all, deputies their own."""
        return paged(follows.list_follows(db(), current_principal(), filters,
                                          decode_cursor(cursor), limit))

    @blp.auth()
    @blp.arguments(FollowCreateSchema)
    @blp.response(201, FollowSchema)
    @blp.problem(409)
    def post(self, body: dict[str, Any]) -> Any:
        """Have a deputy follow a case (judges, admins); 409 `already_following`."""
        return follows.assign(db(), current_principal(), body["deputy_id"],
                              body["case_id"]), 201


@blp.route("/follows/<string:follow_id>/end")
class FollowEnd(MethodView):
    @blp.auth()
    @blp.response(200, FollowSchema)
    @blp.problem(404)
    @blp.problem(409)
    def post(self, follow_id: str) -> Any:
        """End a follow (judges, admins): the deputy no longer sees the case."""
        return follows.end(db(), current_principal(), follow_id)


@blp.route("/evaluations")
class Evaluations(MethodView):
    @blp.auth()
    @blp.arguments(EvaluationQueryArgsSchema, location="query", as_kwargs=True)
    @blp.response(200, EvaluationPageSchema)
    def get(self, filters: Any, cursor: str | None, limit: int) -> Any:
        """Evaluation forms, newest first: court staff all, deputies their own."""
        return paged(deputies.list_records(db(), current_principal(), EVALUATION, filters,
                                           decode_cursor(cursor), limit))

    @blp.auth()
    @blp.arguments(EvaluationCreateSchema)
    @blp.response(201, EvaluationSchema)
    @blp.problem(404)
    def post(self, body: dict[str, Any]) -> Any:
        """File an evaluation form on a case you follow: each criterion and the whole 1–5,
        with comments; optionally on a node event you witnessed."""
        return deputies.file_evaluation(db(), current_principal(), body), 201


@blp.route("/opinions")
class Opinions(MethodView):
    @blp.auth()
    @blp.arguments(OpinionQueryArgsSchema, location="query", as_kwargs=True)
    @blp.response(200, OpinionPageSchema)
    def get(self, filters: Any, cursor: str | None, limit: int) -> Any:
        """Opinion cards, newest first: court staff all, deputies their own."""
        return paged(deputies.list_records(db(), current_principal(), OPINION, filters,
                                           decode_cursor(cursor), limit))

    @blp.auth()
    @blp.arguments(OpinionCreateSchema)
    @blp.response(201, OpinionSchema)
    @blp.problem(404)
    @blp.problem(409)
    def post(self, body: dict[str, Any]) -> Any:
        """Send an opinion card on a case you follow to its judge, who must answer within
        `OPINION_ANSWER_DAYS` days; 409 `case_has_no_judge`."""
        return deputies.send_opinion(db(), current_principal(), body,
                                     current_app.config["OPINION_ANSWER_DAYS"]), 201


@blp.route("/opinions/overdue")
class OverdueOpinions(MethodView):
    @blp.auth()
    @blp.arguments(OpinionQueryArgsSchema(only=("cursor", "limit")), location="query",
                   as_kwargs=True)
    @blp.response(200, OpinionPageSchema)
    def get(self, filters: Any, cursor: str | None, limit: int) -> Any:
        """Opinion cards not answered by their due time: court staff all, deputies theirs."""
        return paged(deputies.list_records(db(), current_principal(), OPINION,
                                           CardFilters(overdue_at=utcnow()),
                                           decode_cursor(cursor), limit))


@blp.route("/opinions/<string:opinion_id>")
class OpinionById(MethodView):
    @blp.auth()
    @blp.response(200, OpinionSchema)
    @blp.problem(404)
    def get(self, opinion_id: str) -> Any:
        """One opinion card and its answer."""
        return deputies.get_record(db(), current_principal(), OPINION, opinion_id)


@blp.route("/opinions/<string:opinion_id>/reply")
class OpinionReply(MethodView):
    @blp.auth()
    @blp.arguments(OpinionReplySchema)
    @blp.response(200, OpinionSchema)
    @blp.problem(404)
    @blp.problem(409)
    def post(self, body: dict[str, Any], opinion_id: str) -> Any:
        """Answer an opinion card (the case's judge); once: again is 409
        `opinion_already_answered`; another judge gets 403 `not_responsible_judge`."""
        return deputies.answer_opinion(db(), current_principal(), opinion_id, body["reply"])


@blp.route("/summary")
class Summary(MethodView):
    @blp.auth()
    @blp.arguments(SummaryArgsSchema, location="query")
    @blp.response(200, SummarySchema)
    def get(self, args: dict[str, Any]) -> Any:
        """The figures the court publishes for a calendar year (China time): deputies
        active, nodes witnessed, cases mediated with deputies, amount recovered in
        followed cases, and the opinion cards' record."""
        return summary.summary(db(), current_principal(), args["year"])
