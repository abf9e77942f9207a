"""Tasks: the court asks the assistants of some village grids to do something, and
sees who answered.

Judges and officers address a task to grids, not to people: whoever serves a grid when
they open the app sees it. The answer view therefore lists the people serving the
targeted grids now, each with their latest answer or none, plus anyone who answered and
has since left.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

from enforcement import policy
from enforcement.accounts.principal import Principal
from enforcement.errors import Conflict, PreconditionFailed, ValidationFailed
from enforcement.grids.placement import set_point
from enforcement.infrastructure import audit
from enforcement.infrastructure.db import Database
from enforcement.infrastructure.filtering import between, equal, one_of
from enforcement.infrastructure.paging import (
    LAST,
    Page,
    Position,
    SortOrder,
    fetch_page,
    newest,
    oldest,
)
from enforcement.infrastructure.text_shield import shield_rows
from enforcement.models import (
    EnforcementCase,
    GridAssignment,
    Party,
    Role,
    Task,
    TaskAnswer,
    TaskGrid,
    TaskKind,
    TaskStatus,
    TaskTransition,
    User,
    VillageGrid,
    new_id,
    utcnow,
)
from enforcement.refs import require_refs

TASK_FIELDS = frozenset({"kind", "title", "body", "case_id", "party_id", "due_at"})
ANSWER_RESULTS = ("done", "not_found", "unable", "info")
ENDINGS = (TaskStatus.CLOSED, TaskStatus.CANCELLED)
"""What an open task can become: closed (its purpose met) or cancelled (no longer
needed). Either ends it for good: no more answers, no edits to answers."""

TASK_ORDERS = {
    "newest": newest(Task.created_at, Task.id),
    "oldest": oldest(Task.created_at, Task.id),
    "due": SortOrder("due", (sa.func.coalesce(Task.due_at, LAST), Task.id), (datetime, str),
                     descending=False),
}
"""``newest``/``oldest`` sent; ``due`` the nearest deadline first (tasks without one last)."""


@dataclass(frozen=True, slots=True)
class TaskView:
    task: Task
    village_grid_ids: list[str]
    answer_count: int


@dataclass(frozen=True, slots=True)
class Respondent:
    """One person expected to answer (or who did), with their latest answer."""

    user_id: str
    display_name: str
    village_grid_ids: list[str]
    answer: TaskAnswer | None
    still_serving: bool = True


@dataclass(frozen=True, slots=True)
class TaskFilters:
    status: tuple[TaskStatus, ...] = ()
    kind: tuple[TaskKind, ...] = ()
    case_id: str | None = None
    village_grid_id: str | None = None
    created_by: str | None = None
    created_from: datetime | None = None
    created_to: datetime | None = None

    def clauses(self) -> list[sa.ColumnElement[bool]]:
        where = [
            *one_of((Task.status, self.status), (Task.kind, self.kind)),
            *equal((Task.case_id, self.case_id), (Task.created_by, self.created_by)),
            *between(Task.created_at, self.created_from, self.created_to),
        ]
        if self.village_grid_id is not None:
            where.append(sa.select(TaskGrid.task_id).where(
                TaskGrid.court_id == Task.court_id, TaskGrid.task_id == Task.id,
                TaskGrid.village_grid_id == self.village_grid_id).exists())
        return where


def create_task(db: Database, principal: Principal, data: Mapping[str, Any]) -> TaskView:
    """Address a task to village grids of the caller's court."""
    policy.require(principal, "task.create")
    grid_ids = list(dict.fromkeys(data["village_grid_ids"]))
    with db.unit_of_work() as session:
        task = Task(court_id=principal.court_id, created_by=principal.user_id,
                    **{k: v for k, v in data.items() if k in TASK_FIELDS})
        require_refs(session, task.court_id, {
            "case_id": (EnforcementCase, task.case_id), "party_id": (Party, task.party_id)})
        _check_grids(session, task.court_id, grid_ids)
        session.add(task)
        session.flush()
        session.add_all(TaskGrid(court_id=task.court_id, task_id=task.id, village_grid_id=g)
                        for g in grid_ids)
        session.commit()
        return TaskView(task, grid_ids, 0)


def get_task(db: Database, principal: Principal, task_id: str) -> TaskView:
    """The task, its title and body masked for roles that see parties masked
    (``text_shield``)."""
    with db.unit_of_work() as session:
        task = _visible(session, principal, "task.read", task_id)
        view = _views(session, [task])[0]
        shield_rows(session, principal, "task", [task])
        session.commit()  # the audit of an unmasked read
        return view


def list_tasks(db: Database, principal: Principal, filters: TaskFilters,
               after: Position | None, limit: int,
               order: SortOrder = TASK_ORDERS["newest"]) -> Page[TaskView]:
    """Assistants: tasks addressed to their grids; court staff: every task of the court."""
    with db.unit_of_work() as session:
        query = sa.select(Task).where(policy.scope_filter(principal, "task.read", Task),
                                      *filters.clauses())
        page = fetch_page(session, query, order, after, limit)
        views = _views(session, page.items)
        shield_rows(session, principal, "task", page.items)
        session.commit()  # the audit of unmasked reads
        return Page(views, page.next_position, page.sort)


def end_task(db: Database, principal: Principal, task_id: str, to: TaskStatus, reason: str,
             expected_version: int | None) -> tuple[TaskView, TaskTransition]:
    """Close or cancel an open task, keeping who did it, when and why (audited too).

    Only an open task can end: anything else is 409 ``task_not_open``. ``expected_version``
    (an optional ``If-Match``) guards against ending a task changed since it was read.
    """
    policy.require(principal, "task.close")
    if to not in ENDINGS:
        raise ValidationFailed("a task can be closed or cancelled",
                               errors={"json": {"to": ["must be closed or cancelled"]}})
    with db.unit_of_work() as session:
        task = policy.visible_row(session, principal, "task.close", Task, task_id,
                                  "task_not_found", for_update=True)
        if expected_version is not None and task.version != expected_version:
            raise PreconditionFailed(f"the task is at version {task.version}",
                                     current_version=task.version)
        if task.status != TaskStatus.OPEN:
            raise Conflict(f"the task is already {task.status.value}", code="task_not_open",
                           current_status=task.status.value)
        step = TaskTransition(court_id=task.court_id, task_id=task.id, from_status=task.status,
                              to_status=to, actor_id=principal.user_id, reason=reason)
        task.status, task.version, task.updated_at = to, task.version + 1, utcnow()
        session.add(step)
        audit.record(session, court_id=task.court_id, action=f"task.{to.value}",
                     actor_id=principal.user_id, device_id=principal.device_id,
                     subject_table="task", subject_id=task.id, detail={"reason": reason})
        session.commit()
        return _views(session, [task])[0], step


def task_history(db: Database, principal: Principal, task_id: str) -> list[TaskTransition]:
    """How the task ended, if it did: who closed or cancelled it, when and why."""
    with db.unit_of_work() as session:
        task = _visible(session, principal, "task.read", task_id)
        return list(session.scalars(sa.select(TaskTransition).where(
            TaskTransition.court_id == task.court_id, TaskTransition.task_id == task.id,
        ).order_by(TaskTransition.at, TaskTransition.id)))


def answer_task(db: Database, principal: Principal, task_id: str,
                data: Mapping[str, Any]) -> tuple[TaskAnswer, bool]:
    """An assistant of a targeted grid answers an open task; a retried id answers once.
    The write is the one a push makes (``create_answer``)."""
    with db.unit_of_work() as session:
        task = _visible(session, principal, "task.answer", task_id)
        answer_id = data.get("id")
        if answer_id and (existing := session.get(TaskAnswer, (task.court_id, answer_id))):
            if existing.author_id != principal.user_id or existing.task_id != task.id:
                raise Conflict("an answer with this id exists", code="task_answer_exists")
            return existing, False
        answer = create_answer(session, principal, answer_id or new_id(),
                               {**data, "task_id": task.id})
        try:
            session.commit()
        except sa.exc.IntegrityError as error:
            raise Conflict("an answer with this id exists", code="task_answer_exists") from error
        return answer, True


# --- the one write path of an answer: REST and sync pushes both run these, inside the
# caller's transaction, with domain values (``answered_at`` a datetime, ``point`` a
# ``ReportedPoint``) ------------------------------------------------------------------

ANSWER_VALUES = ("result", "answer", "answered_at")
"""What an answer's author sets as is; ``point`` is placed."""


def create_answer(session: Session, principal: Principal, answer_id: str,
                  values: Mapping[str, Any]) -> TaskAnswer:
    """A new answer to an open task addressed to one of the caller's grids."""
    missing = [n for n in ("task_id", "result", "answered_at") if values.get(n) in (None, "")]
    if missing:
        raise ValidationFailed("required fields are missing",
                               errors={n: ["required"] for n in missing})
    task = _visible(session, principal, "task.answer", values["task_id"])
    if session.get(TaskAnswer, (principal.court_id, answer_id)) is not None:
        raise Conflict("an answer with this id exists", code="task_answer_exists")
    task = _open_task(session, task.court_id, task.id)
    answer = TaskAnswer(court_id=task.court_id, id=answer_id, task_id=task.id,
                        author_id=principal.user_id, device_id=principal.device_id,
                        **{k: values[k] for k in ANSWER_VALUES if values.get(k) is not None})
    if values.get("point") is not None:
        set_point(session, answer, values["point"])
    session.add(answer)
    session.flush()
    return answer


def may_change_answer(session: Session, principal: Principal, answer: TaskAnswer,
                      values: Mapping[str, Any]) -> None:
    """Its author, while the task is open, and it stays with its task."""
    policy.require(principal, "task.answer")
    policy.require_author(principal, answer)
    if values.get("task_id", answer.task_id) != answer.task_id:
        raise ValidationFailed("an answer stays with its task",
                               errors={"task_id": ["cannot change"]})
    _open_task(session, answer.court_id, answer.task_id, "answers can no longer change")


def edit_answer_values(session: Session, principal: Principal, answer: TaskAnswer,
                       values: Mapping[str, Any]) -> None:
    """Correct a stored answer (``may_change_answer``)."""
    may_change_answer(session, principal, answer, values)
    for key in ANSWER_VALUES:
        if values.get(key) is not None:
            setattr(answer, key, values[key])
    if "point" in values:
        set_point(session, answer, values["point"])
    answer.version += 1
    answer.updated_at = utcnow()
    session.flush()


def _open_task(session: Session, court_id: str, task_id: str, why: str = "") -> Task:
    """The task, share-locked (a close waits for this answer, or it sees it); 409
    ``task_not_open`` once it is closed or cancelled."""
    task = session.scalars(sa.select(Task).where(
        Task.court_id == court_id, Task.id == task_id,
    ).with_for_update(read=True).execution_options(populate_existing=True)).one()
    if task.status != TaskStatus.OPEN:
        raise Conflict(f"the task is {task.status.value}{'; ' + why if why else ''}",
                       code="task_not_open", current_status=task.status.value)
    return task


def respondents(db: Database, principal: Principal, task_id: str) -> list[Respondent]:
    """Who was asked and who answered: one row per person, latest answer or none."""
    with db.unit_of_work() as session:
        task = _visible(session, principal, "task.read_answers", task_id)
        serving = session.execute(
            sa.select(User.id, User.display_name, GridAssignment.village_grid_id)
            .join(GridAssignment, sa.and_(GridAssignment.court_id == User.court_id,
                                          GridAssignment.user_id == User.id))
            .join(TaskGrid, sa.and_(TaskGrid.court_id == GridAssignment.court_id,
                                    TaskGrid.village_grid_id == GridAssignment.village_grid_id))
            .where(TaskGrid.court_id == task.court_id, TaskGrid.task_id == task.id,
                   GridAssignment.ended_on.is_(None), User.role == Role.GRID_ASSISTANT)
            .order_by(GridAssignment.village_grid_id, User.display_name, User.id)
        ).all()
        latest = _latest_answers(session, task)
        people: dict[str, Respondent] = {}
        for user_id, name, grid_id in serving:
            known = people.get(user_id)
            grids = [*known.village_grid_ids, grid_id] if known else [grid_id]
            people[user_id] = Respondent(user_id, name, grids, latest.get(user_id))
        for user_id, answer in latest.items():
            if user_id not in people:
                author = session.get(User, (task.court_id, user_id))
                people[user_id] = Respondent(user_id, author.display_name if author else "",
                                             [], answer, still_serving=False)
        return list(people.values())


def _latest_answers(session: Session, task: Task) -> dict[str, TaskAnswer]:
    answers = session.scalars(
        sa.select(TaskAnswer).where(
            TaskAnswer.court_id == task.court_id, TaskAnswer.task_id == task.id,
            TaskAnswer.deleted_at.is_(None))
        .order_by(TaskAnswer.answered_at, TaskAnswer.created_at, TaskAnswer.id))
    return {answer.author_id: answer for answer in answers}


def _check_grids(session: Session, court_id: str, grid_ids: list[str]) -> None:
    found = set(session.scalars(sa.select(VillageGrid.id).where(
        VillageGrid.court_id == court_id, VillageGrid.id.in_(grid_ids))))
    missing = [g for g in grid_ids if g not in found]
    if missing:
        raise ValidationFailed("unknown references", errors={"json": {"village_grid_ids": [
            f"no village grid with id {g} in this court" for g in missing]}})


def _visible(session: Session, principal: Principal, action: str, task_id: str) -> Task:
    return policy.visible_row(session, principal, action, Task, task_id, "task_not_found")


def _views(session: Session, tasks: list[Task]) -> list[TaskView]:
    """Grids and answer counts of many tasks in two queries (none per task)."""
    if not tasks:
        return []
    court_id, ids = tasks[0].court_id, [t.id for t in tasks]
    grids: dict[str, list[str]] = {}
    for task_id, grid_id in session.execute(
        sa.select(TaskGrid.task_id, TaskGrid.village_grid_id)
        .where(TaskGrid.court_id == court_id, TaskGrid.task_id.in_(ids))
        .order_by(TaskGrid.village_grid_id)):
        grids.setdefault(task_id, []).append(grid_id)
    counts = dict(session.execute(
        sa.select(TaskAnswer.task_id, sa.func.count(sa.distinct(TaskAnswer.author_id)))
        .where(TaskAnswer.court_id == court_id, TaskAnswer.task_id.in_(ids),
               TaskAnswer.deleted_at.is_(None))
        .group_by(TaskAnswer.task_id)).all())
    return [TaskView(t, grids.get(t.id, []), counts.get(t.id, 0)) for t in tasks]
