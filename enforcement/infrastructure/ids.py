"""Record ids as they arrive in URLs."""

from __future__ import annotations

from enforcement.models.base import ID_LENGTH


def plausible_id(value: str) -> bool:
    """Could this be a record id? Anything else cannot name a row, so it is a plain 404
    without asking the database (which would refuse a NUL byte with an error)."""
    return 0 < len(value) <= ID_LENGTH and value.isprintable()


def canonical_device_id(device_id: str) -> str:
    """Device ids compare without regard to case: a revoked ``sr-rot-1`` must not come back
    as ``SR-ROT-1``. New devices are stored in this form; older rows are found by
    ``lower(id)`` (index ``ix_device_court_id_lower_id``)."""
    return device_id.strip().lower()
