"""Refuse input no endpoint can store or should parse, before any view sees it.

PostgreSQL text cannot hold NUL characters, and a deeply nested or huge JSON document
costs memory and time long before a schema rejects it; nested deep enough, it exhausts
the parser's stack (a 500). The depth is measured on the raw text, without recursion,
before anything parses the body. Checking here, once, keeps every endpoint (and every
future one) safe from all three.
"""

from __future__ import annotations

from typing import Any

from flask import Flask, request
from werkzeug.exceptions import BadRequest

from enforcement.errors import ValidationFailed
from sync.json_depth import MAX_DEPTH, nesting_depth

MAX_ITEMS = 10_000
NUL = "\x00"
NUL_ESCAPE = b"\\u0000"


def _walk(value: Any, path: str, errors: dict[str, list[str]]) -> None:
    """Collect NUL characters by path and refuse huge containers; recursion is bounded
    because the body's depth was checked first."""
    if isinstance(value, str):
        if NUL in value:
            errors.setdefault(path or "$", []).append("must not contain NUL characters")
    elif isinstance(value, dict):
        if len(value) > MAX_ITEMS:
            raise ValidationFailed(f"more than {MAX_ITEMS} members", code="json_too_large")
        for key, item in value.items():
            _walk(key, path, errors)
            _walk(item, f"{path}.{key}" if path else str(key), errors)
    elif isinstance(value, list):
        if len(value) > MAX_ITEMS:
            raise ValidationFailed(f"more than {MAX_ITEMS} items", code="json_too_large")
        for index, item in enumerate(value):
            _walk(item, f"{path}[{index}]", errors)


def _json_body() -> Any:
    """The request's JSON body, parsed only once its depth is known to be bounded; None
    when there is none or it is malformed (the view's parser answers 400 for that)."""
    data = request.get_data(cache=True)  # 413 beyond MAX_CONTENT_LENGTH
    if not data:
        return None
    if nesting_depth(data) > MAX_DEPTH:
        raise ValidationFailed(f"JSON nested deeper than {MAX_DEPTH} levels",
                               code="json_too_deep")
    try:
        return request.get_json()
    except BadRequest:
        return None


def _sizes(value: Any) -> None:
    """``_walk`` for a body that holds no NUL: only containers are looked at (a push of
    1,000 mutations is 25,000 values but 3,000 containers; bench/profile-findings.md,
    finding 31)."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            if len(item) > MAX_ITEMS:
                raise ValidationFailed(f"more than {MAX_ITEMS} members", code="json_too_large")
            children = [v for v in item.values() if isinstance(v, dict | list)]
        else:
            if len(item) > MAX_ITEMS:
                raise ValidationFailed(f"more than {MAX_ITEMS} items", code="json_too_large")
            children = [v for v in item if isinstance(v, dict | list)]
        stack.extend(reversed(children))  # depth first, in the document's order, as _walk


def json_body_errors(body: Any, raw: bytes) -> dict[str, list[str]]:
    """NUL characters in a parsed JSON body, by path; raises for a huge container. A JSON
    string can hold NUL only as the escape ``\\u0000`` (a raw control character is
    malformed JSON): when ``raw`` has none, only the containers' sizes are checked."""
    found: dict[str, list[str]] = {}
    if isinstance(body, dict | list) and NUL_ESCAPE not in raw:
        _sizes(body)
    else:
        _walk(body, "", found)
    return found


def check_request() -> None:
    errors: dict[str, dict[str, list[str]]] = {}
    for location, values in (("query", request.args), ("path", request.view_args or {})):
        found: dict[str, list[str]] = {}
        for key, value in values.items():
            _walk(key, "", found)
            _walk(value, key, found)
        if found:
            errors[location] = found
    if request.is_json:
        found = json_body_errors(_json_body(), request.get_data(cache=True))
        if found:
            errors["json"] = found
    if errors:
        raise ValidationFailed("NUL characters cannot be stored", code="invalid_characters",
                               errors=errors)


def init_app(app: Flask) -> None:
    app.before_request(check_request)
