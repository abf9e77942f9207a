"""References a client sends (a case, a party…) must name rows of the caller's court."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

from enforcement.errors import ValidationFailed
from enforcement.models import EnforcementCase, Party


def require_refs(session: Session, court_id: str, refs: dict[str, tuple[Any, str | None]]) -> None:
    """422 naming each field whose id does not name a row of the caller's court.

    ``refs`` maps a field name to (model, id). Checked here so that a bad id is a field
    error, not a foreign-key violation.
    """
    error = unknown_refs(refs, lambda model, ref_id:
                         session.get(model, (court_id, ref_id)) is not None)
    if error is not None:
        raise error


def unknown_refs(refs: dict[str, tuple[Any, str | None]],
                 exists: Callable[[Any, str], bool]) -> ValidationFailed | None:
    """The 422 ``require_refs`` raises, given a way to tell whether a (model, id) exists:
    a batch looks its ids up once (``known_ids``) and asks here per record."""
    errors: dict[str, list[str]] = {}
    for field, (model, ref_id) in refs.items():
        if ref_id is not None and not exists(model, ref_id):
            errors[field] = [f"no {model.__tablename__} with id {ref_id} in this court"]
    return ValidationFailed("unknown references", errors={"json": errors}) if errors else None


def known_ids(session: Session, court_id: str, model: Any, ids: Iterable[str | None]
              ) -> set[str]:
    """Which of ``ids`` name rows of ``model`` in the court, with one query."""
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return set()
    return set(session.scalars(sa.select(model.id).where(
        model.court_id == court_id, model.id.in_(wanted))))


def require_case_and_party(session: Session, record: Any) -> None:
    """A field report's ``case_id`` and ``party_id``, when set, exist in its court."""
    require_refs(session, record.court_id, {
        "case_id": (EnforcementCase, record.case_id), "party_id": (Party, record.party_id),
    })
