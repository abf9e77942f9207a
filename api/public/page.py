"""``/public/case``: the parties' window as a page for a phone (issue 21).

Server-rendered, no script, nothing from elsewhere: the one inline style is allowed by its
hash in the Content-Security-Policy, as on the admin health page. The party types the code
(or scans its QR code, which fills it in) and the last four characters of their identity
number; the answer is the case page, carrying the view token in its forms (switching the
language, evaluating) so that nothing is kept in the browser (``Cache-Control: no-store``).
The same use cases as ``/api/v1/public`` answer, with the same limits, locks and audit.
"""

from __future__ import annotations

import base64
import hashlib
from pathlib import Path
from typing import Any

from flask import Blueprint, Response, current_app, render_template_string, request

from api.i18n import _l, in_locale
from api.messages import request_locale, title_for
from api.smorest import db
from enforcement.errors import DomainError, TooManyRequests, ValidationFailed
from enforcement.public import access, feedback

blp = Blueprint("public_page", __name__)

TEMPLATE = (Path(__file__).parent / "case_page.html").read_text(encoding="utf-8")
STYLE = TEMPLATE.split("<style>", 1)[1].split("</style>", 1)[0]
CSP = ("default-src 'none'; style-src 'sha256-"
       + base64.b64encode(hashlib.sha256(STYLE.encode()).digest()).decode()
       + "'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
STATUSES = {
    "open": _l("Open"), "in_progress": _l("In progress"),
    "terminated": _l("Closed for lack of property (may resume)"),
    "resumed": _l("Resumed"), "settled": _l("Settled"), "closed": _l("Closed"),
}
ROLES = {"applicant": _l("applicant"), "debtor": _l("debtor")}
MEASURES = {
    "dishonest": _l("Listed as a dishonest debtor"),
    "consumption_restriction": _l("Restricted from high consumption"),
    "exit_restriction": _l("Restricted from leaving the country"),
}
REPAIR_STATUSES = {"pending": _l("pending"), "approved": _l("approved"),
                   "rejected": _l("rejected")}


def _locale() -> str:
    wanted = request.values.get("lang", "")
    return wanted if wanted in ("en", "zh-CN") else request_locale()


def _page(status: int, **context: Any) -> Response:
    locale = _locale()
    with in_locale(locale):
        html = render_template_string(
            TEMPLATE, locale=locale, statuses=STATUSES, roles=ROLES, measure_names=MEASURES,
            repair_statuses=REPAIR_STATUSES, **context)
    response = current_app.response_class(html, status=status, mimetype="text/html")
    response.headers["Content-Security-Policy"] = CSP
    response.headers["Cache-Control"] = "no-store"
    return response


def _error_page(error: DomainError, **context: Any) -> Response:
    response = _page(error.status, error=title_for(error.code, error.status, _locale()),
                     error_code=error.code, **context)
    if isinstance(error, TooManyRequests):
        response.headers["Retry-After"] = str(error.retry_after)
    return response


def _field(name: str, max_length: int) -> str:
    value = request.form.get(name, "")
    if len(value) > max_length:
        raise ValidationFailed(f"{name} is too long", errors={"form": {name: ["too long"]}})
    return value


def _tokens() -> Any:
    return current_app.extensions["gridwork"].tokens


@blp.get("/public/case")
def form() -> Response:
    """The form; ``?code=`` (from the QR code) fills the code in."""
    return _page(200, code=request.args.get("code", "")[:64])


@blp.post("/public/case")
def open_case() -> Response:
    code = request.form.get("code", "")[:64]
    try:
        last_four = _field("id_last_four", 8).strip()
        if len(last_four) != 4:
            raise ValidationFailed("four characters", errors={
                "form": {"id_last_four": ["four characters"]}})
        opened = access.open_case(db(), _tokens(), code, last_four, request.remote_addr)
    except DomainError as error:
        return _error_page(error, code=code)
    return _page(200, case=opened.view, token=opened.token)


@blp.post("/public/case/view")
def view_case() -> Response:
    """The case again (e.g. in the other language), with the page's view token."""
    token = request.form.get("view_token", "")[:2000]
    try:
        view = access.view_case(db(), _tokens(), token, request.remote_addr)
    except DomainError as error:
        return _error_page(error)
    return _page(200, case=view, token=token)


@blp.post("/public/case/evaluate")
def evaluate() -> Response:
    token = request.form.get("view_token", "")[:2000]
    try:
        rating = request.form.get("rating", "")
        if rating not in ("1", "2", "3", "4", "5"):
            raise ValidationFailed("a rating from 1 to 5", errors={
                "form": {"rating": ["choose 1 to 5"]}})
        data = {"rating": int(rating), "comment": _field("comment", 2000),
                "complaint": _field("complaint", 4000)}
        row = feedback.evaluate(db(), _tokens(), token, data,
                                current_app.config["OPINION_ANSWER_DAYS"], request.remote_addr)
        view = access.view_case(db(), _tokens(), token, request.remote_addr)
    except DomainError as error:
        return _error_page(error)
    with in_locale(_locale()):
        notice = str(_l("Thank you. The judge must answer your complaint by %(due)s.",
                        due=row.due_at.date().isoformat()) if row.due_at
                     else _l("Thank you for your evaluation."))
    return _page(201, case=view, token=token, notice=notice)
