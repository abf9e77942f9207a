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
from enforcement.errors import Conflict, ValidationFailed
from enforcement.models import (
    Task,
    TaskAnswer,
    TaskStatus,
)
from enforcement.principal import Principal
from enforcement.sync_tables.common import (
    CR,
    PLACED,
    POINT,
    SR,
    C,
    assign,
    bump,
    checked,
    iso,
    load_ids,
    normalise_point,
    parse_time,
    placed,
    point_value,
    require_author,
    require_fields,
    require_new,
    restore_hook,
    soft_delete,
    store_point,
    text,
    to_datetime,
)
from sync.spec import Kind, SyncSpec

ANSWER_FIELDS = {"task_id": CR, "result": CR, "answer": C,
                 "answered_at": C.of(Kind.TIME, required=True), "point": POINT,
                 "author_id": SR, **PLACED}
ANSWER_RESULTS = ("done", "not_found", "unable", "info")


def answer_values(row: TaskAnswer, principal: Principal) -> dict[str, Any]:
    return {"task_id": row.task_id, "result": row.result, "answer": row.answer,
            "answered_at": iso(row.answered_at), "point": point_value(row),
            "author_id": row.author_id, **placed(row)}


def _result(value: Any) -> str:
    if value not in ANSWER_RESULTS:
        raise ValueError(f"result is one of {', '.join(ANSWER_RESULTS)}")
    return str(value)


def normalise_answer(fields: dict[str, Any]) -> dict[str, Any]:
    return checked("task_answer", fields, {
        "answered_at": parse_time, "point": normalise_point, "result": _result,
        "answer": text(nullable=False), "task_id": text(36, nullable=False),
    })


def _write_answer(session: Session, row: TaskAnswer, values: dict[str, Any]) -> None:
    assign(row, values, ("result", "answer"))
    if "answered_at" in values:
        row.answered_at = to_datetime(values["answered_at"])  # type: ignore[assignment]
    if "point" in values:
        store_point(session, row, values["point"])


def _create_answer(session: Session, principal: Principal, record_id: str,
                   values: dict[str, Any]) -> TaskAnswer:
    """As ``tasks.answer_task``: an open task addressed to one of the caller's grids."""
    require_fields(values, "task_id", "result", "answered_at")
    task = policy.visible_row(session, principal, "task.answer", Task, values["task_id"],
                              "task_not_found")
    if task.status != TaskStatus.OPEN:
        raise Conflict(f"the task is {task.status.value}", code="task_not_open")
    require_new(session, TaskAnswer, principal, record_id, "task_answer_exists")
    row = TaskAnswer(court_id=principal.court_id, id=record_id, task_id=task.id,
                     author_id=principal.user_id, device_id=principal.device_id,
                     result=values["result"], answered_at=to_datetime(values["answered_at"]))
    _write_answer(session, row, values)
    session.add(row)
    session.flush()
    return row


def _may_edit_answer(principal: Principal, row: TaskAnswer, values: dict[str, Any]) -> None:
    policy.require(principal, "task.answer")
    require_author(principal, row)
    if values.get("task_id", row.task_id) != row.task_id:
        raise ValidationFailed("an answer stays with its task",
                               errors={"task_id": ["cannot change"]})


def _update_answer(session: Session, principal: Principal, row: TaskAnswer,
                   values: dict[str, Any]) -> None:
    _may_edit_answer(principal, row, values)
    _write_answer(session, row, values)
    bump(row)
    session.flush()


def _delete_answer(session: Session, principal: Principal, row: TaskAnswer) -> None:
    _may_edit_answer(principal, row, {})
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
    load_many=lambda s, p, ids: load_ids(s, p, TaskAnswer, ids), values=answer_values,
    create=_create_answer, update=_update_answer, delete=_delete_answer, restore=restore_hook,
    scope=_answer_scope, normalise=normalise_answer,
)
