"""Payloads of judicial aid applications (司法救助), decisions and payments."""

from __future__ import annotations

from datetime import date
from typing import Any

import marshmallow as ma
from marshmallow import validate

from api.fields import RECORD_ID, money, money_string, text
from api.pagination import PageArgsSchema, page_schema
from enforcement.credit.judicial_aid import AidFilters
from enforcement.models import AidStatus
from enforcement.reports.common import EXPORT_FORMATS

YEAR = validate.Range(2000, 2099)
FORMATS = ("json", *EXPORT_FORMATS)


def _plausible_day(value: date | None) -> None:
    if value is not None and not date(2000, 1, 1) <= value < date(2100, 1, 1):
        raise ma.ValidationError("must be between 2000 and 2100")


class AidCreateSchema(ma.Schema):
    case_id = ma.fields.String(required=True, validate=RECORD_ID)
    applicant_id = ma.fields.String(required=True, validate=RECORD_ID, metadata={
        "description": "The applicant (winning party) of the case, else 422"})
    amount_requested = money(required=True, metadata={"description": "more than 0"})
    grounds = ma.fields.String(required=True, validate=validate.Length(1, 10_000), metadata={
        "description": "The hardship: illness, loss of livelihood…"})
    applied_on = ma.fields.Date(load_default=None, allow_none=True, validate=_plausible_day,
                                metadata={"description": "Default: today"})


class AidDecisionSchema(ma.Schema):
    decision = ma.fields.String(required=True, validate=validate.OneOf(["approved", "rejected"]))
    approved_amount = money(load_default=None, allow_none=True, metadata={
        "description": "Required when approved: more than 0, at most the amount asked"})
    reason = ma.fields.String(required=True, validate=validate.Length(1, 2_000))


class AidPaymentCreateSchema(ma.Schema):
    amount = money(required=True, metadata={"description": "more than 0"})
    paid_on = ma.fields.Date(required=True, validate=_plausible_day)
    note = text(500, load_default="")


class AidPaymentSchema(ma.Schema):
    id = ma.fields.String()
    amount = money_string()
    paid_on = ma.fields.Date()
    note = ma.fields.String()
    recorded_by = ma.fields.String()
    created_at = ma.fields.DateTime()


class AidSchema(ma.Schema):
    id = ma.fields.String()
    case_id = ma.fields.String()
    applicant_id = ma.fields.String()
    amount_requested = money_string()
    grounds = ma.fields.String()
    applied_on = ma.fields.Date()
    status = ma.fields.Enum(AidStatus, by_value=True)
    approved_amount = money_string(allow_none=True)
    decision_reason = ma.fields.String(allow_none=True)
    decided_by = ma.fields.String(allow_none=True)
    decided_at = ma.fields.DateTime(allow_none=True)
    amount_paid = money_string(metadata={"description": "Total of the payments"})
    payments = ma.fields.List(ma.fields.Nested(AidPaymentSchema))
    entered_by = ma.fields.String()
    created_at = ma.fields.DateTime()
    version = ma.fields.Integer()

    @ma.pre_dump
    def flatten(self, view: Any, **_: Any) -> dict[str, Any]:
        return {**view.aid.model_dump(), "amount_paid": view.paid, "payments": view.payments}


AidPageSchema = page_schema(AidSchema, "JudicialAidPageSchema")


class AidQueryArgsSchema(PageArgsSchema):
    case_id = text(36)
    applicant_id = text(36)
    status = ma.fields.List(ma.fields.Enum(AidStatus, by_value=True), load_default=list)
    year = ma.fields.Integer(validate=YEAR, metadata={"description": "Applied in this year"})
    format = ma.fields.String(load_default="json", validate=validate.OneOf(FORMATS), metadata={
        "description": "json (default, paged), or csv / xlsx: every match in one file, "
                       "oldest first (the export is audited)"})

    @ma.post_load
    def make(self, data: dict[str, Any], **_: Any) -> dict[str, Any]:
        page = {"cursor": data.pop("cursor"), "limit": data.pop("limit"),
                "format": data.pop("format")}
        data["status"] = tuple(data["status"])
        return page | {"filters": AidFilters(**data)}


class AidTotalsArgsSchema(ma.Schema):
    year = ma.fields.Integer(required=True, validate=YEAR)


class AidTotalsSchema(ma.Schema):
    year = ma.fields.Integer()
    applications = ma.fields.Integer(metadata={"description": "Applied in the year"})
    amount_requested = money_string()
    approved = ma.fields.Integer(metadata={"description": "Approved in the year"})
    rejected = ma.fields.Integer(metadata={"description": "Rejected in the year"})
    amount_approved = money_string()
    payments = ma.fields.Integer(metadata={"description": "Payments made in the year"})
    amount_paid = money_string()
