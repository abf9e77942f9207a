"""Security headers on every response, and CORS only for origins the court configures.

The API serves JSON to phones and the court's own console; nothing it returns should
be framed, sniffed into HTML, or readable by another website's scripts unless the
court lists that site in ``CORS_ORIGINS``.
"""

from __future__ import annotations

from flask import Flask, Response, current_app, request

SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
    "Permissions-Policy": "geolocation=(), camera=(), microphone=()",
}
# The docs UI runs its own scripts and inline styles; every other page runs none.
CSP_DOCS = ("default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
            "script-src 'self' 'unsafe-inline'; frame-ancestors 'none'")
CSP_API = "default-src 'none'; frame-ancestors 'none'"
CORS_METHODS = "GET, POST, PUT, PATCH, DELETE, HEAD, OPTIONS"
CORS_HEADERS = ("Authorization, Content-Type, If-Match, If-None-Match, Accept-Language, "
                "X-Request-ID, Tus-Resumable, Upload-Length, Upload-Offset, Upload-Metadata, "
                "Upload-Checksum")
CORS_EXPOSE = ("ETag, Link, X-Request-ID, Retry-After, Location, Tus-Resumable, Tus-Version, "
               "Tus-Extension, Tus-Max-Size, Tus-Checksum-Algorithm, Upload-Offset, "
               "Upload-Length, Upload-Metadata, Upload-Expires")
"""tus clients in a browser (tus-js-client, Uppy) on another origin send and read these."""


def _allowed_origin(origin: str | None) -> str | None:
    configured = [o.strip() for o in current_app.config["CORS_ORIGINS"].split(",") if o.strip()]
    return origin if origin and origin in configured else None


def _add_headers(response: Response) -> Response:
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    is_docs = request.path.startswith("/api/v1/docs") or request.path.startswith("/console")
    response.headers.setdefault("Content-Security-Policy", CSP_DOCS if is_docs else CSP_API)
    if request.is_secure:
        response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
    origin = _allowed_origin(request.headers.get("Origin"))
    if origin:
        response.headers["Access-Control-Allow-Origin"] = origin
        response.headers["Access-Control-Expose-Headers"] = CORS_EXPOSE
        response.headers.add("Vary", "Origin")
        if request.method == "OPTIONS":
            response.headers["Access-Control-Allow-Methods"] = CORS_METHODS
            response.headers["Access-Control-Allow-Headers"] = CORS_HEADERS
            response.headers["Access-Control-Max-Age"] = "600"
    return response


def init_app(app: Flask) -> None:
    app.after_request(_add_headers)
