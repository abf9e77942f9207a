"""Schemas of the parties' window: what a party sends and the case as a party sees it."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import validate

from api.fields import money_string, text

LAST_FOUR = validate.Regexp(r"^\s*[0-9A-Za-z]{4}\s*$",
                            error="the last four characters of the identity number")


class CaseOpenSchema(ma.Schema):
    code = text(64, required=True, metadata={
        "description": "The query code on the court's notice; case, spaces and dashes do "
                       "not matter"})
    id_last_four = ma.fields.String(required=True, validate=LAST_FOUR, metadata={
        "description": "The last four characters of the party's identity number (or "
                       "unified social credit code)"})


class NodeStepSchema(ma.Schema):
    code = ma.fields.String()
    name_zh = ma.fields.String()
    name_en = ma.fields.String()
    on = ma.fields.Date(metadata={"description": "Local (China) date, done or planned"})
    done = ma.fields.Boolean()
    witnessed_by = ma.fields.Integer(metadata={
        "description": "How many people's deputies witnessed it on site"})


class MeasureInForceSchema(ma.Schema):
    kind = ma.fields.String(metadata={
        "description": "dishonest, consumption_restriction or exit_restriction"})
    since = ma.fields.Date()
    decision_number = ma.fields.String()


class RepairStateSchema(ma.Schema):
    status = ma.fields.String(metadata={"description": "pending, approved or rejected"})
    applied_on = ma.fields.Date()
    effective_on = ma.fields.Date(allow_none=True)


class PublicCaseSchema(ma.Schema):
    """The case as its applicant or debtor may see it: never notes, addresses, leads,
    sightings or who reported anything."""

    role = ma.fields.String(metadata={"description": "applicant or debtor: whose code"})
    case_number = ma.fields.String()
    cause = ma.fields.String()
    status = ma.fields.String()
    filed_on = ma.fields.Date()
    terminated_on = ma.fields.Date(allow_none=True)
    closed_on = ma.fields.Date(allow_none=True)
    amount_owed = money_string()
    amount_recovered = money_string()
    amount_paid_out = money_string(metadata={"description": "Paid to the applicant so far"})
    court_name = ma.fields.String()
    judge_name = ma.fields.String(allow_none=True)
    reception_days = ma.fields.String(metadata={"description": "When judges receive parties"})
    you = ma.fields.String(metadata={"description": "The code's party"})
    other_side = ma.fields.List(ma.fields.String(), metadata={
        "description": "The other side's names, a person's masked as on the wanted list"})
    steps = ma.fields.List(ma.fields.Nested(NodeStepSchema), metadata={
        "description": "Key nodes done, and those planned that the court announces"})
    measures = ma.fields.List(ma.fields.Nested(MeasureInForceSchema), metadata={
        "description": "Debtor's code only: measures in force on the debtor"})
    repairs = ma.fields.List(ma.fields.Nested(RepairStateSchema), metadata={
        "description": "Debtor's code only: credit repair applications in this case"})
    evaluated = ma.fields.Boolean(metadata={"description": "This code has evaluated"})


class CaseOpenedSchema(ma.Schema):
    view_token = ma.fields.String(metadata={
        "description": "Send as `Authorization: Bearer` to GET /case and POST /evaluations"})
    expires_at = ma.fields.DateTime()
    case = ma.fields.Nested(PublicCaseSchema)


class PublicEvaluationCreateSchema(ma.Schema):
    rating = ma.fields.Integer(required=True, validate=validate.Range(1, 5), metadata={
        "description": "Satisfaction, 1 (very dissatisfied) to 5 (very satisfied)"})
    comment = text(2000, load_default="")
    complaint = text(4000, load_default=None, allow_none=True, metadata={
        "description": "A complaint the case's judge must answer (within the same period "
                       "as a deputy's opinion card)"})


class PublicEvaluationSchema(ma.Schema):
    id = ma.fields.String()
    rating = ma.fields.Integer()
    comment = ma.fields.String()
    complaint = ma.fields.String(allow_none=True)
    due_at = ma.fields.DateTime(allow_none=True, metadata={
        "description": "The judge answers the complaint by then"})
    created_at = ma.fields.DateTime()
