"""Payloads of linkage units and the requests the court sends them."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import marshmallow as ma
from marshmallow import validate

from api.fields import RECORD_ID, aware, text
from api.pagination import PageArgsSchema, page_schema
from enforcement.linkage.requests import RESULTS, RequestFilters
from enforcement.models import (
    LinkageKind,
    LinkageRequestKind,
    LinkageRequestStatus,
    ListColour,
    utcnow,
)

PHONE = validate.Regexp(r"^[0-9+\- ]{3,32}$", error="digits, spaces, + and -")


def _due(value: datetime | None) -> None:
    if value is not None and not datetime(2000, 1, 1, tzinfo=UTC) <= value < datetime(
            2100, 1, 1, tzinfo=UTC):
        raise ma.ValidationError("must be between 2000 and 2100")


def _unique(values: list[Any]) -> None:
    if len(set(values)) != len(values):
        raise ma.ValidationError("each request type once")


class UnitCreateSchema(ma.Schema):
    name = ma.fields.String(required=True, validate=validate.Length(1, 200))
    kind = ma.fields.Enum(LinkageKind, by_value=True, required=True)
    duties = ma.fields.List(ma.fields.Enum(LinkageRequestKind, by_value=True), required=True,
                            validate=[validate.Length(1, 10), _unique], metadata={
                                "description": "Request types the unit handles (职责清单)"})
    contact_name = text(100, allow_none=True, load_default=None, metadata={
        "description": "The liaison person (执行联络人)"})
    contact_phone = ma.fields.String(allow_none=True, load_default=None, validate=PHONE)
    answer_days = ma.fields.Integer(load_default=7, validate=validate.Range(1, 365), metadata={
        "description": "Days the unit has to answer a request"})

    @ma.post_load
    def plain_duties(self, data: dict[str, Any], **_: Any) -> dict[str, Any]:
        if "duties" in data:
            data["duties"] = [d.value for d in data["duties"]]
        return data


class UnitUpdateSchema(ma.Schema):
    """Only the fields sent change."""

    name = ma.fields.String(validate=validate.Length(1, 200))
    kind = ma.fields.Enum(LinkageKind, by_value=True)
    duties = ma.fields.List(ma.fields.Enum(LinkageRequestKind, by_value=True),
                            validate=[validate.Length(1, 10), _unique])
    contact_name = text(100, allow_none=True)
    contact_phone = ma.fields.String(allow_none=True, validate=PHONE)
    answer_days = ma.fields.Integer(validate=validate.Range(1, 365))

    plain_duties = UnitCreateSchema.plain_duties


class UnitSchema(ma.Schema):
    id = ma.fields.String()
    name = ma.fields.String()
    kind = ma.fields.String()
    duties = ma.fields.List(ma.fields.String())
    contact_name = ma.fields.String(allow_none=True)
    contact_phone = ma.fields.String(allow_none=True, metadata={
        "description": "Masked (138****5678) for anyone but court staff"})
    phone_masked = ma.fields.Boolean()
    answer_days = ma.fields.Integer()
    member_ids = ma.fields.List(ma.fields.String(), metadata={
        "description": "Users of the unit (court staff only; empty for others)"})
    list_colour = ma.fields.String(allow_none=True, metadata={
        "description": "The unit's red (cooperative), white (neutral) or black (obstructive) "
                       "list colour in force; null when unlisted or for liaison users"})
    list_reason = ma.fields.String(allow_none=True)
    list_since = ma.fields.Date(allow_none=True)
    version = ma.fields.Integer()

    @ma.pre_dump
    def flatten(self, view: Any, **_: Any) -> dict[str, Any]:
        listing = view.listing
        return {**view.unit.model_dump(), "kind": view.unit.kind.value,
                "contact_phone": view.contact_phone, "phone_masked": view.masked,
                "member_ids": view.member_ids,
                "list_colour": listing.colour.value if listing else None,
                "list_reason": listing.reason if listing else None,
                "list_since": listing.effective_on if listing else None}


class RequestCreateSchema(ma.Schema):
    unit_id = ma.fields.String(required=True, validate=RECORD_ID)
    case_id = ma.fields.String(required=True, validate=RECORD_ID)
    party_id = ma.fields.String(load_default=None, allow_none=True, validate=RECORD_ID,
                                metadata={"description": "The debtor concerned, if any"})
    kind = ma.fields.Enum(LinkageRequestKind, by_value=True, required=True, metadata={
        "description": "Must be one of the unit's duties, else 422"})
    details = text(10_000, load_default="")
    due_at = aware(load_default=None, allow_none=True, validate=_due, metadata={
        "description": "Default: now plus the unit's answer_days"})


class RequestAnswerSchema(ma.Schema):
    answer = ma.fields.String(required=True, validate=validate.Length(1, 10_000))
    result = ma.fields.String(required=True, validate=validate.OneOf(RESULTS))


class RequestSchema(ma.Schema):
    id = ma.fields.String()
    unit_id = ma.fields.String()
    case_id = ma.fields.String(allow_none=True)
    party_id = ma.fields.String(allow_none=True)
    kind = ma.fields.Enum(LinkageRequestKind, by_value=True)
    details = ma.fields.String()
    status = ma.fields.Enum(LinkageRequestStatus, by_value=True)
    overdue = ma.fields.Method("is_overdue", metadata={"type": "boolean"})
    requested_by = ma.fields.String()
    due_at = ma.fields.DateTime(allow_none=True)
    answer = ma.fields.String(allow_none=True)
    result = ma.fields.String(allow_none=True)
    answered_by = ma.fields.String(allow_none=True)
    answered_at = ma.fields.DateTime(allow_none=True)
    notice_id = ma.fields.String(allow_none=True, metadata={
        "description": "Set on a joint punishment notice's copy to this unit"})
    created_at = ma.fields.DateTime()
    version = ma.fields.Integer()

    def is_overdue(self, request: Any) -> bool:
        from enforcement.linkage.requests import OPEN

        status, due = _get(request, "status"), _get(request, "due_at")
        return status in OPEN and due is not None and due < utcnow()


def _get(obj: Any, key: str) -> Any:
    return obj[key] if isinstance(obj, dict) else getattr(obj, key)


class SentRequestSchema(RequestSchema):
    """A request just sent, with the unit's list colour so a black-listed unit is flagged."""

    unit_list_colour = ma.fields.String(allow_none=True, metadata={
        "description": "red, white or black: the unit's list colour in force, or null"})
    unit_list_reason = ma.fields.String(allow_none=True)
    unit_blacklisted = ma.fields.Boolean(metadata={
        "description": "true when the unit is on the black list (obstructive)"})

    @ma.pre_dump
    def flatten(self, sent: Any, **_: Any) -> dict[str, Any]:
        listing = sent.listing
        return {**sent.request.model_dump(),
                "unit_list_colour": listing.colour.value if listing else None,
                "unit_list_reason": listing.reason if listing else None,
                "unit_blacklisted": bool(listing and listing.colour == ListColour.BLACK)}


RequestPageSchema = page_schema(RequestSchema, "LinkageRequestPageSchema")


class RequestQueryArgsSchema(PageArgsSchema):
    unit_id = text(36)
    case_id = text(36)
    notice_id = text(36)
    status = ma.fields.List(ma.fields.Enum(LinkageRequestStatus, by_value=True),
                            load_default=list)
    kind = ma.fields.List(ma.fields.Enum(LinkageRequestKind, by_value=True), load_default=list,
                          metadata={"description": "`joint_punishment`: notices' copies"})

    @ma.post_load
    def make(self, data: dict[str, Any], **_: Any) -> dict[str, Any]:
        page = {"cursor": data.pop("cursor"), "limit": data.pop("limit")}
        data["status"], data["kind"] = tuple(data["status"]), tuple(data["kind"])
        return page | {"filters": RequestFilters(**data)}


class OverdueArgsSchema(ma.Schema):
    kind = ma.fields.List(ma.fields.Enum(LinkageRequestKind, by_value=True), load_default=list,
                          metadata={"description": "`joint_punishment`: unacknowledged "
                                                   "notices only"})

    @ma.post_load
    def make(self, data: dict[str, Any], **_: Any) -> dict[str, Any]:
        return {"kinds": tuple(data["kind"])}


class OverdueGroupSchema(ma.Schema):
    unit_id = ma.fields.String()
    unit_name = ma.fields.String()
    requests = ma.fields.List(ma.fields.Nested(RequestSchema))

    @ma.pre_dump
    def shape(self, group: Any, **_: Any) -> dict[str, Any]:
        unit, requests = group
        return {"unit_id": unit.id, "unit_name": unit.name, "requests": requests}


class UnitCountsSchema(ma.Schema):
    unit_id = ma.fields.String()
    unit_name = ma.fields.String()
    sent = ma.fields.Integer()
    answered = ma.fields.Integer()
    answered_on_time = ma.fields.Integer()
    open = ma.fields.Integer(metadata={"description": "Not answered nor withdrawn yet"})
    overdue = ma.fields.Integer(metadata={"description": "Open past due now"})
    cancelled = ma.fields.Integer()
