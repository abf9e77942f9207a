"""Per-address rate limits on sign-in and token refresh (Flask-Limiter).

Counters live in each process's memory: with N gunicorn workers an address gets up to
N times the limit. The per-account lock-out in ``enforcement.accounts.auth`` is the guard that
holds across processes; this one only slows down a single address hammering the door.
Mobile carriers put many phones behind one address, so the default is generous.
"""

from __future__ import annotations

from flask import Blueprint, Flask
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address


def init_app(app: Flask, limited: list[Blueprint]) -> Limiter:
    limiter = Limiter(
        get_remote_address,
        app=app,
        storage_uri="memory://",
        headers_enabled=True,
        enabled=app.config["LOGIN_RATE_LIMIT"] != "off",
    )
    for blueprint in limited:
        limiter.limit(lambda: app.config["LOGIN_RATE_LIMIT"])(blueprint)
    return limiter
