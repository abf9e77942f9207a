"""Per-address rate limits on sign-in and token refresh (Flask-Limiter).

Without ``REDIS_URL`` the counters live in each process's memory: with N gunicorn workers
(or N API hosts) an address gets up to N times the limit. With it, every process behind
the load balancer counts in the same Redis, so the limit is the limit; should Redis stop
answering, each process falls back to counting in memory rather than refusing sign-ins.
The per-account lock-out (``enforcement.accounts.lockout``) is in PostgreSQL, shared by
every host either way; this one only slows down a single address hammering the door.
Mobile carriers put many phones behind one address, so the default is generous.
"""

from __future__ import annotations

from flask import Blueprint, Flask
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address


def init_app(app: Flask, limited: list[Blueprint]) -> Limiter:
    shared = app.config.get("REDIS_URL") or ""
    limiter = Limiter(
        get_remote_address,
        app=app,
        storage_uri=shared or "memory://",
        # Short timeouts: a sign-in must not hang on a Redis that went away.
        storage_options={"socket_connect_timeout": 1, "socket_timeout": 1} if shared else {},
        in_memory_fallback_enabled=bool(shared),
        headers_enabled=True,
        enabled=app.config["LOGIN_RATE_LIMIT"] != "off",
    )
    for blueprint in limited:
        limiter.limit(lambda: app.config["LOGIN_RATE_LIMIT"])(blueprint)
    return limiter
