"""``/api/v1/query-codes``: the judge issues, re-issues and revokes the parties' case query
codes (issue 21). A new code is answered once, as text and as a QR code PNG, for the
court's notice; only its hash is kept, so a lost notice means a new code."""

from __future__ import annotations

import base64
import io
from typing import Any
from urllib.parse import urlencode

import segno
from flask import current_app, request
from flask.views import MethodView

from api.query_codes.schemas import (
    IssuedQueryCodeSchema,
    QueryCodeCreateSchema,
    QueryCodeListArgsSchema,
    QueryCodeSchema,
)
from api.smorest import Blueprint, current_principal, db
from enforcement.public import codes

blp = Blueprint("query_codes", __name__, description=(
    "Case query codes for the parties: issue (re-issue), revoke, list (the case's judge)"))


def page_url(code: str) -> str:
    """The parties' page with the code filled in: what the QR code holds."""
    base = current_app.config["PUBLIC_BASE_URL"].rstrip("/") or request.host_url.rstrip("/")
    return f"{base}/public/case?{urlencode({'code': code})}"


def qr_png(text: str) -> str:
    """A QR code (error correction M, survives a crease in the paper) as base64 PNG."""
    out = io.BytesIO()
    segno.make(text, error="m", micro=False).save(out, kind="png", scale=6, border=4)
    return base64.b64encode(out.getvalue()).decode()


@blp.route("")
class QueryCodes(MethodView):
    @blp.auth()
    @blp.arguments(QueryCodeListArgsSchema, location="query")
    @blp.response(200, QueryCodeSchema(many=True))
    @blp.problem(404)
    def get(self, args: dict[str, Any]) -> Any:
        """The codes issued on a case, newest first (never the codes themselves)."""
        return codes.list_codes(db(), current_principal(), args["case_id"])

    @blp.auth()
    @blp.arguments(QueryCodeCreateSchema)
    @blp.response(201, IssuedQueryCodeSchema)
    @blp.problem(404)
    @blp.problem(409)
    def post(self, body: dict[str, Any]) -> Any:
        """Issue a code for the applicant or a debtor of a case (the case's judge: others
        403 `not_responsible_judge`); the party's previous code stops working. The answer
        holds the code and its QR code this once; 409 `party_has_no_id_number`."""
        issued = codes.issue_code(db(), current_principal(), body["case_id"],
                                  body["party_id"])
        url = page_url(issued.code)
        record = issued.record
        return {**{k: getattr(record, k) for k in QueryCodeSchema._declared_fields
                   if k != "locked"}, "locked": False, "code": issued.code,
                "case_number": issued.case_number, "url": url, "qr_png": qr_png(url)}, 201


@blp.route("/<string:code_id>/revoke")
class QueryCodeRevoke(MethodView):
    @blp.auth()
    @blp.response(200, QueryCodeSchema)
    @blp.problem(404)
    def post(self, code_id: str) -> Any:
        """Revoke a code (the case's judge): it opens nothing from now on."""
        return codes.revoke_code(db(), current_principal(), code_id)
