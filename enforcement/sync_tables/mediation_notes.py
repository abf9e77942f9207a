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

from enforcement import mediation, policy
from enforcement.errors import Conflict
from enforcement.models import (
    MediationNote,
    MediationOutcome,
    SettlementKind,
)
from enforcement.principal import Principal
from enforcement.sync_tables.common import (
    CR,
    SR,
    TIMESTAMPS,
    C,
    H,
    assign,
    bump,
    checked,
    feed_scope,
    iso,
    load_ids,
    load_scoped,
    parse_date,
    parse_time,
    require_author,
    require_fields,
    require_new,
    restore_hook,
    soft_delete,
    text,
    to_datetime,
)
from sync.spec import Kind, SyncSpec

NOTE_FIELDS = {
    "held_at": C.of(Kind.TIME, required=True), "place": C, "present": C.of(Kind.JSON),
    "applicant_statement": C, "debtor_statement": C, "outcome": CR,
    "proposal": C.of(Kind.JSON), "next_visit_on": C.of(Kind.DATE),
    "case_id": H.of(Kind.TEXT, required=True),
    "author_id": SR, **TIMESTAMPS,
}
_NOTE_PLAIN = ("place", "present", "applicant_statement", "debtor_statement", "outcome",
               "case_id")


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


def _write_note(session: Session, principal: Principal, row: MediationNote,
                values: dict[str, Any]) -> None:
    if "case_id" in values and values["case_id"] != row.case_id:
        mediation.require_mediable_case(session, principal, values["case_id"])
    assign(row, values, _NOTE_PLAIN)
    if "held_at" in values:
        row.held_at = to_datetime(values["held_at"])  # type: ignore[assignment]
    if "next_visit_on" in values:
        raw = values["next_visit_on"]
        row.next_visit_on = date.fromisoformat(raw) if raw else None
    if "proposal" in values:
        mediation.set_proposal(row, _as_proposal(values["proposal"]))


def _create_note(session: Session, principal: Principal, record_id: str,
                 values: dict[str, Any]) -> MediationNote:
    """As ``mediation.record_note``: an agreed note settles the case in the same write."""
    policy.require(principal, "mediation.create")
    require_new(session, MediationNote, principal, record_id, "mediation_note_exists")
    require_fields(values, "case_id", "held_at", "outcome")
    mediation.require_mediable_case(session, principal, values["case_id"])
    row = MediationNote(court_id=principal.court_id, id=record_id, author_id=principal.user_id,
                        device_id=principal.device_id, case_id=values["case_id"],
                        held_at=to_datetime(values["held_at"]), outcome=values["outcome"])
    _write_note(session, principal, row, values)
    session.add(row)
    mediation.settle_if_agreed(session, row, _as_proposal(row.proposal))
    session.flush()
    return row


def _may_edit_note(principal: Principal, row: MediationNote) -> None:
    policy.require(principal, "mediation.update")
    require_author(principal, row)
    if row.outcome == MediationOutcome.AGREED:
        raise Conflict("the note is agreed and its settlement exists; it can no longer be "
                       "edited", code="mediation_note_settled")


def _update_note(session: Session, principal: Principal, row: MediationNote,
                 values: dict[str, Any]) -> None:
    _may_edit_note(principal, row)
    _write_note(session, principal, row, values)
    mediation.settle_if_agreed(session, row, _as_proposal(row.proposal))
    bump(row)
    session.flush()


def _delete_note(session: Session, principal: Principal, row: MediationNote) -> None:
    _may_edit_note(principal, row)
    soft_delete(session, row)


NOTE_SPEC = SyncSpec(
    table="mediation_note", fields=NOTE_FIELDS,
    load=lambda s, p, i: load_scoped(s, p, MediationNote, "mediation.read", i),
    load_many=lambda s, p, ids: load_ids(s, p, MediationNote, ids), values=note_values,
    create=_create_note, update=_update_note, delete=_delete_note, restore=restore_hook,
    scope=feed_scope(MediationNote, "mediation.read"), normalise=normalise_note,
)
