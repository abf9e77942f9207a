"""``/admin/health``: the health report as a small page for an admin's browser.

A browser cannot send a bearer token on a plain visit, so the page asks for the admin's
username and password (the same sign-in, lock-out and audit as ``/api/v1/auth/login``,
as the device ``web:<hash of the username>``) and answers the report in the response to
that form; nothing is kept in the browser. Tools that hold a token can GET it with
``Authorization: Bearer``. No script runs and nothing loads from elsewhere: the page's
one inline style is allowed by its hash in the Content-Security-Policy.
"""

from __future__ import annotations

import base64
import hashlib
from pathlib import Path
from typing import Any

from flask import Blueprint, Response, current_app, render_template_string, request

from api.admin.routes import limits
from api.i18n import _l, in_locale
from api.messages import request_locale, title_for
from api.smorest import current_principal, db
from enforcement.accounts import auth
from enforcement.accounts.principal import Principal
from enforcement.errors import DomainError, TooManyRequests
from enforcement.infrastructure.health import health_report

blp = Blueprint("admin_page", __name__)

TEMPLATE = (Path(__file__).parent / "health_page.html").read_text(encoding="utf-8")
STYLE = TEMPLATE.split("<style>", 1)[1].split("</style>", 1)[0]
WARNINGS = {
    "migrations_pending": _l("The database is not at this release's schema"),
    "disk_low": _l("Little disk space left for attachments"),
    "devices_not_seen": _l("Some devices have not been seen for a while"),
    "sync_held_back": _l("A long transaction is holding sync pulls back"),
    "conflicts_open": _l("Sync conflicts are waiting for a person"),
}
"""The health report's warning codes, as the page words them (translated in the catalogs)."""
CSP = ("default-src 'none'; style-src 'sha256-"
       + base64.b64encode(hashlib.sha256(STYLE.encode()).digest()).decode()
       + "'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")


def _locale() -> str:
    wanted = request.args.get("lang", "")
    if wanted in ("en", "zh-CN"):
        return wanted
    return request_locale()


def _page(status: int, locale: str, **context: Any) -> Response:
    with in_locale(locale):
        html = render_template_string(TEMPLATE, warning_text=WARNINGS, locale=locale,
                                      style=STYLE, **context)
    response = current_app.response_class(html, status=status, mimetype="text/html")
    response.headers["Content-Security-Policy"] = CSP
    response.headers["Cache-Control"] = "no-store"
    return response


def _report_page(principal: Principal, locale: str) -> Response:
    report = health_report(db(), principal, limits())
    return _page(200, locale, report=report)


@blp.route("/admin/health", methods=["GET", "POST"])
def health_page() -> Response:
    """The form, or (signed in) the report; errors come back on the form, never a trace."""
    locale = _locale()
    try:
        if request.method == "POST":
            return _report_page(_sign_in(), locale)
        if request.headers.get("Authorization"):
            return _report_page(current_principal(), locale)
    except DomainError as error:
        response = _page(error.status, locale, error=title_for(error.code, error.status,
                                                               locale))
        if isinstance(error, TooManyRequests):
            response.headers["Retry-After"] = str(error.retry_after)
        return response
    return _page(200, locale)


def _sign_in() -> Principal:
    username = request.form.get("username", "")[:150]
    password = request.form.get("password", "")[:1024]
    ext = current_app.extensions["gridwork"]
    device_id = "web:" + hashlib.sha256(username.strip().lower().encode()).hexdigest()[:40]
    pair = auth.login(ext.db, ext.tokens, username, password,
                      auth.DeviceInfo(device_id, "浏览器健康页 / health page in a browser", "web"),
                      ip=request.remote_addr)
    return Principal(user_id=pair.user.id, court_id=pair.user.court_id, role=pair.user.role,
                     device_id=pair.device.id, username=pair.user.username)
