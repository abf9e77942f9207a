"""Red, white and black lists (红白黑名单, Luojiang report): which linkage units and which
persons cooperate, stay neutral or obstruct enforcement, kept per court.

A judge sets a colour with a reason and the day it takes effect; that ends the subject's
current entry, so every earlier colour stays as history. Officers and judges read the
lists, and see each unit's current colour where they choose a unit (unit list and detail,
issuing a request or a notice); liaison users never see them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

from enforcement import policy
from enforcement.accounts.principal import Principal
from enforcement.infrastructure import audit
from enforcement.infrastructure.db import Database
from enforcement.infrastructure.filtering import equal, one_of
from enforcement.infrastructure.paging import Page, Position, newest_first, page_of
from enforcement.models import LinkageListEntry, LinkageUnit, ListColour, Party, utcnow
from enforcement.refs import require_refs

E = LinkageListEntry


@dataclass(frozen=True, slots=True)
class ListFilters:
    unit_id: str | None = None
    party_id: str | None = None
    colour: tuple[ListColour, ...] = ()
    current: bool = True
    """Only the entries in force (default); false lists the history too."""

    def clauses(self) -> list[sa.ColumnElement[bool]]:
        where = [*equal((E.unit_id, self.unit_id), (E.party_id, self.party_id)),
                 *one_of((E.colour, self.colour))]
        if self.current:
            where.append(E.ended_at.is_(None))
        return where


def set_colour(db: Database, principal: Principal, data: Mapping[str, Any]) -> LinkageListEntry:
    """Put a unit or a party on a list (judges); the subject's current entry ends."""
    policy.require(principal, "linkage_list.set")
    court = principal.court_id
    with db.unit_of_work() as session:
        require_refs(session, court, {"unit_id": (LinkageUnit, data.get("unit_id")),
                                      "party_id": (Party, data.get("party_id"))})
        subject = (E.unit_id == data["unit_id"] if data.get("unit_id")
                   else E.party_id == data["party_id"])
        current = session.scalars(sa.select(E).where(
            E.court_id == court, subject, E.ended_at.is_(None)).with_for_update()).first()
        now = utcnow()
        if current is not None:
            current.ended_at = now
            session.flush()
        entry = E(court_id=court, unit_id=data.get("unit_id"), party_id=data.get("party_id"),
                  colour=ListColour(data["colour"]), reason=data["reason"],
                  effective_on=data.get("effective_on") or now.date(),
                  set_by=principal.user_id, created_at=now)
        session.add(entry)
        session.flush()
        audit.record(session, court_id=court, action="linkage_list.set",
                     actor_id=principal.user_id, device_id=principal.device_id,
                     subject_table="linkage_list_entry", subject_id=entry.id, detail={
                         "colour": entry.colour.value, "unit_id": entry.unit_id,
                         "party_id": entry.party_id,
                         "previous": current.colour.value if current else None})
        session.commit()
        return entry


def list_entries(db: Database, principal: Principal, filters: ListFilters,
                 after: Position | None, limit: int) -> Page[LinkageListEntry]:
    with db.unit_of_work() as session:
        query = sa.select(E).where(policy.scope_filter(principal, "linkage_list.read", E),
                                   *filters.clauses())
        rows = session.scalars(newest_first(query, E.created_at, E.id, after, limit)).all()
        return page_of(rows, limit)


def current_for_units(session: Session, principal: Principal,
                      unit_ids: Iterable[str]) -> dict[str, LinkageListEntry]:
    """Each unit's entry in force, for a caller who may read the lists (else nothing)."""
    ids = list(unit_ids)
    if not ids or not policy.allows(principal, "linkage_list.read"):
        return {}
    rows = session.scalars(sa.select(E).where(
        E.court_id == principal.court_id, E.unit_id.in_(ids), E.ended_at.is_(None)))
    return {row.unit_id: row for row in rows if row.unit_id is not None}
