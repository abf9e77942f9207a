"""Settlements reached in mediation, and the payments officers record against them."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView

from api.etag import etag_of
from api.pagination import decode_cursor, paged
from api.settlements.schemas import (
    PaymentSchema,
    SettlementPageSchema,
    SettlementQueryArgsSchema,
    SettlementSchema,
)
from api.smorest import Blueprint, current_principal, db
from enforcement.mediation import settlements
from enforcement.mediation.settlements import Payment

blp = Blueprint("settlements", __name__,
                description="Settlements (执行和解) and payments against their instalments")



@blp.route("")
class Settlements(MethodView):
    @blp.auth()
    @blp.arguments(SettlementQueryArgsSchema, location="query", as_kwargs=True)
    @blp.response(200, SettlementPageSchema)
    def get(self, filters: Any, cursor: str | None, limit: int) -> Any:
        """Settlements you may see, newest first, with their instalments.

        Filter by `case_id` and `status` (active, fulfilled, broken; repeat for several).
        """
        page = settlements.list_settlements(db(), current_principal(), filters,
                                            decode_cursor(cursor), limit)
        return paged(page)


@blp.route("/<string:settlement_id>")
class SettlementById(MethodView):
    @blp.auth()
    @blp.response(200, SettlementSchema, headers={"ETag": {"schema": {"type": "string"}}})
    @blp.problem(404)
    def get(self, settlement_id: str) -> Any:
        """A settlement with its instalments and what has been paid on each.

        Officers and judges; mediators for the cases they mediate; deputies for the
        cases they follow. Assistants never see amounts.
        """
        view = settlements.get_settlement(db(), current_principal(), settlement_id)
        return view, 200, {"ETag": etag_of(view.settlement.version)}


@blp.route("/<string:settlement_id>/instalments/<int:seq>/payments")
class InstalmentPayments(MethodView):
    @blp.auth()
    @blp.arguments(PaymentSchema)
    @blp.response(201, SettlementSchema)
    @blp.problem(404)
    @blp.problem(409)
    def post(self, payment: Payment, settlement_id: str, seq: int) -> Any:
        """Record a payment against instalment `seq` (officers and judges).

        More than the instalment still expects: 422 `instalment_overpaid`. A payment that
        would lift the case's recovered amount above what it owes: 409
        `amount_owed_exceeded`. The case's `amount_recovered` rises with the payment;
        once every instalment is paid the settlement is `fulfilled`.
        """
        view = settlements.record_payment(db(), current_principal(), settlement_id, seq,
                                          payment)
        return view, 201, {"ETag": etag_of(view.settlement.version)}
