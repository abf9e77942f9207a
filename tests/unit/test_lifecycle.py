"""The lead lifecycle as pure rules."""

from __future__ import annotations

import itertools

import pytest

from enforcement.errors import Conflict, Forbidden
from enforcement.leads import lifecycle
from enforcement.models import LeadStatus, Role

S = LeadStatus
HAPPY_PATH = [S.SUBMITTED, S.UNDER_REVIEW, S.ACCEPTED, S.ASSIGNED, S.VERIFIED,
              S.OUTCOME_RECORDED, S.CLOSED]


def test_the_happy_path_is_legal_for_a_judge() -> None:
    for current, target in itertools.pairwise(HAPPY_PATH):
        lifecycle.check(Role.JUDGE, current, target)


@pytest.mark.parametrize(("current", "target"), [
    (S.SUBMITTED, S.ACCEPTED), (S.SUBMITTED, S.CLOSED), (S.UNDER_REVIEW, S.ASSIGNED),
    (S.REJECTED, S.UNDER_REVIEW), (S.CLOSED, S.SUBMITTED), (S.DUPLICATE, S.ACCEPTED),
    (S.ASSIGNED, S.OUTCOME_RECORDED), (S.NOT_FOUND, S.OUTCOME_RECORDED),
    (S.VERIFIED, S.VERIFIED),
])
def test_illegal_steps_are_conflicts_whoever_asks(current: S, target: S) -> None:
    for role in Role:
        with pytest.raises(Conflict) as raised:
            lifecycle.check(role, current, target)
        assert raised.value.code == "invalid_transition"


def test_officers_do_field_work_but_do_not_triage() -> None:
    lifecycle.check(Role.OFFICER, S.ACCEPTED, S.ASSIGNED)
    lifecycle.check(Role.OFFICER, S.ASSIGNED, S.NOT_FOUND)
    lifecycle.check(Role.OFFICER, S.NOT_FOUND, S.CLOSED)
    for target in (S.ACCEPTED, S.REJECTED, S.DUPLICATE):
        with pytest.raises(Forbidden):
            lifecycle.check(Role.OFFICER, S.UNDER_REVIEW, target)


@pytest.mark.parametrize("role", [Role.GRID_ASSISTANT, Role.MEDIATOR, Role.DEPUTY,
                                  Role.LIAISON_UNIT, Role.ADMIN])
def test_other_roles_move_nothing(role: Role) -> None:
    for current, targets in lifecycle.TRANSITIONS.items():
        for target in targets:
            with pytest.raises(Forbidden):
                lifecycle.check(role, current, target)


def test_every_status_has_a_row_and_terminal_statuses_lead_nowhere() -> None:
    assert set(lifecycle.TRANSITIONS) == set(S)
    assert {s for s, t in lifecycle.TRANSITIONS.items() if not t} == {
        S.REJECTED, S.DUPLICATE, S.CLOSED}
