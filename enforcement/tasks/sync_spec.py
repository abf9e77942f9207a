"""Sync spec of task answers.

client: ``task_id`` (set once), ``result``, ``answer``, ``answered_at``, ``point``. server:
author, placement, timestamps. An assistant sees their own answers, court staff who read
answers the court's; a new answer needs an open task addressed to the author's grids, as
``tasks.answer_task``.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

from enforcement import policy
from enforcement.accounts.principal import Principal
from enforcement.models import (
    TaskAnswer,
)
from enforcement.models.base import table_of
from enforcement.syncing.common import (
    CR,
    PLACED,
    POINT,
    SR,
    C,
    checked,
    domain_values,
    iso_sql,
    normalise_point,
    parse_time,
    restore_hook,
    soft_delete,
    text,
)
from enforcement.syncing.values import AS_POINT, TableValues, placed
from enforcement.tasks import usecases as tasks
from sync.spec import Kind, SyncSpec

ANSWER_FIELDS = {"task_id": CR, "result": CR, "answer": C,
                 "answered_at": C.of(Kind.TIME, required=True), "point": POINT,
                 "author_id": SR, **PLACED}
ANSWER_RESULTS = ("done", "not_found", "unable", "info")


_answer = table_of(TaskAnswer).c
ANSWER_VALUES = TableValues(TaskAnswer, (
    ("task_id", _answer.task_id), ("result", _answer.result), ("answer", _answer.answer),
    ("answered_at", iso_sql(_answer.answered_at)), ("point", AS_POINT),
    ("author_id", _answer.author_id), *placed(table_of(TaskAnswer)),
))
"""The answer as a phone stores it, for pulls and push results alike."""


def _result(value: Any) -> str:
    if value not in ANSWER_RESULTS:
        raise ValueError(f"result is one of {', '.join(ANSWER_RESULTS)}")
    return str(value)


def normalise_answer(fields: dict[str, Any]) -> dict[str, Any]:
    return checked("task_answer", fields, {
        "answered_at": parse_time, "point": normalise_point, "result": _result,
        "answer": text(nullable=False), "task_id": text(36, nullable=False),
    })


def _domain(values: dict[str, Any]) -> dict[str, Any]:
    """Normalised sync values as the answer write path takes them."""
    return domain_values(ANSWER_FIELDS, values)


def _create_answer(session: Session, principal: Principal, record_id: str,
                   values: dict[str, Any]) -> TaskAnswer:
    """``tasks.create_answer``, the REST answer's write: an open task addressed to one of
    the caller's grids."""
    return tasks.create_answer(session, principal, record_id, _domain(values))


def _update_answer(session: Session, principal: Principal, row: TaskAnswer,
                   values: dict[str, Any]) -> None:
    tasks.edit_answer_values(session, principal, row, _domain(values))


def _delete_answer(session: Session, principal: Principal, row: TaskAnswer) -> None:
    """Phones may take an answer back (REST has no such door): its author, while the task
    is open."""
    tasks.may_change_answer(session, principal, row, {})
    soft_delete(session, row)


def _answer_scope(principal: Principal, change: sa.Table) -> sa.ColumnElement[bool]:
    """Court staff who read answers see the court's; an assistant sees their own."""
    if policy.scope_of(principal.role, "task.read_answers") == "court":
        return sa.true()
    if policy.scope_of(principal.role, "task.answer") is not None:
        return change.c.author_id == principal.user_id
    return sa.false()


def _load_answer(session: Session, principal: Principal, record_id: str) -> TaskAnswer | None:
    row = session.scalars(sa.select(TaskAnswer).where(
        TaskAnswer.court_id == principal.court_id, TaskAnswer.id == record_id)
        .with_for_update()).first()
    if row is None:
        return None
    readable = (policy.scope_of(principal.role, "task.read_answers") == "court"
                or row.author_id == principal.user_id)
    return row if readable else None


ANSWER_SPEC = SyncSpec(
    table="task_answer", fields=ANSWER_FIELDS, load=_load_answer,
    values=ANSWER_VALUES.values, pull_many=ANSWER_VALUES.pull,
    create=_create_answer, update=_update_answer, delete=_delete_answer, restore=restore_hook,
    scope=_answer_scope, normalise=normalise_answer,
)
