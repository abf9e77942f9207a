"""The wanted list: debtors living in an assistant's village grids.

It lets an assistant recognise a debtor they meet and report a lead about them. Identity
is masked and no amounts are shown: an assistant needs to know *who*, not *how much*.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from enforcement import policy
from enforcement.cases import OPEN_STATUSES, PartyView, party_view
from enforcement.db import Database
from enforcement.models import CaseParty, EnforcementCase, Party, PartyRole
from enforcement.paging import Page, Position, newest_first, page_of
from enforcement.principal import Principal


@dataclass(frozen=True, slots=True)
class WantedDebtor:
    party: PartyView
    case_ids: list[str]
    case_numbers: list[str]


def wanted_list(db: Database, principal: Principal, after: Position | None,
                limit: int) -> Page[WantedDebtor]:
    """Debtors of open cases whose home is in one of the caller's grids, newest first."""
    policy.require(principal, "wanted.read")
    debtor_of_open_case = (
        sa.select(CaseParty.id)
        .join(EnforcementCase, sa.and_(EnforcementCase.court_id == CaseParty.court_id,
                                       EnforcementCase.id == CaseParty.case_id))
        .where(CaseParty.court_id == Party.court_id, CaseParty.party_id == Party.id,
               CaseParty.role == PartyRole.DEBTOR, EnforcementCase.status.in_(OPEN_STATUSES))
        .exists()
    )
    with db.unit_of_work() as session:
        query = sa.select(Party).where(
            policy.scope_filter(principal, "wanted.read", Party), debtor_of_open_case)
        page = page_of(session.scalars(
            newest_first(query, Party.created_at, Party.id, after, limit)).all(), limit)
        cases: dict[str, list[tuple[str, str]]] = {}
        for party_id, case_id, number in session.execute(
            sa.select(CaseParty.party_id, EnforcementCase.id, EnforcementCase.case_number)
            .join(EnforcementCase, sa.and_(EnforcementCase.court_id == CaseParty.court_id,
                                           EnforcementCase.id == CaseParty.case_id))
            .where(CaseParty.court_id == principal.court_id,
                   CaseParty.party_id.in_([p.id for p in page.items]),
                   CaseParty.role == PartyRole.DEBTOR,
                   EnforcementCase.status.in_(OPEN_STATUSES))
            .order_by(EnforcementCase.case_number)
        ):
            cases.setdefault(party_id, []).append((case_id, number))
        items = [
            WantedDebtor(party_view(p, PartyRole.DEBTOR, unmasked=False),
                         [c for c, _ in cases.get(p.id, [])],
                         [n for _, n in cases.get(p.id, [])])
            for p in page.items
        ]
        return Page(items, page.next_position)
