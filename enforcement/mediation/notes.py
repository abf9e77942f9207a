"""Mediation notes, and the settlement an agreed mediation creates.

A mediator (乡贤) or assistant records each session on a case in their scope: who was
there, what each side said, what was proposed and how it ended. When a note says
``agreed``, the settlement and its instalments are written in the same transaction as
the note, so an agreement never exists without the payments it promises (nor the
reverse). An agreed note is then closed to edits: the settlement is what counts.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

from enforcement import policy
from enforcement.accounts.principal import Principal
from enforcement.errors import Conflict, PreconditionFailed, ValidationFailed
from enforcement.infrastructure.db import Database
from enforcement.infrastructure.filtering import between, equal, one_of
from enforcement.infrastructure.paging import (
    LAST_DAY,
    Page,
    Position,
    SortOrder,
    fetch_page,
    newest,
    oldest,
)
from enforcement.infrastructure.text_shield import shield_rows
from enforcement.models import (
    EnforcementCase,
    Instalment,
    MediationNote,
    MediationOutcome,
    Settlement,
    SettlementKind,
    new_id,
    utcnow,
)
from enforcement.withdrawals import withdraw

CLIENT_FIELDS = frozenset({
    "case_id", "held_at", "place", "present", "applicant_statement", "debtor_statement",
    "outcome", "next_visit_on",
})
"""Fields a client may set besides ``id`` and ``proposal``."""

NOTE_ORDERS = {
    "newest": newest(MediationNote.created_at, MediationNote.id),
    "oldest": oldest(MediationNote.created_at, MediationNote.id),
    "held": SortOrder("held", (MediationNote.held_at, MediationNote.id), (datetime, str)),
    "next_visit": SortOrder("next_visit", (
        sa.func.coalesce(MediationNote.next_visit_on, LAST_DAY), MediationNote.id),
        (date, str), descending=False),
}
"""``newest``/``oldest`` recorded; ``held`` latest session first; ``next_visit`` the
soonest planned visit first (notes without one last)."""


@dataclass(frozen=True, slots=True)
class NoteView:
    """A note and the settlement it created, if it did."""

    note: MediationNote
    settlement_id: str | None


@dataclass(frozen=True, slots=True)
class PlannedPayment:
    due_on: date
    amount: Decimal


@dataclass(frozen=True, slots=True)
class Proposal:
    """A settlement proposal: a lump sum is a schedule of one payment."""

    kind: SettlementKind
    total: Decimal
    payments: tuple[PlannedPayment, ...]

    def as_json(self) -> dict[str, Any]:
        return {"kind": self.kind.value, "total": str(self.total), "instalments": [
            {"seq": seq, "due_on": p.due_on.isoformat(), "amount": str(p.amount)}
            for seq, p in enumerate(self.payments, start=1)]}


def proposal_errors(proposal: Proposal) -> list[str]:
    """What is wrong with a schedule: it must add up to the total, in date order."""
    errors = []
    if not proposal.payments:
        errors.append("a proposal needs at least one payment")
    if proposal.kind == SettlementKind.LUMP_SUM and len(proposal.payments) > 1:
        errors.append("a lump sum is a single payment")
    if any(p.amount <= 0 for p in proposal.payments):
        errors.append("every payment must be above zero")
    total = sum((p.amount for p in proposal.payments), Decimal("0"))
    if proposal.payments and total != proposal.total:
        errors.append(f"the instalments add up to {total}, not the total {proposal.total}")
    dates = [p.due_on for p in proposal.payments]
    if dates != sorted(dates):
        errors.append("due dates must be in order")
    return errors


@dataclass(frozen=True, slots=True)
class MediationFilters:
    outcome: tuple[MediationOutcome, ...] = ()
    case_id: str | None = None
    author_id: str | None = None
    held_from: datetime | None = None
    held_to: datetime | None = None

    def clauses(self) -> list[sa.ColumnElement[bool]]:
        return [
            *one_of((MediationNote.outcome, self.outcome)),
            *equal((MediationNote.case_id, self.case_id),
                   (MediationNote.author_id, self.author_id)),
            *between(MediationNote.held_at, self.held_from, self.held_to),
        ]


def record_note(db: Database, principal: Principal,
                data: Mapping[str, Any]) -> tuple[NoteView, bool]:
    """Record a mediation session; an ``agreed`` one creates its settlement too. The write
    is the one a push makes (``create_note``)."""
    policy.require(principal, "mediation.create")
    with db.unit_of_work() as session:
        note_id = data.get("id")
        if note_id and (existing := session.get(MediationNote, (principal.court_id, note_id))):
            if existing.author_id != principal.user_id or existing.deleted_at is not None:
                raise Conflict("a mediation note with this id exists",
                               code="mediation_note_exists")
            return _view(session, existing), False
        note, settlement = create_note(session, principal, note_id or new_id(), data)
        try:
            session.commit()
        except sa.exc.IntegrityError as error:
            raise Conflict("a mediation note with this id exists",
                           code="mediation_note_exists") from error
        return NoteView(note, settlement.id if settlement else None), True


def edit_note(db: Database, principal: Principal, note_id: str, expected_version: int,
              changes: Mapping[str, Any]) -> NoteView:
    """Correct one's own note until it is agreed; turning it ``agreed`` settles the case."""
    with db.unit_of_work() as session:
        note = visible_note(session, principal, "mediation.update", note_id, for_update=True)
        if note.version != expected_version:
            raise PreconditionFailed(f"the note is at version {note.version}",
                                     current_version=note.version)
        settlement = edit_note_values(session, principal, note, changes)
        session.commit()
        return NoteView(note, settlement.id if settlement else None)


def get_note(db: Database, principal: Principal, note_id: str) -> NoteView:
    """The note; its statements masked for roles that see parties masked (deputies;
    ``text_shield``)."""
    with db.unit_of_work() as session:
        note = visible_note(session, principal, "mediation.read", note_id)
        view = _view(session, note)
        shield_rows(session, principal, "mediation_note", [note])
        session.commit()  # the audit of an unmasked read
        return view


def list_notes(db: Database, principal: Principal, filters: MediationFilters,
               after: Position | None, limit: int,
               order: SortOrder = NOTE_ORDERS["newest"]) -> Page[NoteView]:
    """Notes the caller may read in ``order`` (newest first), each with its settlement's id."""
    with db.unit_of_work() as session:
        query = sa.select(MediationNote, Settlement.id).outerjoin(Settlement, sa.and_(
            Settlement.court_id == MediationNote.court_id,
            Settlement.mediation_note_id == MediationNote.id,
        )).where(policy.scope_filter(principal, "mediation.read", MediationNote),
                 MediationNote.deleted_at.is_(None), *filters.clauses())
        page = fetch_page(session, query, order, after, limit, width=2)
        shield_rows(session, principal, "mediation_note", [note for note, _ in page.items])
        session.commit()  # the audit of unmasked reads
        return Page([NoteView(note, sid) for note, sid in page.items], page.next_position,
                    page.sort)


def withdraw_note(db: Database, principal: Principal, note_id: str,
                  expected_version: int | None) -> None:
    """The author takes back a note that has not been agreed (``mark_note_withdrawn``)."""
    with db.unit_of_work() as session:
        note = visible_note(session, principal, "mediation.withdraw", note_id, for_update=True)
        if expected_version is not None and note.version != expected_version:
            raise PreconditionFailed(f"the note is at version {note.version}",
                                     current_version=note.version)
        mark_note_withdrawn(session, principal, note)
        session.commit()


# --- the one write path of a mediation note: REST and sync pushes both run these, inside
# the caller's transaction, with domain values (``held_at`` a datetime, ``next_visit_on``
# a date, ``proposal`` a ``Proposal``) -----------------------------------------------------


def create_note(session: Session, principal: Principal, note_id: str,
                values: Mapping[str, Any]) -> tuple[MediationNote, Settlement | None]:
    """A new note on a case the caller mediates; an agreed one settles the case."""
    policy.require(principal, "mediation.create")
    if session.get(MediationNote, (principal.court_id, note_id)) is not None:
        raise Conflict("a mediation note with this id exists", code="mediation_note_exists")
    missing = [n for n in ("case_id", "held_at", "outcome") if values.get(n) in (None, "")]
    if missing:
        raise ValidationFailed("required fields are missing",
                               errors={n: ["required"] for n in missing})
    _require_case(session, principal, values["case_id"])
    note = MediationNote(court_id=principal.court_id, id=note_id, author_id=principal.user_id,
                         device_id=principal.device_id,
                         **{k: v for k, v in _client_values(values).items() if v is not None})
    _set_proposal(note, values.get("proposal"))
    session.add(note)
    settlement = _settle_if_agreed(session, note, values.get("proposal"))
    session.flush()
    return note, settlement


def edit_note_values(session: Session, principal: Principal, note: MediationNote,
                     values: Mapping[str, Any]) -> Settlement | None:
    """Change a stored note: its author, until it is agreed; agreeing it settles the case."""
    policy.require(principal, "mediation.update")
    policy.require_author(principal, note)
    if note.outcome == MediationOutcome.AGREED:
        raise Conflict("the note is agreed and its settlement exists; it can no longer "
                       "be edited", code="mediation_note_settled")
    if "case_id" in values and values["case_id"] != note.case_id:
        _require_case(session, principal, values["case_id"])
    for key, value in _client_values(values).items():
        setattr(note, key, value)
    if "proposal" in values:
        _set_proposal(note, values["proposal"])
    settlement = _settle_if_agreed(session, note, _stored_proposal(note))
    note.version += 1
    note.updated_at = utcnow()
    session.flush()
    return settlement


def mark_note_withdrawn(session: Session, principal: Principal, note: MediationNote) -> None:
    """A soft delete with an audit entry: the row stays, it leaves every list. An agreed
    note created a settlement that officers collect payments on: that is the court acting
    on it, so it is 409 ``mediation_note_settled``, as for edits."""
    if note.outcome == MediationOutcome.AGREED:
        raise Conflict("the note is agreed and its settlement exists; it can no longer "
                       "be withdrawn", code="mediation_note_settled")
    withdraw(session, principal, note, "mediation.withdraw", case_id=note.case_id)


def _view(session: Session, note: MediationNote) -> NoteView:
    return NoteView(note, session.scalars(sa.select(Settlement.id).where(
        Settlement.court_id == note.court_id, Settlement.mediation_note_id == note.id)).first())


def visible_note(session: Session, principal: Principal, action: str, note_id: str,
                 *, for_update: bool = False) -> MediationNote:
    return policy.visible_row(session, principal, action, MediationNote, note_id,
                              "mediation_note_not_found", for_update=for_update)


def _require_case(session: Session, principal: Principal, case_id: str | None) -> None:
    """422 on ``case_id`` unless the case is one the caller may mediate on."""
    found = case_id is not None and session.scalars(sa.select(EnforcementCase.id).where(
        policy.scope_filter(principal, "mediation.create", EnforcementCase),
        EnforcementCase.id == case_id)).first()
    if not found:
        raise ValidationFailed("unknown references", errors={"json": {
            "case_id": [f"no case with id {case_id} that you mediate on"]}})


def _set_proposal(note: MediationNote, proposal: Proposal | None) -> None:
    if proposal is not None and (errors := proposal_errors(proposal)):
        raise ValidationFailed("the settlement proposal does not add up",
                               code="instalments_do_not_add_up",
                               errors={"json": {"proposal": errors}})
    note.proposal = proposal.as_json() if proposal is not None else {}


def _stored_proposal(note: MediationNote) -> Proposal | None:
    raw = note.proposal or {}
    if not raw.get("instalments"):
        return None
    return Proposal(SettlementKind(raw["kind"]), Decimal(raw["total"]), tuple(
        PlannedPayment(date.fromisoformat(p["due_on"]), Decimal(p["amount"]))
        for p in raw["instalments"]))


def _settle_if_agreed(session: Session, note: MediationNote,
                      proposal: Proposal | None) -> Settlement | None:
    """An agreed note creates the settlement and its instalments, in the caller's
    transaction; agreeing without a proposal is refused."""
    if note.outcome != MediationOutcome.AGREED:
        return None
    if proposal is None:
        raise ValidationFailed("an agreed mediation needs the settlement proposal",
                               errors={"json": {"proposal": ["required when agreed"]}})
    settlement = Settlement(court_id=note.court_id, case_id=note.case_id,
                            mediation_note_id=note.id, kind=proposal.kind,
                            total_amount=proposal.total, agreed_on=note.held_at.date())
    session.add(settlement)
    session.flush()  # the note and settlement rows must exist before the instalments
    session.add_all(Instalment(court_id=note.court_id, settlement_id=settlement.id, seq=seq,
                               due_on=p.due_on, amount=p.amount)
                    for seq, p in enumerate(proposal.payments, start=1))
    return settlement


def _client_values(data: Mapping[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in data.items() if key in CLIENT_FIELDS}

