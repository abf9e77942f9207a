"""Cases and the wanted list, read only, shaped by the caller's role."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView

from api.cases.schemas import (
    CaseMediatorCreateSchema,
    CaseMediatorSchema,
    CasePageSchema,
    CaseQueryArgsSchema,
    CaseSchema,
    PaidOutSchema,
    PayoutCreateSchema,
    WantedPageSchema,
)
from api.pagination import PageArgsSchema, decode_cursor, paged
from api.reports.schemas import ResumedSchema, ResumeSchema
from api.smorest import Blueprint, current_principal, db
from enforcement import cases, wanted
from enforcement.cases import CaseView
from enforcement.mediation import mediators
from enforcement.models import CaseMediator
from enforcement.public import payouts
from enforcement.reports import resume

blp = Blueprint("cases", __name__, description="Enforcement cases and their parties (read)")
wanted_blp = Blueprint("wanted", __name__,
                       description="Debtors living in your grids (grid assistants)")



@blp.route("")
class Cases(MethodView):
    @blp.auth()
    @blp.arguments(CaseQueryArgsSchema, location="query", as_kwargs=True)
    @blp.response(200, CasePageSchema)
    def get(self, filters: Any, sort: Any, cursor: str | None, limit: int) -> Any:
        """Cases you may see, newest first unless `sort` says otherwise.

        Officers and judges: every case of the court, in full; each party shown unmasked
        is recorded in the audit log. Grid assistants: cases of debtors living in their
        grids, names, id numbers and phones masked, amounts null. Deputies: the cases
        they follow. Mediators: the cases the court assigned them to mediate.
        """
        page = cases.list_cases(db(), current_principal(), filters,
                                decode_cursor(cursor, sort), limit, sort)
        return paged(page)


@blp.route("/<string:case_id>")
class CaseById(MethodView):
    @blp.auth()
    @blp.response(200, CaseSchema)
    @blp.problem(404)
    def get(self, case_id: str) -> CaseView:
        """One case with its parties, masked or not as for the list."""
        return cases.get_case(db(), current_principal(), case_id)


@blp.route("/<string:case_id>/mediators")
class CaseMediators(MethodView):
    @blp.auth()
    @blp.response(200, CaseMediatorSchema(many=True))
    @blp.problem(404)
    def get(self, case_id: str) -> list[CaseMediator]:
        """Who mediates the case, and who did: every assignment, earliest first.

        Judges and officers; a mediator sees those of the cases they are assigned to.
        """
        return mediators.list_assignments(db(), current_principal(), case_id)

    @blp.auth()
    @blp.arguments(CaseMediatorCreateSchema)
    @blp.response(201, CaseMediatorSchema)
    @blp.problem(404)
    @blp.problem(409)
    def post(self, body: dict[str, Any], case_id: str) -> CaseMediator:
        """Assign a mediator (乡贤) to the case (judges, officers).

        From `starts_on` (default today) until `ends_on` (exclusive; null: until taken
        off), the mediator reads the case in full and records mediation notes on it. An
        assignment of the same mediator overlapping those days is 409
        `mediator_already_assigned`. Audited.
        """
        return mediators.assign_mediator(db(), current_principal(), case_id, body)


@blp.route("/<string:case_id>/mediators/<string:assignment_id>")
class CaseMediatorById(MethodView):
    @blp.auth()
    @blp.response(200, CaseMediatorSchema)
    @blp.problem(404)
    @blp.problem(409)
    def delete(self, case_id: str, assignment_id: str) -> CaseMediator:
        """Take the mediator off the case from today (judges, officers).

        The assignment is kept with `ends_on` set (an assignment not yet started never
        runs); one already over is 409 `assignment_ended`. Audited.
        """
        return mediators.end_assignment(db(), current_principal(), case_id, assignment_id)


@wanted_blp.route("")
class Wanted(MethodView):
    @wanted_blp.auth()
    @wanted_blp.arguments(PageArgsSchema, location="query", as_kwargs=True)
    @wanted_blp.response(200, WantedPageSchema)
    def get(self, cursor: str | None, limit: int) -> Any:
        """Debtors of open cases who live in your village grids, identity masked.

        For grid assistants: recognise a debtor you meet, then report a lead with the
        `party_id`. Each carries the measures in force (`is_dishonest`,
        `consumption_restricted`, `exit_restricted`, each with its `…_since` date), so a
        `high_consumption` lead can be checked against them. A debtor with an approved
        credit repair for a case is no longer wanted for it (docs/credit.md).
        """
        page = wanted.wanted_list(db(), current_principal(), decode_cursor(cursor), limit)
        return paged(page)


@blp.route("/<string:case_id>/resume")
class CaseResume(MethodView):
    @blp.auth()
    @blp.arguments(ResumeSchema)
    @blp.response(200, ResumedSchema)
    @blp.problem(404)
    @blp.problem(409)
    def post(self, body: dict[str, Any], case_id: str) -> Any:
        """Resume a terminated (终本) case (恢复执行; judges): it goes back to enforcement
        as `resumed`, with a case event and an audit entry. 409 `case_not_terminated` for
        a case in any other status. Candidates: `GET /api/v1/reports/resume-candidates`."""
        return resume.resume_case(db(), current_principal(), case_id, body["reason"])


@blp.route("/<string:case_id>/payouts")
class CasePayouts(MethodView):
    @blp.auth()
    @blp.arguments(PayoutCreateSchema)
    @blp.response(201, PaidOutSchema)
    @blp.problem(404)
    @blp.problem(409)
    def post(self, body: dict[str, Any], case_id: str) -> Any:
        """Record proceeds paid to the applicant (案款发放; officers, judges): the case's
        `amount_paid_out` grows by `amount`, as the parties' page shows. 409
        `payout_exceeds_recovered` when the total would pass the amount recovered."""
        return payouts.record_payout(db(), current_principal(), case_id, body["amount"],
                                     body["paid_on"]), 201
