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
from enforcement.syncing.common import (
    CR,
    SR,
    TIMESTAMPS,
    C,
    H,
    checked,
    domain_values,
    feed_scope,
    iso,
    load_scoped,
    load_shown,
    parse_date,
    parse_time,
    restore_hook,
    text,
)
from sync.spec import Kind, SyncSpec

NOTE_FIELDS = {
    "held_at": C.of(Kind.TIME, required=True), "place": C, "present": C.of(Kind.JSON),
    "applicant_statement": C, "debtor_statement": C, "outcome": CR,
    "proposal": C.of(Kind.JSON), "next_visit_on": C.of(Kind.DATE),
    "case_id": H.of(Kind.TEXT, required=True),
    "author_id": SR, **TIMESTAMPS,
}


def note_values(row: MediationNote, principal: Principal) -> dict[str, Any]:
    return {"held_at": iso(row.held_at), "place": row.place, "present": list(row.present),
            "applicant_statement": row.applicant_statement,
            "debtor_statement": row.debtor_statement,
            "outcome": MediationOutcome(row.outcome).value, "proposal": row.proposal or None,
            "next_visit_on": row.next_visit_on.isoformat() if row.next_visit_on else None,
            "case_id": row.case_id, "author_id": row.author_id,
            "created_at": iso(row.created_at), "updated_at": iso(row.updated_at)}


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
    load_many=lambda s, p, ids: load_shown(s, p, MediationNote, "mediation_note", ids),
    values=note_values,
    create=_create_note, update=_update_note, delete=_delete_note, restore=restore_hook,
    scope=feed_scope(MediationNote, "mediation.read"), normalise=normalise_note,
)
