"""Sync spec of visits (field teams on a round).

client: what the team found (``visited_at``, ``result``, ``amount_collected``,
``outcome_kind``, ``notes``, ``point``, ``round_id``, ``target_id``), and from schema
version 2 ``attachments`` ([{sha256, caption}]: photos uploaded beforehand through
/api/v1/attachments; the phone's list replaces the visit's). server: the case (the
stop's), the officer, placement, timestamps. Scope ``visit.read`` (officers and judges:
the court).

A pushed visit is recorded by ``enforcement.rounds.visits.store_visit``, exactly as
``POST /api/v1/rounds/{id}/visits``: only a member of the round's teams, only on a locked
or running round, the stop moves on, an amount becomes a payment, outcomes are recorded,
the audit log has it; a refusal rejects the mutation with the REST problem code. Later
the officer who recorded it may change its notes, point and photos; its facts are fixed and
a visit is never withdrawn (``visit_recorded``).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlmodel import Session

from enforcement.accounts.principal import Principal
from enforcement.attachments.refs import hang_files, normalise_refs
from enforcement.grids.placement import ReportedPoint
from enforcement.models import Datum, OutcomeKind, Visit, VisitResult
from enforcement.models.base import table_of
from enforcement.rounds import visits
from enforcement.syncing.common import (
    CR,
    PLACED,
    POINT,
    SR,
    C,
    checked,
    feed_scope,
    iso_sql,
    load_scoped,
    normalise_point,
    parse_time,
    require_fields,
    restore,
    text,
    to_datetime,
)
from enforcement.syncing.values import AS_FILES, AS_POINT, TableValues, money, placed, text_of
from sync.spec import Kind, SyncSpec

VISIT_FIELDS = {"visited_at": C.of(Kind.TIME, required=True), "result": CR,
                "amount_collected": C.of(Kind.DECIMAL), "outcome_kind": C, "notes": C,
                "point": POINT, "round_id": CR, "target_id": CR, "case_id": SR,
                "officer_id": SR, **PLACED, "attachments": C.of(Kind.JSON, since=2)}


_visit = table_of(Visit).c
VISIT_VALUES = TableValues(Visit, (
    ("visited_at", iso_sql(_visit.visited_at)), ("result", text_of(_visit.result)),
    ("amount_collected", money(_visit.amount_collected)),
    ("outcome_kind", text_of(_visit.outcome_kind)), ("notes", _visit.notes),
    ("point", AS_POINT), ("round_id", _visit.round_id), ("target_id", _visit.target_id),
    ("case_id", _visit.case_id), ("officer_id", _visit.officer_id),
    *placed(table_of(Visit)), ("attachments", AS_FILES),
), files="visit")
"""The visit as a phone stores it, for pulls and push results alike."""


def _money(value: Any) -> str:
    amount = Decimal(str(value)).quantize(Decimal("0.01"))
    if amount < 0 or amount >= Decimal("1e10"):
        raise ValueError("amount out of range")
    return str(amount)


def _outcome_kind(value: Any) -> str | None:
    return OutcomeKind(value).value if value not in (None, "") else None


def normalise_visit(fields: dict[str, Any]) -> dict[str, Any]:
    return checked("visit", fields, {
        "visited_at": parse_time, "point": normalise_point, "amount_collected": _money,
        "result": lambda v: VisitResult(v).value, "outcome_kind": _outcome_kind,
        "notes": text(4000, nullable=False), "round_id": text(36), "target_id": text(36),
        "case_id": text(36), "attachments": normalise_refs,
    })


def _reported(raw: dict[str, Any] | None) -> ReportedPoint | None:
    if not raw:
        return None
    return ReportedPoint(raw["lon"], raw["lat"], Datum(raw["datum"]), raw["accuracy_m"])


def _create_visit(session: Session, principal: Principal, record_id: str,
                  values: dict[str, Any]) -> Visit:
    require_fields(values, "round_id", "target_id", "visited_at", "result")
    data = visits.VisitInput(
        id=record_id, target_id=values["target_id"], result=VisitResult(values["result"]),
        visited_at=to_datetime(values["visited_at"]),  # type: ignore[arg-type]
        point=_reported(values.get("point")), notes=values.get("notes") or "",
        amount_collected=Decimal(values.get("amount_collected") or "0"),
        outcome_kind=OutcomeKind(values["outcome_kind"]) if values.get("outcome_kind")
        else None, attachments=values.get("attachments") or ())
    visit, _ = visits.store_visit(session, principal, values["round_id"], data)
    return visit


def _update_visit(session: Session, principal: Principal, row: Visit,
                  values: dict[str, Any]) -> None:
    visits.refuse_fact_change(set(values))
    visits.edit_visit(session, principal, row, notes=values.get("notes"),
                      point=_reported(values.get("point")), move_point="point" in values,
                      attachments=values.get("attachments"))


def _delete_visit(session: Session, principal: Principal, row: Visit) -> None:
    visits.refuse_withdrawal()


def _restore_visit(session: Session, principal: Principal, row: Visit) -> None:
    restore(principal, row, "officer_id")
    session.flush()


def _with_files(session: Session, row: Visit | None) -> Visit | None:
    return row and hang_files(session, "visit", [row])[0]


VISIT_SPEC = SyncSpec(
    table="visit", fields=VISIT_FIELDS,
    load=lambda s, p, i: _with_files(s, load_scoped(s, p, Visit, "visit.read", i)),
    values=VISIT_VALUES.values, pull_many=VISIT_VALUES.pull,
    create=_create_visit, update=_update_visit, delete=_delete_visit, restore=_restore_visit,
    scope=feed_scope(Visit, "visit.read"), normalise=normalise_visit,
)
