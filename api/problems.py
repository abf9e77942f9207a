"""RFC 9457 problem+json: the one shape every error of the API takes."""

from __future__ import annotations

import json
import logging
from typing import Any

import marshmallow as ma
from flask import Flask, Response, current_app, request
from sqlalchemy.exc import DisconnectionError, InterfaceError, InternalError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from werkzeug.exceptions import HTTPException

from api.messages import HTTP_STATUS_CODES, request_locale, title_for
from api.observability import current_request_id
from enforcement.errors import DomainError, ServiceUnavailable, TooManyRequests

PROBLEM_MEDIA_TYPE = "application/problem+json"
PROBLEM_TYPE_BASE = "https://gridwork.invalid/problems/"
DATABASE_ERRORS = (OperationalError, InterfaceError, DisconnectionError, PoolTimeout)
"""The database is gone, restarting, refusing connections or out of them: try again soon.
Whatever the request was writing rolled back with its transaction."""

log = logging.getLogger("gridwork.api")


class ProblemRecordSchema(ma.Schema):
    table = ma.fields.String()
    id = ma.fields.String()


class ProblemSchema(ma.Schema):
    """An error. Branch on ``code``; show ``title`` (in the request's language) to people.

    Some problems add members of their own (RFC 9457 extension members); the common ones
    are listed, and a client ignores any it does not know."""

    class Meta:
        unknown = ma.INCLUDE  # documented as additionalProperties: true

    type = ma.fields.String(metadata={"description": "URI naming the problem type"})
    title = ma.fields.String(metadata={"description": "Short summary in zh-CN or English"})
    status = ma.fields.Integer(metadata={"description": "HTTP status code"})
    detail = ma.fields.String(metadata={"description": "Explanation of this occurrence"})
    code = ma.fields.String(metadata={"description": "Stable machine-readable error code"})
    errors = ma.fields.Dict(
        metadata={"description": "Field errors: location → field → messages"}
    )
    instance = ma.fields.String()
    request_id = ma.fields.String(
        metadata={"description": "Quote it when reporting a problem; also in X-Request-ID"}
    )
    current_status = ma.fields.String(metadata={
        "description": "409 about a status (invalid_transition, …_not_editable, …): the "
                       "record's status now"})
    allowed = ma.fields.List(ma.fields.String(), metadata={
        "description": "409 invalid_transition: the statuses the record may move to now"})
    current_version = ma.fields.Integer(metadata={
        "description": "412: the record's version now (reload, reapply, retry)"})
    wipe = ma.fields.Boolean(metadata={
        "description": "403 device_revoked: true; delete the data stored on the device"})
    resync = ma.fields.Boolean(metadata={
        "description": "409 resync_required: true; pull again without a cursor"})
    records = ma.fields.List(ma.fields.Nested(ProblemRecordSchema), metadata={
        "description": "409 sync_pull_first: the records that changed since your pull"})
    offset = ma.fields.Integer(metadata={
        "description": "Resumable uploads: the offset to send the next chunk from"})


def problem(status: int, code: str, detail: str | None = None,
            errors: dict[str, Any] | None = None, headers: dict[str, str] | None = None,
            **extra: Any) -> Response:
    body: dict[str, Any] = {
        "type": PROBLEM_TYPE_BASE + code,
        "title": title_for(code, status, request_locale()),
        "status": status,
        "code": code,
    }
    if detail:
        body["detail"] = detail
    if errors:
        body["errors"] = errors
    body["instance"] = request.path
    request_id = current_request_id()
    if request_id:
        body["request_id"] = request_id
    body.update(extra)
    response = current_app.response_class(
        json.dumps(body, ensure_ascii=False), status=status, mimetype=PROBLEM_MEDIA_TYPE
    )
    response.headers["Content-Language"] = request_locale()
    for key, value in (headers or {}).items():
        response.headers[key] = value
    return response


def handle_domain_error(error: DomainError) -> Response:
    headers = {"WWW-Authenticate": "Bearer"} if error.status == 401 else {}
    if isinstance(error, TooManyRequests | ServiceUnavailable):
        headers["Retry-After"] = str(error.retry_after)
    return problem(error.status, error.code, error.detail, error.errors, headers, **error.extra)


def handle_http_exception(error: HTTPException) -> Response:
    status = error.code or 500
    data = getattr(error, "data", None) or {}
    errors = data.get("errors") or data.get("messages")
    code = data.get("code") or HTTP_STATUS_CODES.get(status, "bad_request")
    if status == 422 and errors and _only_unknown_fields(errors):
        code = "unknown_field"
    # Werkzeug's stock descriptions add nothing to the title once field errors are listed.
    detail = data.get("message") or (None if errors or status >= 500 else error.description)
    return problem(status, code, detail, errors, data.get("headers"))


def handle_database_unavailable(error: Exception) -> Response:
    """503 with Retry-After instead of a 500: the client keeps its data and retries."""
    cause = getattr(error, "orig", None) or error
    log.warning("database unavailable on %s %s: %s", request.method, request.path,
                type(cause).__name__)  # not the message: it may quote parameters
    return handle_domain_error(ServiceUnavailable(code="database_unavailable"))


READ_ONLY_SQLSTATE = "25006"
"""read_only_sql_transaction: the connection reached a server that is (now) a standby."""


def handle_internal_database_error(error: InternalError) -> Response:
    """A write that reached a demoted primary or a standby (a failover under way, or the
    coordinator of the high-availability set gone) is refused as 503 like a database that
    does not answer: the transaction rolled back whole and the phone's retry is safe."""
    if getattr(error.orig, "sqlstate", None) == READ_ONLY_SQLSTATE:
        return handle_database_unavailable(error)
    return handle_unexpected(error)


def handle_unexpected(error: Exception) -> Response:
    log.exception("unhandled error on %s %s", request.method, request.path)
    return problem(500, "internal_error")


def _only_unknown_fields(errors: dict[str, Any]) -> bool:
    messages = [
        message
        for location in errors.values() if isinstance(location, dict)
        for field_messages in location.values() if isinstance(field_messages, list)
        for message in field_messages
    ]
    return bool(messages) and all(m == "Unknown field." for m in messages)


def register(app: Flask) -> None:
    app.register_error_handler(DomainError, handle_domain_error)
    app.register_error_handler(HTTPException, handle_http_exception)
    for database_error in DATABASE_ERRORS:
        app.register_error_handler(database_error, handle_database_unavailable)
    app.register_error_handler(InternalError, handle_internal_database_error)
    app.register_error_handler(Exception, handle_unexpected)
