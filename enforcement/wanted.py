"""The wanted list: debtors living in an assistant's village grids.

It lets an assistant recognise a debtor they meet and report a lead about them. Identity
is masked and no amounts are shown: an assistant needs to know *who*, not *how much*.

The rule (docs/credit.md): a party is wanted while they are a debtor of an open case for
which they have no approved credit repair in effect (``effective_on`` today or earlier).
Each entry carries the measures in force (dishonest, consumption and exit restriction,
with their since-dates; never the decision text), so that a lead of kind
``high_consumption`` can be checked against them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from enforcement import policy
from enforcement.accounts.principal import Principal
from enforcement.cases import OPEN_STATUSES, PartyView, party_view
from enforcement.credit.measures import court_today_sql
from enforcement.infrastructure.db import Database
from enforcement.infrastructure.paging import Page, Position, newest_first, page_of
from enforcement.models import (
    CaseParty,
    CreditRepair,
    EnforcementCase,
    Party,
    PartyRole,
    RepairStatus,
)


@dataclass(frozen=True, slots=True)
class WantedDebtor:
    party: PartyView
    case_ids: list[str]
    case_numbers: list[str]


def wanted_debts(court_id: str) -> Any:
    """``(party_id, case_id, case_number)`` of every debt that makes a party wanted: a
    debtor of an open case with no approved repair in effect for that case."""
    repaired = sa.select(CreditRepair.id).where(
        CreditRepair.court_id == CaseParty.court_id, CreditRepair.party_id == CaseParty.party_id,
        CreditRepair.case_id == CaseParty.case_id,
        CreditRepair.status == RepairStatus.APPROVED,
        CreditRepair.effective_on <= court_today_sql()).exists()
    return (sa.select(CaseParty.party_id, EnforcementCase.id, EnforcementCase.case_number)
            .join(EnforcementCase, sa.and_(EnforcementCase.court_id == CaseParty.court_id,
                                           EnforcementCase.id == CaseParty.case_id))
            .where(CaseParty.court_id == court_id, CaseParty.role == PartyRole.DEBTOR,
                   EnforcementCase.status.in_(OPEN_STATUSES), ~repaired))


def wanted_party_ids(court_id: str) -> Any:
    """Subquery: ids of the parties wanted in the court."""
    debts = wanted_debts(court_id).subquery()
    return sa.select(debts.c.party_id)


def cases_of(session: Any, court_id: str, party_ids: list[str]) -> dict[str, list[tuple[str, str]]]:
    """The wanted debts of these parties: ``party_id -> [(case_id, case_number)]``."""
    cases: dict[str, list[tuple[str, str]]] = {}
    for party_id, case_id, number in session.execute(
            wanted_debts(court_id).where(CaseParty.party_id.in_(party_ids))
            .order_by(EnforcementCase.case_number)):
        cases.setdefault(party_id, []).append((case_id, number))
    return cases


def wanted_list(db: Database, principal: Principal, after: Position | None,
                limit: int) -> Page[WantedDebtor]:
    """Wanted debtors whose home is in one of the caller's grids, newest first."""
    policy.require(principal, "wanted.read")
    with db.unit_of_work() as session:
        query = sa.select(Party).where(
            policy.scope_filter(principal, "wanted.read", Party),
            Party.id.in_(wanted_party_ids(principal.court_id)))
        page = page_of(session.scalars(
            newest_first(query, Party.created_at, Party.id, after, limit)).all(), limit)
        cases = cases_of(session, principal.court_id, [p.id for p in page.items])
        items = [
            WantedDebtor(party_view(p, PartyRole.DEBTOR, unmasked=False),
                         [c for c, _ in cases.get(p.id, [])],
                         [n for _, n in cases.get(p.id, [])])
            for p in page.items
        ]
        return Page(items, page.next_position)
