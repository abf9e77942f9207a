"""``/api/v1/public``: the parties' window, without signing in (issue 21).

An applicant or a debtor opens their case with the query code printed on the court's
notice and the last four characters of their identity number, and gets the case as a
party may see it with a view token (15 minutes) for the next calls. Limited per address
and per code (429); a code locks after repeated wrong digits (403 `query_code_locked`);
every view is in the court's audit log. docs/public.md says what is shown and why.
"""

from __future__ import annotations

from typing import Any

from flask import current_app, request
from flask.views import MethodView

from api.public.schemas import (
    CaseOpenedSchema,
    CaseOpenSchema,
    PublicCaseSchema,
    PublicEvaluationCreateSchema,
    PublicEvaluationSchema,
)
from api.smorest import VIEW_TOKEN_SCHEME, Blueprint, db
from enforcement.errors import Unauthorized
from enforcement.public import access, feedback

blp = Blueprint("public", __name__, description=(
    "The parties' window: applicants and debtors open their own case with a query code "
    "and the last four characters of their identity number, and evaluate it (no sign-in)"))
VIEW_TOKEN_DOC: dict[str, Any] = {"security": [{VIEW_TOKEN_SCHEME: []}]}


def view_token() -> str:
    """The view token of ``Authorization: Bearer``; 401 ``view_token_missing`` without."""
    header = request.headers.get("Authorization", "")
    if not header.startswith("Bearer ") or not header[7:].strip():
        raise Unauthorized("open the case with its query code first", code="view_token_missing")
    return header[7:].strip()


def tokens() -> Any:
    return current_app.extensions["gridwork"].tokens


@blp.route("/cases/open")
class CaseOpen(MethodView):
    @blp.arguments(CaseOpenSchema)
    @blp.response(200, CaseOpenedSchema)
    @blp.problem(403)
    @blp.problem(404)
    @blp.problem(429)
    def post(self, body: dict[str, Any]) -> Any:
        """Open a case with its query code and the last four characters of the party's
        identity number. 404 `query_code_unknown` for a code unknown or revoked; 403
        `query_digits_wrong` (with `tries_left`), then `query_code_locked` after 10 wrong
        answers (the judge must issue a new code); 429 `query_code_slowed` after 5 wrong
        answers from one address, or `too_many_requests` past the rate limits."""
        opened = access.open_case(db(), tokens(), body["code"], body["id_last_four"],
                                  request.remote_addr)
        return {"view_token": opened.token, "expires_at": opened.expires_at,
                "case": opened.view}


@blp.route("/case")
class CaseView(MethodView):
    @blp.doc(**VIEW_TOKEN_DOC)
    @blp.response(200, PublicCaseSchema)
    @blp.problem(401)
    @blp.problem(403)
    @blp.problem(404)
    @blp.problem(429)
    def get(self) -> Any:
        """The case again, with the view token from `POST /cases/open` (401
        `view_token_expired` after 15 minutes; 404 once the code is revoked)."""
        return access.view_case(db(), tokens(), view_token(), request.remote_addr)


@blp.route("/evaluations")
class Evaluations(MethodView):
    @blp.doc(**VIEW_TOKEN_DOC)
    @blp.arguments(PublicEvaluationCreateSchema)
    @blp.response(201, PublicEvaluationSchema)
    @blp.problem(401)
    @blp.problem(403)
    @blp.problem(404)
    @blp.problem(409)
    @blp.problem(429)
    def post(self, body: dict[str, Any]) -> Any:
        """Evaluate the case: satisfaction 1–5, a comment, and optionally a complaint the
        case's judge must answer by `due_at`. Once per code (409 `already_evaluated`)."""
        answer_days = current_app.config["OPINION_ANSWER_DAYS"]
        return feedback.evaluate(db(), tokens(), view_token(), body, answer_days,
                                 request.remote_addr), 201
