"""Cases and their parties, read side, shaped by role.

Officers and judges see everything of their court; assistants see the cases of debtors
living in their grids with names, id numbers and phones masked and no amounts; deputies
see the cases they follow. Whoever is shown a party's personal data unmasked leaves an
audit entry (``party.read_unmasked``), written in the same transaction as the read.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlmodel import Session

from enforcement import audit, policy
from enforcement.db import Database
from enforcement.errors import NotFound
from enforcement.ids import plausible_id
from enforcement.masking import mask_id_number, mask_name, mask_phone
from enforcement.models import (
    CaseParty,
    CaseStatus,
    EnforcementCase,
    Party,
    PartyKind,
    PartyRole,
)
from enforcement.paging import Page, Position, newest_first, page_of
from enforcement.principal import Principal

OPEN_STATUSES = (CaseStatus.OPEN, CaseStatus.IN_PROGRESS, CaseStatus.TERMINATED,
                 CaseStatus.RESUMED)
"""Cases whose debtors are still sought (终本 cases included: property may turn up)."""


@dataclass(frozen=True, slots=True)
class PartyView:
    id: str
    kind: str
    role: str
    name: str | None
    id_number: str | None
    phone: str | None
    address: str | None
    township_id: str | None
    village_grid_id: str | None
    is_dishonest: bool
    consumption_restricted: bool
    masked: bool


@dataclass(frozen=True, slots=True)
class CaseView:
    id: str
    case_number: str
    cause: str
    status: str
    filed_on: date
    applicant_name: str | None
    amount_owed: Decimal | None
    amount_recovered: Decimal | None
    township_id: str | None
    village_grid_id: str | None
    judge_id: str | None
    officer_id: str | None
    version: int
    created_at: datetime
    parties: list[PartyView] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class CaseFilters:
    status: tuple[CaseStatus, ...] = ()
    township_id: str | None = None
    village_grid_id: str | None = None

    def clauses(self) -> list[sa.ColumnElement[bool]]:
        where: list[sa.ColumnElement[bool]] = []
        if self.status:
            where.append(EnforcementCase.status.in_(self.status))
        if self.township_id:
            where.append(EnforcementCase.township_id == self.township_id)
        if self.village_grid_id:
            where.append(EnforcementCase.village_grid_id == self.village_grid_id)
        return where


def list_cases(db: Database, principal: Principal, filters: CaseFilters,
               after: Position | None, limit: int) -> Page[CaseView]:
    with db.unit_of_work() as session:
        query = sa.select(EnforcementCase).where(
            policy.scope_filter(principal, "case.read", EnforcementCase), *filters.clauses())
        rows = session.scalars(
            newest_first(query, EnforcementCase.created_at, EnforcementCase.id, after, limit)
        ).all()
        page = page_of(rows, limit)
        views = _views(session, principal, page.items)
        session.commit()
        return Page(views, page.next_position)


def get_case(db: Database, principal: Principal, case_id: str) -> CaseView:
    if not plausible_id(case_id):
        raise NotFound("no such case", code="case_not_found")
    with db.unit_of_work() as session:
        case = session.scalars(sa.select(EnforcementCase).where(
            policy.scope_filter(principal, "case.read", EnforcementCase),
            EnforcementCase.id == case_id,
        )).first()
        if case is None:
            raise NotFound("no such case", code="case_not_found")
        [view] = _views(session, principal, [case])
        session.commit()
        return view


def _views(session: Session, principal: Principal,
           cases: list[EnforcementCase]) -> list[CaseView]:
    """Shape cases for the caller; audit every party shown unmasked."""
    unmasked = policy.allows(principal, "party.read_unmasked")
    amounts = policy.allows(principal, "case.read_amounts")
    parties = _parties_of(session, principal.court_id, [c.id for c in cases])
    views = []
    for case in cases:
        shown = [party_view(p, role, unmasked) for p, role in parties.get(case.id, [])]
        if unmasked:
            for party in shown:
                audit.record(session, court_id=principal.court_id,
                             action="party.read_unmasked", actor_id=principal.user_id,
                             device_id=principal.device_id, subject_table="party",
                             subject_id=party.id, detail={"case_id": case.id})
        views.append(CaseView(
            id=case.id, case_number=case.case_number, cause=case.cause,
            status=case.status.value, filed_on=case.filed_on,
            applicant_name=case.applicant_name if unmasked else mask_name(case.applicant_name),
            amount_owed=case.amount_owed if amounts else None,
            amount_recovered=case.amount_recovered if amounts else None,
            township_id=case.township_id, village_grid_id=case.village_grid_id,
            judge_id=case.judge_id, officer_id=case.officer_id, version=case.version,
            created_at=case.created_at, parties=shown,
        ))
    return views


def _parties_of(session: Session, court_id: str,
                case_ids: list[str]) -> dict[str, list[tuple[Party, PartyRole]]]:
    """Parties of many cases in one query (no query per case)."""
    by_case: dict[str, list[tuple[Party, PartyRole]]] = {}
    if not case_ids:
        return by_case
    rows = session.execute(
        sa.select(CaseParty.case_id, CaseParty.role, Party)
        .join(Party, sa.and_(Party.court_id == CaseParty.court_id,
                             Party.id == CaseParty.party_id))
        .where(CaseParty.court_id == court_id, CaseParty.case_id.in_(case_ids))
        .order_by(CaseParty.role, Party.name, Party.id)
    ).all()
    for case_id, role, party in rows:
        by_case.setdefault(case_id, []).append((party, role))
    return by_case


def party_view(party: Party, role: PartyRole | None, unmasked: bool) -> PartyView:
    organisation = party.kind == PartyKind.ORGANISATION
    masked = not unmasked
    return PartyView(
        id=party.id, kind=party.kind.value, role=role.value if role else "",
        name=party.name if unmasked else mask_name(party.name, organisation=organisation),
        id_number=party.id_number if unmasked or organisation
        else mask_id_number(party.id_number),
        phone=party.phone if unmasked else mask_phone(party.phone),
        address=party.address, township_id=party.township_id,
        village_grid_id=party.village_grid_id, is_dishonest=party.is_dishonest,
        consumption_restricted=party.consumption_restricted, masked=masked,
    )
