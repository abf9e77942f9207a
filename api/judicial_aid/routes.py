"""Judicial aid (司法救助, Luojiang report): applications, decisions, payments, totals."""

from __future__ import annotations

from typing import Any

from flask import url_for
from flask.views import MethodView

from api.i18n import _l, lazy_pgettext
from api.judicial_aid.schemas import (
    AidCreateSchema,
    AidDecisionSchema,
    AidPageSchema,
    AidPaymentCreateSchema,
    AidQueryArgsSchema,
    AidSchema,
    AidTotalsArgsSchema,
    AidTotalsSchema,
)
from api.pagination import decode_cursor, paged
from api.reports.export import Column, file_content_doc, file_response
from api.smorest import Blueprint, current_principal, db
from enforcement.credit import judicial_aid

blp = Blueprint("judicial_aid", __name__,
                description="Judicial aid to winning parties in hardship (司法救助)")


COLUMNS = (
    Column("applied_on", _l("Applied on")), Column("case_number", _l("Case number")),
    Column("applicant_id", _l("Applicant")),
    Column("amount_requested", _l("Amount asked (yuan)")),
    Column("grounds", _l("Grounds")), Column("status", _l("Status")),
    Column("approved_amount", _l("Amount approved (yuan)")),
    Column("decision_reason", _l("Reason")),
    Column("decided_at", lazy_pgettext("judicial aid", "Decided at")),
    Column("amount_paid", _l("Paid (yuan)")),
)
STATUSES = {"pending": _l("pending"), "approved": _l("approved"),
            "rejected": lazy_pgettext("judicial aid", "rejected")}


@blp.route("")
class Applications(MethodView):
    @blp.auth()
    @blp.arguments(AidQueryArgsSchema, location="query", as_kwargs=True)
    @blp.response(200, AidPageSchema)
    @blp.doc(responses=file_content_doc(
        "Applications; a file with format=csv or xlsx", AidPageSchema))
    def get(self, filters: Any, cursor: str | None, limit: int, format: str) -> Any:
        """Applications of the court, newest first, with their payments (judges,
        officers). Filter by `case_id`, `applicant_id`, `status` (repeat) and `year`.
        With `format=csv|xlsx`: every matching application (no paging), oldest first,
        headers in the language of `Accept-Language`."""
        principal = current_principal()
        if format == "json":
            return paged(judicial_aid.list_aid(db(), principal, filters,
                                               decode_cursor(cursor), limit))
        views = judicial_aid.export_aid(db(), principal, filters, format)
        rows = [view.aid.model_dump() | {
            "case_number": case_number, "amount_paid": view.paid,
            "status": str(STATUSES[view.aid.status.value])}
            for view, case_number in views]
        return file_response(f"judicial-aid-{filters.year or 'all'}", COLUMNS, rows, format)

    @blp.auth()
    @blp.arguments(AidCreateSchema)
    @blp.response(201, AidSchema)
    def post(self, body: dict[str, Any]) -> Any:
        """Enter an application by the applicant (winning party) of a case (judges,
        officers); a party who is not the case's applicant is 422 `party_not_applicant`."""
        view = judicial_aid.apply(db(), current_principal(), body)
        return view, 201, {"Location": url_for("judicial_aid.ApplicationById",
                                               aid_id=view.aid.id)}


@blp.route("/totals")
class Totals(MethodView):
    @blp.auth()
    @blp.arguments(AidTotalsArgsSchema, location="query", as_kwargs=True)
    @blp.response(200, AidTotalsSchema)
    def get(self, year: int) -> Any:
        """The year's applications (by day applied), decisions (by day decided) and
        payments (by day paid)."""
        return judicial_aid.totals(db(), current_principal(), year)


@blp.route("/<string:aid_id>")
class ApplicationById(MethodView):
    @blp.auth()
    @blp.response(200, AidSchema)
    @blp.problem(404)
    def get(self, aid_id: str) -> Any:
        """One application, its decision and its payments."""
        return judicial_aid.get_aid(db(), current_principal(), aid_id)


@blp.route("/<string:aid_id>/decision")
class Decision(MethodView):
    @blp.auth()
    @blp.arguments(AidDecisionSchema)
    @blp.response(200, AidSchema)
    @blp.problem(404)
    @blp.problem(409)
    def post(self, body: dict[str, Any], aid_id: str) -> Any:
        """Approve an amount (at most the amount asked) or reject, with a reason (judges);
        409 `aid_already_decided` the second time."""
        return judicial_aid.decide(db(), current_principal(), aid_id, body)


@blp.route("/<string:aid_id>/payments")
class Payments(MethodView):
    @blp.auth()
    @blp.arguments(AidPaymentCreateSchema)
    @blp.response(201, AidSchema)
    @blp.problem(404)
    @blp.problem(409)
    def post(self, body: dict[str, Any], aid_id: str) -> Any:
        """Record money paid out (judges, officers): 409 `aid_not_approved` before an
        approval, 409 `aid_payment_exceeds_approved` when the total paid would pass it."""
        return judicial_aid.record_payment(db(), current_principal(), aid_id, body), 201
