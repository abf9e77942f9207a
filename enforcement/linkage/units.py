"""Linkage units (执行联动单位, Qijiang report): the outside bodies a court works with —
police, vehicle registry, land and housing registry, banks, market regulation — with the
list of request types each handles (职责清单) and its liaison person (执行联络人).

Court staff see the liaison's phone whole (each such read is audited); a unit's own users,
not being court staff, see it masked. Users of role ``liaison_unit`` belong to one unit.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

from enforcement import policy
from enforcement.accounts.principal import Principal
from enforcement.errors import Conflict, PreconditionFailed, ValidationFailed
from enforcement.infrastructure import audit
from enforcement.infrastructure.db import Database
from enforcement.infrastructure.ids import plausible_id
from enforcement.infrastructure.masking import mask_phone
from enforcement.linkage.lists import current_for_units
from enforcement.models import LinkageListEntry, LinkageRequest, LinkageUnit, Role, User, utcnow

UNIT_FIELDS = ("name", "kind", "duties", "contact_name", "contact_phone", "answer_days")
STAFF_ROLES = (Role.OFFICER, Role.JUDGE, Role.ADMIN)
"""Who sees a liaison's phone whole (audited): the court's enforcement staff and its admins,
who keep the units' contacts."""


@dataclass(frozen=True, slots=True)
class UnitView:
    unit: LinkageUnit
    contact_phone: str | None
    masked: bool
    member_ids: list[str]
    listing: LinkageListEntry | None = None
    """The unit's red/white/black list entry in force; only for those who read the lists."""


def list_units(db: Database, principal: Principal) -> list[UnitView]:
    """Court staff: every unit of the court; a liaison user: their own unit."""
    with db.unit_of_work() as session:
        units = list(session.scalars(sa.select(LinkageUnit).where(
            policy.scope_filter(principal, "linkage_unit.read", LinkageUnit))
            .order_by(LinkageUnit.name, LinkageUnit.id)))
        views = _views(session, principal, units)
        session.commit()
        return views


def get_unit(db: Database, principal: Principal, unit_id: str) -> UnitView:
    with db.unit_of_work() as session:
        [view] = _views(session, principal, [_visible(session, principal, "linkage_unit.read",
                                                      unit_id)])
        session.commit()
        return view


def create_unit(db: Database, principal: Principal, data: Mapping[str, Any]) -> UnitView:
    policy.require(principal, "linkage_unit.manage")
    with db.unit_of_work() as session:
        unit = LinkageUnit(court_id=principal.court_id,
                           **{k: v for k, v in data.items() if k in UNIT_FIELDS})
        session.add(unit)
        _flush_unique_name(session)
        audit_write(session, principal, "linkage_unit.create", unit.id, name=unit.name)
        session.commit()
        return UnitView(unit, unit.contact_phone, False, [])


def edit_unit(db: Database, principal: Principal, unit_id: str, expected_version: int,
              data: Mapping[str, Any]) -> UnitView:
    with db.unit_of_work() as session:
        unit = _visible(session, principal, "linkage_unit.manage", unit_id, for_update=True)
        if unit.version != expected_version:
            raise PreconditionFailed(f"the unit is at version {unit.version}",
                                     current_version=unit.version)
        changed = {k: v for k, v in data.items() if k in UNIT_FIELDS and getattr(unit, k) != v}
        for key, value in changed.items():
            setattr(unit, key, value)
        if changed:
            unit.version += 1
            unit.updated_at = utcnow()
            _flush_unique_name(session)
            audit_write(session, principal, "linkage_unit.update", unit.id, fields=sorted(changed))
        session.commit()
        [view] = _views(session, principal, [unit], audited=False)
        return view


def delete_unit(db: Database, principal: Principal, unit_id: str) -> None:
    """Delete a unit with no requests and no members; 409 ``unit_in_use`` otherwise."""
    with db.unit_of_work() as session:
        unit = _visible(session, principal, "linkage_unit.manage", unit_id, for_update=True)
        in_use = session.scalar(sa.select(sa.exists().where(
            LinkageRequest.court_id == unit.court_id, LinkageRequest.unit_id == unit.id)))
        members = _member_ids(session, unit.court_id, [unit.id]).get(unit.id)
        if in_use or members:
            raise Conflict("the unit has requests or members", code="unit_in_use")
        audit_write(session, principal, "linkage_unit.delete", unit.id, name=unit.name)
        session.delete(unit)
        session.commit()


def set_member(db: Database, principal: Principal, unit_id: str, user_id: str,
               member: bool) -> UnitView:
    """Put a ``liaison_unit`` user into the unit (moving them from any other), or take
    them out of it."""
    with db.unit_of_work() as session:
        unit = _visible(session, principal, "linkage_unit.manage", unit_id, for_update=True)
        user = session.get(User, (unit.court_id, user_id)) if plausible_id(user_id) else None
        if user is None or user.role != Role.LIAISON_UNIT:
            raise ValidationFailed("not a liaison user of this court", code="not_a_liaison_user",
                                   errors={"path": {"user_id": [
                                       "must name a user with the role liaison_unit"]}})
        if member:
            user.linkage_unit_id = unit.id
        elif user.linkage_unit_id == unit.id:
            user.linkage_unit_id = None
        user.version += 1
        audit_write(session, principal, "linkage_unit.add_member" if member
                    else "linkage_unit.remove_member", unit.id, user_id=user.id)
        session.commit()
        [view] = _views(session, principal, [unit], audited=False)
        return view


def audit_write(session: Session, principal: Principal, action: str, subject_id: str,
                table: str = "linkage_unit", **detail: Any) -> None:
    audit.record(session, court_id=principal.court_id, action=action,
                 actor_id=principal.user_id, device_id=principal.device_id,
                 subject_table=table, subject_id=subject_id, detail=detail)


def _flush_unique_name(session: Session) -> None:
    try:
        session.flush()
    except sa.exc.IntegrityError as error:
        raise Conflict("the court already has a unit of this name",
                       code="unit_name_exists") from error


def _visible(session: Session, principal: Principal, action: str, unit_id: str,
             for_update: bool = False) -> LinkageUnit:
    return policy.visible_row(session, principal, action, LinkageUnit, unit_id,
                              "linkage_unit_not_found", for_update=for_update)


def _member_ids(session: Session, court_id: str, unit_ids: list[str]) -> dict[str, list[str]]:
    members: dict[str, list[str]] = {}
    for unit_id, user_id in session.execute(
            sa.select(User.linkage_unit_id, User.id).where(
                User.court_id == court_id, User.linkage_unit_id.in_(unit_ids))
            .order_by(User.username)):
        members.setdefault(unit_id, []).append(user_id)
    return members


def _views(session: Session, principal: Principal, units: list[LinkageUnit],
           audited: bool = True) -> list[UnitView]:
    """Court staff see the liaison's phone whole, audited; everyone else masked."""
    whole = principal.role in STAFF_ROLES
    members = _member_ids(session, principal.court_id, [u.id for u in units]) if whole else {}
    listings = current_for_units(session, principal, [u.id for u in units])
    views = []
    for unit in units:
        if whole and audited and unit.contact_phone:
            audit_write(session, principal, "linkage_unit.read_unmasked", unit.id)
        views.append(UnitView(unit, unit.contact_phone if whole else mask_phone(
            unit.contact_phone), not whole, members.get(unit.id, []), listings.get(unit.id)))
    return views
