"""Cases, parties and case events."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from sqlmodel import Session

from enforcement.models import (
    CaseEvent,
    CaseParty,
    Court,
    EnforcementCase,
    Party,
    PartyRole,
    VillageGrid,
    utcnow,
)
from tests.factories.accounts import unique


def create_case(session: Session, court: Court, **overrides: Any) -> EnforcementCase:
    values: dict[str, Any] = {
        "court_id": court.id, "case_number": f"(2024)甘1025执{unique('')}号",
        "cause": "民间借贷纠纷", "applicant_name": "李四", "filed_on": date(2024, 3, 1),
        "amount_owed": Decimal("50000.00"),
    }
    case = EnforcementCase(**(values | overrides))
    session.add(case)
    session.flush()
    return case


def create_party(session: Session, court: Court, village: VillageGrid | None = None,
                 **overrides: Any) -> Party:
    values: dict[str, Any] = {
        "court_id": court.id, "name": "张三明", "id_number": "620102199001011234",
        "phone": "13812345678", "address": "东关村三组",
        "village_grid_id": village.id if village else None,
        "township_id": village.township_id if village else None,
    }
    party = Party(**(values | overrides))
    session.add(party)
    session.flush()
    return party


def add_party(session: Session, case: EnforcementCase, party: Party,
              role: PartyRole = PartyRole.DEBTOR) -> CaseParty:
    link = CaseParty(court_id=case.court_id, case_id=case.id, party_id=party.id, role=role)
    session.add(link)
    session.flush()
    return link


def create_debtor_case(session: Session, court: Court, village: VillageGrid | None = None,
                       **overrides: Any) -> tuple[EnforcementCase, Party]:
    """A case with one debtor living in ``village``."""
    case = create_case(session, court, **overrides)
    party = create_party(session, court, village)
    add_party(session, case, party)
    return case, party


def create_case_event(session: Session, case: EnforcementCase, kind: str, to_status: str,
                      **overrides: Any) -> CaseEvent:
    values: dict[str, Any] = {
        "court_id": case.court_id, "case_id": case.id, "kind": kind, "to_status": to_status,
        "at": utcnow(),
    }
    event = CaseEvent(**(values | overrides))
    session.add(event)
    session.flush()
    return event
