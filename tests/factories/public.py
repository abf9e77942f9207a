"""The parties' window: query codes and a case full of things a party must never see."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

from enforcement.models import (
    CaseStatus,
    Court,
    EnforcementCase,
    EnforcementNode,
    MeasureKind,
    Party,
    PartyRole,
    QueryCode,
    Role,
    User,
    utcnow,
)
from enforcement.public import codes
from tests.factories.accounts import create_user
from tests.factories.cases import add_party, create_case, create_party
from tests.factories.credit import create_repair, impose_measure
from tests.factories.field import create_lead, create_sighting
from tests.factories.grids import create_township, create_village
from tests.factories.supervision import create_node, create_node_event, witness_event

SECRETS = ("东关村三组17号", "内部意见：拟突击查封", "线索：三轮车停在院子里", "目击：在镇上见到",
           "13812345678", "620102199001015678", "被执行人有履行能力而拒不履行")
"""Words stored on the case that no party's page or answer may ever contain: an address,
an internal note, a lead, a sighting, a phone and an identity number, a decision's text."""


def create_query_code(session: Session, case: EnforcementCase, party: Party,
                      role: PartyRole, issued_by: User, **overrides: Any) -> tuple[QueryCode, str]:
    """A code row and the code itself (grouped, as printed)."""
    code = codes.new_code()
    row = QueryCode(court_id=case.court_id, case_id=case.id, party_id=party.id, role=role,
                    code_hash=codes.code_hash(code), issued_by=issued_by.id, **overrides)
    session.add(row)
    session.flush()
    return row, codes.grouped(code)


@dataclass
class WindowCase:
    """A case of a court with a judge, an applicant (a person, id ending 0018), a debtor
    (张三明, id ending 5678) with an address, a phone, two measures in force and a pending
    credit repair, a lead and a sighting about it, and node events: done (one witnessed by
    two deputies), planned and announced, planned and not announced, never disclosed."""

    court: Court
    judge: User
    officer: User
    case: EnforcementCase
    applicant: Party
    debtor: Party
    township_id: str


def build_window_case(session: Session, court: Court, **case_overrides: Any) -> WindowCase:
    judge = create_user(session, court, Role.JUDGE, display_name="王法官")
    officer = create_user(session, court, Role.OFFICER)
    assistant = create_user(session, court, Role.GRID_ASSISTANT)
    township = create_township(session, court)
    village = create_village(session, township)
    court.reception_days = "每周三上午 / Wednesday mornings"
    case = create_case(session, court, judge_id=judge.id, officer_id=officer.id,
                       township_id=township.id, address=SECRETS[0],
                       amount_owed=Decimal("50000.00"), amount_recovered=Decimal("12000.00"),
                       amount_paid_out=Decimal("10000.00"), status=CaseStatus.IN_PROGRESS,
                       applicant_name="李四光", **case_overrides)
    applicant = create_party(session, court, name="李四光", id_number="62010219850505001X",
                             phone="13900000000", address="西峰区某小区")
    debtor = create_party(session, court, village, name="张三明", id_number=SECRETS[5],
                          phone=SECRETS[4], address=SECRETS[0], notes=SECRETS[1])
    add_party(session, case, applicant, PartyRole.APPLICANT)
    add_party(session, case, debtor, PartyRole.DEBTOR)
    impose_measure(session, debtor, case, judge, MeasureKind.DISHONEST, decision_text=SECRETS[6])
    impose_measure(session, debtor, case, judge, MeasureKind.CONSUMPTION)
    create_repair(session, debtor, case, officer)
    create_lead(session, assistant, village, case_id=case.id, party_id=debtor.id,
                description=SECRETS[2])
    create_sighting(session, assistant, village, case_id=case.id, party_id=debtor.id,
                    notes=SECRETS[3])
    now = utcnow()
    notice = _node(session, court, code="serve_notice", name_zh="送达执行通知书",
                   name_en="Service of the enforcement notice", seq=1, disclosure="always")
    seal = _node(session, court, code="seal_up", name_zh="查封", name_en="Sealing up",
                 seq=6, disclosure="after")
    auction = _node(session, court, code="auction", name_zh="拍卖",
                    name_en="Judicial auction", seq=11, disclosure="always")
    hidden = _node(session, court, code="internal_review", name_zh="合议庭评议",
                   name_en="Panel review", seq=30, disclosure="never")
    done = create_node_event(session, case, notice, judge, occurs_at=now - timedelta(days=30),
                             place=SECRETS[0], note=SECRETS[1])
    create_node_event(session, case, seal, officer, occurs_at=now - timedelta(days=10),
                      place=SECRETS[0], note=SECRETS[1])
    create_node_event(session, case, auction, judge, occurs_at=now + timedelta(days=20),
                      note=SECRETS[1])
    create_node_event(session, case, seal, officer, occurs_at=now + timedelta(days=3),
                      note=SECRETS[1])  # a surprise: never shown ahead
    create_node_event(session, case, hidden, judge, occurs_at=now - timedelta(days=5))
    for _ in range(2):
        witness_event(session, create_user(session, court, Role.DEPUTY), done)
    session.flush()
    return WindowCase(court, judge, officer, case, applicant, debtor, township.id)



def _node(session: Session, court: Court, code: str, **values: Any) -> EnforcementNode:
    """The court's node of that code, made the first time (two cases share a catalogue)."""
    found = session.scalars(sa.select(EnforcementNode).where(
        EnforcementNode.court_id == court.id, EnforcementNode.code == code)).first()
    return found or create_node(session, court, code=code, **values)
