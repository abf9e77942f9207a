"""Mediation note payloads; settlement proposals become ``Proposal`` values here and
the rule that instalments add up to the total is checked in ``enforcement.mediation.notes``."""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from marshmallow import validate

from api.fields import RECORD_ID, aware, money, plausible_time, text
from api.pagination import PageArgsSchema, page_schema, sort_field
from enforcement.mediation.notes import NOTE_ORDERS, MediationFilters, PlannedPayment, Proposal
from enforcement.models import MediationOutcome, SettlementKind


class PlannedPaymentSchema(ma.Schema):
    due_on = ma.fields.Date(required=True)
    amount = money(required=True)


class ProposalSchema(ma.Schema):
    """A lump sum (``total`` due on ``due_on``) or instalments adding up to ``total``."""

    kind = ma.fields.Enum(SettlementKind, by_value=True, required=True)
    total = money(required=True)
    due_on = ma.fields.Date(metadata={"description": "For a lump sum: when it is due"})
    instalments = ma.fields.List(ma.fields.Nested(PlannedPaymentSchema),
                                 validate=validate.Length(max=120), metadata={
                                     "description": "For instalments: due dates and amounts, "
                                                    "in order, adding up to total"})

    @ma.post_load
    def make(self, data: dict[str, Any], **_: Any) -> Proposal:
        if data["kind"] == SettlementKind.LUMP_SUM:
            if "due_on" not in data:
                raise ma.ValidationError("required for a lump sum", "due_on")
            payments = [PlannedPayment(data["due_on"], data["total"])]
        else:
            if not data.get("instalments"):
                raise ma.ValidationError("required for instalments", "instalments")
            payments = [PlannedPayment(**item) for item in data["instalments"]]
        return Proposal(data["kind"], data["total"], tuple(payments))


class MediationNoteUpdateSchema(ma.Schema):
    case_id = ma.fields.String(validate=RECORD_ID, metadata={"description": "The case mediated"})
    held_at = aware(validate=plausible_time, metadata={
        "description": "When the session was held (UTC); not before 2000, not in the future"})
    place = text(200, allow_none=True)
    present = ma.fields.List(text(100), validate=validate.Length(max=50), metadata={
        "description": "Who was present, e.g. [\"申请人李四\", \"被执行人张三\", \"村支书\"]"})
    applicant_statement = text(10_000, metadata={"description": "What the applicant said"})
    debtor_statement = text(10_000, metadata={"description": "What the debtor said"})
    proposal = ma.fields.Nested(ProposalSchema, allow_none=True)
    outcome = ma.fields.Enum(MediationOutcome, by_value=True, metadata={
        "description": "agreed creates the settlement and its instalments"})
    next_visit_on = ma.fields.Date(allow_none=True)


class MediationNoteCreateSchema(MediationNoteUpdateSchema):
    id = ma.fields.String(validate=RECORD_ID, metadata={
        "description": "Optional id chosen by the phone; a retry returns the stored note"})
    case_id = ma.fields.String(required=True, validate=RECORD_ID)
    held_at = aware(required=True, validate=plausible_time)
    outcome = ma.fields.Enum(MediationOutcome, by_value=True, required=True)


class MediationNoteSchema(ma.Schema):
    id = ma.fields.String()
    court_id = ma.fields.String()
    case_id = ma.fields.String()
    author_id = ma.fields.String()
    device_id = ma.fields.String(allow_none=True)
    held_at = ma.fields.DateTime()
    place = ma.fields.String(allow_none=True)
    present = ma.fields.List(ma.fields.String())
    applicant_statement = ma.fields.String()
    debtor_statement = ma.fields.String()
    proposal = ma.fields.Dict(metadata={
        "description": "{kind, total, instalments: [{seq, due_on, amount}]}, or {}"})
    outcome = ma.fields.Enum(MediationOutcome, by_value=True)
    next_visit_on = ma.fields.Date(allow_none=True)
    settlement_id = ma.fields.String(allow_none=True, metadata={
        "description": "The settlement an agreed note created"})
    created_at = ma.fields.DateTime()
    updated_at = ma.fields.DateTime()
    version = ma.fields.Integer()

    @ma.pre_dump
    def flatten(self, view: Any, **_: Any) -> dict[str, Any]:
        return {**view.note.model_dump(), "settlement_id": view.settlement_id}


MediationNotePageSchema = page_schema(MediationNoteSchema, "MediationNotePageSchema")


class MediationNoteQueryArgsSchema(PageArgsSchema):
    sort = sort_field(NOTE_ORDERS, "newest (default) or oldest recorded; held: latest "
                                   "session first; next_visit: soonest planned visit first")
    outcome = ma.fields.List(ma.fields.Enum(MediationOutcome, by_value=True),
                             load_default=list)
    case_id = text(36)
    author_id = text(36)
    held_from = aware(metadata={"description": "held at or after"})
    held_to = aware(metadata={"description": "held before"})

    @ma.post_load
    def make(self, data: dict[str, Any], **_: Any) -> dict[str, Any]:
        page = {"cursor": data.pop("cursor"), "limit": data.pop("limit"),
                "sort": NOTE_ORDERS[data.pop("sort")]}
        data["outcome"] = tuple(data["outcome"])
        return page | {"filters": MediationFilters(**data)}

