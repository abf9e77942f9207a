"""Cursor pagination on the wire: opaque cursors, ``limit``, ``Link: rel="next"``.

A cursor is the url-safe base64 of the last row's ``(created_at, id)``; clients must treat
it as opaque. Every list resource uses these helpers so that all lists page alike.
"""

from __future__ import annotations

import base64
import binascii
import json
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

import marshmallow as ma
from flask import request
from marshmallow import validate

from enforcement.errors import ValidationFailed
from enforcement.ids import plausible_id
from enforcement.paging import DEFAULT_LIMIT, MAX_LIMIT, Page, Position


class PageArgsSchema(ma.Schema):
    """``cursor`` and ``limit``; list argument schemas inherit these."""

    cursor = ma.fields.String(
        load_default=None, validate=validate.Length(max=200),
        metadata={"description": "`next_cursor` of the previous page; omit for the first"},
    )
    limit = ma.fields.Integer(load_default=DEFAULT_LIMIT, validate=validate.Range(1, MAX_LIMIT))


def page_schema(item_schema: type[ma.Schema], name: str) -> type[ma.Schema]:
    """A page envelope schema: ``{"items": [...], "next_cursor": "..." | null}``."""
    return type(name, (ma.Schema,), {
        "items": ma.fields.List(ma.fields.Nested(item_schema), required=True),
        "next_cursor": ma.fields.String(allow_none=True, required=True, metadata={
            "description": "Pass as `cursor` for the next page; null on the last page"}),
        "__doc__": "One page of a list, newest first.",
    })


def encode_cursor(position: Position) -> str:
    created_at, row_id = position
    raw = json.dumps([created_at.isoformat(), row_id], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str | None) -> Position | None:
    """The position a cursor stands for; 422 ``invalid_cursor`` for anything else."""
    if not cursor:
        return None
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        created_at, row_id = json.loads(raw)
        position = (datetime.fromisoformat(created_at), str(row_id))
    except (binascii.Error, ValueError, TypeError, UnicodeDecodeError):
        position = None
    if position is None or position[0].tzinfo is None or not plausible_id(position[1]):
        raise ValidationFailed("the cursor is not one this server issued", code="invalid_cursor",
                               errors={"query": {"cursor": ["not a valid cursor"]}})
    return position


def paged(page: Page[Any]) -> tuple[dict[str, Any], int, dict[str, str]]:
    """The response for a page: body with ``next_cursor`` and a ``Link`` header."""
    cursor = encode_cursor(page.next_position) if page.next_position else None
    headers: dict[str, str] = {}
    if cursor:
        args = [(k, v) for k, v in request.args.items(multi=True) if k != "cursor"]
        query = urlencode([*args, ("cursor", cursor)])
        headers["Link"] = f'<{request.base_url}?{query}>; rel="next"'
    return {"items": page.items, "next_cursor": cursor}, 200, headers
