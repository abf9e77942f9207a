"""Sync spec of sightings.

client: what was seen (``debtor_text``, ``seen_at``, ``vehicle_plate``, ``companions``,
``confidence``, ``urgent``, ``notes``, ``point``): the author's own observation. shared:
``case_id``, ``party_id`` (the court may correct the link). server: author, placement,
timestamps. Scope ``sighting.read``; writes as ``sightings.report_sighting`` and
``edit_sighting`` (the author only).
"""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

from enforcement import policy
from enforcement.models import Sighting
from enforcement.principal import Principal
from enforcement.refs import require_case_and_party
from enforcement.sync_tables.common import (
    PLACED,
    POINT,
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
    require_serving,
    restore_hook,
    soft_delete,
    store_point,
    text,
    to_datetime,
)
from sync.spec import Kind, SyncSpec

SIGHTING_FIELDS = {
    "debtor_text": C, "seen_at": C.of(Kind.TIME, required=True), "vehicle_plate": C,
    "companions": C, "confidence": C.of(Kind.NUMBER), "urgent": C.of(Kind.BOOLEAN),
    "notes": C, "point": POINT, "case_id": H, "party_id": H, "author_id": S.of(
        Kind.TEXT, required=True), **PLACED,
}
_SIGHTING_PLAIN = ("debtor_text", "vehicle_plate", "companions", "confidence", "urgent",
                   "notes", "case_id", "party_id")


def sighting_values(row: Sighting, principal: Principal) -> dict[str, Any]:
    return {"debtor_text": row.debtor_text, "seen_at": iso(row.seen_at),
            "vehicle_plate": row.vehicle_plate, "companions": row.companions,
            "confidence": row.confidence, "urgent": row.urgent, "notes": row.notes,
            "point": point_value(row), "case_id": row.case_id, "party_id": row.party_id,
            "author_id": row.author_id, **placed(row)}


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
    assign(row, values, _SIGHTING_PLAIN)
    if "seen_at" in values:
        row.seen_at = to_datetime(values["seen_at"])  # type: ignore[assignment]
    require_case_and_party(session, row)
    if "point" in values:
        store_point(session, row, values["point"])


def _create_sighting(session: Session, principal: Principal, record_id: str,
                     values: dict[str, Any]) -> Sighting:
    """As ``sightings.report_sighting``, in the push's transaction."""
    require_serving(session, principal, "sighting.create")
    require_new(session, Sighting, principal, record_id, "sighting_exists")
    require_fields(values, "seen_at")
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


SIGHTING_SPEC = SyncSpec(
    table="sighting", fields=SIGHTING_FIELDS,
    load=lambda s, p, i: load_scoped(s, p, Sighting, "sighting.read", i),
    load_many=lambda s, p, ids: load_ids(s, p, Sighting, ids), values=sighting_values,
    create=_create_sighting, update=_update_sighting, delete=_delete_sighting,
    restore=restore_hook, scope=feed_scope(Sighting, "sighting.read"),
    normalise=normalise_sighting,
)
