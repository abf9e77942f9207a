"""ETag / If-Match for single-record edits. A record's ETag is its ``version``."""

from __future__ import annotations

from typing import Any

from flask import request

from enforcement.errors import PreconditionFailed, PreconditionRequired


def etag_of(version: int) -> str:
    return f'"{version}"'


def if_match_version() -> int | None:
    """The version the client's ``If-Match`` names, or None when it sent none.

    A value that is no version of ours (``*`` included: an edit must say what it read)
    is 412, since it cannot match the current one.
    """
    header = request.headers.get("If-Match")
    if not header:
        return None
    value = header.strip()
    if value.startswith("W/"):
        value = value[2:]
    value = value.strip('"')
    if not value.isdigit() or len(value) > 18:
        raise PreconditionFailed("If-Match does not name a version of this record")
    return int(value)


def required_if_match_version() -> int:
    """As ``if_match_version``, but a missing ``If-Match`` is 428."""
    version = if_match_version()
    if version is None:
        raise PreconditionRequired("send If-Match with the ETag you last read")
    return version


def with_etag(body: Any, version: int, status: int = 200,
              headers: dict[str, str] | None = None) -> tuple[Any, int, dict[str, str]]:
    """A view's return value for one versioned record: the body with its ``ETag``."""
    return body, status, {"ETag": etag_of(version), **(headers or {})}
