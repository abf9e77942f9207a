"""References a client sends (a case, a party…) must name rows of the caller's court, and
for field records (leads, sightings) rows within the caller's own scope: an id outside it
is refused exactly as an id that names nothing (no existence oracle)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

from enforcement import policy
from enforcement.accounts.principal import Principal
from enforcement.errors import ValidationFailed
from enforcement.models import CaseParty, EnforcementCase, Party


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


def readable_ids(session: Session, principal: Principal, model: Any,
                 ids: Iterable[str | None]) -> set[str]:
    """Which of ``ids`` the caller may reference, with one query: a case they may read
    (``case.read``), a party of such a case (or, for an assistant, living in their grids);
    the whole court for court-wide roles."""
    wanted = {i for i in ids if i is not None}
    scope = policy.scope_of(principal.role, "case.read")
    if scope == "court" or model not in (EnforcementCase, Party):
        return known_ids(session, principal.court_id, model, wanted)
    if not wanted or scope is None:
        return set()
    cases = sa.select(EnforcementCase.id).where(
        policy.scope_filter(principal, "case.read", EnforcementCase))
    if model is EnforcementCase:
        query = cases.where(EnforcementCase.id.in_(wanted))
    else:
        of_cases = sa.select(CaseParty.party_id).where(
            CaseParty.court_id == principal.court_id, CaseParty.case_id.in_(cases))
        seen: sa.ColumnElement[bool] = Party.id.in_(of_cases)
        if scope == "own_grid":  # and whoever lives in the caller's grids
            seen = sa.or_(seen, Party.village_grid_id.in_(policy.active_grid_ids(principal)))
        query = sa.select(Party.id).where(Party.court_id == principal.court_id,
                                          Party.id.in_(wanted), seen)
    return set(session.scalars(query))


def require_case_and_party(session: Session, principal: Principal, record: Any,
                           before: dict[str, str | None] | None = None) -> None:
    """A field report's ``case_id`` and ``party_id``, when set, name a case and a party the
    caller may read (``readable_ids``). ``before``: the stored references of an edit; one
    left as it was (e.g. linked by the court at triage) is not checked again."""
    refs = {name: (model, getattr(record, name))
            for name, model in (("case_id", EnforcementCase), ("party_id", Party))
            if before is None or getattr(record, name) != before.get(name)}
    error = unknown_refs(refs, lambda model, ref_id:
                         ref_id in readable_ids(session, principal, model, [ref_id]))
    if error is not None:
        raise error
