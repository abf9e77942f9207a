"""Sync specs of the field records a phone writes besides leads: sightings, mediation
notes, task answers and visits. Field ownership, and why:

``sighting``        client: what was seen (``debtor_text``, ``seen_at``, ``vehicle_plate``,
                    ``companions``, ``confidence``, ``urgent``, ``notes``, ``point``): the
                    author's own observation. shared: ``case_id``, ``party_id`` (the court
                    may correct the link). server: author, placement, timestamps.
``mediation_note``  client: the session as the mediator recorded it (``held_at``,
                    ``place``, ``present``, both statements, ``outcome``, ``proposal``,
                    ``next_visit_on``). shared: ``case_id``. server: author, timestamps.
                    An ``agreed`` note creates its settlement and is then closed, as over
                    REST.
``task_answer``     client: ``task_id`` (set once), ``result``, ``answer``,
                    ``answered_at``, ``point``. server: author, placement, timestamps.
``visit``           client: what the team found (``visited_at``, ``result``,
                    ``amount_collected``, ``notes``, ``point``, ``round_id``,
                    ``target_id``). shared: ``case_id``. server: officer, placement,
                    timestamps.

Scopes are the ``*.read`` scopes of ``policy``; writes check the same rights as REST
(``*.create``, ``*.update``: the author only) and reuse the domain's helpers (reference
checks, grid placement, the settlement of an agreed note).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

from enforcement import mediation, policy
from enforcement.errors import Conflict, Forbidden, ValidationFailed
from enforcement.models import (
    EnforcementCase,
    EnforcementRound,
    MediationNote,
    MediationOutcome,
    RoundTarget,
    SettlementKind,
    Sighting,
    Task,
    TaskAnswer,
    TaskStatus,
    Visit,
    VisitResult,
)
from enforcement.principal import Principal
from enforcement.refs import require_case_and_party, require_refs
from enforcement.sync_common import (
    bump,
    checked,
    feed_scope,
    iso,
    load_ids,
    load_scoped,
    normalise_point,
    parse_date,
    parse_time,
    point_value,
    require_author,
    restore,
    soft_delete,
    store_point,
    text,
    to_datetime,
)
from sync.merge import Owner
from sync.spec import FieldSpec, SyncSpec

C, S, H = FieldSpec(Owner.CLIENT), FieldSpec(Owner.SERVER), FieldSpec(Owner.SHARED)
PLACED = {"township_id": S, "village_grid_id": S, "outside_grid": S,
          "nearest_grid_distance_m": S, "created_at": S, "updated_at": S}


def _placed(row: Any) -> dict[str, Any]:
    return {"township_id": row.township_id, "village_grid_id": row.village_grid_id,
            "outside_grid": row.outside_grid,
            "nearest_grid_distance_m": row.nearest_grid_distance_m,
            "created_at": iso(row.created_at), "updated_at": iso(row.updated_at)}


def _require_serving(session: Session, principal: Principal, action: str) -> None:
    if policy.require(principal, action) == "own_grid" and not session.execute(
            policy.active_grid_ids(principal).limit(1)).first():
        raise Forbidden("you serve no village grid", code="no_grid_assignment")


def _new(session: Session, model: Any, principal: Principal, record_id: str, code: str) -> None:
    if session.get(model, (principal.court_id, record_id)) is not None:
        raise Conflict(f"a {model.__tablename__} with this id exists", code=code)


def _required(values: dict[str, Any], *names: str) -> None:
    missing = [n for n in names if values.get(n) in (None, "")]
    if missing:
        raise ValidationFailed("required fields are missing",
                               errors={n: ["required"] for n in missing})


def _set(row: Any, values: dict[str, Any], names: tuple[str, ...]) -> None:
    for name in names:
        if name in values:
            setattr(row, name, values[name])


# --- sightings -------------------------------------------------------------------------

SIGHTING_FIELDS = {
    "debtor_text": C, "seen_at": C, "vehicle_plate": C, "companions": C, "confidence": C,
    "urgent": C, "notes": C, "point": C, "case_id": H, "party_id": H, "author_id": S,
    **PLACED,
}
_SIGHTING_PLAIN = ("debtor_text", "vehicle_plate", "companions", "confidence", "urgent",
                   "notes", "case_id", "party_id")


def sighting_values(row: Sighting, principal: Principal) -> dict[str, Any]:
    return {"debtor_text": row.debtor_text, "seen_at": iso(row.seen_at),
            "vehicle_plate": row.vehicle_plate, "companions": row.companions,
            "confidence": row.confidence, "urgent": row.urgent, "notes": row.notes,
            "point": point_value(row), "case_id": row.case_id, "party_id": row.party_id,
            "author_id": row.author_id, **_placed(row)}


def _confidence(value: Any) -> int:
    if isinstance(value, bool) or int(value) != value or not 1 <= int(value) <= 5:
        raise ValueError("confidence is 1 to 5")
    return int(value)


def _flag(value: Any) -> bool:
    if not isinstance(value, bool):
        raise ValueError("true or false expected")
    return value


def normalise_sighting(fields: dict[str, Any]) -> dict[str, Any]:
    return checked("sighting", fields, {
        "seen_at": parse_time, "point": normalise_point, "confidence": _confidence,
        "urgent": _flag, "debtor_text": text(200), "vehicle_plate": text(16),
        "companions": text(300), "notes": text(nullable=False),
    })


def _write_sighting(session: Session, row: Sighting, values: dict[str, Any]) -> None:
    _set(row, values, _SIGHTING_PLAIN)
    if "seen_at" in values:
        row.seen_at = to_datetime(values["seen_at"])  # type: ignore[assignment]
    require_case_and_party(session, row)
    if "point" in values:
        store_point(session, row, values["point"])


def _create_sighting(session: Session, principal: Principal, record_id: str,
                     values: dict[str, Any]) -> Sighting:
    """As ``sightings.report_sighting``, in the push's transaction."""
    _require_serving(session, principal, "sighting.create")
    _new(session, Sighting, principal, record_id, "sighting_exists")
    _required(values, "seen_at")
    row = Sighting(court_id=principal.court_id, id=record_id, author_id=principal.user_id,
                   device_id=principal.device_id, seen_at=to_datetime(values["seen_at"]))
    _write_sighting(session, row, values)
    session.add(row)
    session.flush()
    return row


def _may_edit_sighting(principal: Principal, row: Sighting) -> None:
    policy.require(principal, "sighting.update")
    require_author(principal, row)


def _update_sighting(session: Session, principal: Principal, row: Sighting,
                     values: dict[str, Any]) -> None:
    _may_edit_sighting(principal, row)
    _write_sighting(session, row, values)
    bump(row)
    session.flush()


def _delete_sighting(session: Session, principal: Principal, row: Sighting) -> None:
    _may_edit_sighting(principal, row)
    soft_delete(session, row)


def _restore(session: Session, principal: Principal, row: Any) -> None:
    restore(principal, row)
    session.flush()


SIGHTING_SPEC = SyncSpec(
    table="sighting", fields=SIGHTING_FIELDS,
    load=lambda s, p, i: load_scoped(s, p, Sighting, "sighting.read", i),
    load_many=lambda s, p, ids: load_ids(s, p, Sighting, ids), values=sighting_values,
    create=_create_sighting, update=_update_sighting, delete=_delete_sighting,
    restore=_restore, scope=feed_scope(Sighting, "sighting.read"),
    normalise=normalise_sighting,
)

# --- mediation notes ---------------------------------------------------------------------

NOTE_FIELDS = {
    "held_at": C, "place": C, "present": C, "applicant_statement": C, "debtor_statement": C,
    "outcome": C, "proposal": C, "next_visit_on": C, "case_id": H, "author_id": S,
    "created_at": S, "updated_at": S,
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
    _set(row, values, _NOTE_PLAIN)
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
    _new(session, MediationNote, principal, record_id, "mediation_note_exists")
    _required(values, "case_id", "held_at", "outcome")
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
    create=_create_note, update=_update_note, delete=_delete_note, restore=_restore,
    scope=feed_scope(MediationNote, "mediation.read"), normalise=normalise_note,
)

# --- task answers ------------------------------------------------------------------------

ANSWER_FIELDS = {"task_id": C, "result": C, "answer": C, "answered_at": C, "point": C,
                 "author_id": S, **PLACED}
ANSWER_RESULTS = ("done", "not_found", "unable", "info")


def answer_values(row: TaskAnswer, principal: Principal) -> dict[str, Any]:
    return {"task_id": row.task_id, "result": row.result, "answer": row.answer,
            "answered_at": iso(row.answered_at), "point": point_value(row),
            "author_id": row.author_id, **_placed(row)}


def _result(value: Any) -> str:
    if value not in ANSWER_RESULTS:
        raise ValueError(f"result is one of {', '.join(ANSWER_RESULTS)}")
    return str(value)


def normalise_answer(fields: dict[str, Any]) -> dict[str, Any]:
    return checked("task_answer", fields, {
        "answered_at": parse_time, "point": normalise_point, "result": _result,
        "answer": text(nullable=False), "task_id": text(36, nullable=False),
    })


def _write_answer(session: Session, row: TaskAnswer, values: dict[str, Any]) -> None:
    _set(row, values, ("result", "answer"))
    if "answered_at" in values:
        row.answered_at = to_datetime(values["answered_at"])  # type: ignore[assignment]
    if "point" in values:
        store_point(session, row, values["point"])


def _create_answer(session: Session, principal: Principal, record_id: str,
                   values: dict[str, Any]) -> TaskAnswer:
    """As ``tasks.answer_task``: an open task addressed to one of the caller's grids."""
    _required(values, "task_id", "result", "answered_at")
    task = policy.visible_row(session, principal, "task.answer", Task, values["task_id"],
                              "task_not_found")
    if task.status != TaskStatus.OPEN:
        raise Conflict(f"the task is {task.status.value}", code="task_not_open")
    _new(session, TaskAnswer, principal, record_id, "task_answer_exists")
    row = TaskAnswer(court_id=principal.court_id, id=record_id, task_id=task.id,
                     author_id=principal.user_id, device_id=principal.device_id,
                     result=values["result"], answered_at=to_datetime(values["answered_at"]))
    _write_answer(session, row, values)
    session.add(row)
    session.flush()
    return row


def _may_edit_answer(principal: Principal, row: TaskAnswer, values: dict[str, Any]) -> None:
    policy.require(principal, "task.answer")
    require_author(principal, row)
    if values.get("task_id", row.task_id) != row.task_id:
        raise ValidationFailed("an answer stays with its task",
                               errors={"task_id": ["cannot change"]})


def _update_answer(session: Session, principal: Principal, row: TaskAnswer,
                   values: dict[str, Any]) -> None:
    _may_edit_answer(principal, row, values)
    _write_answer(session, row, values)
    bump(row)
    session.flush()


def _delete_answer(session: Session, principal: Principal, row: TaskAnswer) -> None:
    _may_edit_answer(principal, row, {})
    soft_delete(session, row)


def _answer_scope(principal: Principal, change: sa.Table) -> sa.ColumnElement[bool]:
    """Court staff who read answers see the court's; an assistant sees their own."""
    if policy.scope_of(principal.role, "task.read_answers") == "court":
        return sa.true()
    if policy.scope_of(principal.role, "task.answer") is not None:
        return change.c.author_id == principal.user_id
    return sa.false()


def _load_answer(session: Session, principal: Principal, record_id: str) -> TaskAnswer | None:
    row = session.scalars(sa.select(TaskAnswer).where(
        TaskAnswer.court_id == principal.court_id, TaskAnswer.id == record_id)
        .with_for_update()).first()
    if row is None:
        return None
    readable = (policy.scope_of(principal.role, "task.read_answers") == "court"
                or row.author_id == principal.user_id)
    return row if readable else None


ANSWER_SPEC = SyncSpec(
    table="task_answer", fields=ANSWER_FIELDS, load=_load_answer,
    load_many=lambda s, p, ids: load_ids(s, p, TaskAnswer, ids), values=answer_values,
    create=_create_answer, update=_update_answer, delete=_delete_answer, restore=_restore,
    scope=_answer_scope, normalise=normalise_answer,
)

# --- visits --------------------------------------------------------------------------------

VISIT_FIELDS = {"visited_at": C, "result": C, "amount_collected": C, "notes": C, "point": C,
                "round_id": C, "target_id": C, "case_id": H, "officer_id": S, **PLACED}


def visit_values(row: Visit, principal: Principal) -> dict[str, Any]:
    return {"visited_at": iso(row.visited_at), "result": VisitResult(row.result).value,
            "amount_collected": str(row.amount_collected), "notes": row.notes,
            "point": point_value(row), "round_id": row.round_id, "target_id": row.target_id,
            "case_id": row.case_id, "officer_id": row.officer_id, **_placed(row)}


def _money(value: Any) -> str:
    amount = Decimal(str(value)).quantize(Decimal("0.01"))
    if amount < 0 or amount >= Decimal("1e12"):
        raise ValueError("amount out of range")
    return str(amount)


def normalise_visit(fields: dict[str, Any]) -> dict[str, Any]:
    return checked("visit", fields, {
        "visited_at": parse_time, "point": normalise_point, "amount_collected": _money,
        "result": lambda v: VisitResult(v).value, "notes": text(nullable=False),
        "round_id": text(36), "target_id": text(36), "case_id": text(36),
    })


def _write_visit(session: Session, row: Visit, values: dict[str, Any]) -> None:
    _set(row, values, ("result", "notes", "round_id", "target_id", "case_id"))
    if "amount_collected" in values:
        row.amount_collected = Decimal(values["amount_collected"])
    if "visited_at" in values:
        row.visited_at = to_datetime(values["visited_at"])  # type: ignore[assignment]
    require_refs(session, row.court_id, {
        "case_id": (EnforcementCase, row.case_id), "round_id": (EnforcementRound, row.round_id),
        "target_id": (RoundTarget, row.target_id)})
    if "point" in values:
        store_point(session, row, values["point"])


def _create_visit(session: Session, principal: Principal, record_id: str,
                  values: dict[str, Any]) -> Visit:
    policy.require(principal, "visit.create")
    _new(session, Visit, principal, record_id, "visit_exists")
    _required(values, "visited_at", "result")
    row = Visit(court_id=principal.court_id, id=record_id, officer_id=principal.user_id,
                device_id=principal.device_id, visited_at=to_datetime(values["visited_at"]),
                result=values["result"])
    _write_visit(session, row, values)
    session.add(row)
    session.flush()
    return row


def _may_edit_visit(principal: Principal, row: Visit) -> None:
    policy.require(principal, "visit.update")
    require_author(principal, row, "officer_id")


def _update_visit(session: Session, principal: Principal, row: Visit,
                  values: dict[str, Any]) -> None:
    _may_edit_visit(principal, row)
    _write_visit(session, row, values)
    bump(row)
    session.flush()


def _delete_visit(session: Session, principal: Principal, row: Visit) -> None:
    _may_edit_visit(principal, row)
    soft_delete(session, row)


def _restore_visit(session: Session, principal: Principal, row: Visit) -> None:
    restore(principal, row, "officer_id")
    session.flush()


VISIT_SPEC = SyncSpec(
    table="visit", fields=VISIT_FIELDS,
    load=lambda s, p, i: load_scoped(s, p, Visit, "visit.read", i),
    load_many=lambda s, p, ids: load_ids(s, p, Visit, ids), values=visit_values,
    create=_create_visit, update=_update_visit, delete=_delete_visit, restore=_restore_visit,
    scope=feed_scope(Visit, "visit.read"), normalise=normalise_visit,
)

FIELD_SPECS = (SIGHTING_SPEC, NOTE_SPEC, ANSWER_SPEC, VISIT_SPEC)
