"""Sightings: a debtor was seen somewhere, by whom, with whom, how sure.

Reported like leads (same placement on grids, same retry-safe ids) but simpler: no
lifecycle. An urgent sighting is part of the township's feed (``enforcement.grids.urgent_feed``) the
moment its transaction commits, because the feed reads the sightings table itself.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

from enforcement import policy
from enforcement.accounts.principal import Principal
from enforcement.errors import Conflict, Forbidden, PreconditionFailed, ValidationFailed
from enforcement.grids.placement import set_point
from enforcement.infrastructure.db import Database
from enforcement.infrastructure.filtering import between, equal, in_box
from enforcement.infrastructure.paging import Page, Position, SortOrder, fetch_page, newest, oldest
from enforcement.infrastructure.text_shield import shield_rows
from enforcement.models import Sighting, new_id, utcnow
from enforcement.refs import require_case_and_party
from enforcement.withdrawals import withdraw

CLIENT_FIELDS = frozenset({
    "case_id", "party_id", "debtor_text", "seen_at", "vehicle_plate", "companions",
    "confidence", "urgent", "notes",
})
"""Fields a client may set besides ``id`` and ``point``; everything else the server owns."""

WITHDRAW_WINDOW = timedelta(hours=24)
"""How long after reporting a sighting its author may withdraw it. A sighting has no
lifecycle to tell whether anyone acted on it, and officers act on urgent ones within
hours; a day is long enough to take back a mistake and short enough that a sighting the
court relied on stays in the record."""

SIGHTING_ORDERS = {
    "newest": newest(Sighting.created_at, Sighting.id),
    "oldest": oldest(Sighting.created_at, Sighting.id),
    "seen": SortOrder("seen", (Sighting.seen_at, Sighting.id), (datetime, str)),
    "urgency": SortOrder("urgency", (sa.case((Sighting.urgent, 1), else_=0),
                                     Sighting.confidence, Sighting.seen_at, Sighting.id),
                         (int, int, datetime, str)),
}
"""``newest``/``oldest`` reported; ``seen`` most recently seen first; ``urgency`` urgent
first, then the surest, then the most recently seen."""


@dataclass(frozen=True, slots=True)
class SightingFilters:
    """What a list of sightings can be narrowed by; ``None`` means "any"."""

    urgent: bool | None = None
    township_id: str | None = None
    village_grid_id: str | None = None
    case_id: str | None = None
    party_id: str | None = None
    author_id: str | None = None
    created_from: datetime | None = None
    created_to: datetime | None = None
    bbox: tuple[float, float, float, float] | None = None

    def clauses(self) -> list[sa.ColumnElement[bool]]:
        return [
            *equal((Sighting.urgent, self.urgent), (Sighting.township_id, self.township_id),
                   (Sighting.village_grid_id, self.village_grid_id),
                   (Sighting.case_id, self.case_id), (Sighting.party_id, self.party_id),
                   (Sighting.author_id, self.author_id)),
            *between(Sighting.created_at, self.created_from, self.created_to),
            *in_box(Sighting.point, self.bbox),
        ]


def report_sighting(db: Database, principal: Principal,
                    data: Mapping[str, Any]) -> tuple[Sighting, bool]:
    """Record a sighting; returns it and whether it was created.

    A retry with the same phone-chosen id returns the stored sighting, as for leads. The
    write is the one a push makes (``create_sighting``).
    """
    with db.unit_of_work() as session:
        sighting_id = data.get("id")
        if sighting_id and (existing := session.get(Sighting, (principal.court_id, sighting_id))):
            require_may_report(session, principal)
            if existing.author_id != principal.user_id or existing.deleted_at is not None:
                raise Conflict("a sighting with this id exists", code="sighting_exists")
            return existing, False
        sighting = create_sighting(session, principal, sighting_id or new_id(),
                                   {**_client_values(data), "point": data.get("point")})
        try:
            session.commit()
        except sa.exc.IntegrityError as error:  # the same id sent twice at the same moment
            raise Conflict("a sighting with this id exists", code="sighting_exists") from error
        return sighting, True


def edit_sighting(db: Database, principal: Principal, sighting_id: str, expected_version: int,
                  changes: Mapping[str, Any]) -> Sighting:
    """Correct one's own sighting; ``expected_version`` is the client's ``If-Match``."""
    with db.unit_of_work() as session:
        sighting = visible_sighting(session, principal, "sighting.update", sighting_id,
                                    for_update=True)
        if sighting.version != expected_version:
            raise PreconditionFailed(f"the sighting is at version {sighting.version}",
                                     current_version=sighting.version)
        values = _client_values(changes)
        if changes.get("point") is not None:
            values["point"] = changes["point"]
        edit_sighting_values(session, principal, sighting, values)
        session.commit()
        return sighting


def withdraw_sighting(db: Database, principal: Principal, sighting_id: str,
                      expected_version: int | None) -> None:
    """The author takes back a sighting within ``WITHDRAW_WINDOW`` of reporting it."""
    with db.unit_of_work() as session:
        sighting = visible_sighting(session, principal, "sighting.withdraw", sighting_id,
                                    for_update=True)
        if expected_version is not None and sighting.version != expected_version:
            raise PreconditionFailed(f"the sighting is at version {sighting.version}",
                                     current_version=sighting.version)
        mark_sighting_withdrawn(session, principal, sighting)
        session.commit()


# --- the one write path of a sighting: REST and sync pushes both run these, inside the
# caller's transaction, with domain values (``seen_at`` a datetime, ``point`` a
# ``ReportedPoint``) ------------------------------------------------------------------


def require_may_report(session: Session, principal: Principal) -> None:
    """``sighting.create``, and an assistant must serve a grid."""
    scope = policy.require(principal, "sighting.create")
    if scope == "own_grid" and not session.execute(
            policy.active_grid_ids(principal).limit(1)).first():
        raise Forbidden("you serve no village grid", code="no_grid_assignment")


def create_sighting(session: Session, principal: Principal, sighting_id: str,
                    values: Mapping[str, Any]) -> Sighting:
    """A new sighting: who may, a new id, when it was seen, references, placement."""
    require_may_report(session, principal)
    if session.get(Sighting, (principal.court_id, sighting_id)) is not None:
        raise Conflict("a sighting with this id exists", code="sighting_exists")
    if values.get("seen_at") is None:
        raise ValidationFailed("required fields are missing", errors={"seen_at": ["required"]})
    sighting = Sighting(court_id=principal.court_id, id=sighting_id,
                        author_id=principal.user_id, device_id=principal.device_id,
                        **{k: v for k, v in values.items()
                           if k in CLIENT_FIELDS and v is not None})
    require_case_and_party(session, principal, sighting)
    set_point(session, sighting, values.get("point"))
    session.add(sighting)
    session.flush()
    return sighting


def edit_sighting_values(session: Session, principal: Principal, sighting: Sighting,
                         values: Mapping[str, Any]) -> None:
    """Change a stored sighting: its author only."""
    policy.require(principal, "sighting.update")
    policy.require_author(principal, sighting)
    before = {"case_id": sighting.case_id, "party_id": sighting.party_id}
    for key, value in _client_values(values).items():
        setattr(sighting, key, value)
    require_case_and_party(session, principal, sighting, before)
    if "point" in values:
        set_point(session, sighting, values["point"])
    sighting.version += 1
    sighting.updated_at = utcnow()
    session.flush()


def mark_sighting_withdrawn(session: Session, principal: Principal,
                            sighting: Sighting) -> None:
    """A soft delete with an audit entry, within ``WITHDRAW_WINDOW`` of reporting: the row
    stays, it leaves lists and the feed. Later, 409 ``sighting_not_withdrawable``: the
    court may already have acted on it."""
    if utcnow() - sighting.created_at > WITHDRAW_WINDOW:
        raise Conflict("a sighting can be withdrawn only within 24 hours of reporting it",
                       code="sighting_not_withdrawable",
                       reported_at=sighting.created_at.isoformat())
    withdraw(session, principal, sighting, "sighting.withdraw", urgent=sighting.urgent)


def get_sighting(db: Database, principal: Principal, sighting_id: str) -> Sighting:
    """The sighting; its notes masked for roles that see parties masked (``text_shield``)."""
    with db.unit_of_work() as session:
        sighting = visible_sighting(session, principal, "sighting.read", sighting_id)
        shield_rows(session, principal, "sighting", [sighting])
        session.commit()  # the audit of an unmasked read
        return sighting


def list_sightings(db: Database, principal: Principal, filters: SightingFilters,
                   after: Position | None, limit: int,
                   order: SortOrder = SIGHTING_ORDERS["newest"]) -> Page[Sighting]:
    """The caller's visible sightings in ``order`` (newest first), one page at a time."""
    with db.unit_of_work() as session:
        query = sa.select(Sighting).where(
            policy.scope_filter(principal, "sighting.read", Sighting),
            Sighting.deleted_at.is_(None), *filters.clauses(),
        )
        page = fetch_page(session, query, order, after, limit)
        shield_rows(session, principal, "sighting", page.items)
        session.commit()  # the audit of unmasked reads
        return page


def visible_sighting(session: Session, principal: Principal, action: str, sighting_id: str,
                     *, for_update: bool = False) -> Sighting:
    return policy.visible_row(session, principal, action, Sighting, sighting_id,
                              "sighting_not_found", for_update=for_update)


def _client_values(data: Mapping[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in data.items() if key in CLIENT_FIELDS}
