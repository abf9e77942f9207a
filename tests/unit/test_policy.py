"""The access policy's shape: every role × action is either granted with a scope or
deliberately absent. Changing the policy means changing this table too, on purpose."""

from __future__ import annotations

import pytest

from enforcement import policy
from enforcement.accounts.principal import Principal
from enforcement.errors import Forbidden
from enforcement.models import Role

_ = None
ROLES = (Role.GRID_ASSISTANT, Role.MEDIATOR, Role.OFFICER, Role.JUDGE, Role.DEPUTY,
         Role.LIAISON_UNIT, Role.ADMIN)
EXPECTED = {
    #                      assistant   mediator    officer  judge    deputy      liaison admin
    "lead.create":         ("own_grid", _,          "court", "court", _,          _,      _),
    "lead.read":           ("own",      _,          "court", "court", _,          _,      _),
    "lead.update":         ("own",      _,          _,       _,       _,          _,      _),
    "lead.transition":     (_,          _,          "court", "court", _,          _,      _),
    "lead.withdraw":       ("own",      _,          "own",   "own",   _,          _,      _),
    "case.read":           ("own_grid", "assigned", "court", "court", "followed", _,      _),
    "case.read_amounts":   (_,          "assigned", "court", "court", "followed", _,      _),
    "party.read_unmasked": (_,          "assigned", "court", "court", _,          _,      _),
    "wanted.read":         ("own_grid", _,          _,       _,       _,          _,      _),
    "case.read_mediators": (_,          "assigned", "court", "court", _,          _,      _),
    "case.assign_mediator": (_,         _,          "court", "court", _,          _,      _),
    "sighting.create":     ("own_grid", _,          "court", "court", _,          _,      _),
    "sighting.read":       ("own_grid", _,          "court", "court", _,          _,      _),
    "sighting.update":     ("own",      _,          "own",   "own",   _,          _,      _),
    "sighting.withdraw":   ("own",      _,          "own",   "own",   _,          _,      _),
    "feed.read":           (_,          _,       "township", "township", _,       _,      _),
    "mediation.create":    ("own_grid", "assigned", _,       _,       _,          _,      _),
    "mediation.read":      ("own",      "assigned", "court", "court", "followed", _,      _),
    "mediation.update":    ("own",      "own",      _,       _,       _,          _,      _),
    "mediation.withdraw":  ("own",      "own",      _,       _,       _,          _,      _),
    "settlement.read":     (_,          "assigned", "court", "court", "followed", _,      _),
    "settlement.record_payment": (_,    _,          "court", "court", _,          _,      _),
    "task.create":         (_,          _,          "court", "court", _,          _,      _),
    "task.read":           ("own_grid", _,          "court", "court", _,          _,      _),
    "task.answer":         ("own_grid", _,          _,       _,       _,          _,      _),
    "task.read_answers":   (_,          _,          "court", "court", _,          _,      _),
    "attachment.upload":   ("court",    "court",    "court", "court", _,          _,      _),
    "attachment.read":     ("own",      "own",      "court", "court", "own",      _,      _),
    "node.read":           (_,          _,          "court", "court", "court",    _,      "court"),
    "node.manage":         (_,          _,          _,       "court", _,          _,      "court"),
    "node_event.create":   (_,          _,          "court", "court", _,          _,      _),
    "node_event.read":     (_,          _,          "court", "court", "followed", _,      _),
    "node_event.witness":  (_,          _,          _,       _,       "followed", _,      _),
    "follow.read":         (_,          _,          "court", "court", "own",      _,      "court"),
    "follow.manage":       (_,          _,          _,       "court", _,          _,      "court"),
    "evaluation.create":   (_,          _,          _,       _,       "followed", _,      _),
    "evaluation.read":     (_,          _,          "court", "court", "own",      _,      _),
    "opinion.create":      (_,          _,          _,       _,       "followed", _,      _),
    "opinion.read":        (_,          _,          "court", "court", "own",      _,      _),
    "opinion.reply":       (_,          _,          _,       "court", _,          _,      _),
    "supervision.summary": (_,          _,          "court", "court", "court",    _,      "court"),
    "linkage_unit.read":   (_,          _,          "court", "court", _,     "own_unit", "court"),
    "linkage_unit.manage": (_,          _,          _,       "court", _,          _,      "court"),
    "linkage_request.create": (_,       _,          "court", "court", _,          _,      _),
    "linkage_request.read":   (_,       _,          "court", "court", _,     "own_unit", _),
    "linkage_request.answer": (_,       _,          _,       _,       _,     "own_unit", _),
    "linkage_request.cancel": (_,       _,          "court", "court", _,          _,      _),
    "notice.issue":        (_,          _,          "court", "court", _,          _,      _),
    "notice.read":         (_,          _,          "court", "court", _,     "own_unit", _),
    "notice.acknowledge":  (_,          _,          _,       _,       _,     "own_unit", _),
    "linkage_list.read":   (_,          _,          "court", "court", _,          _,      _),
    "linkage_list.set":    (_,          _,          _,       "court", _,          _,      _),
    "judicial_aid.create": (_,          _,          "court", "court", _,          _,      _),
    "judicial_aid.read":   (_,          _,          "court", "court", _,          _,      _),
    "judicial_aid.decide": (_,          _,          _,       "court", _,          _,      _),
    "judicial_aid.pay":    (_,          _,          "court", "court", _,          _,      _),
    "task.close":          (_,          _,          "court", "court", _,          _,      _),
    "task_answer.read":    ("own",      _,          "court", "court", _,          _,      _),
    "task_answer.update":  ("own",      _,          _,       _,       _,          _,      _),
    "report.read":         (_,          _,          "court", "court", _,          _,      _),
    "assistant.read":      ("own",      _,          "court", "court", _,          _,      _),
    "reward.read":         ("own",      _,          "court", "court", _,          _,      _),
    "reward.decide":       (_,          _,          _,       "court", _,          _,      _),
    "reward_rule.set":     (_,          _,          _,       "court", _,          _,      _),
    "case.resume":         (_,          _,          _,       "court", _,          _,      _),
    "health.read":         (_,          _,          _,       _,       _,          _,  "court"),
    "round.read":          (_,          _,          "court", "court", _,          _,      _),
    "round.plan":          (_,          _,          "court", "court", _,          _,      _),
    "visit.create":        (_,          _,          "court", "court", _,          _,      _),
    "visit.read":          (_,          _,          "court", "court", _,          _,      _),
    "visit.update":        (_,          _,          "own",   "own",   _,          _,      _),
    "measure.read":        (_,          _,          "court", "court", _,          _,      _),
    "measure.decide":      (_,          _,          _,       "court", _,          _,      _),
    "repair.create":       (_,          _,          "court", "court", _,          _,      _),
    "repair.read":         (_,          _,          "court", "court", _,          _,      _),
    "repair.decide":       (_,          _,          _,       "court", _,          _,      _),
    "query_code.read":     (_,          _,          "court", "court", _,          _,      _),
    "query_code.manage":   (_,          _,          _,       "court", _,          _,      _),
    "party_feedback.read": (_,          _,          "court", "court", _,          _,      _),
    "party_feedback.reply": (_,         _,          _,       "court", _,          _,      _),
    "case.record_payout":  (_,          _,          "court", "court", _,          _,      _),
}


def test_every_action_is_in_the_expected_table() -> None:
    assert set(EXPECTED) == set(policy.ACTIONS)


@pytest.mark.parametrize("action", sorted(EXPECTED))
@pytest.mark.parametrize("role", ROLES)
def test_role_action_scope(role: Role, action: str) -> None:
    assert policy.scope_of(role, action) == EXPECTED[action][ROLES.index(role)]


def test_each_role_action_pair_appears_once() -> None:
    pairs = [(role, action) for role, action, _scope in policy.POLICY]
    assert len(pairs) == len(set(pairs))


def test_require_raises_forbidden_for_absent_pairs() -> None:
    deputy = Principal("u", "c", Role.DEPUTY, "d")
    with pytest.raises(Forbidden):
        policy.require(deputy, "lead.read")
    assert policy.require(deputy, "case.read") == "followed"


def test_unknown_actions_are_programming_errors() -> None:
    with pytest.raises(ValueError):
        policy.scope_of(Role.JUDGE, "lead.erase")
