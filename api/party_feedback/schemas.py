"""Schemas of the parties' evaluations and complaints, as the court reads them."""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from marshmallow import validate

from api.fields import RECORD_ID
from api.pagination import PageArgsSchema, page_schema
from enforcement.models import utcnow
from enforcement.public.feedback import FeedbackFilters


class PartyFeedbackSchema(ma.Schema):
    id = ma.fields.String()
    case_id = ma.fields.String()
    role = ma.fields.String(metadata={"description": "applicant or debtor"})
    rating = ma.fields.Integer()
    comment = ma.fields.String()
    complaint = ma.fields.String(allow_none=True)
    judge_id = ma.fields.String(allow_none=True, metadata={
        "description": "The case's judge when it was written: who answers"})
    township_id = ma.fields.String(allow_none=True)
    created_at = ma.fields.DateTime()
    due_at = ma.fields.DateTime(allow_none=True)
    overdue = ma.fields.Method("is_overdue", metadata={
        "type": "boolean", "description": "A complaint unanswered past due"})
    reply = ma.fields.String(allow_none=True)
    replied_by = ma.fields.String(allow_none=True)
    replied_at = ma.fields.DateTime(allow_none=True)

    def is_overdue(self, row: Any) -> bool:
        return row.replied_at is None and row.due_at is not None and row.due_at < utcnow()


PartyFeedbackPageSchema = page_schema(PartyFeedbackSchema, "PartyFeedbackPageSchema")


class PartyFeedbackQueryArgsSchema(PageArgsSchema):
    case_id = ma.fields.String(validate=RECORD_ID)
    judge_id = ma.fields.String(validate=RECORD_ID)
    complaints_only = ma.fields.Boolean(load_default=False)
    answered = ma.fields.Boolean(load_default=None, allow_none=True)

    @ma.post_load
    def make(self, data: dict[str, Any], **_: Any) -> dict[str, Any]:
        page = {"cursor": data.pop("cursor"), "limit": data.pop("limit")}
        return page | {"filters": FeedbackFilters(**data)}


class ComplaintReplySchema(ma.Schema):
    reply = ma.fields.String(required=True, validate=validate.Length(1, 10_000))
