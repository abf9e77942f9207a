"""``/api/v1/party-feedback``: what the parties said of their cases, and the judges'
answers to their complaints (issue 21)."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView

from api.pagination import decode_cursor, paged
from api.party_feedback.schemas import (
    ComplaintReplySchema,
    PartyFeedbackPageSchema,
    PartyFeedbackQueryArgsSchema,
    PartyFeedbackSchema,
)
from api.smorest import Blueprint, current_principal, db
from enforcement.models import utcnow
from enforcement.public import feedback
from enforcement.public.feedback import FeedbackFilters

blp = Blueprint("party_feedback", __name__, description=(
    "The parties' evaluations of their cases and their complaints, which the case's judge "
    "answers like a deputy's opinion card (judges and officers)"))


@blp.route("")
class PartyFeedback(MethodView):
    @blp.auth()
    @blp.arguments(PartyFeedbackQueryArgsSchema, location="query", as_kwargs=True)
    @blp.response(200, PartyFeedbackPageSchema)
    def get(self, filters: FeedbackFilters, cursor: str | None, limit: int) -> Any:
        """Evaluations and complaints of the court, newest first."""
        return paged(feedback.list_feedback(db(), current_principal(), filters,
                                            decode_cursor(cursor), limit))


@blp.route("/overdue")
class OverdueComplaints(MethodView):
    @blp.auth()
    @blp.arguments(PartyFeedbackQueryArgsSchema, location="query", as_kwargs=True)
    @blp.response(200, PartyFeedbackPageSchema)
    def get(self, filters: FeedbackFilters, cursor: str | None, limit: int) -> Any:
        """Complaints unanswered past their due time, newest first."""
        overdue = FeedbackFilters(case_id=filters.case_id, judge_id=filters.judge_id,
                                  overdue_at=utcnow())
        return paged(feedback.list_feedback(db(), current_principal(), overdue,
                                            decode_cursor(cursor), limit))


@blp.route("/<string:evaluation_id>")
class PartyFeedbackById(MethodView):
    @blp.auth()
    @blp.response(200, PartyFeedbackSchema)
    @blp.problem(404)
    def get(self, evaluation_id: str) -> Any:
        """One evaluation."""
        return feedback.get_feedback(db(), current_principal(), evaluation_id)


@blp.route("/<string:evaluation_id>/reply")
class ComplaintReply(MethodView):
    @blp.auth()
    @blp.arguments(ComplaintReplySchema)
    @blp.response(200, PartyFeedbackSchema)
    @blp.problem(404)
    @blp.problem(409)
    def post(self, body: dict[str, Any], evaluation_id: str) -> Any:
        """Answer a complaint (the case's judge; another judge 403
        `not_responsible_judge`); once (409 `complaint_already_answered`)."""
        return feedback.answer_complaint(db(), current_principal(), evaluation_id,
                                         body["reply"])
