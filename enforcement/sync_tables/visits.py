"""Sync spec of visits (field teams on a round).

client: what the team found (``visited_at``, ``result``, ``amount_collected``, ``notes``,
``point``, ``round_id``, ``target_id``). shared: ``case_id``. server: officer, placement,
timestamps. Scope ``visit.read`` (officers and judges: the court); the officer who
recorded a visit edits it.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlmodel import Session

from enforcement import policy
from enforcement.models import (
    EnforcementCase,
    EnforcementRound,
    RoundTarget,
    Visit,
    VisitResult,
)
from enforcement.principal import Principal
from enforcement.refs import require_refs
from enforcement.sync_tables.common import (
    PLACED,
    C,
    H,
    S,
    assign,
    bump,
    checked,
    feed_scope,
    iso,
    load_ids,
    load_scoped,
    normalise_point,
    parse_time,
    placed,
    point_value,
    require_author,
    require_fields,
    require_new,
    restore,
    soft_delete,
    store_point,
    text,
    to_datetime,
)
from sync.spec import SyncSpec

VISIT_FIELDS = {"visited_at": C, "result": C, "amount_collected": C, "notes": C, "point": C,
                "round_id": C, "target_id": C, "case_id": H, "officer_id": S, **PLACED}


def visit_values(row: Visit, principal: Principal) -> dict[str, Any]:
    return {"visited_at": iso(row.visited_at), "result": VisitResult(row.result).value,
            "amount_collected": str(row.amount_collected), "notes": row.notes,
            "point": point_value(row), "round_id": row.round_id, "target_id": row.target_id,
            "case_id": row.case_id, "officer_id": row.officer_id, **placed(row)}


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
    assign(row, values, ("result", "notes", "round_id", "target_id", "case_id"))
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
    require_new(session, Visit, principal, record_id, "visit_exists")
    require_fields(values, "visited_at", "result")
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
