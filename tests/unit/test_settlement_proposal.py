"""A settlement proposal's schedule must add up to its total, in date order."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from enforcement.mediation.notes import PlannedPayment, Proposal, proposal_errors
from enforcement.models import SettlementKind

D = Decimal


def _plan(total: str, *payments: tuple[str, str], kind=SettlementKind.INSTALMENTS) -> Proposal:
    return Proposal(kind, D(total), tuple(PlannedPayment(date.fromisoformat(due), D(amount))
                                          for due, amount in payments))


def test_a_schedule_that_adds_up_in_order_is_fine() -> None:
    assert proposal_errors(_plan("300.10", ("2027-01-01", "100.05"),
                                 ("2027-01-01", "100.05"), ("2027-03-01", "100.00"))) == []
    assert proposal_errors(_plan("5.00", ("2027-01-01", "5.00"),
                                 kind=SettlementKind.LUMP_SUM)) == []


@pytest.mark.parametrize(("proposal", "fragment"), [
    (_plan("300.00", ("2027-01-01", "100.00"), ("2027-02-01", "199.99")), "add up to 299.99"),
    (_plan("100.00"), "at least one payment"),
    (_plan("100.00", ("2027-01-01", "100.00"), ("2027-02-01", "0.00")), "above zero"),
    (_plan("200.00", ("2027-02-01", "100.00"), ("2027-01-01", "100.00")), "in order"),
    (_plan("200.00", ("2027-01-01", "100.00"), ("2027-02-01", "100.00"),
           kind=SettlementKind.LUMP_SUM), "single payment"),
])
def test_what_is_wrong_is_said(proposal: Proposal, fragment: str) -> None:
    assert any(fragment in error for error in proposal_errors(proposal))


def test_the_stored_form_keeps_exact_amounts_and_sequence() -> None:
    stored = _plan("0.30", ("2027-01-01", "0.10"), ("2027-02-01", "0.20")).as_json()
    assert stored == {"kind": "instalments", "total": "0.30", "instalments": [
        {"seq": 1, "due_on": "2027-01-01", "amount": "0.10"},
        {"seq": 2, "due_on": "2027-02-01", "amount": "0.20"}]}
