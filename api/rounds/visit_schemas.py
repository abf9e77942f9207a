"""Payloads of a round's visits and of its summary. Amounts are yuan as strings
(``"1500.00"``); days are China Standard Time dates."""

from __future__ import annotations

import marshmallow as ma

from api.attachments.schemas import attachments_input, attachments_output
from api.fields import (
    RECORD_ID,
    LocatedSchema,
    PointSchema,
    aware,
    money,
    money_string,
    plausible_time,
    text,
)
from api.pagination import PageArgsSchema, page_schema
from enforcement.models import OutcomeKind, VisitResult


class VisitCreateSchema(ma.Schema):
    id = ma.fields.String(validate=RECORD_ID, metadata={
        "description": "Optional id chosen by the phone; a retry returns the stored visit"})
    target_id = ma.fields.String(required=True, validate=RECORD_ID, metadata={
        "description": "The stop visited (`plan.routes[].stops[].target_id`)"})
    result = ma.fields.Enum(VisitResult, by_value=True, required=True)
    visited_at = aware(required=True, validate=plausible_time, metadata={
        "description": "When (UTC); not before 2000, not in the future"})
    point = ma.fields.Nested(PointSchema, load_default=None, allow_none=True, metadata={
        "description": "Where the visit was recorded, with the phone's datum"})
    notes = text(4000, load_default="")
    amount_collected = money(metadata={
        "description": "Paid on the spot; recorded as a payment on the case (default 0)"})
    outcome_kind = ma.fields.Enum(OutcomeKind, by_value=True, load_default=None,
                                  allow_none=True, metadata={
                                      "description": "What else came of it, e.g. "
                                                     "property_sealed, debtor_detained"})
    attachments = attachments_input()


class VisitSchema(LocatedSchema):
    id = ma.fields.String()
    round_id = ma.fields.String()
    target_id = ma.fields.String()
    case_id = ma.fields.String(allow_none=True)
    officer_id = ma.fields.String()
    device_id = ma.fields.String(allow_none=True)
    visited_at = ma.fields.DateTime()
    result = ma.fields.Enum(VisitResult, by_value=True)
    amount_collected = money_string()
    outcome_kind = ma.fields.Enum(OutcomeKind, by_value=True, allow_none=True)
    notes = ma.fields.String()
    attachments = attachments_output()
    created_at = ma.fields.DateTime()
    version = ma.fields.Integer()


VisitPageSchema = page_schema(VisitSchema, "VisitPageSchema")


class VisitQueryArgsSchema(PageArgsSchema):
    pass


class FiguresSchema(ma.Schema):
    targets = ma.fields.Integer(metadata={"description": "Stops planned"})
    visited = ma.fields.Integer(metadata={"description": "Stops done"})
    visits = ma.fields.Integer(metadata={"description": "Visits recorded"})
    amount_collected = money_string(metadata={"description": "Collected on visits"})
    planned_km = ma.fields.Float(metadata={"description": "Road km along the planned stops"})
    visited_km = ma.fields.Float(metadata={"description": "Road km along the visits made"})


class TeamFiguresSchema(FiguresSchema):
    team_id = ma.fields.String()
    name = ma.fields.String()


class DayFiguresSchema(FiguresSchema):
    day = ma.fields.Date()


class OutcomeFiguresSchema(ma.Schema):
    count = ma.fields.Integer()
    amount = money_string()


class RoundSummarySchema(FiguresSchema):
    round_id = ma.fields.String()
    status = ma.fields.String()
    revisit = ma.fields.Integer(metadata={"description": "Debtor out or address wrong"})
    not_visited = ma.fields.Integer()
    results = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.Integer(), metadata={
        "description": "Visits by result (every result, 0 included)"})
    outcomes = ma.fields.Dict(keys=ma.fields.String(),
                              values=ma.fields.Nested(OutcomeFiguresSchema),
                              metadata={"description": "Outcomes by kind"})
    amount_recovered = money_string(metadata={
        "description": "Payments received through the round (visits and leads)"})
    teams = ma.fields.List(ma.fields.Nested(TeamFiguresSchema))
    days = ma.fields.List(ma.fields.Nested(DayFiguresSchema))
