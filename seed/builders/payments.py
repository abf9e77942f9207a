"""Money coming in on a case: amounts that keep each case's story possible, and the
outcomes that record them (rounds, leads and officers all record outcomes)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from enforcement.models import OutcomeKind
from seed.context import CaseState, CountyDraft
from seed.records.rounds import DemoOutcome
from seed.values import local_moment, yuan


def payment_amount(draft: CountyDraft, state: CaseState, on: date, low: float = 0.1,
                   high: float = 0.6) -> Decimal:
    """A payment on ``on`` that stays within what the case's story allows (0 when too
    little is left)."""
    cap = state.cap(on)
    if cap < Decimal("100"):
        return Decimal("0.00")
    remaining = float(state.owed - state.paid)
    amount = yuan(min(float(cap), max(100.0, remaining * draft.rng.uniform(low, high))))
    return min(amount, cap)


def _pay(state: CaseState, on: date, amount: Decimal) -> None:
    state.paid += amount
    state.payments.append((on, amount))
    state.touch(on)


def record_outcome(draft: CountyDraft, kind: OutcomeKind, state: CaseState, on: date,
                   recorded_by: str, amount: Decimal = Decimal("0.00"),
                   lead_id: str | None = None, round_id: str | None = None,
                   visit_id: str | None = None, notes: str = "") -> DemoOutcome:
    """Record an outcome on the case; money received counts towards what it has paid."""
    outcome = DemoOutcome(
        court_id=draft.court_id, id=draft.uid(), kind=kind, case_id=state.case.id,
        lead_id=lead_id, round_id=round_id, visit_id=visit_id, amount=amount,
        occurred_on=on, notes=notes, recorded_by=recorded_by,
        recorded_at=local_moment(on, draft.rng, 17.0, 20.0),
    )
    draft.outcomes.append(outcome)
    if amount > 0:
        _pay(state, on, amount)
    return outcome
