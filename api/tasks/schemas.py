"""Task payloads: what the court asks of the grids, and the assistants' answers."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import marshmallow as ma
from marshmallow import validate

from api.fields import (
    EARLIEST,
    RECORD_ID,
    LocatedSchema,
    PointSchema,
    aware,
    plausible_time,
    ref,
    text,
)
from api.pagination import PageArgsSchema, page_schema, sort_field
from enforcement.models import TaskKind, TaskStatus, utcnow
from enforcement.tasks.usecases import ANSWER_RESULTS, ENDINGS, TASK_ORDERS, TaskFilters

LATEST = datetime(2100, 1, 1, tzinfo=UTC)


def _due(value: datetime | None) -> None:
    """A deadline far outside this century is a typo, and may not round-trip the database."""
    if value is not None and not EARLIEST <= value < LATEST:
        raise ma.ValidationError("must be between 2000 and 2100")


class TaskCreateSchema(ma.Schema):
    kind = ma.fields.Enum(TaskKind, by_value=True, required=True)
    title = ma.fields.String(required=True, validate=validate.Length(1, 200))
    body = text(10_000, load_default="")
    case_id = ref("The case the task serves, if any")
    party_id = ref("The debtor (party) concerned, if any")
    due_at = aware(allow_none=True, validate=_due, metadata={
        "description": "Answer by (UTC), 2000 to 2100"})
    village_grid_ids = ma.fields.List(
        ma.fields.String(validate=RECORD_ID), required=True,
        validate=validate.Length(min=1, max=500),
        metadata={"description": "Village grids of your court whose assistants are asked"})


class TaskSchema(ma.Schema):
    id = ma.fields.String()
    court_id = ma.fields.String()
    created_by = ma.fields.String()
    kind = ma.fields.Enum(TaskKind, by_value=True)
    title = ma.fields.String()
    body = ma.fields.String()
    case_id = ma.fields.String(allow_none=True)
    party_id = ma.fields.String(allow_none=True)
    due_at = ma.fields.DateTime(allow_none=True)
    status = ma.fields.Enum(TaskStatus, by_value=True)
    village_grid_ids = ma.fields.List(ma.fields.String())
    answer_count = ma.fields.Integer(metadata={"description": "People who answered"})
    created_at = ma.fields.DateTime()
    updated_at = ma.fields.DateTime()
    version = ma.fields.Integer()

    @ma.pre_dump
    def flatten(self, view: Any, **_: Any) -> dict[str, Any]:
        return {**view.task.model_dump(), "village_grid_ids": view.village_grid_ids,
                "answer_count": view.answer_count}


TaskPageSchema = page_schema(TaskSchema, "TaskPageSchema")


class TaskQueryArgsSchema(PageArgsSchema):
    sort = sort_field(TASK_ORDERS, "newest (default) or oldest sent; due: nearest deadline "
                                   "first")
    status = ma.fields.List(ma.fields.Enum(TaskStatus, by_value=True), load_default=list)
    kind = ma.fields.List(ma.fields.Enum(TaskKind, by_value=True), load_default=list)
    case_id = text(36)
    village_grid_id = text(36)
    created_by = text(36)
    created_from = aware(data_key="from", metadata={"description": "created at or after"})
    created_to = aware(data_key="to", metadata={"description": "created before"})

    @ma.post_load
    def make(self, data: dict[str, Any], **_: Any) -> dict[str, Any]:
        page = {"cursor": data.pop("cursor"), "limit": data.pop("limit"),
                "sort": TASK_ORDERS[data.pop("sort")]}
        data["status"], data["kind"] = tuple(data["status"]), tuple(data["kind"])
        return page | {"filters": TaskFilters(**data)}


class TaskAnswerCreateSchema(ma.Schema):
    id = ma.fields.String(validate=RECORD_ID, metadata={
        "description": "Optional id chosen by the phone; a retry returns the stored answer"})
    result = ma.fields.String(required=True, validate=validate.OneOf(ANSWER_RESULTS))
    answer = text(10_000, load_default="")
    answered_at = aware(load_default=None, validate=plausible_time, metadata={
        "description": "Default: now; not before 2000, not in the future"})
    point = ma.fields.Nested(PointSchema, allow_none=True)

    @ma.post_load
    def stamp(self, data: dict[str, Any], **_: Any) -> dict[str, Any]:
        return data | {"answered_at": data["answered_at"] or utcnow()}


class TaskAnswerSchema(LocatedSchema):
    id = ma.fields.String()
    task_id = ma.fields.String()
    author_id = ma.fields.String()
    result = ma.fields.String()
    answer = ma.fields.String()
    answered_at = ma.fields.DateTime()
    created_at = ma.fields.DateTime()
    updated_at = ma.fields.DateTime()
    version = ma.fields.Integer()


class TaskAnswerUpdateSchema(ma.Schema):
    """What the author may correct in their answer while the task is open."""

    result = ma.fields.String(validate=validate.OneOf(ANSWER_RESULTS))
    answer = text(10_000)
    answered_at = aware(validate=plausible_time, metadata={
        "description": "Not before 2000, not in the future"})
    point = ma.fields.Nested(PointSchema, allow_none=True)


class TaskTransitionSchema(ma.Schema):
    """Close (done with) or cancel (no longer needed) an open task, saying why."""

    to = ma.fields.Enum(TaskStatus, by_value=True, required=True,
                        validate=validate.OneOf(ENDINGS), metadata={
                            "description": "closed or cancelled"})
    reason = ma.fields.String(required=True, validate=validate.Length(1, 2000), metadata={
        "description": "Why, for the assistants who were asked"})


class TaskTransitionRecordSchema(ma.Schema):
    """How a task ended: who, when and why."""

    id = ma.fields.String()
    task_id = ma.fields.String()
    from_status = ma.fields.Enum(TaskStatus, by_value=True)
    to_status = ma.fields.Enum(TaskStatus, by_value=True)
    actor_id = ma.fields.String()
    reason = ma.fields.String()
    at = ma.fields.DateTime()


class RespondentSchema(ma.Schema):
    """A person asked (serving a targeted grid now), or who answered, and their answer."""

    user_id = ma.fields.String()
    display_name = ma.fields.String()
    village_grid_ids = ma.fields.List(ma.fields.String(), metadata={
        "description": "Targeted grids they serve now; empty if they have left"})
    still_serving = ma.fields.Boolean()
    answered = ma.fields.Method("has_answer")
    answer = ma.fields.Nested(TaskAnswerSchema, allow_none=True, metadata={
        "description": "Their latest answer, or null"})

    def has_answer(self, respondent: Any) -> bool:
        return respondent.answer is not None


class GridProgressSchema(ma.Schema):
    """One grid the task was sent to: who serving it answered, who has not yet."""

    village_grid_id = ma.fields.String()
    village_name = ma.fields.String()
    answered = ma.fields.List(ma.fields.Nested(RespondentSchema))
    waiting = ma.fields.List(ma.fields.Nested(RespondentSchema))
