"""Credit repair (信用修复): restoring the credit of a debtor who paid or keeps to a
settlement.

An officer (or judge) enters the application for a debtor of a case, with the grounds,
a note of the evidence and the measures to lift (by default all in force). The judge
approves or rejects it with a reason. Approval lifts the chosen measures still in force
with effect from ``effective_on`` (an event each, ``enforcement.credit.measures``) in the same
transaction, and from then on the debtor is no longer wanted for that case
(``wanted.wanted_debts``): the next pull evicts them from the assistants' phones.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from sqlmodel import Session

from enforcement import policy
from enforcement.accounts.principal import Principal
from enforcement.credit import measures
from enforcement.errors import Conflict, ValidationFailed
from enforcement.infrastructure import audit
from enforcement.infrastructure.db import Database
from enforcement.infrastructure.ids import plausible_id
from enforcement.infrastructure.paging import Page, Position, newest_first, page_of
from enforcement.models import (
    CreditRepair,
    EnforcementCase,
    MeasureKind,
    Party,
    RepairGrounds,
    RepairStatus,
    utcnow,
)


@dataclass(frozen=True, slots=True)
class RepairApplication:
    party_id: str
    case_id: str
    grounds: RepairGrounds
    evidence_note: str = ""
    measure_kinds: tuple[MeasureKind, ...] | None = None
    """None: every measure in force."""


@dataclass(frozen=True, slots=True)
class RepairDecision:
    approve: bool
    reason: str
    effective_on: date | None = None
    """Approval only; default today. Not in the future, not before the measures began."""


@dataclass(frozen=True, slots=True)
class RepairFilters:
    status: tuple[RepairStatus, ...] = ()
    party_id: str | None = None
    case_id: str | None = None

    def clauses(self) -> list[sa.ColumnElement[bool]]:
        where: list[sa.ColumnElement[bool]] = []
        if self.status:
            where.append(CreditRepair.status.in_(self.status))
        if self.party_id is not None:
            where.append(CreditRepair.party_id == self.party_id)
        if self.case_id is not None:
            where.append(CreditRepair.case_id == self.case_id)
        return where


def list_repairs(db: Database, principal: Principal, filters: RepairFilters,
                 after: Position | None, limit: int) -> Page[CreditRepair]:
    """Applications of the caller's court, newest first."""
    with db.unit_of_work() as session:
        query = sa.select(CreditRepair).where(
            policy.scope_filter(principal, "repair.read", CreditRepair), *filters.clauses())
        return page_of(session.scalars(newest_first(
            query, CreditRepair.created_at, CreditRepair.id, after, limit)).all(), limit)


def get_repair(db: Database, principal: Principal, repair_id: str) -> CreditRepair:
    with db.unit_of_work() as session:
        return visible_repair(session, principal, "repair.read", repair_id)


def apply(db: Database, principal: Principal, application: RepairApplication) -> CreditRepair:
    """Enter an application. The debtor must have a measure in force to lift (409
    ``no_measures_in_force``) and no other application pending for the case (409
    ``repair_pending``)."""
    policy.require(principal, "repair.create")
    with db.unit_of_work() as session:
        party = _party(session, principal, application.party_id)
        measures.require_debtor(session, party, application.case_id)
        in_force = {m.kind for m in measures.in_force(session, party)}
        kinds = set(application.measure_kinds or in_force)
        if not in_force:
            raise Conflict("the debtor has no measure in force", code="no_measures_in_force")
        if not kinds <= in_force:
            raise ValidationFailed("some of those measures are not in force",
                                   code="measure_not_in_force", errors={"json": {
                                       "measure_kinds": [f"in force: {sorted(in_force)}"]}})
        if _pending(session, party, application.case_id):
            raise Conflict("an application for this debtor and case is pending",
                           code="repair_pending")
        repair = CreditRepair(
            court_id=party.court_id, party_id=party.id, case_id=application.case_id,
            grounds=application.grounds, evidence_note=application.evidence_note,
            measure_kinds=sorted(k.value for k in kinds), applied_by=principal.user_id)
        session.add(repair)
        session.flush()
        _audit(session, principal, "repair.apply", repair)
        session.commit()
        return repair


def decide(db: Database, principal: Principal, repair_id: str,
           decision: RepairDecision) -> CreditRepair:
    """Approve or reject a pending application (judges); a decided one is 409
    ``repair_decided``. Approval lifts the chosen measures still in force."""
    with db.unit_of_work() as session:
        repair = visible_repair(session, principal, "repair.decide", repair_id, for_update=True)
        if repair.status != RepairStatus.PENDING:
            raise Conflict(f"the application is already {repair.status.value}",
                           code="repair_decided", current_status=repair.status.value)
        repair.status = RepairStatus.APPROVED if decision.approve else RepairStatus.REJECTED
        repair.decided_by, repair.decided_at = principal.user_id, utcnow()
        repair.decision_reason = decision.reason
        if decision.approve:
            repair.effective_on = decision.effective_on or measures.court_today()
            _lift_chosen(session, principal, repair)
        repair.version += 1
        repair.updated_at = utcnow()
        _audit(session, principal, f"repair.{repair.status.value}", repair)
        session.commit()
        return repair


def _lift_chosen(session: Session, principal: Principal, repair: CreditRepair) -> None:
    assert repair.effective_on is not None
    party = session.scalars(sa.select(Party).where(
        Party.court_id == repair.court_id, Party.id == repair.party_id).with_for_update()).one()
    for measure in measures.in_force(session, party):
        if measure.kind.value in repair.measure_kinds:
            measures.lift_in_session(session, principal, measure, repair.effective_on,
                                     "信用修复", repair_id=repair.id)
    measures.refresh_flags(session, party)
    # The party leaves the wanted list even when no flag changed: send it again.
    party.version += 1
    party.updated_at = utcnow()


def visible_repair(session: Session, principal: Principal, action: str, repair_id: str,
                   *, for_update: bool = False) -> CreditRepair:
    return policy.visible_row(session, principal, action, CreditRepair, repair_id,
                              "repair_not_found", for_update=for_update)


def _party(session: Session, principal: Principal, party_id: str) -> Party:
    party = session.scalars(sa.select(Party).where(
        Party.court_id == principal.court_id, Party.id == party_id).with_for_update()
    ).first() if plausible_id(party_id) else None
    if party is None:
        raise ValidationFailed("unknown references", errors={"json": {"party_id": [
            f"no party with id {party_id} in this court"]}})
    return party


def _pending(session: Session, party: Party, case_id: str) -> bool:
    return session.scalars(sa.select(CreditRepair.id).where(
        CreditRepair.court_id == party.court_id, CreditRepair.party_id == party.id,
        CreditRepair.case_id == case_id, CreditRepair.status == RepairStatus.PENDING)
    ).first() is not None


def _audit(session: Session, principal: Principal, action: str, repair: CreditRepair) -> None:
    audit.record(session, court_id=repair.court_id, action=action,
                 actor_id=principal.user_id, device_id=principal.device_id,
                 subject_table="credit_repair", subject_id=repair.id,
                 detail={"party_id": repair.party_id, "case_id": repair.case_id,
                         "measure_kinds": repair.measure_kinds,
                         "effective_on": repair.effective_on.isoformat()
                         if repair.effective_on else None})


def certificate_facts(db: Database, principal: Principal, repair_id: str) -> dict[str, object]:
    """What the certificate states: the debtor, the case, the measures lifted and when.
    Only for an approved repair (409 ``repair_not_approved``); the name is shown in full
    (officers and judges may read it), and the read is audited."""
    with db.unit_of_work() as session:
        repair = visible_repair(session, principal, "repair.read", repair_id)
        if repair.status != RepairStatus.APPROVED:
            raise Conflict("only an approved repair has a certificate",
                           code="repair_not_approved", current_status=repair.status.value)
        party = session.get(Party, (repair.court_id, repair.party_id))
        case = session.get(EnforcementCase, (repair.court_id, repair.case_id))
        assert party is not None and case is not None
        audit.record(session, court_id=repair.court_id, action="party.read_unmasked",
                     actor_id=principal.user_id, device_id=principal.device_id,
                     subject_table="party", subject_id=party.id,
                     detail={"repair_id": repair.id, "via": "credit_certificate"})
        session.commit()
        return {"repair_id": repair.id, "party_name": party.name, "case_number":
                case.case_number, "grounds": repair.grounds.value,
                "measure_kinds": list(repair.measure_kinds),
                "effective_on": repair.effective_on, "decided_at": repair.decided_at,
                "decision_reason": repair.decision_reason or ""}
