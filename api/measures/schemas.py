"""Measure payloads: a judge's decision imposing, amending or lifting a measure."""

from __future__ import annotations

from datetime import date
from typing import Any

import marshmallow as ma
from marshmallow import validate

from api.fields import RECORD_ID, text
from enforcement.credit.measures import MeasureOrder
from enforcement.models import MeasureAction, MeasureKind

KIND = ma.fields.Enum(MeasureKind, by_value=True, metadata={
    "description": "dishonest (失信被执行人), consumption_restriction (限制消费), "
                   "exit_restriction (限制出境)"})
def after_2000(value: date | None) -> None:
    """Decisions predate nothing before 2000 (a ``Range`` would put a date in OpenAPI)."""
    if value is not None and value < date(2000, 1, 1):
        raise ma.ValidationError("must be in 2000 or later")


def day(**kwargs: Any) -> ma.fields.Date:
    return ma.fields.Date(validate=after_2000, **kwargs)


class MeasureSchema(ma.Schema):
    id = ma.fields.String()
    party_id = ma.fields.String()
    case_id = ma.fields.String()
    kind = ma.fields.Enum(MeasureKind, by_value=True)
    imposed_on = ma.fields.Date()
    decision_number = ma.fields.String(metadata={"example": "(2024)甘1025执123号之一"})
    decision_text = ma.fields.String()
    imposed_by = ma.fields.String()
    in_force = ma.fields.Method("is_in_force")
    lifted_on = ma.fields.Date(allow_none=True)
    lift_reason = ma.fields.String(allow_none=True)
    lifted_by = ma.fields.String(allow_none=True)
    repair_id = ma.fields.String(allow_none=True, metadata={
        "description": "the credit repair that lifted it"})
    version = ma.fields.Integer()
    created_at = ma.fields.DateTime()
    updated_at = ma.fields.DateTime()

    def is_in_force(self, measure: Any) -> bool:
        return measure.lifted_on is None


class MeasureEventSchema(ma.Schema):
    id = ma.fields.String()
    measure_id = ma.fields.String()
    case_id = ma.fields.String()
    kind = ma.fields.Enum(MeasureKind, by_value=True)
    action = ma.fields.Enum(MeasureAction, by_value=True)
    effective_on = ma.fields.Date()
    reason = ma.fields.String(allow_none=True)
    changes = ma.fields.Dict(metadata={"description": "amend: field -> [old, new]"})
    repair_id = ma.fields.String(allow_none=True)
    actor_id = ma.fields.String()
    at = ma.fields.DateTime()


class PartyMeasuresSchema(ma.Schema):
    party_id = ma.fields.Function(lambda v: v.party.id)
    is_dishonest = ma.fields.Function(lambda v: v.party.is_dishonest)
    consumption_restricted = ma.fields.Function(lambda v: v.party.consumption_restricted)
    exit_restricted = ma.fields.Function(lambda v: v.party.exit_restricted)
    measures = ma.fields.List(ma.fields.Nested(MeasureSchema))
    events = ma.fields.List(ma.fields.Nested(MeasureEventSchema), metadata={
        "description": "every impose, amend and lift, oldest first"})


class MeasureCreateSchema(ma.Schema):
    kind = ma.fields.Enum(MeasureKind, by_value=True, required=True,
                          metadata=KIND.metadata)
    case_id = ma.fields.String(required=True, validate=RECORD_ID, metadata={
        "description": "a case where the party is a debtor"})
    imposed_on = day(required=True, metadata={"description": "not after today"})
    decision_number = text(64, validate=validate.Length(min=1), required=True)
    decision_text = text(20000, load_default="")

    @ma.post_load
    def make(self, data: dict[str, Any], **_: Any) -> MeasureOrder:
        return MeasureOrder(**data)


class MeasureAmendSchema(ma.Schema):
    """The particulars to correct; at least one."""

    case_id = ma.fields.String(validate=RECORD_ID)
    imposed_on = day()
    decision_number = text(64, validate=validate.Length(min=1))
    decision_text = text(20000)

    @ma.validates_schema
    def some(self, data: dict[str, Any], **_: Any) -> None:
        if not data:
            raise ma.ValidationError("name at least one field to amend")


class MeasureLiftSchema(ma.Schema):
    lifted_on = day(required=True, metadata={
        "description": "not after today, not before imposed_on"})
    reason = text(500, validate=validate.Length(min=1), required=True)
