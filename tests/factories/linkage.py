"""Linkage units and requests, joint punishment notices, list entries."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlmodel import Session

from enforcement.models import (
    Court,
    EnforcementCase,
    LinkageKind,
    LinkageListEntry,
    LinkageRequest,
    LinkageRequestKind,
    LinkageUnit,
    ListColour,
    Party,
    PunishmentNotice,
    User,
    utcnow,
)
from tests.factories.accounts import unique


def create_linkage_unit(session: Session, court: Court, **overrides: Any) -> LinkageUnit:
    values: dict[str, Any] = {"court_id": court.id, "name": unique("正宁县公安局"),
                              "kind": LinkageKind.POLICE,
                              "duties": ["find_person", "seize_vehicle"],
                              "contact_name": "王建军", "contact_phone": "13912345678"}
    unit = LinkageUnit(**(values | overrides))
    session.add(unit)
    session.flush()
    return unit


def create_linkage_request(session: Session, unit: LinkageUnit, case: EnforcementCase,
                           requested_by: User, **overrides: Any) -> LinkageRequest:
    """A request to ``unit`` due in 7 days unless told."""
    values: dict[str, Any] = {"court_id": unit.court_id, "unit_id": unit.id,
                              "case_id": case.id, "kind": LinkageRequestKind.FIND_PERSON,
                              "requested_by": requested_by.id, "details": "请协助查找",
                              "due_at": utcnow() + timedelta(days=7)}
    request = LinkageRequest(**(values | overrides))
    session.add(request)
    session.flush()
    return request


def create_punishment_notice(session: Session, case: EnforcementCase, debtor: Party,
                             issuer: User, *units: LinkageUnit,
                             **overrides: Any) -> PunishmentNotice:
    """A joint punishment notice with one copy per unit, due in 7 days unless told."""
    now = utcnow()
    values: dict[str, Any] = {"court_id": case.court_id, "case_id": case.id,
                              "party_id": debtor.id, "title": "联合惩戒通知",
                              "issued_by": issuer.id, "issued_at": now,
                              "due_at": now + timedelta(days=7)}
    notice = PunishmentNotice(**(values | overrides))
    session.add(notice)
    session.flush()
    for unit in units:
        create_linkage_request(session, unit, case, issuer, party_id=debtor.id,
                               kind=LinkageRequestKind.JOINT_PUNISHMENT, details=notice.title,
                               due_at=notice.due_at, notice_id=notice.id)
    return notice


def create_list_entry(session: Session, setter: User, unit: LinkageUnit | None = None,
                      party: Party | None = None, **overrides: Any) -> LinkageListEntry:
    """``unit`` (or ``party``) on the black list of the setter's court."""
    values: dict[str, Any] = {"court_id": setter.court_id, "unit_id": unit.id if unit else None,
                              "party_id": party.id if party else None,
                              "colour": ListColour.BLACK, "reason": "拒不协助执行",
                              "effective_on": date(2026, 11, 1), "set_by": setter.id}
    entry = LinkageListEntry(**(values | overrides))
    session.add(entry)
    session.flush()
    return entry
