"""Case query codes (案件查询码): issued, re-issued and revoked by the case's judge.

A code is 25 characters of Crockford's base-32 alphabet drawn by ``secrets`` (125 random
bits: nobody guesses one), printed in five groups of five for typing and as a QR code.
Only its SHA-256 is stored, as for refresh tokens: the notice the court prints is the only
copy, and a database dump opens nothing. Typing is forgiving: case, spaces and dashes do
not matter, and ``O``/``I``/``L`` read as ``0``/``1``/``1``.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

from enforcement import policy
from enforcement.accounts.principal import Principal
from enforcement.errors import Conflict, Forbidden, NotFound, ValidationFailed
from enforcement.infrastructure import audit
from enforcement.infrastructure.db import Database
from enforcement.models import (
    CaseParty,
    CaseStatus,
    Court,
    EnforcementCase,
    EnforcementNode,
    NodeEvent,
    Party,
    PartyKind,
    PartyRole,
    QueryCode,
    Role,
    User,
    utcnow,
)

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
"""Crockford's base 32: no I, L, O or U, so a code read aloud or copied by hand survives."""
LENGTH = 25
GROUP = 5
_READS_AS = str.maketrans({"O": "0", "I": "1", "L": "1"})
PARTY_ROLES = (PartyRole.APPLICANT, PartyRole.DEBTOR)
"""Codes are for the two sides of a case; a guarantor asks the court."""


@dataclass(frozen=True, slots=True)
class IssuedCode:
    """A new code: ``code`` is shown once (to print on the notice), never stored."""

    record: QueryCode
    code: str
    case_number: str


def new_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


def grouped(code: str) -> str:
    """``ABCDE-FGHJK-…``: how the notice prints it."""
    return "-".join(code[i:i + GROUP] for i in range(0, len(code), GROUP))


def normalised(typed: str) -> str | None:
    """The code as stored before hashing, or None when what was typed cannot be a code."""
    code = "".join(c for c in typed.upper() if c not in " -\t").translate(_READS_AS)
    if len(code) != LENGTH or any(c not in ALPHABET for c in code):
        return None
    return code


def code_hash(code: str) -> str:
    return hashlib.sha256(code.encode()).hexdigest()


def issue_code(db: Database, principal: Principal, case_id: str, party_id: str) -> IssuedCode:
    """A fresh code for the applicant or a debtor of the case; the party's previous code
    stops working at once. Only the case's judge issues (403 ``not_responsible_judge``)."""
    with db.unit_of_work() as session:
        case = _judges_case(session, principal, case_id)
        role = session.scalars(sa.select(CaseParty.role).where(
            CaseParty.court_id == case.court_id, CaseParty.case_id == case.id,
            CaseParty.party_id == party_id, CaseParty.role.in_(PARTY_ROLES))
            .order_by(CaseParty.role)).first()
        if role is None:
            raise ValidationFailed("the party is not the applicant or a debtor of the case",
                                   code="party_not_in_case",
                                   errors={"json": {"party_id": ["not a party of this case"]}})
        party = session.get(Party, (case.court_id, party_id))
        assert party is not None  # the case_party row's foreign key
        if not party.id_number:
            raise Conflict("the party has no identity number on file to check",
                           code="party_has_no_id_number")
        replaced = list(session.scalars(
            sa.update(QueryCode).where(
                QueryCode.court_id == case.court_id, QueryCode.case_id == case.id,
                QueryCode.party_id == party_id, QueryCode.revoked_at.is_(None))
            .values(revoked_at=utcnow(), revoked_by=principal.user_id)
            .returning(QueryCode.id)))
        code = new_code()
        record = QueryCode(court_id=case.court_id, case_id=case.id, party_id=party_id,
                           role=role, code_hash=code_hash(code), issued_by=principal.user_id)
        session.add(record)
        session.flush()
        _audit(session, principal, "query_code.issue", record, replaced=replaced)
        session.commit()
        return IssuedCode(record, grouped(code), case.case_number)


def revoke_code(db: Database, principal: Principal, code_id: str) -> QueryCode:
    """The code stops working at once (a lost notice); revoking twice changes nothing."""
    with db.unit_of_work() as session:
        record = policy.visible_row(session, principal, "query_code.manage", QueryCode,
                                    code_id, "query_code_not_found", for_update=True)
        _judges_case(session, principal, record.case_id)
        if record.revoked_at is None:
            record.revoked_at, record.revoked_by = utcnow(), principal.user_id
            _audit(session, principal, "query_code.revoke", record)
        session.commit()
        return record


def list_codes(db: Database, principal: Principal, case_id: str) -> list[QueryCode]:
    """Every code issued on the case, newest first (court staff)."""
    with db.unit_of_work() as session:
        case = policy.visible_row(session, principal, "query_code.read", EnforcementCase,
                                  case_id, "case_not_found")
        return list(session.scalars(sa.select(QueryCode).where(
            QueryCode.court_id == case.court_id, QueryCode.case_id == case.id)
            .order_by(QueryCode.issued_at.desc(), QueryCode.id)))


def _judges_case(session: Session, principal: Principal, case_id: str) -> EnforcementCase:
    case = policy.visible_row(session, principal, "query_code.manage", EnforcementCase, case_id,
                              "case_not_found", for_update=True)
    if case.judge_id != principal.user_id:
        raise Forbidden("only the judge of the case issues and revokes its query codes",
                        code="not_responsible_judge")
    return case


def _audit(session: Session, principal: Principal, action: str, record: QueryCode,
           **detail: object) -> None:
    audit.record(session, court_id=record.court_id, action=action, actor_id=principal.user_id,
                 device_id=principal.device_id, subject_table="query_code",
                 subject_id=record.id, detail={"case_id": record.case_id,
                                               "party_id": record.party_id,
                                               "role": record.role.value, **detail})


def not_found() -> NotFound:
    """One answer for a code that never existed, was revoked, or was typed wrong."""
    return NotFound("no case answers to this query code", code="query_code_unknown")


@dataclass(frozen=True, slots=True)
class OperatorIssue:
    """A code issued from the command line, and for a demo court's party the last four
    characters to type with it (real courts' numbers are never printed)."""

    issued: IssuedCode
    party_name: str
    last_four: str | None


def issue_from_command_line(db: Database, case_number: str | None,
                            role: PartyRole) -> OperatorIssue:
    """Issue a code in the name of the case's judge (``flask public code``). Without a case
    number: a demo case that shows the window well (in progress, money recovered, nodes)."""
    with db.unit_of_work() as session:
        query = (sa.select(EnforcementCase, Party)
                 .join(CaseParty, sa.and_(CaseParty.court_id == EnforcementCase.court_id,
                                          CaseParty.case_id == EnforcementCase.id))
                 .join(Party, sa.and_(Party.court_id == CaseParty.court_id,
                                      Party.id == CaseParty.party_id))
                 .where(CaseParty.role == role, EnforcementCase.judge_id.is_not(None),
                        Party.id_number.is_not(None)))
        if case_number:
            query = query.where(EnforcementCase.case_number == case_number)
        else:
            query = _demo_showcase(query)
        row = session.execute(query.order_by(EnforcementCase.case_number, Party.id)
                              .limit(1)).first()
        if row is None:
            raise NotFound(f"no case {case_number or '(demo)'} with a {role.value} to issue for",
                           code="case_not_found")
        case, party = row
        judge = session.get(User, (case.court_id, case.judge_id))
        court = session.get(Court, case.court_id)
        assert judge is not None and court is not None
        principal = Principal(user_id=judge.id, court_id=case.court_id, role=Role.JUDGE,
                              device_id="cli", username=judge.username)
        demo = court.is_demo
        last_four = party.id_number[-4:] if demo and party.id_number else None
    issued = issue_code(db, principal, case.id, party.id)
    return OperatorIssue(issued, party.name, last_four)


def _demo_showcase(query: Any) -> Any:
    """In a demo court: a case still under way with money recovered, most disclosed nodes
    first."""
    steps = (sa.select(sa.func.count()).select_from(NodeEvent)
             .join(EnforcementNode, sa.and_(EnforcementNode.court_id == NodeEvent.court_id,
                                            EnforcementNode.id == NodeEvent.node_id))
             .where(NodeEvent.court_id == EnforcementCase.court_id,
                    NodeEvent.case_id == EnforcementCase.id,
                    EnforcementNode.disclosure != "never").scalar_subquery())
    return query.join(Court, Court.id == EnforcementCase.court_id).where(
        Court.is_demo.is_(True), Party.kind == PartyKind.PERSON,
        EnforcementCase.status.in_((CaseStatus.IN_PROGRESS, CaseStatus.RESUMED,
                                    CaseStatus.SETTLED)),
        EnforcementCase.amount_recovered > 0).order_by(steps.desc())
