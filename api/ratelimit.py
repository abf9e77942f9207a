"""Per-address rate limits on sign-in and token refresh, and on the parties' window
(Flask-Limiter).

Without ``REDIS_URL`` the counters live in each process's memory: with N gunicorn workers
(or N API hosts) an address gets up to N times the limit. With it, every process behind
the load balancer counts in the same Redis, so the limit is the limit; should Redis stop
answering, each process falls back to counting in memory rather than refusing sign-ins.
The per-account lock-out (``enforcement.accounts.lockout``) and the query code's wrong-digit
lock (``enforcement.public.access``) are in PostgreSQL, shared by every host either way;
this one only slows down a single address hammering the door. Mobile carriers put many
phones behind one address, so the defaults are generous.

The parties' window is limited twice: per address, and per query code from any address
(``code_key``), so that many addresses cannot hammer one code either.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable

import jwt
from flask import Blueprint, Flask, request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address

from enforcement.public.codes import code_hash, normalised

SETTINGS = ("LOGIN_RATE_LIMIT", "PUBLIC_RATE_LIMIT", "PUBLIC_CODE_RATE_LIMIT")


def code_key() -> str:
    """The query code a request is about: the typed code (hashed) or the code id of its
    view token (read unverified: only a key for counting), else the address."""
    body = request.get_json(silent=True) if request.is_json else None
    typed = (body or {}).get("code") if isinstance(body, dict) else request.form.get("code")
    if isinstance(typed, str) and (code := normalised(typed)):
        return "code:" + code_hash(code)
    token = request.form.get("view_token") or request.headers.get("Authorization", "")
    token = token.removeprefix("Bearer ").strip()
    if token:
        try:
            sub = jwt.decode(token, options={"verify_signature": False}).get("sub")
        except jwt.PyJWTError:
            sub = None
        if isinstance(sub, str):
            return "code-id:" + hashlib.sha256(sub.encode()).hexdigest()
    return "ip:" + get_remote_address()


def init_app(app: Flask, limited: list[Blueprint], public: list[Blueprint]) -> Limiter:
    shared = app.config.get("REDIS_URL") or ""
    limiter = Limiter(
        get_remote_address,
        app=app,
        storage_uri=shared or "memory://",
        # Short timeouts: a sign-in must not hang on a Redis that went away.
        storage_options={"socket_connect_timeout": 1, "socket_timeout": 1} if shared else {},
        in_memory_fallback_enabled=bool(shared),
        headers_enabled=True,
        enabled=any(app.config[name] != "off" for name in SETTINGS),
    )

    def setting(name: str) -> tuple[Callable[[], str], Callable[[], bool]]:
        return (lambda: str(app.config[name])), (lambda: app.config[name] == "off")

    # Only these blueprints are limited (there are no default limits): every other
    # request skips the limiter's own work, ~5 % of an empty poll (finding 38).
    counted = {blueprint.name for blueprint in (*limited, *public)}
    limiter.request_filter(lambda: request.blueprint not in counted)
    for blueprint in limited:
        value, off = setting("LOGIN_RATE_LIMIT")
        limiter.limit(value, exempt_when=off)(blueprint)
    for blueprint in public:
        value, off = setting("PUBLIC_RATE_LIMIT")
        limiter.limit(value, exempt_when=off)(blueprint)
        value, off = setting("PUBLIC_CODE_RATE_LIMIT")
        limiter.limit(value, key_func=code_key, exempt_when=off,
                      scope="public-code")(blueprint)
    return limiter
