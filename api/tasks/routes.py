"""Tasks the court sends to the assistants of village grids, and their answers."""

from __future__ import annotations

from typing import Any

from flask import url_for
from flask.views import MethodView

from api.etag import if_match_version, required_if_match_version, with_etag
from api.pagination import decode_cursor, paged
from api.smorest import Blueprint, current_principal, db
from api.tasks.schemas import (
    GridProgressSchema,
    RespondentSchema,
    TaskAnswerCreateSchema,
    TaskAnswerSchema,
    TaskAnswerUpdateSchema,
    TaskCreateSchema,
    TaskPageSchema,
    TaskQueryArgsSchema,
    TaskSchema,
    TaskTransitionRecordSchema,
    TaskTransitionSchema,
)
from enforcement.models import TaskTransition
from enforcement.tasks import answers as task_answers
from enforcement.tasks import usecases as tasks
from enforcement.tasks.answers import GridProgress
from enforcement.tasks.usecases import Respondent

blp = Blueprint("tasks", __name__, description="Tasks for the assistants of village grids")



@blp.route("")
class Tasks(MethodView):
    @blp.auth()
    @blp.arguments(TaskQueryArgsSchema, location="query", as_kwargs=True)
    @blp.response(200, TaskPageSchema)
    def get(self, filters: Any, sort: Any, cursor: str | None, limit: int) -> Any:
        """Tasks, newest first unless `sort` says otherwise (`due`: nearest deadline first).

        Assistants see those addressed to their grids; judges and officers every task of
        the court, with how many people answered.
        """
        page = tasks.list_tasks(db(), current_principal(), filters,
                                decode_cursor(cursor, sort), limit, sort)
        return paged(page)

    @blp.auth()
    @blp.arguments(TaskCreateSchema)
    @blp.response(201, TaskSchema)
    def post(self, body: dict[str, Any]) -> Any:
        """Ask the assistants of some village grids to do something (judges, officers).

        Every grid, case and party must be of your court, else 422 naming the field.
        """
        view = tasks.create_task(db(), current_principal(), body)
        return view, 201, {"Location": url_for("tasks.TaskById", task_id=view.task.id)}


@blp.route("/<string:task_id>")
class TaskById(MethodView):
    @blp.auth()
    @blp.response(200, TaskSchema, headers={"ETag": {"schema": {"type": "string"}}})
    @blp.problem(404)
    def get(self, task_id: str) -> Any:
        """One task with the grids it is addressed to."""
        view = tasks.get_task(db(), current_principal(), task_id)
        return with_etag(view, view.task.version)


@blp.route("/<string:task_id>/transitions")
class TaskTransitions(MethodView):
    @blp.auth()
    @blp.response(200, TaskTransitionRecordSchema(many=True))
    @blp.problem(404)
    def get(self, task_id: str) -> list[TaskTransition]:
        """How the task ended, if it did: who closed or cancelled it, when and why.

        Everyone who may read the task sees this, the assistants asked included.
        """
        return tasks.task_history(db(), current_principal(), task_id)

    @blp.auth()
    @blp.arguments(TaskTransitionSchema)
    @blp.response(201, TaskTransitionRecordSchema)
    @blp.problem(404)
    @blp.problem(409)
    @blp.problem(412)
    def post(self, body: dict[str, Any], task_id: str) -> Any:
        """Close (`closed`) or cancel (`cancelled`) an open task, with a reason (judges,
        officers).

        From then on answers, new or edited, are 409 `task_not_open`; a task already
        closed or cancelled is 409 `task_not_open` too. `If-Match` is optional; when
        sent, a stale version is 412. Audited.
        """
        view, step = tasks.end_task(db(), current_principal(), task_id, body["to"],
                                    body["reason"], if_match_version())
        return with_etag(step, view.task.version, 201)


@blp.route("/<string:task_id>/grids")
class TaskGrids(MethodView):
    @blp.auth()
    @blp.response(200, GridProgressSchema(many=True))
    @blp.problem(404)
    def get(self, task_id: str) -> list[GridProgress]:
        """Per grid the task was sent to: who serving it answered and who has not yet
        (judges, officers). Someone serving two of the grids appears in both."""
        return task_answers.grid_progress(db(), current_principal(), task_id)


@blp.route("/<string:task_id>/answers")
class TaskAnswers(MethodView):
    @blp.auth()
    @blp.response(200, RespondentSchema(many=True))
    @blp.problem(404)
    def get(self, task_id: str) -> list[Respondent]:
        """Who answered and who did not (judges, officers).

        One row per assistant serving a targeted grid now, with their latest answer or
        `null`, then anyone who answered and no longer serves there.
        """
        return tasks.respondents(db(), current_principal(), task_id)

    @blp.auth()
    @blp.arguments(TaskAnswerCreateSchema)
    @blp.response(201, TaskAnswerSchema)
    @blp.alt_response(200, schema=TaskAnswerSchema, description="A retry: already stored")
    @blp.problem(404)
    @blp.problem(409)
    def post(self, body: dict[str, Any], task_id: str) -> Any:
        """Answer a task addressed to one of your grids: `done`, `not_found`, `unable` or
        `info`, with text and optionally where you were. 409 `task_not_open` once the
        court closed it."""
        answer, created = tasks.answer_task(db(), current_principal(), task_id, body)
        return with_etag(answer, answer.version, 201 if created else 200)


@blp.route("/<string:task_id>/answers/<string:answer_id>")
class TaskAnswerById(MethodView):
    @blp.auth()
    @blp.response(200, TaskAnswerSchema, headers={"ETag": {"schema": {"type": "string"}}})
    @blp.problem(404)
    def get(self, task_id: str, answer_id: str) -> Any:
        """One answer: your own, or (judges, officers) anyone's. Its `ETag` is what
        `If-Match` must carry to correct it."""
        answer = task_answers.get_answer(db(), current_principal(), task_id, answer_id)
        return with_etag(answer, answer.version)

    @blp.auth()
    @blp.arguments(TaskAnswerUpdateSchema)
    @blp.response(200, TaskAnswerSchema)
    @blp.problem(404)
    @blp.problem(409)
    @blp.problem(412)
    @blp.problem(428)
    def patch(self, body: dict[str, Any], task_id: str, answer_id: str) -> Any:
        """Correct your answer while the task is open (then 409 `task_not_open`).

        Requires `If-Match` with the answer's ETag: 428 without it, 412 when it changed
        since you read it.
        """
        version = required_if_match_version()
        answer = task_answers.edit_answer(db(), current_principal(), task_id, answer_id,
                                          version, body)
        return with_etag(answer, answer.version)
