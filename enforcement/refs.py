"""References a client sends (a case, a party…) must name rows of the caller's court."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

from enforcement.errors import ValidationFailed
from enforcement.models import EnforcementCase, Party


def require_refs(session: Session, court_id: str, refs: dict[str, tuple[Any, str | None]]) -> None:
    """422 naming each field whose id does not name a row of the caller's court.

    ``refs`` maps a field name to (model, id). Checked here so that a bad id is a field
    error, not a foreign-key violation.
    """
    errors: dict[str, list[str]] = {}
    for field, (model, ref_id) in refs.items():
        if ref_id is not None and session.get(model, (court_id, ref_id)) is None:
            errors[field] = [f"no {model.__tablename__} with id {ref_id} in this court"]
    if errors:
        raise ValidationFailed("unknown references", errors={"json": errors})


def require_case_and_party(session: Session, record: Any) -> None:
    """A field report's ``case_id`` and ``party_id``, when set, exist in its court."""
    require_refs(session, record.court_id, {
        "case_id": (EnforcementCase, record.case_id), "party_id": (Party, record.party_id),
    })
