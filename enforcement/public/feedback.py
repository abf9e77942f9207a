"""What parties say of their case: a satisfaction score (1-5), a comment, and optionally a
complaint that the case's judge must answer within the same period as a deputy's opinion
card (``OPINION_ANSWER_DAYS``): an unanswered complaint past its due time is overdue in
the same way, and the judge answers it once, as they answer a card.

One evaluation per code: a party cannot stack scores for or against a judge (a re-issued
code may evaluate again). The judge and township of the case at that moment are kept with
it, so the report credits whoever had the case then.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa

from enforcement import policy
from enforcement.accounts.principal import Principal
from enforcement.errors import Conflict, Forbidden
from enforcement.infrastructure import audit
from enforcement.infrastructure.db import Database
from enforcement.infrastructure.filtering import equal
from enforcement.infrastructure.paging import Page, Position, newest_first, page_of
from enforcement.infrastructure.tokens import TokenSettings
from enforcement.models import EnforcementCase, PartyEvaluation, utcnow
from enforcement.public.access import code_of_token


@dataclass(frozen=True, slots=True)
class FeedbackFilters:
    case_id: str | None = None
    judge_id: str | None = None
    complaints_only: bool = False
    answered: bool | None = None
    overdue_at: datetime | None = None
    """Only complaints unanswered and due before this moment."""

    def clauses(self) -> list[sa.ColumnElement[bool]]:
        where = equal((PartyEvaluation.case_id, self.case_id),
                      (PartyEvaluation.judge_id, self.judge_id))
        if self.complaints_only or self.overdue_at is not None:
            where.append(PartyEvaluation.complaint.is_not(None))
        if self.answered is not None:
            where.append(PartyEvaluation.replied_at.is_not(None) if self.answered
                         else PartyEvaluation.replied_at.is_(None))
        if self.overdue_at is not None:
            where += [PartyEvaluation.replied_at.is_(None),
                      PartyEvaluation.due_at < self.overdue_at]
        return where


def evaluate(db: Database, tokens: TokenSettings, token: str, data: Mapping[str, Any],
             answer_days: int, ip: str | None) -> PartyEvaluation:
    """The party's evaluation of the case they opened; a complaint is due for the judge's
    answer ``answer_days`` from now."""
    with db.unit_of_work() as session:
        code = code_of_token(session, tokens, token, for_update=True)
        case = session.get(EnforcementCase, (code.court_id, code.case_id))
        assert case is not None  # the code's foreign key
        done = session.scalar(sa.select(sa.exists().where(
            PartyEvaluation.court_id == code.court_id,
            PartyEvaluation.query_code_id == code.id)))
        if done:
            raise Conflict("this code has already been used to evaluate the case",
                           code="already_evaluated")
        now = utcnow()
        complaint = (data.get("complaint") or "").strip() or None
        row = PartyEvaluation(
            court_id=code.court_id, case_id=case.id, query_code_id=code.id, role=code.role,
            rating=data["rating"], comment=(data.get("comment") or "").strip(),
            complaint=complaint, judge_id=case.judge_id, township_id=case.township_id,
            created_at=now, due_at=now + timedelta(days=answer_days) if complaint else None)
        session.add(row)
        session.flush()
        audit.record(session, court_id=code.court_id, action="public.evaluate",
                     subject_table="party_evaluation", subject_id=row.id, ip=ip,
                     detail={"case_id": case.id, "query_code_id": code.id,
                             "complaint": complaint is not None})
        session.commit()
        return row


def list_feedback(db: Database, principal: Principal, filters: FeedbackFilters,
                  after: Position | None, limit: int) -> Page[PartyEvaluation]:
    """The parties' evaluations and complaints of the court, newest first (court staff)."""
    with db.unit_of_work() as session:
        query = sa.select(PartyEvaluation).where(
            policy.scope_filter(principal, "party_feedback.read", PartyEvaluation),
            *filters.clauses())
        rows = session.scalars(newest_first(query, PartyEvaluation.created_at,
                                            PartyEvaluation.id, after, limit)).all()
        return page_of(rows, limit)


def get_feedback(db: Database, principal: Principal, evaluation_id: str) -> PartyEvaluation:
    with db.unit_of_work() as session:
        return policy.visible_row(session, principal, "party_feedback.read", PartyEvaluation,
                                  evaluation_id, "party_evaluation_not_found")


def answer_complaint(db: Database, principal: Principal, evaluation_id: str,
                     reply: str) -> PartyEvaluation:
    """The responsible judge (the case's judge then or now) answers a complaint, once."""
    with db.unit_of_work() as session:
        row = policy.visible_row(session, principal, "party_feedback.reply", PartyEvaluation,
                                 evaluation_id, "party_evaluation_not_found", for_update=True)
        case = session.get(EnforcementCase, (row.court_id, row.case_id))
        if principal.user_id not in (row.judge_id, case.judge_id if case else None):
            raise Forbidden("only the judge responsible for the case answers",
                            code="not_responsible_judge")
        if row.complaint is None:
            raise Conflict("the evaluation holds no complaint to answer",
                           code="no_complaint_to_answer")
        if row.replied_at is not None:
            raise Conflict("the complaint was already answered",
                           code="complaint_already_answered")
        row.reply, row.replied_by, row.replied_at = reply, principal.user_id, utcnow()
        audit.record(session, court_id=row.court_id, action="party_feedback.reply",
                     actor_id=principal.user_id, device_id=principal.device_id,
                     subject_table="party_evaluation", subject_id=row.id,
                     detail={"case_id": row.case_id,
                             "late": row.due_at is not None and row.replied_at > row.due_at})
        session.commit()
        return row
