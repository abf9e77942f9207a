"""``/console``: the court's desk console, a static bundle that talks only to ``/api/v1``.

The files are built from ``console/src`` by esbuild (``make console``) into
``console/dist``; nothing is fetched from the internet, so the page works on a court
intranet. The files carry no data and need no token: the page signs in through
``/api/v1/auth/login`` like a phone. Without a built bundle every console URL answers
503 ``console_not_built`` (problem+json), which says how to build it.
"""

from __future__ import annotations

import html
from pathlib import Path
from urllib.parse import urlsplit

from flask import Blueprint, Response, current_app, redirect, send_from_directory

from enforcement.errors import ServiceUnavailable

blp = Blueprint("console", __name__)

DEFAULT_DIST = Path(__file__).resolve().parents[2] / "console" / "dist"
CONFIG_MARK = "<!--gridwork-config-->"


def _dist() -> Path:
    configured = current_app.config["CONSOLE_DIST"]
    dist = Path(configured) if configured else DEFAULT_DIST
    if not (dist / "index.html").is_file():
        raise ServiceUnavailable("the console is not built: run `make console`",
                                 code="console_not_built", retry_after=60)
    return dist


def _tile_origin(tile_url: str) -> str:
    parts = urlsplit(tile_url)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""


def _csp() -> str:
    """Scripts and styles from this server only; map tiles also from the configured origin."""
    images = "'self' data: blob: " + _tile_origin(current_app.config["CONSOLE_TILE_URL"])
    return ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
            f"img-src {images.strip()}; connect-src 'self'; frame-src 'self' blob:; "
            "object-src 'self' blob:; frame-ancestors 'none'; base-uri 'none'; "
            "form-action 'self'")


@blp.get("/console")
def console_root() -> Response:
    return redirect("/console/", code=308)  # type: ignore[return-value]


@blp.get("/console/")
def console_index() -> Response:
    """The page, with the optional base-map tile URL handed to the script in a meta tag."""
    page = (_dist() / "index.html").read_text(encoding="utf-8")
    tile_url = html.escape(current_app.config["CONSOLE_TILE_URL"], quote=True)
    page = page.replace(CONFIG_MARK, f'<meta name="gridwork-tile-url" content="{tile_url}">')
    response = current_app.response_class(page, mimetype="text/html")
    response.headers["Content-Security-Policy"] = _csp()
    response.headers["Cache-Control"] = "no-cache"
    return response


@blp.get("/console/<path:filename>")
def console_asset(filename: str) -> Response:
    """A script, style sheet or image of the bundle (404 for anything else)."""
    response = send_from_directory(_dist(), filename, max_age=300)
    response.headers["Content-Security-Policy"] = _csp()
    return response
