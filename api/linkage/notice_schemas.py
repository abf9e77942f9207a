"""Payloads of joint punishment notices and of the red/white/black lists."""

from __future__ import annotations

from datetime import date
from typing import Any

import marshmallow as ma
from marshmallow import validate

from api.fields import RECORD_ID, aware, text
from api.linkage.schemas import RequestSchema, _due
from api.pagination import PageArgsSchema, page_schema
from enforcement.linkage.lists import ListFilters
from enforcement.linkage.punishment_notices import NoticeFilters
from enforcement.models import ListColour


def _unique(values: list[Any]) -> None:
    if len(set(values)) != len(values):
        raise ma.ValidationError("each unit once")


def _plausible_day(value: date | None) -> None:
    if value is not None and not date(2000, 1, 1) <= value < date(2100, 1, 1):
        raise ma.ValidationError("must be between 2000 and 2100")


class NoticeCreateSchema(ma.Schema):
    case_id = ma.fields.String(required=True, validate=RECORD_ID)
    party_id = ma.fields.String(required=True, validate=RECORD_ID, metadata={
        "description": "The debtor of the case the notice is about (else 422)"})
    unit_ids = ma.fields.List(ma.fields.String(validate=RECORD_ID), required=True,
                              validate=[validate.Length(1, 50), _unique], metadata={
                                  "description": "The linkage units concerned"})
    title = ma.fields.String(required=True, validate=validate.Length(1, 200))
    content = text(20_000, load_default="", metadata={
        "description": "The measures asked of the units"})
    due_at = aware(load_default=None, allow_none=True, validate=_due, metadata={
        "description": "Units acknowledge by; default 7 days from now"})


class NoticeAcknowledgeSchema(ma.Schema):
    note = text(2_000, load_default="")


class RecipientSchema(ma.Schema):
    request = ma.fields.Nested(RequestSchema, metadata={
        "description": "The unit's copy: a linkage request of kind `joint_punishment`"})
    unit_id = ma.fields.String()
    unit_name = ma.fields.String()
    acknowledged = ma.fields.Boolean()
    unit_list_colour = ma.fields.String(allow_none=True, metadata={
        "description": "red, white or black; null when unlisted or for liaison users"})
    unit_list_reason = ma.fields.String(allow_none=True)

    @ma.pre_dump
    def shape(self, recipient: Any, **_: Any) -> dict[str, Any]:
        listing = recipient.listing
        return {"request": recipient.request, "unit_id": recipient.unit.id,
                "unit_name": recipient.unit.name,
                "acknowledged": recipient.request.result == "acknowledged",
                "unit_list_colour": listing.colour.value if listing else None,
                "unit_list_reason": listing.reason if listing else None}


class NoticeSchema(ma.Schema):
    id = ma.fields.String()
    case_id = ma.fields.String()
    party_id = ma.fields.String()
    title = ma.fields.String()
    content = ma.fields.String()
    issued_by = ma.fields.String()
    issued_at = ma.fields.DateTime()
    due_at = ma.fields.DateTime()
    recipients = ma.fields.List(ma.fields.Nested(RecipientSchema), metadata={
        "description": "Court staff: every unit; a liaison user: their own unit's copy"})
    blacklisted_unit_ids = ma.fields.List(ma.fields.String(), metadata={
        "description": "Recipients on the court's black list (court staff only)"})
    version = ma.fields.Integer()

    @ma.pre_dump
    def flatten(self, view: Any, **_: Any) -> dict[str, Any]:
        return {**view.notice.model_dump(), "recipients": view.recipients,
                "blacklisted_unit_ids": view.blacklisted_unit_ids}


NoticePageSchema = page_schema(NoticeSchema, "PunishmentNoticePageSchema")


class NoticeQueryArgsSchema(PageArgsSchema):
    case_id = text(36)
    party_id = text(36)
    unit_id = text(36)

    @ma.post_load
    def make(self, data: dict[str, Any], **_: Any) -> dict[str, Any]:
        page = {"cursor": data.pop("cursor"), "limit": data.pop("limit")}
        return page | {"filters": NoticeFilters(**data)}


class ListEntryCreateSchema(ma.Schema):
    """Exactly one of ``unit_id`` and ``party_id``."""

    unit_id = ma.fields.String(load_default=None, allow_none=True, validate=RECORD_ID)
    party_id = ma.fields.String(load_default=None, allow_none=True, validate=RECORD_ID,
                                metadata={"description": "A person (party of the court)"})
    colour = ma.fields.Enum(ListColour, by_value=True, required=True, metadata={
        "description": "red: cooperative, white: neutral, black: obstructive"})
    reason = ma.fields.String(required=True, validate=validate.Length(1, 2_000))
    effective_on = ma.fields.Date(load_default=None, allow_none=True,
                                  validate=_plausible_day, metadata={
                                      "description": "Default: today"})

    @ma.validates_schema
    def one_subject(self, data: dict[str, Any], **_: Any) -> None:
        if (data.get("unit_id") is None) == (data.get("party_id") is None):
            raise ma.ValidationError("give exactly one of unit_id and party_id", "unit_id")


class ListEntrySchema(ma.Schema):
    id = ma.fields.String()
    unit_id = ma.fields.String(allow_none=True)
    party_id = ma.fields.String(allow_none=True)
    colour = ma.fields.Enum(ListColour, by_value=True)
    reason = ma.fields.String()
    effective_on = ma.fields.Date()
    set_by = ma.fields.String()
    created_at = ma.fields.DateTime()
    ended_at = ma.fields.DateTime(allow_none=True, metadata={
        "description": "When a later colour replaced it; null while in force"})


ListEntryPageSchema = page_schema(ListEntrySchema, "LinkageListEntryPageSchema")


class ListQueryArgsSchema(PageArgsSchema):
    unit_id = text(36)
    party_id = text(36)
    colour = ma.fields.List(ma.fields.Enum(ListColour, by_value=True), load_default=list)
    current = ma.fields.Boolean(load_default=True, metadata={
        "description": "false: the history (ended entries) too"})

    @ma.post_load
    def make(self, data: dict[str, Any], **_: Any) -> dict[str, Any]:
        page = {"cursor": data.pop("cursor"), "limit": data.pop("limit")}
        data["colour"] = tuple(data["colour"])
        return page | {"filters": ListFilters(**data)}
