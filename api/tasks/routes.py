"""Tasks the court sends to the assistants of village grids, and their answers."""

from __future__ import annotations

from typing import Any

from flask import current_app, url_for
from flask.views import MethodView

from api.pagination import decode_cursor, paged
from api.smorest import Blueprint, current_principal
from api.tasks.schemas import (
    RespondentSchema,
    TaskAnswerCreateSchema,
    TaskAnswerSchema,
    TaskCreateSchema,
    TaskPageSchema,
    TaskQueryArgsSchema,
    TaskSchema,
)
from enforcement import tasks
from enforcement.tasks import Respondent, TaskView

blp = Blueprint("tasks", __name__, description="Tasks for the assistants of village grids")


def _db() -> Any:
    return current_app.extensions["gridwork"].db


@blp.route("")
class Tasks(MethodView):
    @blp.auth()
    @blp.arguments(TaskQueryArgsSchema, location="query", as_kwargs=True)
    @blp.response(200, TaskPageSchema)
    @blp.alt_response(422, response="Problem")
    def get(self, filters: Any, cursor: str | None, limit: int) -> Any:
        """Tasks, newest first: assistants see those addressed to their grids; judges and
        officers every task of the court, with how many people answered."""
        page = tasks.list_tasks(_db(), current_principal(), filters, decode_cursor(cursor),
                                limit)
        return paged(page)

    @blp.auth()
    @blp.arguments(TaskCreateSchema)
    @blp.response(201, TaskSchema)
    @blp.alt_response(422, response="Problem")
    def post(self, body: dict[str, Any]) -> Any:
        """Ask the assistants of some village grids to do something (judges, officers).

        Every grid, case and party must be of your court, else 422 naming the field.
        """
        view = tasks.create_task(_db(), current_principal(), body)
        return view, 201, {"Location": url_for("tasks.TaskById", task_id=view.task.id)}


@blp.route("/<string:task_id>")
class TaskById(MethodView):
    @blp.auth()
    @blp.response(200, TaskSchema)
    @blp.alt_response(404, response="Problem")
    def get(self, task_id: str) -> TaskView:
        """One task with the grids it is addressed to."""
        return tasks.get_task(_db(), current_principal(), task_id)


@blp.route("/<string:task_id>/answers")
class TaskAnswers(MethodView):
    @blp.auth()
    @blp.response(200, RespondentSchema(many=True))
    @blp.alt_response(404, response="Problem")
    def get(self, task_id: str) -> list[Respondent]:
        """Who answered and who did not (judges, officers).

        One row per assistant serving a targeted grid now, with their latest answer or
        `null`, then anyone who answered and no longer serves there.
        """
        return tasks.respondents(_db(), current_principal(), task_id)

    @blp.auth()
    @blp.arguments(TaskAnswerCreateSchema)
    @blp.response(201, TaskAnswerSchema)
    @blp.alt_response(200, schema=TaskAnswerSchema, description="A retry: already stored")
    @blp.alt_response(404, response="Problem")
    @blp.alt_response(409, response="Problem")
    @blp.alt_response(422, response="Problem")
    def post(self, body: dict[str, Any], task_id: str) -> Any:
        """Answer a task addressed to one of your grids: `done`, `not_found`, `unable` or
        `info`, with text and optionally where you were. 409 `task_not_open` once the
        court closed it."""
        answer, created = tasks.answer_task(_db(), current_principal(), task_id, body)
        return answer, 201 if created else 200
