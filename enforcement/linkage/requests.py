"""Requests from the court to linkage units (执行联动, Qijiang report), and their answers.

Judges and officers send a request about a case to a unit: its type must be one of the
unit's duties (职责清单), and it is due by ``due_at`` (default: the unit's
``answer_days`` from now). The unit's users see only their unit's requests and answer
them. A request still open after its due time is overdue; overdue requests are listed
per unit, and every unit has its counts.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

from enforcement import policy
from enforcement.accounts.principal import Principal
from enforcement.errors import Conflict, ValidationFailed
from enforcement.infrastructure.db import Database
from enforcement.infrastructure.filtering import equal, one_of
from enforcement.infrastructure.paging import Page, Position, newest_first, page_of
from enforcement.infrastructure.text_shield import shield_rows
from enforcement.linkage.lists import current_for_units
from enforcement.linkage.units import audit_write
from enforcement.models import (
    CaseParty,
    EnforcementCase,
    LinkageListEntry,
    LinkageRequest,
    LinkageRequestKind,
    LinkageRequestStatus,
    LinkageUnit,
    Party,
    utcnow,
)
from enforcement.refs import require_refs

S = LinkageRequestStatus
OPEN = (S.SENT, S.ACKNOWLEDGED, S.OVERDUE)
"""A request the unit may still answer (``overdue`` as stored by older imports included)."""
RESULTS = ("done", "partly_done", "not_found", "unable")


@dataclass(frozen=True, slots=True)
class RequestFilters:
    unit_id: str | None = None
    case_id: str | None = None
    status: tuple[LinkageRequestStatus, ...] = ()
    overdue_at: datetime | None = None
    kind: tuple[LinkageRequestKind, ...] = ()
    notice_id: str | None = None

    def clauses(self) -> list[sa.ColumnElement[bool]]:
        where = [*equal((LinkageRequest.unit_id, self.unit_id),
                        (LinkageRequest.case_id, self.case_id),
                        (LinkageRequest.notice_id, self.notice_id)),
                 *one_of((LinkageRequest.status, self.status), (LinkageRequest.kind, self.kind))]
        if self.overdue_at is not None:
            where.append(overdue(self.overdue_at))
        return where


@dataclass(frozen=True, slots=True)
class UnitCounts:
    unit_id: str
    unit_name: str
    sent: int
    answered: int
    answered_on_time: int
    open: int
    overdue: int
    cancelled: int


def overdue(now: datetime) -> sa.ColumnElement[bool]:
    return sa.and_(LinkageRequest.status.in_(OPEN), LinkageRequest.due_at < now)


@dataclass(frozen=True, slots=True)
class SentRequest:
    request: LinkageRequest
    listing: LinkageListEntry | None
    """The unit's red/white/black list entry in force, so a black-listed unit is flagged."""


def send_request(db: Database, principal: Principal, data: Mapping[str, Any]) -> SentRequest:
    """Ask a unit of the court for help on a case; the type must be among its duties.
    Joint punishment goes out as a notice (``punishment_notices``), never one by one."""
    policy.require(principal, "linkage_request.create")
    court = principal.court_id
    with db.unit_of_work() as session:
        require_refs(session, court, {"unit_id": (LinkageUnit, data["unit_id"]),
                                      "case_id": (EnforcementCase, data["case_id"]),
                                      "party_id": (Party, data.get("party_id"))})
        unit = session.get(LinkageUnit, (court, data["unit_id"]))
        assert unit is not None  # require_refs found it
        kind = LinkageRequestKind(data["kind"])
        if kind == LinkageRequestKind.JOINT_PUNISHMENT:
            raise ValidationFailed("joint punishment is issued as a notice",
                                   code="punishment_needs_notice", errors={"json": {
                                       "kind": ["use POST /api/v1/linkage/notices"]}})
        if kind.value not in unit.duties:
            raise ValidationFailed(f"{unit.name} does not handle {kind.value}",
                                   code="request_kind_not_in_duties", errors={"json": {
                                       "kind": [f"the unit handles {', '.join(unit.duties)}"]}})
        _require_party_of_case(session, court, data["case_id"], data.get("party_id"))
        now = utcnow()
        if data.get("due_at") is not None and data["due_at"] <= now:
            raise ValidationFailed("the due time has passed", errors={
                "json": {"due_at": ["must be in the future"]}})
        request = LinkageRequest(
            court_id=court, unit_id=unit.id, case_id=data["case_id"],
            party_id=data.get("party_id"), kind=kind, details=data.get("details", ""),
            requested_by=principal.user_id, created_at=now, updated_at=now,
            due_at=data.get("due_at") or now + timedelta(days=unit.answer_days))
        session.add(request)
        session.flush()
        audit_write(session, principal, "linkage_request.create", request.id, "linkage_request",
                    unit_id=unit.id, case_id=request.case_id, kind=kind.value)
        listing = current_for_units(session, principal, [unit.id]).get(unit.id)
        session.commit()
        return SentRequest(request, listing)


def answer_request(db: Database, principal: Principal, request_id: str,
                   data: Mapping[str, Any]) -> LinkageRequest:
    """The unit answers an open request of its own (once)."""
    with db.unit_of_work() as session:
        request = _visible(session, principal, "linkage_request.answer", request_id)
        _require_open(request)
        if request.notice_id is not None:
            raise Conflict("a notice is acknowledged, not answered",
                           code="notice_needs_acknowledgement", notice_id=request.notice_id)
        now = utcnow()
        request.status, request.answer, request.result = S.ANSWERED, data["answer"], data["result"]
        request.answered_by, request.answered_at, request.updated_at = principal.user_id, now, now
        request.version += 1
        audit_write(session, principal, "linkage_request.answer", request.id, "linkage_request",
                    result=request.result, late=request.due_at is not None
                    and now > request.due_at)
        session.commit()
        return _shown(session, principal, [request])[0]


def cancel_request(db: Database, principal: Principal, request_id: str) -> LinkageRequest:
    """The court withdraws an open request."""
    with db.unit_of_work() as session:
        request = _visible(session, principal, "linkage_request.cancel", request_id)
        _require_open(request)
        request.status, request.updated_at = S.CANCELLED, utcnow()
        request.version += 1
        audit_write(session, principal, "linkage_request.cancel", request.id, "linkage_request")
        session.commit()
        return request


def get_request(db: Database, principal: Principal, request_id: str) -> LinkageRequest:
    """The request; its details masked for a unit's users (``text_shield``)."""
    with db.unit_of_work() as session:
        request = _visible(session, principal, "linkage_request.read", request_id, lock=False)
        return _shown(session, principal, [request])[0]


def list_requests(db: Database, principal: Principal, filters: RequestFilters,
                  after: Position | None, limit: int) -> Page[LinkageRequest]:
    """Court staff: every request of the court; a unit's users: their unit's."""
    with db.unit_of_work() as session:
        query = sa.select(LinkageRequest).where(
            policy.scope_filter(principal, "linkage_request.read", LinkageRequest),
            *filters.clauses())
        rows = session.scalars(newest_first(query, LinkageRequest.created_at, LinkageRequest.id,
                                            after, limit)).all()
        page = page_of(rows, limit)
        _shown(session, principal, page.items)
        return page


def overdue_by_unit(db: Database, principal: Principal,
                    kinds: tuple[LinkageRequestKind, ...] = ()
                    ) -> list[tuple[LinkageUnit, list[LinkageRequest]]]:
    """Open requests past due, grouped per unit (most overdue first within a unit);
    ``kinds`` narrows them, e.g. to unacknowledged joint punishment notices."""
    with db.unit_of_work() as session:
        rows = session.execute(
            sa.select(LinkageUnit, LinkageRequest)
            .join(LinkageRequest, sa.and_(LinkageRequest.court_id == LinkageUnit.court_id,
                                          LinkageRequest.unit_id == LinkageUnit.id))
            .where(policy.scope_filter(principal, "linkage_request.read", LinkageRequest),
                   overdue(utcnow()), *one_of((LinkageRequest.kind, kinds)))
            .order_by(LinkageUnit.name, LinkageUnit.id, LinkageRequest.due_at,
                      LinkageRequest.id)).all()
        groups: dict[str, tuple[LinkageUnit, list[LinkageRequest]]] = {}
        for unit, request in rows:
            groups.setdefault(unit.id, (unit, []))[1].append(request)
        _shown(session, principal, [request for _, request in rows])
        return list(groups.values())


def counts_by_unit(db: Database, principal: Principal) -> list[UnitCounts]:
    """Per unit the caller may see: requests sent, answered (on time), open, overdue,
    cancelled — every unit listed, those with no request too."""
    policy.require(principal, "linkage_request.read")
    now = utcnow()
    r = LinkageRequest

    def count(*where: Any) -> Any:
        return sa.func.count(r.id).filter(*where) if where else sa.func.count(r.id)

    with db.unit_of_work() as session:
        rows = session.execute(
            sa.select(LinkageUnit.id, LinkageUnit.name, count(),
                      count(r.status == S.ANSWERED),
                      count(r.status == S.ANSWERED,
                            sa.or_(r.due_at.is_(None), r.answered_at <= r.due_at)),
                      count(r.status.in_(OPEN)), count(overdue(now)),
                      count(r.status == S.CANCELLED))
            .outerjoin(r, sa.and_(r.court_id == LinkageUnit.court_id,
                                  r.unit_id == LinkageUnit.id))
            .where(policy.scope_filter(principal, "linkage_unit.read", LinkageUnit))
            .group_by(LinkageUnit.id, LinkageUnit.name)
            .order_by(LinkageUnit.name, LinkageUnit.id)).all()
        return [UnitCounts(*row) for row in rows]


def _require_party_of_case(session: Session, court_id: str, case_id: str,
                           party_id: str | None) -> None:
    if party_id is None:
        return
    linked = session.scalar(sa.select(sa.exists().where(
        CaseParty.court_id == court_id, CaseParty.case_id == case_id,
        CaseParty.party_id == party_id)))
    if not linked:
        raise ValidationFailed("the party is not in this case", errors={
            "json": {"party_id": ["must be a party of the case"]}})


def _shown(session: Session, principal: Principal,
           requests: Sequence[LinkageRequest]) -> Sequence[LinkageRequest]:
    """Requests as the caller may see them (details masked for a unit's users, unmasked
    reads audited), in the caller's transaction, which this commits."""
    shield_rows(session, principal, "linkage_request", requests)
    session.commit()
    return requests


def _require_open(request: LinkageRequest) -> None:
    if request.status not in OPEN:
        raise Conflict(f"the request is {request.status.value}", code="linkage_request_closed",
                       current_status=request.status.value)


def _visible(session: Session, principal: Principal, action: str, request_id: str,
             lock: bool = True) -> LinkageRequest:
    return policy.visible_row(session, principal, action, LinkageRequest, request_id,
                              "linkage_request_not_found", for_update=lock)
