"""Refuse input no endpoint can store or should parse, before any view sees it.

PostgreSQL text cannot hold NUL characters, and a deeply nested or huge JSON document
costs memory and time long before a schema rejects it. Checking here, once, keeps
every endpoint (and every future one) safe from both.
"""

from __future__ import annotations

from typing import Any

from flask import Flask, request
from werkzeug.exceptions import BadRequest

from enforcement.errors import ValidationFailed

MAX_DEPTH = 16
MAX_ITEMS = 10_000
NUL = "\x00"


def _walk(value: Any, path: str, depth: int, errors: dict[str, list[str]]) -> None:
    if depth > MAX_DEPTH:
        raise ValidationFailed(f"JSON nested deeper than {MAX_DEPTH} levels",
                               code="json_too_deep")
    if isinstance(value, str):
        if NUL in value:
            errors.setdefault(path or "$", []).append("must not contain NUL characters")
    elif isinstance(value, dict):
        if len(value) > MAX_ITEMS:
            raise ValidationFailed(f"more than {MAX_ITEMS} members", code="json_too_large")
        for key, item in value.items():
            _walk(key, path, depth + 1, errors)
            _walk(item, f"{path}.{key}" if path else str(key), depth + 1, errors)
    elif isinstance(value, list):
        if len(value) > MAX_ITEMS:
            raise ValidationFailed(f"more than {MAX_ITEMS} items", code="json_too_large")
        for index, item in enumerate(value):
            _walk(item, f"{path}[{index}]", depth + 1, errors)


def check_request() -> None:
    errors: dict[str, dict[str, list[str]]] = {}
    for location, values in (("query", request.args), ("path", request.view_args or {})):
        found: dict[str, list[str]] = {}
        for key, value in values.items():
            _walk(key, "", 0, found)
            _walk(value, key, 0, found)
        if found:
            errors[location] = found
    if request.is_json and request.content_length:
        try:
            body = request.get_json()
        except BadRequest:
            body = None  # malformed JSON: the view's parser answers 400
        found = {}
        _walk(body, "", 0, found)
        if found:
            errors["json"] = found
    if errors:
        raise ValidationFailed("NUL characters cannot be stored", code="invalid_characters",
                               errors=errors)


def init_app(app: Flask) -> None:
    app.before_request(check_request)
