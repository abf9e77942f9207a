"""Lead payloads. Load schemas list only what a client may set: sending a server-owned
field (status, grid, author, court, timestamps, version) is a 422 ``unknown_field``."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import marshmallow as ma
from marshmallow import validate as ma_validate

from api.attachments.schemas import attachments_input, attachments_output
from api.fields import (
    RECORD_ID,
    Bbox,
    LocatedSchema,
    PointSchema,
    aware,
    money,
    money_string,
    plausible_time,
    ref,
    text,
)
from api.pagination import PageArgsSchema, page_schema, sort_field
from enforcement.leads.queries import LEAD_ORDERS, LeadFilters
from enforcement.leads.transitions import OutcomeInput, TransitionRequest
from enforcement.models import LeadKind, LeadStatus, OutcomeKind, Urgency


class LeadUpdateSchema(ma.Schema):
    """What the author may correct while the lead is still ``submitted``."""

    kind = ma.fields.Enum(LeadKind, by_value=True)
    case_id = ref("The case the lead concerns, if known")
    party_id = ref("The debtor (party) the lead concerns, if known")
    debtor_text = text(200, allow_none=True, metadata={
        "description": "A debtor's name as written, for the court to match"})
    point = ma.fields.Nested(PointSchema, allow_none=True)
    description = text(10_000)
    observed_at = aware(allow_none=True, validate=plausible_time, metadata={
        "description": "When the thing was seen (UTC); not before 2000, not in the future"})
    urgency = ma.fields.Enum(Urgency, by_value=True)
    attachments = attachments_input()
    position_source = ma.fields.String(allow_none=True, validate=ma_validate.OneOf(
        ["gps", "manual"]), metadata={"description": "gps (the phone's fix) or manual "
                                                     "(typed or placed by hand)"})
    position_note = text(200, allow_none=True, metadata={
        "description": "Why the position is less than the court asked for"})


class LeadCreateSchema(LeadUpdateSchema):
    id = ma.fields.String(validate=RECORD_ID, metadata={
        "description": "Optional id chosen by the phone (UUID or 16 characters); a retry "
                       "with the same id returns the stored lead"})
    kind = ma.fields.Enum(LeadKind, by_value=True, required=True)


class LeadSchema(LocatedSchema):
    id = ma.fields.String()
    court_id = ma.fields.String()
    author_id = ma.fields.String()
    device_id = ma.fields.String(allow_none=True)
    kind = ma.fields.Enum(LeadKind, by_value=True)
    status = ma.fields.Enum(LeadStatus, by_value=True)
    urgency = ma.fields.Enum(Urgency, by_value=True)
    case_id = ma.fields.String(allow_none=True)
    party_id = ma.fields.String(allow_none=True)
    debtor_text = ma.fields.String(allow_none=True)
    description = ma.fields.String()
    observed_at = ma.fields.DateTime(allow_none=True)
    possible_duplicate_of_id = ma.fields.String(allow_none=True)
    duplicate_of_id = ma.fields.String(allow_none=True)
    assigned_officer_id = ma.fields.String(allow_none=True)
    round_id = ma.fields.String(allow_none=True)
    amount_recovered = money_string(allow_none=True, metadata={
        "description": "yuan recovered through this lead; null for grid assistants"})
    triaged_at = ma.fields.DateTime(allow_none=True)
    attachments = attachments_output()
    position_source = ma.fields.String(allow_none=True)
    position_note = ma.fields.String(allow_none=True)
    created_at = ma.fields.DateTime()
    updated_at = ma.fields.DateTime()
    version = ma.fields.Integer()


LeadPageSchema = page_schema(LeadSchema, "LeadPageSchema")


class LeadQueryArgsSchema(PageArgsSchema):
    sort = sort_field(LEAD_ORDERS, "newest (default) or oldest reported; observed: most "
                                   "recently seen first; urgency: most urgent first")
    status = ma.fields.List(ma.fields.Enum(LeadStatus, by_value=True), load_default=list)
    kind = ma.fields.List(ma.fields.Enum(LeadKind, by_value=True), load_default=list)
    township_id = text(36)
    village_grid_id = text(36)
    case_id = text(36)
    author_id = text(36)
    created_from = aware(data_key="from", metadata={"description": "created at or after"})
    created_to = aware(data_key="to", metadata={"description": "created before"})
    bbox = Bbox(metadata={"description": "minlon,minlat,maxlon,maxlat (WGS-84)"})

    @ma.post_load
    def make(self, data: dict[str, Any], **_: Any) -> dict[str, Any]:
        page = {"cursor": data.pop("cursor"), "limit": data.pop("limit"),
                "sort": LEAD_ORDERS[data.pop("sort")]}
        data["status"], data["kind"] = tuple(data["status"]), tuple(data["kind"])
        return page | {"filters": LeadFilters(**data)}


class OutcomeSchema(ma.Schema):
    kind = ma.fields.Enum(OutcomeKind, by_value=True, required=True)
    amount = money(load_default=None, allow_none=True, metadata={
        "description": "yuan, 0 to 9999999999.99; required above 0 for payment_received"})
    occurred_on = ma.fields.Date(required=True)
    notes = text(2000, load_default="")

    @ma.post_load
    def make(self, data: dict[str, Any], **_: Any) -> OutcomeInput:
        return OutcomeInput(kind=data["kind"], occurred_on=data["occurred_on"],
                            amount=data["amount"] or Decimal("0"), notes=data["notes"])


class LeadTransitionSchema(ma.Schema):
    """A request to move a lead: ``to`` and the details that step needs."""

    to = ma.fields.Enum(LeadStatus, by_value=True, required=True)
    reason = text(2000, load_default=None, allow_none=True)
    duplicate_of_id = ref("With to=duplicate: the lead this one repeats")
    officer_id = ref("With to=assigned: the officer who will follow it up")
    round_id = ref("With to=assigned: the enforcement round that will visit it")
    outcome = ma.fields.Nested(OutcomeSchema, allow_none=True,
                               metadata={"description": "With to=outcome_recorded"})

    @ma.post_load
    def make(self, data: dict[str, Any], **_: Any) -> TransitionRequest:
        return TransitionRequest(**data)


class LeadTransitionRecordSchema(ma.Schema):
    """One step in a lead's history."""

    id = ma.fields.String()
    lead_id = ma.fields.String()
    from_status = ma.fields.Enum(LeadStatus, by_value=True, allow_none=True)
    to_status = ma.fields.Enum(LeadStatus, by_value=True)
    actor_id = ma.fields.String(allow_none=True)
    reason = ma.fields.String(allow_none=True)
    detail = ma.fields.Dict()
    at = ma.fields.DateTime()
