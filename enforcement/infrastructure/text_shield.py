"""Free text as the caller may see it: the one masking rule (``masking.mask_text``)
applied to every free-text field a court declares, in REST answers, sync pulls and
exports alike.

``FREE_TEXT`` is the declaration: per table, which fields are free text and how a row
names its parties (``case_id``: every party of the case and its applicant; ``party_id``:
that party). A court that finds personal data in another field adds it there (and to
docs/security.md): every reader of that table goes through ``shield``.

Roles that see parties masked (``party.read_unmasked`` not theirs: assistants, deputies,
liaison units) are shown the text masked, except text they wrote themselves (their own
words, which their phone already holds and must not lose to a masked copy). Roles that see
parties unmasked get the text as written, and every row whose text names a party or holds
an identity or mobile number leaves an audit entry (``party.read_unmasked``) in the same
transaction, as the cases' unmasked reads do.

Work is per batch, never per row: at most three queries for the parties of all rows, and
one audit append for all of them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

from enforcement import policy
from enforcement.accounts.principal import Principal
from enforcement.infrastructure import audit
from enforcement.infrastructure.masking import Found, Person, mask_text
from enforcement.models import CaseParty, EnforcementCase, Party, PartyKind


@dataclass(frozen=True, slots=True)
class FreeText:
    fields: tuple[str, ...]
    author: str | None = "author_id"
    """The column naming who wrote the text (shown their own words), if any."""
    case: str | None = "case_id"
    party: str | None = "party_id"


FREE_TEXT: dict[str, FreeText] = {
    "task": FreeText(("title", "body"), author=None),
    "linkage_request": FreeText(("details",), author=None),
    "lead": FreeText(("description", "debtor_text")),
    "sighting": FreeText(("notes", "debtor_text", "companions")),
    "mediation_note": FreeText(("applicant_statement", "debtor_statement", "place"),
                               party=None),
}
"""Every free-text field that may carry a party's name or numbers, per table."""

Getter = Callable[[Any, str], Any]


def shield(session: Session, principal: Principal, table: str, rows: Sequence[Any],
           get: Getter = getattr) -> dict[str, dict[str, Any]]:
    """Per row id, the free-text fields the caller is shown differently from what is
    stored (masked); audits what unmasked roles are shown. ``get(row, name)`` reads a
    field (``getattr`` for ORM rows, ``dict.get`` for pulled values). The caller commits."""
    declared = FREE_TEXT[table]
    unmasked = policy.allows(principal, "party.read_unmasked")
    if not unmasked and declared.author:
        rows = [row for row in rows if get(row, declared.author) != principal.user_id]
    if not rows:
        return {}
    people = _people(session, principal.court_id, declared, rows, get)
    out: dict[str, dict[str, Any]] = {}
    seen: list[tuple[str, dict[str, Found]]] = []
    for row in rows:
        persons = people(row)
        found: dict[str, Found] = {}
        for name in declared.fields:
            masked, hit = mask_text(get(row, name), persons)
            if hit:
                found[name] = hit
                if not unmasked:
                    out.setdefault(get(row, "id"), {})[name] = masked
        if unmasked and found:
            seen.append((get(row, "id"), found))
    if seen:
        _audit(session, principal, table, seen)
    return out


def shield_rows(session: Session, principal: Principal, table: str,
                rows: Sequence[Any]) -> Sequence[Any]:
    """ORM rows as the caller may see them. A row shown masked is detached from the
    session first, so that the mask can never be written back to the database."""
    texts = shield(session, principal, table, rows)
    for row in rows:
        if row.id in texts:
            session.expunge(row)
            for name, value in texts[row.id].items():
                setattr(row, name, value)
    return rows


def _people(session: Session, court_id: str, declared: FreeText, rows: Sequence[Any],
            get: Getter) -> Callable[[Any], tuple[Person, ...]]:
    """The parties each row names, loaded for all rows at once."""
    case_ids = {c for row in rows if declared.case and (c := get(row, declared.case))}
    party_ids = {p for row in rows if declared.party and (p := get(row, declared.party))}
    by_case: dict[str, list[Person]] = {}
    by_party: dict[str, Person] = {}
    if case_ids:
        for case_id, party in session.execute(
                sa.select(CaseParty.case_id, Party).join(Party, sa.and_(
                    Party.court_id == CaseParty.court_id, Party.id == CaseParty.party_id))
                .where(CaseParty.court_id == court_id, CaseParty.case_id.in_(case_ids))):
            by_case.setdefault(case_id, []).append(_person(party))
        for case_id, applicant in session.execute(
                sa.select(EnforcementCase.id, EnforcementCase.applicant_name).where(
                    EnforcementCase.court_id == court_id,
                    EnforcementCase.id.in_(case_ids))):
            by_case.setdefault(case_id, []).append(Person(None, applicant))
    if party_ids:
        for party in session.scalars(sa.select(Party).where(
                Party.court_id == court_id, Party.id.in_(party_ids))):
            by_party[party.id] = _person(party)

    def of(row: Any) -> tuple[Person, ...]:
        found = list(by_case.get(get(row, declared.case), [])) if declared.case else []
        if declared.party and (party := by_party.get(get(row, declared.party))):
            found.append(party)
        return tuple(found)

    return of


def _person(party: Party) -> Person:
    return Person(party.id, party.name, party.id_number, party.phone,
                  organisation=party.kind == PartyKind.ORGANISATION)


def _audit(session: Session, principal: Principal, table: str,
           seen: list[tuple[str, dict[str, Found]]]) -> None:
    audit.record_many(session, court_id=principal.court_id, entries=[
        {"action": "party.read_unmasked", "actor_id": principal.user_id,
         "device_id": principal.device_id, "subject_table": table, "subject_id": row_id,
         "detail": {"via": "free_text", "fields": sorted(found),
                    "party_ids": sorted({p for f in found.values() for p in f.party_ids}),
                    "kinds": sorted({k for f in found.values() for k in f.kinds})}}
        for row_id, found in seen])
