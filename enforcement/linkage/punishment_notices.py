"""Joint punishment notices (联合惩戒, Luojiang report): the court tells the linkage units
concerned (banks, market regulation, transport…) that a debtor of a case is to be
restricted, and each unit acknowledges.

A notice is one issuance with one ``linkage_request`` row per recipient unit (kind
``joint_punishment``, ``notice_id`` set): so a unit's users find it with their requests,
acknowledging closes their row like an answer, a row still open after the due time is in
``GET /linkage/requests/overdue`` and the per-unit counts, and the court may withdraw one
unit's copy with the request's ``cancel``. Judges and officers issue; a liaison user sees
only notices with a copy to their unit, and only that copy.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

from enforcement import policy
from enforcement.accounts.principal import Principal
from enforcement.errors import Conflict, ValidationFailed
from enforcement.infrastructure.db import Database
from enforcement.infrastructure.filtering import equal
from enforcement.infrastructure.paging import Page, Position, newest_first, page_of
from enforcement.linkage.lists import current_for_units
from enforcement.linkage.requests import OPEN
from enforcement.linkage.units import audit_write
from enforcement.models import (
    CaseParty,
    EnforcementCase,
    LinkageListEntry,
    LinkageRequest,
    LinkageRequestKind,
    LinkageRequestStatus,
    LinkageUnit,
    ListColour,
    Party,
    PartyRole,
    PunishmentNotice,
    utcnow,
)
from enforcement.refs import require_refs

ACKNOWLEDGE_DAYS = 7
"""Days the units have to acknowledge a notice when the court names no due time."""
N, R = PunishmentNotice, LinkageRequest


@dataclass(frozen=True, slots=True)
class Recipient:
    request: LinkageRequest
    unit: LinkageUnit
    listing: LinkageListEntry | None
    """The unit's red/white/black list entry in force (court staff only)."""


@dataclass(frozen=True, slots=True)
class NoticeView:
    notice: PunishmentNotice
    recipients: list[Recipient]

    @property
    def blacklisted_unit_ids(self) -> list[str]:
        return [r.unit.id for r in self.recipients
                if r.listing is not None and r.listing.colour == ListColour.BLACK]


@dataclass(frozen=True, slots=True)
class NoticeFilters:
    case_id: str | None = None
    party_id: str | None = None
    unit_id: str | None = None

    def clauses(self) -> list[sa.ColumnElement[bool]]:
        where = equal((N.case_id, self.case_id), (N.party_id, self.party_id))
        if self.unit_id is not None:
            where.append(sa.select(R.id).where(R.court_id == N.court_id, R.notice_id == N.id,
                                               R.unit_id == self.unit_id).exists())
        return where


def issue_notice(db: Database, principal: Principal, data: Mapping[str, Any]) -> NoticeView:
    """Issue a notice about a debtor of a case to one or more units of the court."""
    policy.require(principal, "notice.issue")
    court = principal.court_id
    unit_ids: list[str] = data["unit_ids"]
    with db.unit_of_work() as session:
        require_refs(session, court, {"case_id": (EnforcementCase, data["case_id"]),
                                      "party_id": (Party, data["party_id"])})
        _require_debtor(session, court, data["case_id"], data["party_id"])
        units = _units(session, court, unit_ids)
        now = utcnow()
        due = data.get("due_at") or now + timedelta(days=ACKNOWLEDGE_DAYS)
        if due <= now:
            raise ValidationFailed("the due time has passed", errors={
                "json": {"due_at": ["must be in the future"]}})
        notice = N(court_id=court, case_id=data["case_id"], party_id=data["party_id"],
                   title=data["title"], content=data.get("content", ""),
                   issued_by=principal.user_id, issued_at=now, due_at=due,
                   created_at=now, updated_at=now)
        session.add(notice)
        session.flush()
        for unit in units:
            session.add(R(court_id=court, unit_id=unit.id, case_id=notice.case_id,
                          party_id=notice.party_id, kind=LinkageRequestKind.JOINT_PUNISHMENT,
                          details=notice.title, requested_by=principal.user_id,
                          created_at=now, updated_at=now, due_at=due, notice_id=notice.id))
        session.flush()
        audit_write(session, principal, "notice.issue", notice.id, "punishment_notice",
                    case_id=notice.case_id, party_id=notice.party_id, unit_ids=unit_ids)
        view = _views(session, principal, [notice])[0]
        session.commit()
        return view


def acknowledge(db: Database, principal: Principal, notice_id: str,
                data: Mapping[str, Any]) -> NoticeView:
    """The caller's unit acknowledges its copy (once; 409 when acknowledged or withdrawn)."""
    with db.unit_of_work() as session:
        notice = policy.visible_row(session, principal, "notice.acknowledge", N, notice_id,
                                    "punishment_notice_not_found")
        copy = session.scalars(sa.select(R).where(
            policy.scope_filter(principal, "linkage_request.read", R),
            R.notice_id == notice.id).with_for_update()).one()
        if copy.status not in OPEN:
            raise Conflict(f"the notice is {copy.status.value}", code="linkage_request_closed",
                           current_status=copy.status.value)
        now = utcnow()
        copy.status, copy.result, copy.answer = (LinkageRequestStatus.ANSWERED, "acknowledged",
                                                 data.get("note", ""))
        copy.answered_by, copy.answered_at, copy.updated_at = principal.user_id, now, now
        copy.version += 1
        audit_write(session, principal, "notice.acknowledge", notice.id, "punishment_notice",
                    unit_id=copy.unit_id,
                    late=copy.due_at is not None and now > copy.due_at)
        view = _views(session, principal, [notice])[0]
        session.commit()
        return view


def get_notice(db: Database, principal: Principal, notice_id: str) -> NoticeView:
    with db.unit_of_work() as session:
        notice = policy.visible_row(session, principal, "notice.read", N, notice_id,
                                    "punishment_notice_not_found")
        return _views(session, principal, [notice])[0]


def list_notices(db: Database, principal: Principal, filters: NoticeFilters,
                 after: Position | None, limit: int) -> Page[NoticeView]:
    """Newest first: court staff every notice, a unit's users those copied to their unit."""
    with db.unit_of_work() as session:
        query = sa.select(N).where(policy.scope_filter(principal, "notice.read", N),
                                   *filters.clauses())
        rows = session.scalars(newest_first(query, N.created_at, N.id, after, limit)).all()
        page = page_of(rows, limit)
        return Page(_views(session, principal, page.items), page.next_position)


def _require_debtor(session: Session, court: str, case_id: str, party_id: str) -> None:
    debtor = session.scalar(sa.select(sa.exists().where(
        CaseParty.court_id == court, CaseParty.case_id == case_id,
        CaseParty.party_id == party_id, CaseParty.role == PartyRole.DEBTOR)))
    if not debtor:
        raise ValidationFailed("the party is not a debtor of this case", code="party_not_debtor",
                               errors={"json": {"party_id": ["must be a debtor of the case"]}})


def _units(session: Session, court: str, unit_ids: list[str]) -> list[LinkageUnit]:
    units = {u.id: u for u in session.scalars(sa.select(LinkageUnit).where(
        LinkageUnit.court_id == court, LinkageUnit.id.in_(unit_ids)))}
    unknown = {str(i): [f"no linkage_unit with id {uid} in this court"]
               for i, uid in enumerate(unit_ids) if uid not in units}
    if unknown:
        raise ValidationFailed("unknown references", errors={"json": {"unit_ids": unknown}})
    return [units[uid] for uid in unit_ids]


def _views(session: Session, principal: Principal,
           notices: list[PunishmentNotice]) -> list[NoticeView]:
    """Each notice with the copies the caller may see, their units and list colours."""
    if not notices:
        return []
    rows = session.execute(
        sa.select(R, LinkageUnit)
        .join(LinkageUnit, sa.and_(LinkageUnit.court_id == R.court_id,
                                   LinkageUnit.id == R.unit_id))
        .where(policy.scope_filter(principal, "linkage_request.read", R),
               R.notice_id.in_([n.id for n in notices]))
        .order_by(LinkageUnit.name, LinkageUnit.id)).all()
    listings = current_for_units(session, principal, {unit.id for _, unit in rows})
    copies: dict[str, list[Recipient]] = {}
    for request, unit in rows:
        copies.setdefault(request.notice_id, []).append(
            Recipient(request, unit, listings.get(unit.id)))
    return [NoticeView(n, copies.get(n.id, [])) for n in notices]

