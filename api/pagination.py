"""Cursor pagination on the wire: opaque cursors, ``limit``, ``Link: rel="next"``.

A cursor is the url-safe base64 of the last row's ``(created_at, id)``, or, for a list
with ``sort``, of the order's name and the last row's sort key values; clients must treat
it as opaque. A cursor only continues the order it came from: with another ``sort`` it is
422 ``invalid_cursor``. Every list resource uses these helpers so that all lists page alike.
"""

from __future__ import annotations

import base64
import binascii
import json
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

import marshmallow as ma
from flask import request
from marshmallow import validate

from enforcement.errors import ValidationFailed
from enforcement.infrastructure.ids import plausible_id
from enforcement.infrastructure.paging import (
    DEFAULT_LIMIT,
    MAX_LIMIT,
    BadPosition,
    Page,
    Position,
    SortOrder,
)


class PageArgsSchema(ma.Schema):
    """``cursor`` and ``limit``; list argument schemas inherit these."""

    cursor = ma.fields.String(
        load_default=None, validate=validate.Length(max=600),
        metadata={"description": "`next_cursor` of the previous page; omit for the first"},
    )
    limit = ma.fields.Integer(load_default=DEFAULT_LIMIT, validate=validate.Range(1, MAX_LIMIT))


def page_schema(item_schema: type[ma.Schema], name: str) -> type[ma.Schema]:
    """A page envelope schema: ``{"items": [...], "next_cursor": "..." | null}``."""
    return type(name, (ma.Schema,), {
        "items": ma.fields.List(ma.fields.Nested(item_schema), required=True),
        "next_cursor": ma.fields.String(allow_none=True, required=True, metadata={
            "description": "Pass as `cursor` for the next page; null on the last page"}),
        "__doc__": "One page of a list, in the order asked for (newest first by default).",
    })


def sort_field(orders: dict[str, SortOrder], description: str) -> ma.fields.Field:
    """The ``sort`` query argument: one of ``orders`` by name, ``newest`` by default."""
    return ma.fields.String(load_default="newest", validate=validate.OneOf(list(orders)),
                            metadata={"description": description})


def _json_value(value: Any) -> Any:
    if isinstance(value, date):  # datetimes too
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def encode_cursor(position: Position, sort: str | None = None) -> str:
    values = [_json_value(v) for v in position]
    payload = values if sort is None else [sort, *values]
    raw = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _invalid() -> ValidationFailed:
    return ValidationFailed("the cursor is not one this server issued", code="invalid_cursor",
                            errors={"query": {"cursor": ["not a valid cursor"]}})


def _payload(cursor: str) -> Any:
    try:
        return json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (binascii.Error, ValueError, TypeError, UnicodeDecodeError) as error:
        raise _invalid() from error


def decode_cursor(cursor: str | None, order: SortOrder | None = None) -> Position | None:
    """The position a cursor stands for; 422 ``invalid_cursor`` for anything else,
    including a cursor of another sort order than ``order``."""
    if not cursor:
        return None
    payload = _payload(cursor)
    if order is not None:
        if not isinstance(payload, list) or not payload or payload[0] != order.name:
            raise _invalid()
        try:
            return order.read(payload[1:])
        except BadPosition as error:
            raise _invalid() from error
    try:
        created_at, row_id = payload
        position = (datetime.fromisoformat(created_at), str(row_id))
    except (ValueError, TypeError):
        position = None
    if position is None or position[0].tzinfo is None or not plausible_id(position[1]):
        raise _invalid()
    return position


def paged(page: Page[Any]) -> tuple[dict[str, Any], int, dict[str, str]]:
    """The response for a page: body with ``next_cursor`` and a ``Link`` header."""
    cursor = encode_cursor(page.next_position, page.sort) if page.next_position else None
    headers: dict[str, str] = {}
    if cursor:
        args = [(k, v) for k, v in request.args.items(multi=True) if k != "cursor"]
        query = urlencode([*args, ("cursor", cursor)])
        headers["Link"] = f'<{request.base_url}?{query}>; rel="next"'
    return {"items": page.items, "next_cursor": cursor}, 200, headers
