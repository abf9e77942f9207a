"""An assistant's answer to a task, after sending it: reading it back, correcting it
while the task is open, and the court's view of who answered in each grid.

Answering itself is ``tasks.answer_task``. An answer is versioned like a lead: its
``version`` is the ETag an edit must name, so two phones of one assistant cannot
overwrite each other unseen.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

from enforcement import policy
from enforcement.accounts.principal import Principal
from enforcement.errors import NotFound, PreconditionFailed
from enforcement.infrastructure.db import Database
from enforcement.models import Task, TaskAnswer, TaskGrid, VillageGrid
from enforcement.tasks import usecases as tasks
from enforcement.tasks.usecases import Respondent

ANSWER_FIELDS = frozenset({"result", "answer", "answered_at"})


@dataclass(frozen=True, slots=True)
class GridProgress:
    """One targeted grid: who serving it answered and who has not yet."""

    village_grid_id: str
    village_name: str
    answered: list[Respondent]
    waiting: list[Respondent]


def get_answer(db: Database, principal: Principal, task_id: str, answer_id: str) -> TaskAnswer:
    """One answer: its author's own, or any of the court's for judges and officers."""
    with db.unit_of_work() as session:
        return _answer(session, principal, "task_answer.read", task_id, answer_id)


def edit_answer(db: Database, principal: Principal, task_id: str, answer_id: str,
                expected_version: int, changes: Mapping[str, Any]) -> TaskAnswer:
    """Correct one's answer while the task is open (409 ``task_not_open`` after)."""
    with db.unit_of_work() as session:
        answer = _answer(session, principal, "task_answer.update", task_id, answer_id,
                         for_update=True)
        if answer.version != expected_version:
            raise PreconditionFailed(f"the answer is at version {answer.version}",
                                     current_version=answer.version)
        tasks.edit_answer_values(session, principal, answer, {
            **{k: v for k, v in changes.items() if k in ANSWER_FIELDS},
            **({"point": changes["point"]} if "point" in changes else {})})
        session.commit()
        return answer


def grid_progress(db: Database, principal: Principal, task_id: str) -> list[GridProgress]:
    """Per targeted grid, the assistants serving it now: answered, or not yet."""
    people = tasks.respondents(db, principal, task_id)
    with db.unit_of_work() as session:
        task = policy.visible_row(session, principal, "task.read_answers", Task, task_id,
                                  "task_not_found")
        grids = session.execute(
            sa.select(VillageGrid.id, VillageGrid.name).join(TaskGrid, sa.and_(
                TaskGrid.court_id == VillageGrid.court_id,
                TaskGrid.village_grid_id == VillageGrid.id))
            .where(TaskGrid.court_id == task.court_id, TaskGrid.task_id == task.id)
            .order_by(VillageGrid.name, VillageGrid.id)).all()
    progress = []
    for grid_id, name in grids:
        serving = [p for p in people if grid_id in p.village_grid_ids]
        progress.append(GridProgress(grid_id, name,
                                     [p for p in serving if p.answer is not None],
                                     [p for p in serving if p.answer is None]))
    return progress


def _answer(session: Session, principal: Principal, action: str, task_id: str,
            answer_id: str, *, for_update: bool = False) -> TaskAnswer:
    answer = policy.visible_row(session, principal, action, TaskAnswer, answer_id,
                                "task_answer_not_found", for_update=for_update)
    if answer.task_id != task_id:
        raise NotFound(code="task_answer_not_found")
    return answer
