"""Payments of proceeds to the applicant (案款发放): what the parties' page shows as paid
out. An officer or judge records each transfer; the total never exceeds what the case has
recovered (409 ``payout_exceeds_recovered``), and each is a case event and an audit entry.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from enforcement import policy
from enforcement.accounts.principal import Principal
from enforcement.credit.measures import not_in_future
from enforcement.errors import Conflict
from enforcement.infrastructure import audit
from enforcement.infrastructure.db import Database
from enforcement.models import CaseEvent, EnforcementCase, utcnow


@dataclass(frozen=True, slots=True)
class PaidOut:
    case_id: str
    amount: Decimal
    paid_on: date
    amount_paid_out: Decimal
    amount_recovered: Decimal
    version: int


def record_payout(db: Database, principal: Principal, case_id: str, amount: Decimal,
                  paid_on: date) -> PaidOut:
    """Add a transfer to the applicant to the case's total paid out."""
    policy.require(principal, "case.record_payout")
    not_in_future("paid_on", paid_on)
    with db.unit_of_work() as session:
        case = policy.visible_row(session, principal, "case.record_payout", EnforcementCase,
                                  case_id, "case_not_found", for_update=True)
        total = case.amount_paid_out + amount
        if total > case.amount_recovered:
            raise Conflict("more would be paid out than the case has recovered",
                           code="payout_exceeds_recovered",
                           amount_recovered=str(case.amount_recovered),
                           amount_paid_out=str(case.amount_paid_out))
        now = utcnow()
        case.amount_paid_out, case.version, case.updated_at = total, case.version + 1, now
        session.add(CaseEvent(court_id=case.court_id, case_id=case.id, kind="payout",
                              actor_id=principal.user_id, at=now,
                              reason=f"{amount} ({paid_on.isoformat()})"))
        audit.record(session, court_id=case.court_id, action="case.payout",
                     actor_id=principal.user_id, device_id=principal.device_id,
                     subject_table="enforcement_case", subject_id=case.id,
                     detail={"amount": str(amount), "paid_on": paid_on.isoformat(),
                             "amount_paid_out": str(total)})
        session.commit()
        return PaidOut(case.id, amount, paid_on, total, case.amount_recovered, case.version)
