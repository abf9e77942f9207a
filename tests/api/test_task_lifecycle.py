"""A task's end and its answers' corrections: the court closes or cancels a task with a
reason; assistants correct their answers with If-Match while it is open, never after;
the court sees per grid who answered and who has not yet."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from enforcement.models import AuditEntry, Role
from tests import factories
from tests.api.helpers import assert_problem


@pytest.fixture
def task(session, world):
    made = factories.create_task(session, world.judge_user, world.village_a, world.village_b)
    session.commit()
    return made


def _answer(http, world, task, user, **body):
    response = http.post(f"/api/v1/tasks/{task.id}/answers",
                         json={"result": "info", "answer": "不在家"} | body,
                         headers=world.headers(user))
    assert response.status_code == 201, response.text
    return response


def _end(http, world, task, to="closed", reason="已核实完毕", user=None, **headers):
    return http.post(f"/api/v1/tasks/{task.id}/transitions", json={"to": to, "reason": reason},
                     headers=world.headers(user or world.users[Role.OFFICER], **headers))


def test_the_court_closes_a_task_and_the_assistants_see_why(http, world, session, task):
    officer = world.users[Role.OFFICER]
    response = _end(http, world, task, reason="债务人已找到")
    assert response.status_code == 201, response.text
    step = response.json()
    assert (step["from_status"], step["to_status"], step["actor_id"], step["reason"]) == (
        "open", "closed", officer.id, "债务人已找到")
    assert response.headers["ETag"] == '"2"'
    shown = http.get(f"/api/v1/tasks/{task.id}", headers=world.headers(world.assistant))
    assert shown.json()["status"] == "closed" and shown.headers["ETag"] == '"2"'
    history = http.get(f"/api/v1/tasks/{task.id}/transitions",
                       headers=world.headers(world.assistant)).json()
    assert [(h["to_status"], h["reason"]) for h in history] == [("closed", "债务人已找到")]
    assert session.scalars(sa.select(AuditEntry.subject_id).where(
        AuditEntry.court_id == world.court.id, AuditEntry.action == "task.closed")).all() == [
        task.id]


def test_an_ended_task_takes_no_answers_and_cannot_end_again(http, world, task):
    assert _end(http, world, task, to="cancelled", reason="案件已和解").status_code == 201
    refused = http.post(f"/api/v1/tasks/{task.id}/answers", json={"result": "done"},
                        headers=world.headers(world.assistant))
    assert_problem(refused, 409, "task_not_open")
    again = assert_problem(_end(http, world, task), 409, "task_not_open")
    assert again["current_status"] == "cancelled"


@pytest.mark.parametrize(("body", "field"), [
    ({"to": "open", "reason": "重新打开"}, "to"),
    ({"to": "closed"}, "reason"),
    ({"to": "closed", "reason": ""}, "reason"),
])
def test_ending_needs_an_ending_and_a_reason(http, world, task, body, field):
    response = http.post(f"/api/v1/tasks/{task.id}/transitions", json=body,
                         headers=world.headers(world.judge_user))
    problem = assert_problem(response, 422, "validation_failed")
    assert field in problem["errors"]["json"]


def test_a_stale_if_match_does_not_end_the_task(http, world, task):
    assert_problem(_end(http, world, task, **{"If-Match": '"7"'}), 412, "precondition_failed")
    assert _end(http, world, task, **{"If-Match": '"1"'}).status_code == 201


def test_an_assistant_corrects_their_answer_while_the_task_is_open(http, world, task):
    answer = _answer(http, world, task, world.assistant)
    assert answer.headers["ETag"] == '"1"'
    url = f"/api/v1/tasks/{task.id}/answers/{answer.json()['id']}"
    headers = world.headers(world.assistant)
    assert_problem(http.patch(url, json={"answer": "人在家"}, headers=headers),
                   428, "precondition_required")
    edited = http.patch(url, json={"result": "done", "answer": "人在家"},
                        headers={**headers, "If-Match": '"1"'})
    assert edited.status_code == 200, edited.text
    assert (edited.json()["result"], edited.json()["answer"], edited.json()["version"]) == (
        "done", "人在家", 2)
    assert edited.headers["ETag"] == '"2"'
    assert_problem(http.patch(url, json={"answer": "又改"}, headers={**headers, "If-Match": '"1"'}),
                   412, "precondition_failed")
    seen = http.get(f"/api/v1/tasks/{task.id}/answers",
                    headers=world.headers(world.judge_user)).json()
    mine = next(r for r in seen if r["user_id"] == world.assistant.id)
    assert mine["answer"]["answer"] == "人在家"

    assert _end(http, world, task).status_code == 201
    assert_problem(http.patch(url, json={"answer": "再改"}, headers={**headers, "If-Match": '"2"'}),
                   409, "task_not_open")
    neighbour = world.headers(world.neighbour, **{"If-Match": '"2"'})
    assert_problem(http.patch(url, json={"answer": "x"}, headers=neighbour),
                   404, "task_answer_not_found")


def test_an_answer_is_found_only_under_its_own_task(http, world, session, task):
    other = factories.create_task(session, world.judge_user, world.village_a)
    session.commit()
    answer = _answer(http, world, task, world.assistant).json()
    wrong = http.get(f"/api/v1/tasks/{other.id}/answers/{answer['id']}",
                     headers=world.headers(world.assistant))
    assert_problem(wrong, 404, "task_answer_not_found")


@pytest.mark.parametrize("field", ["version", "author_id", "task_id", "created_at"])
def test_server_owned_answer_fields_are_refused(http, world, task, field):
    answer = _answer(http, world, task, world.assistant).json()
    response = http.patch(f"/api/v1/tasks/{task.id}/answers/{answer['id']}",
                          json={field: "x"},
                          headers=world.headers(world.assistant, **{"If-Match": '"1"'}))
    assert field in assert_problem(response, 422, "unknown_field")["errors"]["json"]


def test_the_court_sees_per_grid_who_answered_and_who_has_not(http, world, session, task):
    both = factories.create_user(session, world.court, Role.GRID_ASSISTANT, display_name="赵六")
    factories.assign_grid(session, both, world.village_a)
    factories.assign_grid(session, both, world.village_b)
    session.commit()
    _answer(http, world, task, world.assistant)
    _answer(http, world, task, both)
    response = http.get(f"/api/v1/tasks/{task.id}/grids",
                        headers=world.headers(world.judge_user))
    assert response.status_code == 200, response.text
    grids = {g["village_grid_id"]: g for g in response.json()}
    assert set(grids) == {world.village_a.id, world.village_b.id}

    def people(grid, key):
        return {p["user_id"] for p in grids[grid.id][key]}

    assert people(world.village_a, "answered") == {world.assistant.id, both.id}
    assert people(world.village_a, "waiting") == {world.neighbour.id}
    assert people(world.village_b, "answered") == {both.id}
    assert people(world.village_b, "waiting") == {world.assistant_b.id}
    assert grids[world.village_b.id]["village_name"] == world.village_b.name
