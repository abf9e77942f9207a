"""Case and party payloads, read only. Masked values and absent amounts are ``null`` or
starred: ``masked`` on a party says which the caller got."""

from __future__ import annotations

from typing import Any

import marshmallow as ma

from api.fields import money_string, text
from api.pagination import PageArgsSchema, page_schema
from enforcement.cases import CaseFilters
from enforcement.models import CaseStatus


class PartySchema(ma.Schema):
    id = ma.fields.String()
    kind = ma.fields.String(metadata={"description": "person or organisation"})
    role = ma.fields.String(metadata={"description": "debtor, applicant or guarantor"})
    name = ma.fields.String(allow_none=True, metadata={"example": "张*明"})
    id_number = ma.fields.String(allow_none=True, metadata={"example": "6201**********1234"})
    phone = ma.fields.String(allow_none=True, metadata={"example": "138****5678"})
    address = ma.fields.String(allow_none=True)
    township_id = ma.fields.String(allow_none=True)
    village_grid_id = ma.fields.String(allow_none=True)
    is_dishonest = ma.fields.Boolean(metadata={"description": "on the dishonest-debtor list"})
    consumption_restricted = ma.fields.Boolean()
    masked = ma.fields.Boolean(metadata={"description": "name, id number and phone masked"})


class CaseSchema(ma.Schema):
    id = ma.fields.String()
    case_number = ma.fields.String(metadata={"example": "(2024)甘1025执123号"})
    cause = ma.fields.String()
    status = ma.fields.String()
    filed_on = ma.fields.Date()
    applicant_name = ma.fields.String(allow_none=True)
    amount_owed = money_string(allow_none=True,
                               metadata={"description": "null for grid assistants"})
    amount_recovered = money_string(allow_none=True)
    township_id = ma.fields.String(allow_none=True)
    village_grid_id = ma.fields.String(allow_none=True)
    judge_id = ma.fields.String(allow_none=True)
    officer_id = ma.fields.String(allow_none=True)
    version = ma.fields.Integer()
    created_at = ma.fields.DateTime()
    parties = ma.fields.List(ma.fields.Nested(PartySchema))


CasePageSchema = page_schema(CaseSchema, "CasePageSchema")


class CaseQueryArgsSchema(PageArgsSchema):
    status = ma.fields.List(ma.fields.Enum(CaseStatus, by_value=True), load_default=list)
    township_id = text(36)
    village_grid_id = text(36)

    @ma.post_load
    def make(self, data: dict[str, Any], **_: Any) -> dict[str, Any]:
        page = {"cursor": data.pop("cursor"), "limit": data.pop("limit")}
        data["status"] = tuple(data["status"])
        return page | {"filters": CaseFilters(**data)}


class WantedDebtorSchema(ma.Schema):
    party = ma.fields.Nested(PartySchema)
    case_ids = ma.fields.List(ma.fields.String())
    case_numbers = ma.fields.List(ma.fields.String())


WantedPageSchema = page_schema(WantedDebtorSchema, "WantedPageSchema")
