"""Credit repair (信用修复): applications, the judge's decision, the certificate."""

from __future__ import annotations

from typing import Any

from flask import Response, current_app
from flask.views import MethodView

from api.credit_repairs.certificate_pdf import render_certificate_pdf
from api.credit_repairs.schemas import (
    CreditRepairCreateSchema,
    CreditRepairDecisionSchema,
    CreditRepairPageSchema,
    CreditRepairQueryArgsSchema,
    CreditRepairSchema,
)
from api.etag import with_etag
from api.pagination import decode_cursor, paged
from api.rounds.sheet_pdf import font_path
from api.smorest import Blueprint, current_principal, db
from enforcement.credit import repair as credit_repair
from enforcement.credit.repair import RepairApplication, RepairDecision

blp = Blueprint("credit_repairs", __name__,
                description="Credit repair (信用修复) of debtors who paid or keep a settlement")



@blp.route("")
class CreditRepairs(MethodView):
    @blp.auth()
    @blp.arguments(CreditRepairQueryArgsSchema, location="query", as_kwargs=True)
    @blp.response(200, CreditRepairPageSchema)
    def get(self, filters: Any, cursor: str | None, limit: int) -> Any:
        """Applications of your court, newest first (officers and judges).

        Filter by `status` (repeat for several), `party_id`, `case_id`.
        """
        page = credit_repair.list_repairs(db(), current_principal(), filters,
                                          decode_cursor(cursor), limit)
        return paged(page)

    @blp.auth()
    @blp.arguments(CreditRepairCreateSchema)
    @blp.response(201, CreditRepairSchema, headers={"ETag": {"schema": {"type": "string"}}})
    @blp.problem(409)
    def post(self, application: RepairApplication) -> Any:
        """Enter an application for a debtor of `case_id` (officers, judges).

        The debtor needs a measure in force (409 `no_measures_in_force`); `measure_kinds`
        not in force: 422 `measure_not_in_force`; another application pending for the
        debtor and case: 409 `repair_pending`. It waits as `pending` for a judge. Audited.
        """
        repair = credit_repair.apply(db(), current_principal(), application)
        return with_etag(repair, repair.version, 201)


@blp.route("/<string:repair_id>")
class CreditRepairById(MethodView):
    @blp.auth()
    @blp.response(200, CreditRepairSchema, headers={"ETag": {"schema": {"type": "string"}}})
    @blp.problem(404)
    def get(self, repair_id: str) -> Any:
        """One application with its decision."""
        repair = credit_repair.get_repair(db(), current_principal(), repair_id)
        return with_etag(repair, repair.version)


@blp.route("/<string:repair_id>/decision")
class CreditRepairDecisionView(MethodView):
    @blp.auth()
    @blp.arguments(CreditRepairDecisionSchema)
    @blp.response(200, CreditRepairSchema, headers={"ETag": {"schema": {"type": "string"}}})
    @blp.problem(404)
    @blp.problem(409)
    def post(self, decision: RepairDecision, repair_id: str) -> Any:
        """Approve or reject a pending application, with a reason (judges).

        Approval lifts the chosen measures still in force from `effective_on` (default
        today, never later), one `lift` event each; the debtor leaves the wanted list for
        that case, and the assistants' phones drop them on their next pull. Decided
        already: 409 `repair_decided`. Audited.
        """
        repair = credit_repair.decide(db(), current_principal(), repair_id, decision)
        return with_etag(repair, repair.version)


@blp.route("/<string:repair_id>/certificate.pdf")
class CreditRepairCertificate(MethodView):
    @blp.auth()
    @blp.doc(responses={"200": {"description": "Certificate (A4 portrait, Chinese)",
                                "content": {"application/pdf": {}}}})
    @blp.problem(404)
    @blp.problem(409)
    @blp.problem(503)
    def get(self, repair_id: str) -> Response:
        """The credit repair certificate (信用修复证明) of an approved repair, as PDF.

        Not approved: 409 `repair_not_approved`. The debtor's name is shown in full and
        the read is recorded in the audit log.
        """
        font = font_path(current_app.config["PDF_FONT"])
        facts = credit_repair.certificate_facts(db(), current_principal(), repair_id)
        return Response(render_certificate_pdf(facts, font), mimetype="application/pdf",
                        headers={"Content-Disposition": 'inline; filename="certificate.pdf"'})
