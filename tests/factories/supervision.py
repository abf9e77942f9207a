"""Deputies following cases, enforcement nodes and what deputies witness and ask."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlmodel import Session

from enforcement.models import (
    CaseFollow,
    Court,
    DeputyEvaluation,
    EnforcementCase,
    EnforcementNode,
    NodeEvent,
    NodeWitness,
    User,
    utcnow,
)
from tests.factories.accounts import unique


def follow_case(session: Session, deputy: User, case: EnforcementCase) -> CaseFollow:
    follow = CaseFollow(court_id=deputy.court_id, deputy_id=deputy.id, case_id=case.id)
    session.add(follow)
    session.flush()
    return follow


def create_node(session: Session, court: Court, **overrides: Any) -> EnforcementNode:
    """A node of the court's catalogue (witnessable unless told)."""
    values: dict[str, Any] = {"court_id": court.id, "code": unique("n").replace("-", "_"),
                              "name_zh": "查封", "name_en": "Sealing up", "seq": 1}
    node = EnforcementNode(**(values | overrides))
    session.add(node)
    session.flush()
    return node


def create_node_event(session: Session, case: EnforcementCase, node: EnforcementNode,
                      recorded_by: User, **overrides: Any) -> NodeEvent:
    """A node event on ``case`` that took place an hour ago unless told."""
    values: dict[str, Any] = {"court_id": case.court_id, "case_id": case.id, "node_id": node.id,
                              "recorded_by": recorded_by.id,
                              "occurs_at": utcnow() - timedelta(hours=1), "place": "东关村"}
    event = NodeEvent(**(values | overrides))
    session.add(event)
    session.flush()
    return event


def witness_event(session: Session, deputy: User, event: NodeEvent,
                  **overrides: Any) -> NodeWitness:
    values: dict[str, Any] = {"court_id": event.court_id, "node_event_id": event.id,
                              "deputy_id": deputy.id, "witnessed_at": event.occurs_at}
    row = NodeWitness(**(values | overrides))
    session.add(row)
    session.flush()
    return row


def create_opinion(session: Session, deputy: User, case: EnforcementCase,
                   **overrides: Any) -> DeputyEvaluation:
    """An opinion card to the case's judge, due in 10 days unless told."""
    values: dict[str, Any] = {"court_id": case.court_id, "case_id": case.id,
                              "deputy_id": deputy.id, "kind": "opinion", "opinion": "建议加快",
                              "judge_id": case.judge_id,
                              "due_at": utcnow() + timedelta(days=10)}
    card = DeputyEvaluation(**(values | overrides))
    session.add(card)
    session.flush()
    return card
