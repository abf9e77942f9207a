"""flask-smorest, customised once: problem+json errors, bearer auth, and its OpenAPI docs."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

import flask_smorest
from flask import current_app, g, request

from api import problems
from enforcement.auth import authenticate
from enforcement.errors import Forbidden, Unauthorized
from enforcement.models import Role
from enforcement.principal import Principal

BEARER_SCHEME = "bearerAuth"


class Api(flask_smorest.Api):
    ERROR_SCHEMA = problems.ProblemSchema

    def handle_http_exception(self, error):  # type: ignore[no-untyped-def]
        return problems.handle_http_exception(error)

    def _init_spec(self, *args: Any, **kwargs: Any) -> None:
        super()._init_spec(*args, **kwargs)
        self.spec.components.security_scheme(
            BEARER_SCHEME,
            {"type": "http", "scheme": "bearer", "bearerFormat": "JWT",
             "description": "Access token from POST /api/v1/auth/login (15 minutes)."},
        )
        self.spec.components.response(
            "Problem",
            {"description": "Error (application/problem+json)",
             "content": {problems.PROBLEM_MEDIA_TYPE: {"schema": "ProblemSchema"}}},
        )


class Blueprint(flask_smorest.Blueprint):
    """Adds ``@blp.auth(*roles)``: sign-in required, optionally limited to roles."""

    def auth(self, *roles: Role) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
        def decorator(func: Callable[..., Any]) -> Callable[..., Any]:
            @wraps(func)
            def wrapper(*args: Any, **kwargs: Any) -> Any:
                principal = current_principal()
                if roles and principal.role not in roles:
                    raise Forbidden(f"role {principal.role.value} may not do this")
                return func(*args, **kwargs)

            documented = self.doc(security=[{BEARER_SCHEME: []}])(wrapper)
            for status in (401, 403):
                documented = self.alt_response(status, response="Problem")(documented)
            return documented

        return decorator


def current_principal() -> Principal:
    """The authenticated caller of this request (authenticated once, then cached)."""
    principal = g.get("principal")
    if principal is None:
        header = request.headers.get("Authorization", "")
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise Unauthorized("send 'Authorization: Bearer <access token>'",
                               code="token_missing")
        ext = current_app.extensions["gridwork"]
        principal = authenticate(ext.db, ext.tokens, token.strip())
        g.principal = principal
    return principal
