"""What deputies write on the cases they follow: evaluation forms (监督评议表) and
opinion cards (意见建议卡), and the responsible judge's answer to each card.

An opinion card is addressed to the case's judge when it is sent and is due
``answer_days`` later (``OPINION_ANSWER_DAYS``); unanswered cards past that are overdue.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

from enforcement import policy
from enforcement.accounts.principal import Principal
from enforcement.errors import Conflict, Forbidden, NotFound, ValidationFailed
from enforcement.infrastructure.db import Database
from enforcement.infrastructure.filtering import equal
from enforcement.infrastructure.paging import Page, Position, newest_first, page_of
from enforcement.models import (
    DeputyEvaluation,
    EnforcementCase,
    NodeEvent,
    NodeWitness,
    utcnow,
)
from enforcement.supervision import recorded

EVALUATION_CRITERIA: dict[str, tuple[str, str]] = {
    "procedure": ("执行程序规范", "Procedure followed"),
    "conduct": ("文明规范执法", "Civil, lawful conduct"),
    "efficiency": ("执行效率", "Efficiency"),
    "openness": ("执行公开透明", "Openness to the parties"),
}
"""What an evaluation form scores, each 1 (poor) to 5 (very good), plus an overall score."""

EVALUATION, OPINION = "evaluation", "opinion"
DEFAULT_ANSWER_DAYS = 10
"""Days a judge has to answer an opinion card unless ``OPINION_ANSWER_DAYS`` says otherwise;
the Pingtan report asks for prompt feedback (及时落实反馈) without naming a number."""


@dataclass(frozen=True, slots=True)
class CardFilters:
    """Narrows a list of evaluation forms or opinion cards."""

    case_id: str | None = None
    deputy_id: str | None = None
    answered: bool | None = None
    overdue_at: datetime | None = None
    """Only cards unanswered and due before this moment."""

    def clauses(self) -> list[sa.ColumnElement[bool]]:
        where = equal((DeputyEvaluation.case_id, self.case_id),
                      (DeputyEvaluation.deputy_id, self.deputy_id))
        if self.answered is not None:
            where.append(DeputyEvaluation.replied_at.is_not(None) if self.answered
                         else DeputyEvaluation.replied_at.is_(None))
        if self.overdue_at is not None:
            where += [DeputyEvaluation.replied_at.is_(None),
                      DeputyEvaluation.due_at < self.overdue_at]
        return where


def file_evaluation(db: Database, principal: Principal,
                    data: Mapping[str, Any]) -> DeputyEvaluation:
    """An evaluation form on a followed case, optionally on an event the deputy witnessed."""
    with db.unit_of_work() as session:
        case = _followed_case(session, principal, "evaluation.create", data["case_id"])
        event = _witnessed_event(session, principal, case, data.get("node_event_id"))
        evaluation = DeputyEvaluation(
            court_id=case.court_id, case_id=case.id, deputy_id=principal.user_id,
            kind=EVALUATION, node_event_id=event.id if event else None,
            node_id=event.node_id if event else None,
            witnessed_at=event.witnessed_at if event else None, scores=dict(data["scores"]),
            rating=data["overall"], opinion=data.get("comments", ""))
        session.add(evaluation)
        session.flush()
        recorded(session, principal, "evaluation.create", "deputy_evaluation", evaluation.id,
                 case_id=case.id)
        session.commit()
        return evaluation


def send_opinion(db: Database, principal: Principal, data: Mapping[str, Any],
                 answer_days: int) -> DeputyEvaluation:
    """An opinion card to the judge responsible for a followed case, due in ``answer_days``."""
    with db.unit_of_work() as session:
        case = _followed_case(session, principal, "opinion.create", data["case_id"])
        if case.judge_id is None:
            raise Conflict("the case has no responsible judge yet", code="case_has_no_judge")
        now = utcnow()
        card = DeputyEvaluation(
            court_id=case.court_id, case_id=case.id, deputy_id=principal.user_id, kind=OPINION,
            opinion=data["opinion"], judge_id=case.judge_id,
            due_at=now + timedelta(days=answer_days), created_at=now, updated_at=now)
        session.add(card)
        session.flush()
        recorded(session, principal, "opinion.create", "deputy_evaluation", card.id,
                 case_id=case.id, judge_id=case.judge_id)
        session.commit()
        return card


def answer_opinion(db: Database, principal: Principal, opinion_id: str,
                   reply: str) -> DeputyEvaluation:
    """The responsible judge (the card's addressee or the case's judge now) answers, once."""
    with db.unit_of_work() as session:
        card = _visible(session, principal, "opinion.reply", OPINION, opinion_id,
                        for_update=True)
        case = session.get(EnforcementCase, (card.court_id, card.case_id))
        if principal.user_id not in (card.judge_id, case.judge_id if case else None):
            raise Forbidden("only the judge responsible for the case answers",
                            code="not_responsible_judge")
        if card.replied_at is not None:
            raise Conflict("the opinion was already answered", code="opinion_already_answered")
        card.reply, card.replied_by, card.replied_at = reply, principal.user_id, utcnow()
        card.updated_at = card.replied_at
        card.version += 1
        recorded(session, principal, "opinion.reply", "deputy_evaluation", card.id,
                 case_id=card.case_id, late=card.due_at is not None
                 and card.replied_at > card.due_at)
        session.commit()
        return card


def list_records(db: Database, principal: Principal, kind: str, filters: CardFilters,
                 after: Position | None, limit: int) -> Page[DeputyEvaluation]:
    """Evaluations or opinion cards: court staff every one, deputies their own."""
    action = "opinion.read" if kind == OPINION else "evaluation.read"
    with db.unit_of_work() as session:
        query = sa.select(DeputyEvaluation).where(
            policy.scope_filter(principal, action, DeputyEvaluation),
            DeputyEvaluation.kind == kind, *filters.clauses())
        rows = session.scalars(newest_first(query, DeputyEvaluation.created_at,
                                            DeputyEvaluation.id, after, limit)).all()
        return page_of(rows, limit)


def get_record(db: Database, principal: Principal, kind: str,
               record_id: str) -> DeputyEvaluation:
    action = "opinion.read" if kind == OPINION else "evaluation.read"
    with db.unit_of_work() as session:
        return _visible(session, principal, action, kind, record_id)


def _followed_case(session: Session, principal: Principal, action: str,
                   case_id: str) -> EnforcementCase:
    """The case, if the deputy follows it now: 404 ``case_not_found`` otherwise."""
    policy.require(principal, action)
    return policy.visible_row(session, principal, action, EnforcementCase, case_id,
                              "case_not_found")


def _witnessed_event(session: Session, principal: Principal, case: EnforcementCase,
                     event_id: str | None) -> Any:
    """The event and when this deputy witnessed it; 422 unless both hold for this case."""
    if event_id is None:
        return None
    row = session.execute(
        sa.select(NodeEvent.id, NodeEvent.node_id, NodeWitness.witnessed_at)
        .join(NodeWitness, sa.and_(NodeWitness.court_id == NodeEvent.court_id,
                                   NodeWitness.node_event_id == NodeEvent.id,
                                   NodeWitness.deputy_id == principal.user_id))
        .where(NodeEvent.court_id == case.court_id, NodeEvent.id == event_id,
               NodeEvent.case_id == case.id)).first()
    if row is None:
        raise ValidationFailed("not an event of this case that you witnessed",
                               code="node_event_not_witnessed", errors={"json": {
                                   "node_event_id": ["record that you witnessed it first"]}})
    return row


def _visible(session: Session, principal: Principal, action: str, kind: str, record_id: str,
             for_update: bool = False) -> DeputyEvaluation:
    code = "opinion_not_found" if kind == OPINION else "evaluation_not_found"
    row = policy.visible_row(session, principal, action, DeputyEvaluation, record_id, code,
                             for_update=for_update)
    if row.kind != kind:
        raise NotFound(code=code)
    return row
