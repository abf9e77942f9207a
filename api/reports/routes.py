"""Outcome review for the court (issue 7): thin views over ``enforcement.reports``.

Every report answers JSON, or a CSV / XLSX file with ``format`` (headers in the language
of ``Accept-Language``, Chinese by default); every file is recorded in the audit log.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from flask.views import MethodView

from api.pagination import decode_cursor, paged
from api.reports import columns as cols
from api.reports.export import file_content_doc, file_response
from api.reports.schemas import (
    AssistantCardSchema,
    AssistantListSchema,
    CreditReportSchema,
    ExportArgsSchema,
    OutcomeReportArgsSchema,
    OutcomeReportSchema,
    PeriodArgsSchema,
    ResumeArgsSchema,
    ResumeCandidatesSchema,
    RewardDecisionSchema,
    RewardPageSchema,
    RewardQueryArgsSchema,
    RewardRuleInputSchema,
    RewardRuleListSchema,
    RewardSchema,
    RoundReportSchema,
    SatisfactionArgsSchema,
    SatisfactionReportSchema,
)
from api.smorest import Blueprint, current_principal, db
from enforcement.reports import (
    assistants,
    credit,
    outcomes,
    resume,
    rewards,
    rounds,
    satisfaction,
)
from enforcement.reports.common import Period

blp = Blueprint("reports", __name__, description=(
    "Outcome review: what leads, assistants and rounds brought in; rewards; 终本 cases to "
    "resume (judges and officers; assistants their own card and rewards)"))



def _export(fmt: str) -> str | None:
    return None if fmt == "json" else fmt


@blp.route("/outcomes")
class OutcomeReport(MethodView):
    @blp.auth()
    @blp.arguments(OutcomeReportArgsSchema, location="query", as_kwargs=True)
    @blp.response(200, OutcomeReportSchema)
    @blp.doc(responses=file_content_doc(
        "The report; a file with format=csv or xlsx", OutcomeReportSchema))
    def get(self, group_by: str, period: Period, format: str) -> Any:
        """What leads brought in, per township, village, assistant, round or month.

        Lead figures count leads submitted in the period (`from`, `to`: local dates,
        inclusive); outcome figures count outcomes that occurred in it. `total` is the
        whole court; the row with `key` null holds records without a group (e.g. money
        recovered without a lead when grouping by assistant). Judges and officers only.
        docs/reports.md defines every figure.
        """
        report = outcomes.outcome_report(db(), current_principal(), group_by, period,
                                         export=_export(format))
        if format == "json":
            return report
        columns = (dataclasses.replace(cols.OUTCOME_COLUMNS[0],
                                       title=cols.GROUP_HEADERS[group_by]),
                   *cols.OUTCOME_COLUMNS[1:])
        rows = [dataclasses.asdict(r) | {"label": r.label or str(cols.NO_GROUP)}
                for r in report.rows]
        rows.append(dataclasses.asdict(report.total) | {"label": str(cols.TOTAL)})
        return file_response(f"outcomes-{group_by}-{period.label()}", columns, rows, format)


@blp.route("/rounds")
class RoundReport(MethodView):
    @blp.auth()
    @blp.arguments(PeriodArgsSchema, location="query", as_kwargs=True)
    @blp.response(200, RoundReportSchema)
    @blp.doc(responses=file_content_doc(
        "Rounds compared; a file with format=csv or xlsx", RoundReportSchema))
    def get(self, period: Period, format: str) -> Any:
        """Rounds that started in the period, oldest first: targets, visits and their
        results, outcomes by kind and money recovered, each compared with the round before
        it (`compared`: previous, delta, ratio). Judges and officers only."""
        rows = rounds.round_report(db(), current_principal(), period, export=_export(format))
        if format == "json":
            return {"items": rows}
        flat = []
        for r in rows:
            row = dataclasses.asdict(r)
            row |= {f"visit_{k}": v for k, v in r.visit_results.items()}
            row |= {f"outcome_{k}": v for k, v in r.outcome_kinds.items()}
            for name, c in r.compared.items():
                row |= {f"{name}_delta": c.delta, f"{name}_ratio": c.ratio}
            flat.append(row)
        return file_response(f"rounds-{period.label()}", cols.ROUND_COLUMNS, flat, format)


@blp.route("/credit")
class CreditReport(MethodView):
    @blp.auth()
    @blp.arguments(PeriodArgsSchema, location="query", as_kwargs=True)
    @blp.response(200, CreditReportSchema)
    @blp.doc(responses=file_content_doc(
        "Credit figures per month; a file with format=csv or xlsx", CreditReportSchema))
    def get(self, period: Period, format: str) -> Any:
        """Listings, restrictions and liftings, credit repairs decided, joint punishment
        notices and judicial aid paid, per month of the period (local calendar), with a
        totals row. Judges and officers only; docs/credit.md says which day each counts by."""
        report = credit.credit_report(db(), current_principal(), period,
                                      export=_export(format))
        if format == "json":
            return report
        rows = [dataclasses.asdict(r) for r in report.rows]
        rows.append(dataclasses.asdict(report.total) | {"month": str(cols.TOTAL)})
        return file_response(f"credit-{period.label()}", cols.CREDIT_COLUMNS, rows, format)


@blp.route("/resume-candidates")
class ResumeCandidates(MethodView):
    @blp.auth()
    @blp.arguments(ResumeArgsSchema, location="query", as_kwargs=True)
    @blp.response(200, ResumeCandidatesSchema)
    def get(self, township_id: str | None) -> Any:
        """Terminated (终本) cases with a lead or sighting since their termination, per
        township, each with its newest lead: candidates to resume with
        `POST /api/v1/cases/{case_id}/resume`. Judges and officers only."""
        return {"items": resume.resume_candidates(db(), current_principal(), township_id)}


@blp.route("/assistants")
class Assistants(MethodView):
    @blp.auth()
    @blp.arguments(ExportArgsSchema, location="query", as_kwargs=True)
    @blp.response(200, AssistantListSchema)
    @blp.doc(responses=file_content_doc(
        "Record cards; a file with format=csv or xlsx", AssistantListSchema))
    def get(self, format: str) -> Any:
        """Record cards of the court's grid assistants, most useful leads first (an
        assistant gets only their own)."""
        cards = assistants.assistant_cards(db(), current_principal(), export=_export(format))
        if format == "json":
            return {"items": cards}
        rows = [dataclasses.asdict(c) | {"grids": "、".join(
            f"{g.township_name}{g.village_name}" for g in c.grids)} for c in cards]
        return file_response("assistants", cols.ASSISTANT_COLUMNS, rows, format)


@blp.route("/assistants/<string:user_id>")
class AssistantById(MethodView):
    @blp.auth()
    @blp.response(200, AssistantCardSchema)
    @blp.problem(404)
    def get(self, user_id: str) -> Any:
        """One assistant's record card: leads, useful leads, answers to tasks, sightings,
        rewards, last active and the grids served. Assistants may read only their own
        (another's is 404); money recovered is null for them."""
        return assistants.assistant_card(db(), current_principal(), user_id)


@blp.route("/rewards")
class Rewards(MethodView):
    @blp.auth()
    @blp.arguments(RewardQueryArgsSchema, location="query", as_kwargs=True)
    @blp.response(200, RewardPageSchema)
    @blp.doc(responses=file_content_doc(
        "The ledger; a file with format=csv or xlsx", RewardPageSchema))
    def get(self, filters: rewards.RewardFilters, cursor: str | None, limit: int,
            format: str) -> Any:
        """The reward ledger, newest first: one entry per useful lead's outcome, priced by
        the court's rule when earned. Filter by `assistant_id`, `status` (repeat) and the
        period the entries were earned in. Assistants see their own entries. With
        `format=csv|xlsx`: every matching entry (no paging), oldest first."""
        principal = current_principal()
        if format == "json":
            return paged(rewards.list_rewards(db(), principal, filters,
                                              decode_cursor(cursor), limit))
        entries = rewards.export_rewards(db(), principal, filters, format)
        rows = [dataclasses.asdict(e) | {
            "outcome_kind": str(cols.OUTCOME_KINDS[e.outcome_kind]),
            "status": str(cols.REWARD_STATUSES[e.status])} for e in entries]
        return file_response(f"rewards-{filters.period.label()}", cols.REWARD_COLUMNS, rows,
                             format)


@blp.route("/rewards/<string:entry_id>/decision")
class RewardDecision(MethodView):
    @blp.auth()
    @blp.arguments(RewardDecisionSchema)
    @blp.response(200, RewardSchema)
    @blp.problem(404)
    @blp.problem(409)
    def post(self, body: dict[str, Any], entry_id: str) -> Any:
        """Approve or reject a pending entry (judges); once only: 409
        `reward_already_decided` after that. Recorded in the audit log."""
        return rewards.decide(db(), current_principal(), entry_id,
                              body["decision"] == "approved", body["note"])


@blp.route("/reward-rules")
class RewardRules(MethodView):
    @blp.auth()
    @blp.response(200, RewardRuleListSchema)
    def get(self) -> Any:
        """What a useful lead earns now, per outcome kind (the court's rule or the
        default)."""
        return {"items": rewards.list_rules(db(), current_principal())}


@blp.route("/reward-rules/<string:outcome_kind>")
class RewardRuleByKind(MethodView):
    @blp.auth()
    @blp.arguments(RewardRuleInputSchema)
    @blp.response(200, RewardRuleListSchema)
    @blp.problem(404)
    def put(self, body: dict[str, Any], outcome_kind: str) -> Any:
        """Set what an outcome kind pays from now on (judges; audited). Entries already
        earned keep their amount. An unknown or unpaid kind (`no_result`) is 404."""
        return {"items": rewards.set_rule(db(), current_principal(), outcome_kind,
                                          body["amount"])}


@blp.route("/satisfaction")
class SatisfactionReport(MethodView):
    @blp.auth()
    @blp.arguments(SatisfactionArgsSchema, location="query", as_kwargs=True)
    @blp.response(200, SatisfactionReportSchema)
    def get(self, group_by: str, period: Period, format: str) -> Any:
        """The parties' satisfaction per judge, township or month (`group_by`): their
        evaluations written in the period (local dates), the average score, complaints and
        how fast the judges answered them. Judges and officers only; docs/public.md defines
        every figure."""
        return satisfaction.satisfaction_report(db(), current_principal(), group_by, period)
