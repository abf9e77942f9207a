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
from enforcement.accounts.principal import Principal
from enforcement.models import Sighting
from enforcement.models.base import table_of
from enforcement.sightings.usecases import (
    create_sighting,
    edit_sighting_values,
    mark_sighting_withdrawn,
)
from enforcement.syncing.common import (
    PLACED,
    POINT,
    C,
    H,
    S,
    checked,
    domain_values,
    feed_scope,
    iso_sql,
    load_scoped,
    normalise_point,
    parse_time,
    restore_hook,
    text,
)
from enforcement.syncing.values import AS_POINT, TableValues, placed
from sync.spec import Kind, SyncSpec

SIGHTING_FIELDS = {
    "debtor_text": C, "seen_at": C.of(Kind.TIME, required=True), "vehicle_plate": C,
    "companions": C, "confidence": C.of(Kind.NUMBER), "urgent": C.of(Kind.BOOLEAN),
    "notes": C, "point": POINT, "case_id": H, "party_id": H, "author_id": S.of(
        Kind.TEXT, required=True), **PLACED,
}
_SIGHTING_PLAIN = ("debtor_text", "vehicle_plate", "companions", "confidence", "urgent",
                   "notes", "case_id", "party_id")


_sighting = table_of(Sighting).c
SIGHTING_VALUES = TableValues(Sighting, (
    ("debtor_text", _sighting.debtor_text), ("seen_at", iso_sql(_sighting.seen_at)),
    ("vehicle_plate", _sighting.vehicle_plate), ("companions", _sighting.companions),
    ("confidence", _sighting.confidence), ("urgent", _sighting.urgent),
    ("notes", _sighting.notes), ("point", AS_POINT), ("case_id", _sighting.case_id),
    ("party_id", _sighting.party_id), ("author_id", _sighting.author_id),
    *placed(table_of(Sighting)),
), shielded="sighting")
"""The sighting as a phone stores it, for pulls and push results alike."""


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


def _domain(values: dict[str, Any]) -> dict[str, Any]:
    """Normalised sync values as the sighting write path takes them."""
    return domain_values(SIGHTING_FIELDS, values)


def _create_sighting(session: Session, principal: Principal, record_id: str,
                     values: dict[str, Any]) -> Sighting:
    """``sightings.create_sighting``, the REST report's write, in the push's transaction."""
    return create_sighting(session, principal, record_id, _domain(values))


def _update_sighting(session: Session, principal: Principal, row: Sighting,
                     values: dict[str, Any]) -> None:
    edit_sighting_values(session, principal, row, _domain(values))


def _delete_sighting(session: Session, principal: Principal, row: Sighting) -> None:
    """The REST withdrawal: the author, within a day of reporting, with an audit entry."""
    policy.require(principal, "sighting.withdraw")
    policy.require_author(principal, row)
    mark_sighting_withdrawn(session, principal, row)


SIGHTING_SPEC = SyncSpec(
    table="sighting", fields=SIGHTING_FIELDS,
    load=lambda s, p, i: load_scoped(s, p, Sighting, "sighting.read", i),
    values=SIGHTING_VALUES.values, pull_many=SIGHTING_VALUES.pull,
    shown=SIGHTING_VALUES.shown,
    create=_create_sighting, update=_update_sighting, delete=_delete_sighting,
    restore=restore_hook, scope=feed_scope(Sighting, "sighting.read"),
    normalise=normalise_sighting,
)
