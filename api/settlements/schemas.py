"""Settlement payloads: the agreement, its instalments and what has been paid."""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from marshmallow import validate

from api.fields import money, money_string, text
from api.pagination import PageArgsSchema, page_schema
from enforcement.mediation.settlements import FULFILLED, Payment, SettlementFilters

STATUSES = ("active", FULFILLED, "broken")


class InstalmentSchema(ma.Schema):
    seq = ma.fields.Integer()
    due_on = ma.fields.Date()
    amount = money_string()
    paid_amount = money_string()
    paid_on = ma.fields.Date(allow_none=True, metadata={"description": "Latest payment"})
    recorded_by = ma.fields.String(allow_none=True)


class SettlementSchema(ma.Schema):
    id = ma.fields.String()
    court_id = ma.fields.String()
    case_id = ma.fields.String()
    mediation_note_id = ma.fields.String(allow_none=True)
    kind = ma.fields.String(metadata={"description": "lump_sum or instalments"})
    total_amount = money_string()
    agreed_on = ma.fields.Date()
    status = ma.fields.String(metadata={"description": "active, fulfilled or broken"})
    version = ma.fields.Integer()
    created_at = ma.fields.DateTime()
    updated_at = ma.fields.DateTime()
    instalments = ma.fields.List(ma.fields.Nested(InstalmentSchema))

    @ma.pre_dump
    def flatten(self, view: Any, **_: Any) -> dict[str, Any]:
        return {**view.settlement.model_dump(), "instalments": view.instalments}


SettlementPageSchema = page_schema(SettlementSchema, "SettlementPageSchema")


class SettlementQueryArgsSchema(PageArgsSchema):
    case_id = text(36)
    status = ma.fields.List(ma.fields.String(validate=validate.OneOf(STATUSES)),
                            load_default=list)

    @ma.post_load
    def make(self, data: dict[str, Any], **_: Any) -> dict[str, Any]:
        page = {"cursor": data.pop("cursor"), "limit": data.pop("limit")}
        data["status"] = tuple(data["status"])
        return page | {"filters": SettlementFilters(**data)}


class PaymentSchema(ma.Schema):
    amount = money(required=True)
    paid_on = ma.fields.Date(required=True)

    @ma.post_load
    def make(self, data: dict[str, Any], **_: Any) -> Payment:
        return Payment(**data)
