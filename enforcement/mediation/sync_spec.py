"""Sync spec of mediation notes.

client: the session as the mediator recorded it (``held_at``, ``place``, ``present``, both
statements, ``outcome``, ``proposal``, ``next_visit_on``). shared: ``case_id``. server:
author, timestamps. Scope ``mediation.read``; writes as ``mediation.record_note`` and
``edit_note``: an ``agreed`` note creates its settlement in the same write and is then
closed to edits.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from sqlmodel import Session

from enforcement import policy
from enforcement.accounts.principal import Principal
from enforcement.mediation import notes as mediation
from enforcement.models import (
    MediationNote,
    MediationOutcome,
    SettlementKind,
)
from enforcement.models.base import table_of
from enforcement.syncing.common import (
    CR,
    SR,
    TIMESTAMPS,
    C,
    H,
    checked,
    domain_values,
    feed_scope,
    iso_sql,
    load_scoped,
    parse_date,
    parse_time,
    restore_hook,
    text,
)
from enforcement.syncing.values import TableValues, day, json_or_null, text_of
from sync.spec import Kind, SyncSpec

NOTE_FIELDS = {
    "held_at": C.of(Kind.TIME, required=True), "place": C, "present": C.of(Kind.JSON),
    "applicant_statement": C, "debtor_statement": C, "outcome": CR,
    "proposal": C.of(Kind.JSON), "next_visit_on": C.of(Kind.DATE),
    "case_id": H.of(Kind.TEXT, required=True),
    "author_id": SR, **TIMESTAMPS,
}


_note = table_of(MediationNote).c
NOTE_VALUES = TableValues(MediationNote, (
    ("held_at", iso_sql(_note.held_at)), ("place", _note.place), ("present", _note.present),
    ("applicant_statement", _note.applicant_statement),
    ("debtor_statement", _note.debtor_statement), ("outcome", text_of(_note.outcome)),
    ("proposal", json_or_null(_note.proposal)), ("next_visit_on", day(_note.next_visit_on)),
    ("case_id", _note.case_id), ("author_id", _note.author_id),
    ("created_at", iso_sql(_note.created_at)), ("updated_at", iso_sql(_note.updated_at)),
), shielded="mediation_note")
"""The note as a phone stores it, for pulls and push results alike (no proposal: null)."""


def _present(value: Any) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ValueError("present is a list of names")
    return value


def _as_proposal(value: Any) -> mediation.Proposal | None:
    """A proposal in its stored JSON form (``Proposal.as_json``), or None."""
    if not value:
        return None
    return mediation.Proposal(
        SettlementKind(value["kind"]), Decimal(str(value["total"])), tuple(
            mediation.PlannedPayment(date.fromisoformat(p["due_on"]), Decimal(str(p["amount"])))
            for p in value["instalments"]))


def _proposal(value: Any) -> dict[str, Any] | None:
    proposal = _as_proposal(value)
    return proposal.as_json() if proposal is not None else None


def normalise_note(fields: dict[str, Any]) -> dict[str, Any]:
    return checked("mediation_note", fields, {
        "held_at": parse_time, "next_visit_on": parse_date, "present": _present,
        "outcome": lambda v: MediationOutcome(v).value, "proposal": _proposal,
        "place": text(200), "applicant_statement": text(nullable=False),
        "debtor_statement": text(nullable=False),
    })


def _domain(values: dict[str, Any]) -> dict[str, Any]:
    """Normalised sync values as the note write path takes them (the proposal too)."""
    out = domain_values(NOTE_FIELDS, values)
    if "proposal" in out:
        out["proposal"] = _as_proposal(out["proposal"])
    return out


def _create_note(session: Session, principal: Principal, record_id: str,
                 values: dict[str, Any]) -> MediationNote:
    """``mediation.create_note``, the REST record's write: an agreed note settles the case
    in the same transaction."""
    note, _ = mediation.create_note(session, principal, record_id, _domain(values))
    return note


def _update_note(session: Session, principal: Principal, row: MediationNote,
                 values: dict[str, Any]) -> None:
    mediation.edit_note_values(session, principal, row, _domain(values))


def _delete_note(session: Session, principal: Principal, row: MediationNote) -> None:
    """The REST withdrawal: the author, an unagreed note, with an audit entry."""
    policy.require(principal, "mediation.withdraw")
    policy.require_author(principal, row)
    mediation.mark_note_withdrawn(session, principal, row)


NOTE_SPEC = SyncSpec(
    table="mediation_note", fields=NOTE_FIELDS,
    load=lambda s, p, i: load_scoped(s, p, MediationNote, "mediation.read", i),
    values=NOTE_VALUES.values, pull_many=NOTE_VALUES.pull,
    shown=NOTE_VALUES.shown,
    create=_create_note, update=_update_note, delete=_delete_note, restore=restore_hook,
    scope=feed_scope(MediationNote, "mediation.read"), normalise=normalise_note,
)
