"""Report payloads and their query arguments."""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from marshmallow import validate

from api.fields import RECORD_ID, money, money_string, text
from api.pagination import PageArgsSchema, page_schema
from enforcement.models import RewardStatus
from enforcement.reports.common import EXPORT_FORMATS, Period
from enforcement.reports.outcomes import GROUPINGS
from enforcement.reports.rewards import RewardFilters
from enforcement.reports.satisfaction import GROUPINGS as SATISFACTION_GROUPINGS

FORMATS = ("json", *EXPORT_FORMATS)


class PeriodArgsSchema(ma.Schema):
    """``from`` and ``to`` (inclusive local dates) and the ``format`` of the answer."""

    start = ma.fields.Date(data_key="from", load_default=None, metadata={
        "description": "First day (local date, inclusive); omit for no lower bound"})
    end = ma.fields.Date(data_key="to", load_default=None, metadata={
        "description": "Last day (local date, inclusive); omit for no upper bound"})
    format = ma.fields.String(load_default="json", validate=validate.OneOf(FORMATS), metadata={
        "description": "json (default), or csv / xlsx for a file (the export is audited)"})

    @ma.validates_schema
    def ordered(self, data: dict[str, Any], **_: Any) -> None:
        if data.get("start") and data.get("end") and data["end"] < data["start"]:
            raise ma.ValidationError("must not be before from", "to")

    @ma.post_load
    def make(self, data: dict[str, Any], **_: Any) -> dict[str, Any]:
        start, end = data.pop("start"), data.pop("end")
        return data | {"period": Period(start, end)}


class CreditMonthSchema(ma.Schema):
    month = ma.fields.String(allow_none=True, metadata={
        "description": "YYYY-MM (local calendar); null in the totals row"})
    dishonest_listed = ma.fields.Integer(metadata={
        "description": "失信名单: listings that took effect"})
    consumption_restricted = ma.fields.Integer(metadata={"description": "限制消费 imposed"})
    exit_restricted = ma.fields.Integer(metadata={"description": "限制出境 imposed"})
    measures_lifted = ma.fields.Integer(metadata={"description": "Measures lifted (any reason)"})
    lifted_by_repair = ma.fields.Integer(metadata={"description": "Of which by a credit repair"})
    repairs_approved = ma.fields.Integer(metadata={"description": "By the day decided"})
    repairs_rejected = ma.fields.Integer()
    notices_issued = ma.fields.Integer(metadata={"description": "Joint punishment notices"})
    notice_copies = ma.fields.Integer(metadata={"description": "Units the notices went to"})
    aid_payments = ma.fields.Integer(metadata={"description": "Judicial aid payments made"})
    aid_paid = money_string(metadata={"description": "Judicial aid paid (yuan)"})


class CreditReportSchema(ma.Schema):
    rows = ma.fields.List(ma.fields.Nested(CreditMonthSchema), metadata={
        "description": "Every month from the first to the last with a figure (or of the "
                       "period asked for), oldest first"})
    total = ma.fields.Nested(CreditMonthSchema)


class OutcomeReportArgsSchema(PeriodArgsSchema):
    group_by = ma.fields.String(load_default="township", validate=validate.OneOf(GROUPINGS))


class OutcomeRowSchema(ma.Schema):
    key = ma.fields.String(allow_none=True, metadata={
        "description": "Township, village, user or round id, or YYYY-MM; null for the "
                       "records that have no such group (and in the totals row)"})
    label = ma.fields.String(metadata={"description": "Name of the group"})
    leads_submitted = ma.fields.Integer()
    leads_accepted = ma.fields.Integer()
    leads_rejected = ma.fields.Integer()
    leads_duplicate = ma.fields.Integer()
    median_hours_to_triage = ma.fields.Float(allow_none=True)
    leads_with_outcome = ma.fields.Integer()
    debtors_located = ma.fields.Integer()
    property_sealed = ma.fields.Integer()
    settlements = ma.fields.Integer()
    amount_recovered = money_string()
    amount_through_leads = money_string()
    lead_share = ma.fields.Float(allow_none=True, metadata={
        "description": "This group's money through leads / all money recovered in the "
                       "period (0 to 1); null when nothing was recovered"})


class OutcomeReportSchema(ma.Schema):
    group_by = ma.fields.String()
    start = ma.fields.Date(data_key="from", allow_none=True)
    end = ma.fields.Date(data_key="to", allow_none=True)
    rows = ma.fields.List(ma.fields.Nested(OutcomeRowSchema))
    total = ma.fields.Nested(OutcomeRowSchema)

    @ma.pre_dump
    def flatten(self, report: Any, **_: Any) -> dict[str, Any]:
        return {"group_by": report.group_by, "start": report.period.start,
                "end": report.period.end, "rows": report.rows, "total": report.total}


DECIMAL_TEXT = {"type": "string", "pattern": r"^-?\d+(\.\d+)?$", "example": "-2"}
"""A count or an amount sent as text, exactly: documented as the string it is on the wire."""


class ComparisonSchema(ma.Schema):
    previous = ma.fields.Decimal(as_string=True, allow_none=True, metadata=DECIMAL_TEXT)
    delta = ma.fields.Decimal(as_string=True, allow_none=True, metadata=DECIMAL_TEXT)
    ratio = ma.fields.Float(allow_none=True)


class RoundRowSchema(ma.Schema):
    round_id = ma.fields.String()
    name = ma.fields.String()
    seq = ma.fields.Integer(allow_none=True)
    starts_on = ma.fields.Date()
    ends_on = ma.fields.Date()
    status = ma.fields.String()
    targets = ma.fields.Integer()
    visits = ma.fields.Integer()
    visit_results = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.Integer())
    outcomes = ma.fields.Integer()
    outcome_kinds = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.Integer())
    amount_recovered = money_string()
    compared = ma.fields.Dict(keys=ma.fields.String(),
                              values=ma.fields.Nested(ComparisonSchema), metadata={
        "description": "targets, visits, outcomes, amount_recovered against the round "
                       "before: previous, delta, ratio"})


class RoundReportSchema(ma.Schema):
    items = ma.fields.List(ma.fields.Nested(RoundRowSchema))


class ResumeArgsSchema(ma.Schema):
    township_id = ma.fields.String(load_default=None, validate=RECORD_ID)


class NewestLeadSchema(ma.Schema):
    id = ma.fields.String()
    kind = ma.fields.String()
    status = ma.fields.String()
    author_id = ma.fields.String()
    created_at = ma.fields.DateTime()
    description = ma.fields.String()


class ResumeCandidateSchema(ma.Schema):
    case_id = ma.fields.String()
    case_number = ma.fields.String()
    village_grid_id = ma.fields.String(allow_none=True)
    terminated_on = ma.fields.Date(allow_none=True)
    terminated_at = ma.fields.DateTime()
    amount_owed = money_string()
    amount_recovered = money_string()
    new_leads = ma.fields.Integer()
    new_sightings = ma.fields.Integer()
    last_seen_at = ma.fields.DateTime(allow_none=True)
    newest_lead = ma.fields.Nested(NewestLeadSchema, allow_none=True)


class TownshipCandidatesSchema(ma.Schema):
    township_id = ma.fields.String(allow_none=True)
    township_name = ma.fields.String()
    cases = ma.fields.List(ma.fields.Nested(ResumeCandidateSchema))


class ResumeCandidatesSchema(ma.Schema):
    items = ma.fields.List(ma.fields.Nested(TownshipCandidatesSchema))


class ResumeSchema(ma.Schema):
    reason = text(500, load_default=None, allow_none=True)


class ResumedSchema(ma.Schema):
    case_id = ma.fields.String()
    case_number = ma.fields.String()
    status = ma.fields.String()
    version = ma.fields.Integer()
    event_id = ma.fields.String()
    at = ma.fields.DateTime()
    reason = ma.fields.String(allow_none=True)


class GridServedSchema(ma.Schema):
    village_grid_id = ma.fields.String()
    village_name = ma.fields.String()
    township_name = ma.fields.String()
    since = ma.fields.Date()


class AssistantCardSchema(ma.Schema):
    user_id = ma.fields.String()
    display_name = ma.fields.String()
    is_active = ma.fields.Boolean()
    leads = ma.fields.Integer()
    leads_accepted = ma.fields.Integer()
    useful_leads = ma.fields.Integer()
    task_answers = ma.fields.Integer()
    sightings = ma.fields.Integer()
    amount_through_leads = money_string(allow_none=True, metadata={
        "description": "null for assistants, who never see case amounts"})
    rewards_pending = money_string()
    rewards_approved = money_string()
    last_active_at = ma.fields.DateTime(allow_none=True)
    grids = ma.fields.List(ma.fields.Nested(GridServedSchema))


class AssistantListSchema(ma.Schema):
    items = ma.fields.List(ma.fields.Nested(AssistantCardSchema))


class ExportArgsSchema(ma.Schema):
    format = ma.fields.String(load_default="json", validate=validate.OneOf(FORMATS))


class RewardSchema(ma.Schema):
    id = ma.fields.String()
    assistant_id = ma.fields.String()
    assistant_name = ma.fields.String()
    lead_id = ma.fields.String()
    outcome_id = ma.fields.String()
    outcome_kind = ma.fields.String()
    occurred_on = ma.fields.Date()
    amount = money_string()
    status = ma.fields.String(metadata={"description": "pending, approved or rejected"})
    decided_by = ma.fields.String(allow_none=True)
    decided_at = ma.fields.DateTime(allow_none=True)
    decision_note = ma.fields.String(allow_none=True)
    created_at = ma.fields.DateTime()
    version = ma.fields.Integer()


RewardPageSchema = page_schema(RewardSchema, "RewardPageSchema")


class RewardQueryArgsSchema(PageArgsSchema, PeriodArgsSchema):
    assistant_id = ma.fields.String(load_default=None, validate=RECORD_ID)
    status = ma.fields.List(ma.fields.Enum(RewardStatus, by_value=True), load_default=list)

    @ma.post_load
    def make(self, data: dict[str, Any], **_: Any) -> dict[str, Any]:
        start, end = data.pop("start"), data.pop("end")
        return {"cursor": data["cursor"], "limit": data["limit"], "format": data["format"],
                "filters": RewardFilters(assistant_id=data["assistant_id"],
                                         status=tuple(data["status"]),
                                         period=Period(start, end))}


class RewardDecisionSchema(ma.Schema):
    decision = ma.fields.String(required=True,
                                validate=validate.OneOf(("approved", "rejected")))
    note = text(500, load_default=None, allow_none=True)


class RewardRuleSchema(ma.Schema):
    outcome_kind = ma.fields.String()
    amount = money_string()
    court_rule = ma.fields.Boolean(metadata={
        "description": "true when the court set it, false for the default"})


class RewardRuleListSchema(ma.Schema):
    items = ma.fields.List(ma.fields.Nested(RewardRuleSchema))


class RewardRuleInputSchema(ma.Schema):
    amount = money(required=True)



class SatisfactionArgsSchema(PeriodArgsSchema):
    group_by = ma.fields.String(load_default="judge",
                                validate=validate.OneOf(SATISFACTION_GROUPINGS))
    format = ma.fields.String(load_default="json", validate=validate.OneOf(("json",)))


class SatisfactionRowSchema(ma.Schema):
    key = ma.fields.String(allow_none=True, metadata={
        "description": "Judge or township id, or YYYY-MM; null in the totals row (and for "
                       "evaluations of cases with no judge or township)"})
    label = ma.fields.String(allow_none=True)
    evaluations = ma.fields.Integer()
    average_rating = ma.fields.Decimal(as_string=True, allow_none=True, metadata={
        "type": "string", "description": "1–5, two decimals; null without evaluations"})
    satisfied = ma.fields.Integer(metadata={"description": "Rated 4 or 5"})
    complaints = ma.fields.Integer()
    answered = ma.fields.Integer(metadata={"description": "Complaints the judge answered"})
    answered_on_time = ma.fields.Integer(metadata={"description": "Answered by the due time"})
    overdue = ma.fields.Integer(metadata={"description": "Unanswered and past due now"})
    average_answer_hours = ma.fields.Decimal(as_string=True, allow_none=True, metadata={
        "type": "string", "description": "From complaint to answer, over those answered"})


class SatisfactionReportSchema(ma.Schema):
    group_by = ma.fields.String()
    rows = ma.fields.List(ma.fields.Nested(SatisfactionRowSchema))
    total = ma.fields.Nested(SatisfactionRowSchema)
