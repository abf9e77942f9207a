"""flask-smorest, customised once: problem+json errors, bearer auth, and its OpenAPI docs."""

from __future__ import annotations

import http
from collections.abc import Callable
from functools import wraps
from typing import Any

import flask_smorest
from flask import current_app, g, request

from api import problems
from api.observability import bind_principal
from enforcement.accounts.auth import Credentials, authenticate, read_credentials
from enforcement.accounts.principal import Principal
from enforcement.errors import Forbidden, Unauthorized
from enforcement.infrastructure.db import Database
from enforcement.models import Role

BEARER_SCHEME = "bearerAuth"
VIEW_TOKEN_SCHEME = "viewToken"


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
        self.spec.components.security_scheme(
            VIEW_TOKEN_SCHEME,
            {"type": "http", "scheme": "bearer", "bearerFormat": "JWT",
             "description": "A party's view token from POST /api/v1/public/cases/open "
                            "(15 minutes, one case)."},
        )

    def _register_responses(self) -> None:
        """The response components flask-smorest refers to: one per status, by its name
        (``NOT_FOUND``; ``@blp.arguments`` adds ``UNPROCESSABLE_ENTITY`` itself), and
        ``DEFAULT_ERROR`` for any status an operation does not list. Every error is
        documented here, once, as what ``api.problems`` sends: problem+json."""
        for status in http.HTTPStatus:
            response: dict[str, Any] = {"description": status.phrase}
            if status >= 400:
                response["content"] = {problems.PROBLEM_MEDIA_TYPE: {
                    "schema": problems.ProblemSchema}}
            self.spec.components.response(status.name, response, lazy=True)
        self.spec.components.response(self.DEFAULT_ERROR_RESPONSE_NAME, {
            "description": "Any other error",
            "content": {problems.PROBLEM_MEDIA_TYPE: {"schema": problems.ProblemSchema}},
        }, lazy=True)


class Blueprint(flask_smorest.Blueprint):
    """Adds ``@blp.auth(*roles)``: sign-in required, optionally limited to roles, and
    ``@blp.problem(status)``: the operation may answer this problem."""

    def arguments(self, schema: Any, **kwargs: Any) -> Callable[..., Any]:
        """flask-smorest's, with the schema made once here: given a class, webargs made an
        instance of it on every request, polls included."""
        return super().arguments(schema() if isinstance(schema, type) else schema, **kwargs)

    def problem(self, status: int) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
        """Document that the operation answers ``status`` with a problem+json body.

        401/403 come with ``auth()`` and 422 with ``@blp.arguments``; list the others
        (404, 409, 412, 428 …) that a client should expect."""
        return self.alt_response(status, response=http.HTTPStatus(status).name)

    def auth(self, *roles: Role, in_use_case: bool = False
             ) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
        """Sign-in required. ``in_use_case``: the token is read here (401 before anything
        else) but whether its user and device are still in good standing is left to the
        use case, as the first statement of its own transaction (``current_caller``): the
        polls, where a transaction of its own was a measurable part of the request."""
        if in_use_case and roles:
            raise ValueError("a role check needs the principal before the use case")

        def decorator(func: Callable[..., Any]) -> Callable[..., Any]:
            @wraps(func)
            def wrapper(*args: Any, **kwargs: Any) -> Any:
                if in_use_case:
                    current_caller()
                    return func(*args, **kwargs)
                principal = current_principal()
                if roles and principal.role not in roles:
                    raise Forbidden(f"role {principal.role.value} may not do this")
                return func(*args, **kwargs)

            documented = self.doc(security=[{BEARER_SCHEME: []}])(wrapper)
            for status in (401, 403):
                documented = self.problem(status)(documented)
            return documented

        return decorator


def db() -> Database:
    """The app's database (one per process), for a route to hand to its use case."""
    return current_app.extensions["gridwork"].db


def current_principal() -> Principal:
    """The authenticated caller of this request (authenticated once, then cached)."""
    principal = g.get("principal")
    if principal is None:
        ext = current_app.extensions["gridwork"]
        principal = authenticate(ext.db, ext.tokens, _bearer_token())
        _signed_in(principal)
    return principal


def current_caller() -> Principal | Credentials:
    """The caller for a use case that checks the sign-in itself (``accounts.auth.signed_in``,
    first in its transaction): the principal when already known, else the request's access
    token, read and verified but not yet looked up."""
    principal = g.get("principal")
    if principal is not None:
        return principal
    credentials = g.get("credentials")
    if credentials is None:
        ext = current_app.extensions["gridwork"]
        credentials = read_credentials(ext.tokens, _bearer_token(), _signed_in)
        g.credentials = credentials
    return credentials


def _bearer_token() -> str:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized("send 'Authorization: Bearer <access token>'", code="token_missing")
    return token.strip()


def _signed_in(principal: Principal) -> None:
    g.principal = principal
    bind_principal(principal)
