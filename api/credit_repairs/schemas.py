"""Credit repair payloads: the application an officer enters and the judge's decision."""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from marshmallow import validate

from api.fields import RECORD_ID, text
from api.measures.schemas import day
from api.pagination import PageArgsSchema, page_schema
from enforcement.credit.repair import RepairApplication, RepairDecision, RepairFilters
from enforcement.models import MeasureKind, RepairGrounds, RepairStatus


class CreditRepairSchema(ma.Schema):
    id = ma.fields.String()
    party_id = ma.fields.String()
    case_id = ma.fields.String()
    grounds = ma.fields.Enum(RepairGrounds, by_value=True)
    evidence_note = ma.fields.String()
    measure_kinds = ma.fields.List(ma.fields.String(), metadata={
        "description": "the measures the repair lifts"})
    status = ma.fields.Enum(RepairStatus, by_value=True)
    applied_by = ma.fields.String()
    decided_by = ma.fields.String(allow_none=True)
    decided_at = ma.fields.DateTime(allow_none=True)
    decision_reason = ma.fields.String(allow_none=True)
    effective_on = ma.fields.Date(allow_none=True, metadata={
        "description": "approved: the day the measures were lifted"})
    version = ma.fields.Integer()
    created_at = ma.fields.DateTime()
    updated_at = ma.fields.DateTime()


CreditRepairPageSchema = page_schema(CreditRepairSchema, "CreditRepairPageSchema")


class CreditRepairQueryArgsSchema(PageArgsSchema):
    status = ma.fields.List(ma.fields.Enum(RepairStatus, by_value=True), load_default=list,
                            metadata={"description": "pending, approved, rejected; repeat"})
    party_id = ma.fields.String(validate=RECORD_ID, load_default=None)
    case_id = ma.fields.String(validate=RECORD_ID, load_default=None)

    @ma.post_load
    def make(self, data: dict[str, Any], **_: Any) -> dict[str, Any]:
        page = {"cursor": data.pop("cursor"), "limit": data.pop("limit")}
        data["status"] = tuple(data["status"])
        return page | {"filters": RepairFilters(**data)}


class CreditRepairCreateSchema(ma.Schema):
    party_id = ma.fields.String(required=True, validate=RECORD_ID, metadata={
        "description": "the debtor"})
    case_id = ma.fields.String(required=True, validate=RECORD_ID, metadata={
        "description": "a case of the debtor, paid or under a settlement kept to"})
    grounds = ma.fields.Enum(RepairGrounds, by_value=True, required=True, metadata={
        "description": "paid_in_full (全部履行) or keeps_settlement (和解履行中)"})
    evidence_note = text(2000, load_default="")
    measure_kinds = ma.fields.List(
        ma.fields.Enum(MeasureKind, by_value=True), load_default=None,
        validate=validate.Length(min=1, max=3),
        metadata={"description": "measures to lift; default every measure in force"})

    @ma.post_load
    def make(self, data: dict[str, Any], **_: Any) -> RepairApplication:
        kinds = data.pop("measure_kinds")
        return RepairApplication(**data, measure_kinds=tuple(kinds) if kinds else None)


class CreditRepairDecisionSchema(ma.Schema):
    decision = ma.fields.String(required=True, validate=validate.OneOf(("approve", "reject")))
    reason = text(500, validate=validate.Length(min=1), required=True)
    effective_on = day(load_default=None, metadata={
        "description": "approve: the day the measures are lifted from; default today; "
                       "not after today"})

    @ma.post_load
    def make(self, data: dict[str, Any], **_: Any) -> RepairDecision:
        return RepairDecision(approve=data["decision"] == "approve", reason=data["reason"],
                              effective_on=data["effective_on"])
