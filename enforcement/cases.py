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
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

from enforcement import policy
from enforcement.accounts.principal import Principal
from enforcement.errors import Forbidden, NotFound
from enforcement.infrastructure import audit
from enforcement.infrastructure.db import Database
from enforcement.infrastructure.filtering import (
    between,
    contains,
    equal,
    in_box,
    on_days,
    one_of,
    starts_with,
)
from enforcement.infrastructure.ids import plausible_id
from enforcement.infrastructure.masking import mask_id_number, mask_name, mask_phone
from enforcement.infrastructure.paging import Page, Position, SortOrder, fetch_page, newest, oldest
from enforcement.models import (
    CaseFollow,
    CaseParty,
    CaseStatus,
    EnforcementCase,
    Party,
    PartyKind,
    PartyRole,
)

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
    exit_restricted: bool = False
    dishonest_since: date | None = None
    consumption_restricted_since: date | None = None
    exit_restricted_since: date | None = None


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
    """What a case list can be narrowed by; ``None`` / empty means "any"."""

    status: tuple[CaseStatus, ...] = ()
    township_id: str | None = None
    village_grid_id: str | None = None
    bbox: tuple[float, float, float, float] | None = None
    filed_from: date | None = None
    filed_to: date | None = None
    updated_from: datetime | None = None
    updated_to: datetime | None = None
    number: str | None = None
    debtor: str | None = None
    followed: bool | None = None

    def clauses(self, principal: Principal) -> list[sa.ColumnElement[bool]]:
        case = EnforcementCase
        where = [
            *one_of((case.status, self.status)),
            *equal((case.township_id, self.township_id),
                   (case.village_grid_id, self.village_grid_id)),
            *in_box(case.address_point, self.bbox),
            *on_days(case.filed_on, self.filed_from, self.filed_to),
            *between(case.updated_at, self.updated_from, self.updated_to),
            *starts_with(case.case_number, self.number),
        ]
        if self.debtor:
            where.append(sa.select(CaseParty.id).join(Party, sa.and_(
                Party.court_id == CaseParty.court_id, Party.id == CaseParty.party_id,
            )).where(CaseParty.court_id == case.court_id, CaseParty.case_id == case.id,
                     CaseParty.role == PartyRole.DEBTOR,
                     *contains(Party.name, self.debtor)).exists())
        if self.followed is not None:
            follows = sa.select(CaseFollow.id).where(
                CaseFollow.court_id == case.court_id, CaseFollow.case_id == case.id,
                CaseFollow.deputy_id == principal.user_id, CaseFollow.ended_at.is_(None),
            ).exists()
            where.append(follows if self.followed else ~follows)
        return where

    def check_allowed(self, principal: Principal) -> None:
        """Searching by a debtor's name is for roles that see names unmasked: anyone else
        could find out whose case it is by trying names."""
        if self.debtor and not policy.allows(principal, "party.read_unmasked"):
            raise Forbidden("your role sees debtors' names masked, so it cannot search by "
                            "them", code="filter_not_allowed", errors={"query": {
                                "debtor": ["not available to your role"]}})


def _outstanding() -> Any:
    return EnforcementCase.amount_owed - EnforcementCase.amount_recovered


CASE_ORDERS = {
    "newest": newest(EnforcementCase.created_at, EnforcementCase.id),
    "oldest": oldest(EnforcementCase.created_at, EnforcementCase.id),
    "case_number": SortOrder("case_number", (EnforcementCase.case_number, EnforcementCase.id),
                             (str, str), descending=False),
    "filed": SortOrder("filed", (EnforcementCase.filed_on, EnforcementCase.id), (date, str)),
    "outstanding": SortOrder("outstanding", (_outstanding(), EnforcementCase.id),
                             (Decimal, str)),
}
"""``newest``/``oldest`` entered; ``case_number`` in number order; ``filed`` latest filed
first; ``outstanding`` most still owed first (roles that see amounts only)."""


def list_cases(db: Database, principal: Principal, filters: CaseFilters,
               after: Position | None, limit: int,
               order: SortOrder = CASE_ORDERS["newest"]) -> Page[CaseView]:
    filters.check_allowed(principal)
    if order.name == "outstanding" and not policy.allows(principal, "case.read_amounts"):
        raise Forbidden("your role does not see amounts, so it cannot sort by them",
                        code="sort_not_allowed",
                        errors={"query": {"sort": ["not available to your role"]}})
    with db.unit_of_work() as session:
        query = sa.select(EnforcementCase).where(
            policy.scope_filter(principal, "case.read", EnforcementCase),
            *filters.clauses(principal))
        page = fetch_page(session, query, order, after, limit)
        views = _views(session, principal, page.items)
        session.commit()
        return Page(views, page.next_position, page.sort)


def get_case(db: Database, principal: Principal, case_id: str) -> CaseView:
    policy.require(principal, "case.read")  # 403 before anything about the id
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
        exit_restricted=party.exit_restricted, dishonest_since=party.dishonest_since,
        consumption_restricted_since=party.consumption_restricted_since,
        exit_restricted_since=party.exit_restricted_since,
    )
