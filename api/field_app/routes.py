"""``/app``: the field app for grid assistants, an installable offline web app.

Built from ``app/src`` by esbuild (``make app``) into ``app/dist``, like the console. The
page holds no data and needs no token: it signs in through ``/api/v1/auth/login`` with its
own device id and keeps its records in WatermelonDB on the phone. Its service worker
(``/app/sw.js``, scope ``/app/``) caches these files so the app opens with no network.
Without a build every ``/app`` URL answers 503 ``app_not_built`` (problem+json).
"""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, Response, current_app, jsonify, redirect, send_from_directory

from enforcement.errors import ServiceUnavailable

blp = Blueprint("field_app", __name__)

DEFAULT_DIST = Path(__file__).resolve().parents[2] / "app" / "dist"
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
       "connect-src 'self'; worker-src 'self'; manifest-src 'self'; object-src 'none'; "
       "frame-ancestors 'none'; base-uri 'none'; form-action 'self'")
"""Everything from this server only: no CDN, no inline script, no other origin."""
PERMISSIONS = "geolocation=(self), camera=(self), microphone=()"
"""The API's pages deny geolocation; the field app needs the phone's position."""


def _dist() -> Path:
    configured = current_app.config["APP_DIST"]
    dist = Path(configured) if configured else DEFAULT_DIST
    if not (dist / "index.html").is_file():
        raise ServiceUnavailable("the field app is not built: run `make app`",
                                 code="app_not_built", retry_after=60)
    return dist


def _secured(response: Response) -> Response:
    response.headers["Content-Security-Policy"] = CSP
    response.headers["Permissions-Policy"] = PERMISSIONS
    return response


@blp.get("/app")
def app_root() -> Response:
    return redirect("/app/", code=308)  # type: ignore[return-value]


@blp.get("/app/")
def app_index() -> Response:
    """The page; always revalidated, so a phone online gets the new version's shell."""
    response = send_from_directory(_dist(), "index.html", max_age=0)
    response.headers["Cache-Control"] = "no-cache"
    return _secured(response)


@blp.get("/app/settings.json")
def app_settings() -> Response:
    """What the court sets for its phones (lock, positions); the app keeps it, sealed, for
    offline use, so it holds nothing secret."""
    config = current_app.config
    response = jsonify({
        "lock_after_minutes": config["FIELD_APP_LOCK_MINUTES"],
        "position_accuracy_m": config["FIELD_APP_POSITION_ACCURACY_M"],
        "position_wait_s": config["FIELD_APP_POSITION_WAIT_S"],
        "position_max_age_s": config["FIELD_APP_POSITION_MAX_AGE_S"],
        "manual_position": config["FIELD_APP_MANUAL_POSITION"],
    })
    response.headers["Cache-Control"] = "no-cache"
    return _secured(response)


@blp.get("/app/<path:filename>")
def app_asset(filename: str) -> Response:
    """A script, style sheet, icon, the manifest or the service worker (404 otherwise)."""
    dist = _dist()
    response = send_from_directory(dist, filename, max_age=0 if filename == "sw.js" else 300)
    if filename == "sw.js":
        response.headers["Cache-Control"] = "no-cache"
    elif filename == "manifest.webmanifest":
        response.mimetype = "application/manifest+json"
    return _secured(response)
