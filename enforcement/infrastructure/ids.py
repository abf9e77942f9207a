"""Record ids as they arrive in URLs."""

from __future__ import annotations

from enforcement.models.base import ID_LENGTH


def plausible_id(value: str) -> bool:
    """Could this be a record id? Anything else cannot name a row, so it is a plain 404
    without asking the database (which would refuse a NUL byte with an error)."""
    return 0 < len(value) <= ID_LENGTH and value.isprintable()
