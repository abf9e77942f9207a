"""Payloads of supervision by deputies: nodes, node events, the inbox, follows,
evaluation forms, opinion cards and the published summary."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import marshmallow as ma
from marshmallow import validate

from api.fields import RECORD_ID, aware, money_string, plausible_time, text
from api.pagination import PageArgsSchema, page_schema
from enforcement.models import utcnow
from enforcement.supervision.catalogue import DISCLOSURES
from enforcement.supervision.deputies import EVALUATION_CRITERIA, CardFilters
from enforcement.supervision.events import EventView
from enforcement.supervision.follows import FollowFilters

CODE = validate.Regexp(r"^[a-z][a-z0-9_]{0,31}$", error="lower-case letters, digits and _")
FAR_FUTURE = datetime(2100, 1, 1, tzinfo=UTC)


def _in_century(value: datetime | None) -> None:
    if value is not None and not datetime(2000, 1, 1, tzinfo=UTC) <= value < FAR_FUTURE:
        raise ma.ValidationError("must be between 2000 and 2100")


# --------------------------------------------------------------------------- nodes


DISCLOSURE_DOC = ("What the parties' page shows of its events: `always` (planned ones too), "
                  "`after` (only once done) or `never`")


class NodeSchema(ma.Schema):
    id = ma.fields.String()
    code = ma.fields.String()
    name_zh = ma.fields.String()
    name_en = ma.fields.String()
    seq = ma.fields.Integer(metadata={"description": "Position in the catalogue"})
    witnessable = ma.fields.Boolean(metadata={"description": "Deputies may witness it"})
    active = ma.fields.Boolean(metadata={"description": "False: retired"})
    disclosure = ma.fields.String(metadata={"description": DISCLOSURE_DOC})
    version = ma.fields.Integer()


class NodeCreateSchema(ma.Schema):
    code = ma.fields.String(required=True, validate=CODE)
    name_zh = ma.fields.String(required=True, validate=validate.Length(1, 100))
    name_en = ma.fields.String(required=True, validate=validate.Length(1, 100))
    seq = ma.fields.Integer(validate=validate.Range(1, 10_000), metadata={
        "description": "Default: after the last node"})
    witnessable = ma.fields.Boolean(load_default=True)
    disclosure = ma.fields.String(load_default="after", validate=validate.OneOf(DISCLOSURES),
                                  metadata={"description": DISCLOSURE_DOC})


class NodeUpdateSchema(ma.Schema):
    name_zh = ma.fields.String(validate=validate.Length(1, 100))
    name_en = ma.fields.String(validate=validate.Length(1, 100))
    seq = ma.fields.Integer(validate=validate.Range(1, 10_000))
    witnessable = ma.fields.Boolean()
    active = ma.fields.Boolean(metadata={"description": "false retires the node"})
    disclosure = ma.fields.String(validate=validate.OneOf(DISCLOSURES),
                                  metadata={"description": DISCLOSURE_DOC})


class NodeQueryArgsSchema(ma.Schema):
    include_retired = ma.fields.Boolean(load_default=False)


# --------------------------------------------------------------------------- node events


class NodeEventCreateSchema(ma.Schema):
    case_id = ma.fields.String(required=True, validate=RECORD_ID)
    node_id = ma.fields.String(required=True, validate=RECORD_ID)
    occurs_at = aware(required=True, validate=_in_century, metadata={
        "description": "When it takes (or took) place, UTC"})
    place = text(300, load_default="")
    note = text(10_000, load_default="")


class InboxEventSchema(ma.Schema):
    """A node event as a deputy's inbox shows it."""

    id = ma.fields.String()
    case_id = ma.fields.String()
    node_id = ma.fields.String()
    node = ma.fields.Nested(NodeSchema)
    occurs_at = ma.fields.DateTime()
    place = ma.fields.String()
    note = ma.fields.String()
    recorded_by = ma.fields.String()
    created_at = ma.fields.DateTime()

    @ma.pre_dump
    def flatten(self, view: Any, **_: Any) -> dict[str, Any]:
        return {**view.event.model_dump(), "node": view.node,
                "witness_count": view.witness_count}


class NodeEventSchema(InboxEventSchema):
    """A node on a case: which, when, where, and how many deputies witnessed it."""

    witness_count = ma.fields.Integer(metadata={"description": "Deputies who witnessed it"})


NodeEventPageSchema = page_schema(NodeEventSchema, "NodeEventPageSchema")


class NodeEventQueryArgsSchema(PageArgsSchema):
    case_id = text(36)


class InboxItemSchema(ma.Schema):
    event = ma.fields.Nested(InboxEventSchema)
    read = ma.fields.Boolean()
    witnessed = ma.fields.Boolean(metadata={"description": "You recorded that you were there"})
    upcoming = ma.fields.Boolean(metadata={"description": "It has not started yet"})

    @ma.pre_dump
    def shape(self, item: Any, **_: Any) -> dict[str, Any]:
        return {"event": EventView(item.event, item.node, 0), "read": item.read,
                "witnessed": item.witnessed, "upcoming": item.upcoming}


InboxPageSchema = page_schema(InboxItemSchema, "InboxPageSchema")


class InboxQueryArgsSchema(PageArgsSchema):
    unread = ma.fields.Boolean(load_default=False, metadata={
        "description": "Only events you have not opened yet"})


class WitnessCreateSchema(ma.Schema):
    witnessed_at = aware(load_default=None, validate=plausible_time, metadata={
        "description": "Default: now; not before the event"})
    note = text(10_000, load_default="")


class WitnessSchema(ma.Schema):
    id = ma.fields.String()
    node_event_id = ma.fields.String()
    deputy_id = ma.fields.String()
    witnessed_at = ma.fields.DateTime()
    note = ma.fields.String()


# --------------------------------------------------------------------------- follows


class FollowCreateSchema(ma.Schema):
    deputy_id = ma.fields.String(required=True, validate=RECORD_ID)
    case_id = ma.fields.String(required=True, validate=RECORD_ID)


class FollowSchema(ma.Schema):
    id = ma.fields.String()
    deputy_id = ma.fields.String()
    case_id = ma.fields.String()
    started_at = ma.fields.DateTime()
    ended_at = ma.fields.DateTime(allow_none=True)


FollowPageSchema = page_schema(FollowSchema, "FollowPageSchema")


class FollowQueryArgsSchema(PageArgsSchema):
    deputy_id = text(36)
    case_id = text(36)
    active = ma.fields.Boolean(load_default=None, allow_none=True)

    @ma.post_load
    def make(self, data: dict[str, Any], **_: Any) -> dict[str, Any]:
        page = {"cursor": data.pop("cursor"), "limit": data.pop("limit")}
        return page | {"filters": FollowFilters(**data)}


# --------------------------------------------------------------------------- evaluations


ScoresSchema = ma.Schema.from_dict({
    key: ma.fields.Integer(required=True, validate=validate.Range(1, 5),
                           metadata={"description": f"{zh} / {en}, 1 to 5"})
    for key, (zh, en) in EVALUATION_CRITERIA.items()
}, name="ScoresSchema")


class EvaluationCreateSchema(ma.Schema):
    case_id = ma.fields.String(required=True, validate=RECORD_ID)
    node_event_id = ma.fields.String(load_default=None, allow_none=True, validate=RECORD_ID,
                                     metadata={"description": "An event you witnessed"})
    scores = ma.fields.Nested(ScoresSchema, required=True)
    overall = ma.fields.Integer(required=True, validate=validate.Range(1, 5))
    comments = text(10_000, load_default="")


class EvaluationSchema(ma.Schema):
    id = ma.fields.String()
    case_id = ma.fields.String()
    deputy_id = ma.fields.String()
    node_event_id = ma.fields.String(allow_none=True)
    node_id = ma.fields.String(allow_none=True)
    witnessed_at = ma.fields.DateTime(allow_none=True)
    scores = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.Integer())
    overall = ma.fields.Integer(attribute="rating", allow_none=True)
    comments = ma.fields.String(attribute="opinion")
    created_at = ma.fields.DateTime()


EvaluationPageSchema = page_schema(EvaluationSchema, "EvaluationPageSchema")


class EvaluationQueryArgsSchema(PageArgsSchema):
    case_id = text(36)

    @ma.post_load
    def make(self, data: dict[str, Any], **_: Any) -> dict[str, Any]:
        page = {"cursor": data.pop("cursor"), "limit": data.pop("limit")}
        return page | {"filters": CardFilters(case_id=data.get("case_id"))}


# --------------------------------------------------------------------------- opinions


class OpinionCreateSchema(ma.Schema):
    case_id = ma.fields.String(required=True, validate=RECORD_ID)
    opinion = ma.fields.String(required=True, validate=validate.Length(1, 10_000))


class OpinionReplySchema(ma.Schema):
    reply = ma.fields.String(required=True, validate=validate.Length(1, 10_000))


class OpinionSchema(ma.Schema):
    id = ma.fields.String()
    case_id = ma.fields.String()
    deputy_id = ma.fields.String()
    judge_id = ma.fields.String(allow_none=True, metadata={"description": "Who must answer"})
    opinion = ma.fields.String()
    due_at = ma.fields.DateTime(allow_none=True)
    overdue = ma.fields.Method("is_overdue", metadata={
        "type": "boolean", "description": "Unanswered past due"})
    reply = ma.fields.String(allow_none=True)
    replied_by = ma.fields.String(allow_none=True)
    replied_at = ma.fields.DateTime(allow_none=True)
    created_at = ma.fields.DateTime()
    version = ma.fields.Integer()

    def is_overdue(self, card: Any) -> bool:
        return card.replied_at is None and card.due_at is not None and card.due_at < utcnow()


OpinionPageSchema = page_schema(OpinionSchema, "OpinionPageSchema")


class OpinionQueryArgsSchema(PageArgsSchema):
    case_id = text(36)
    answered = ma.fields.Boolean(load_default=None, allow_none=True)

    @ma.post_load
    def make(self, data: dict[str, Any], **_: Any) -> dict[str, Any]:
        page = {"cursor": data.pop("cursor"), "limit": data.pop("limit")}
        return page | {"filters": CardFilters(**data)}


# --------------------------------------------------------------------------- summary


class SummaryArgsSchema(ma.Schema):
    year = ma.fields.Integer(required=True, validate=validate.Range(2000, 2099))


class SummarySchema(ma.Schema):
    year = ma.fields.Integer()
    deputies_active = ma.fields.Integer(metadata={
        "description": "Deputies who witnessed, evaluated or sent an opinion in the year"})
    nodes_witnessed = ma.fields.Integer(metadata={"description": "Witness records of the year"})
    cases_mediated = ma.fields.Integer(metadata={
        "description": "Cases settled in the year while a deputy followed them"})
    amount_recovered = money_string(metadata={
        "description": "Yuan recovered in the year in cases a deputy followed that day"})
    cases_followed = ma.fields.Integer()
    evaluations = ma.fields.Integer()
    opinions_sent = ma.fields.Integer()
    opinions_answered = ma.fields.Integer()
    opinions_overdue = ma.fields.Integer(metadata={"description": "Of those sent, unanswered "
                                                                  "past due now"})
