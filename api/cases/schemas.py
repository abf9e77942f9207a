"""Case and party payloads, read only. Masked values and absent amounts are ``null`` or
starred: ``masked`` on a party says which the caller got."""

from __future__ import annotations

from typing import Any

import marshmallow as ma

from api.fields import RECORD_ID, Bbox, aware, money, money_string, text
from api.pagination import PageArgsSchema, page_schema, sort_field
from enforcement.cases import CASE_ORDERS, CaseFilters
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
    consumption_restricted = ma.fields.Boolean(metadata={"description": "限制消费 in force"})
    exit_restricted = ma.fields.Boolean(metadata={"description": "限制出境 in force"})
    dishonest_since = ma.fields.Date(allow_none=True, metadata={
        "description": "when the dishonest listing in force began; null when not listed"})
    consumption_restricted_since = ma.fields.Date(allow_none=True)
    exit_restricted_since = ma.fields.Date(allow_none=True)
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
    sort = sort_field(CASE_ORDERS, "newest (default) or oldest entered; case_number; filed: "
                                   "latest filed first; outstanding: most still owed first "
                                   "(roles that see amounts; others 403 sort_not_allowed)")
    status = ma.fields.List(ma.fields.Enum(CaseStatus, by_value=True), load_default=list)
    township_id = text(36)
    village_grid_id = text(36)
    bbox = Bbox(metadata={"description": "case address inside minlon,minlat,maxlon,maxlat "
                                         "(WGS-84)"})
    filed_from = ma.fields.Date(metadata={"description": "filed on or after (a day)"})
    filed_to = ma.fields.Date(metadata={"description": "filed on or before (a day)"})
    updated_from = aware(metadata={"description": "changed at or after"})
    updated_to = aware(metadata={"description": "changed before"})
    number = text(64, metadata={"description": "case number starting with this, e.g. "
                                               "(2024)甘1025执"})
    debtor = text(100, metadata={"description": "a debtor's name containing this; roles that "
                                                "see names unmasked only (else 403 "
                                                "filter_not_allowed)"})
    followed = ma.fields.Boolean(metadata={"description": "true: only cases you follow as a "
                                                          "deputy; false: only others"})

    @ma.post_load
    def make(self, data: dict[str, Any], **_: Any) -> dict[str, Any]:
        page = {"cursor": data.pop("cursor"), "limit": data.pop("limit"),
                "sort": CASE_ORDERS[data.pop("sort")]}
        data["status"] = tuple(data["status"])
        return page | {"filters": CaseFilters(**data)}


class WantedDebtorSchema(ma.Schema):
    party = ma.fields.Nested(PartySchema)
    case_ids = ma.fields.List(ma.fields.String())
    case_numbers = ma.fields.List(ma.fields.String())


WantedPageSchema = page_schema(WantedDebtorSchema, "WantedPageSchema")


class CaseMediatorCreateSchema(ma.Schema):
    """Put a mediator on the case."""

    mediator_id = ma.fields.String(required=True, validate=RECORD_ID, metadata={
        "description": "A user of role mediator in your court"})
    starts_on = ma.fields.Date(load_default=None, metadata={"description": "Default: today"})
    ends_on = ma.fields.Date(load_default=None, metadata={
        "description": "First day no longer assigned; null: until taken off"})
    note = text(500, load_default="")


class CaseMediatorSchema(ma.Schema):
    """A mediator's assignment to a case, current or past."""

    id = ma.fields.String()
    case_id = ma.fields.String()
    mediator_id = ma.fields.String()
    starts_on = ma.fields.Date()
    ends_on = ma.fields.Date(allow_none=True, metadata={
        "description": "First day no longer assigned; null while open-ended"})
    note = ma.fields.String()
    assigned_by = ma.fields.String()
    ended_by = ma.fields.String(allow_none=True)
    created_at = ma.fields.DateTime()
    updated_at = ma.fields.DateTime()


class PayoutCreateSchema(ma.Schema):
    amount = money(required=True, metadata={"description": "Yuan paid to the applicant"})
    paid_on = ma.fields.Date(required=True, metadata={"description": "Local date, not future"})


class PaidOutSchema(ma.Schema):
    case_id = ma.fields.String()
    amount = money_string()
    paid_on = ma.fields.Date()
    amount_paid_out = money_string(metadata={"description": "The case's total paid out now"})
    amount_recovered = money_string()
    version = ma.fields.Integer()
