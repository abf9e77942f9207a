"""Tasks over HTTP: the court asks grids, assistants answer, the court sees who did."""

from __future__ import annotations

import pytest

from enforcement.models import Role
from tests import factories
from tests.api.helpers import assert_problem


def _create(http, world, user=None, **body):
    payload = {"kind": "verify_address", "title": "核实张三明现住址", "body": "请到三组看看",
               "due_at": "2027-01-10T08:00:00Z",
               "village_grid_ids": [world.village_a.id, world.village_b.id]} | body
    return http.post("/api/v1/tasks", json=payload,
                     headers=world.headers(user or world.judge_user))


def _answer(http, world, task_id, user, **body):
    payload = {"result": "done", "answer": "已核实，住在三组"} | body
    return http.post(f"/api/v1/tasks/{task_id}/answers", json=payload,
                     headers=world.headers(user))


def test_a_task_goes_to_the_assistants_of_its_grids(http, world, session):
    response = _create(http, world, village_grid_ids=[world.village_b.id])
    assert response.status_code == 201, response.text
    task = response.json()
    assert (task["status"], task["created_by"], task["answer_count"]) == (
        "open", world.judge_user.id, 0)
    assert task["village_grid_ids"] == [world.village_b.id]
    assert response.headers["Location"].endswith(f"/api/v1/tasks/{task['id']}")

    def listed(user):
        response = http.get("/api/v1/tasks", headers=world.headers(user))
        assert response.status_code == 200, response.text
        return [item["id"] for item in response.json()["items"]]

    assert listed(world.assistant_b) == [task["id"]]
    assert listed(world.assistant) == []
    assert listed(world.users[Role.OFFICER]) == [task["id"]]


@pytest.mark.parametrize(("body", "field"), [
    ({"village_grid_ids": []}, "village_grid_ids"),
    ({"village_grid_ids": ["0b7e4c1e-8a1b-4bde-a1f5-3c2d0e9f7a55"]}, "village_grid_ids"),
    ({"case_id": "0b7e4c1e-8a1b-4bde-a1f5-3c2d0e9f7a55"}, "case_id"),
    ({"title": ""}, "title"),
    ({"kind": "dance"}, "kind"),
])
def test_bad_tasks_are_a_422_naming_the_field(http, world, body, field):
    problem = assert_problem(_create(http, world, **body), 422, "validation_failed")
    assert field in problem["errors"]["json"]


def test_grids_of_another_court_are_refused(http, world):
    problem = assert_problem(_create(http, world, village_grid_ids=[world.other_village.id]),
                             422, "validation_failed")
    assert world.other_village.id in problem["errors"]["json"]["village_grid_ids"][0]


@pytest.mark.parametrize("field", ["status", "created_by", "court_id", "answer_count"])
def test_server_owned_fields_are_refused_by_name(http, world, field):
    body = assert_problem(_create(http, world, **{field: "x"}), 422, "unknown_field")
    assert field in body["errors"]["json"]


def test_the_court_sees_who_answered_and_who_did_not(http, world, session):
    leaver = factories.create_user(session, world.court, Role.GRID_ASSISTANT,
                                   display_name="王五")
    assignment = factories.assign_grid(session, leaver, world.village_a)
    session.commit()
    task = _create(http, world).json()
    first = _answer(http, world, task["id"], world.assistant, result="info", answer="不在家",
                    point={"lon": 108.305, "lat": 35.405})
    assert first.status_code == 201, first.text
    assert first.json()["village_grid_id"] == world.village_a.id
    latest = _answer(http, world, task["id"], world.assistant, id="abcdefgh12345678").json()
    retry = _answer(http, world, task["id"], world.assistant, id="abcdefgh12345678")
    assert retry.status_code == 200 and retry.json()["id"] == latest["id"]
    assert _answer(http, world, task["id"], leaver, result="unable").status_code == 201
    assignment.ended_on = assignment.started_on
    session.add(assignment)
    session.commit()

    response = http.get(f"/api/v1/tasks/{task['id']}/answers",
                        headers=world.headers(world.users[Role.OFFICER]))
    assert response.status_code == 200, response.text
    rows = {row["user_id"]: row for row in response.json()}
    assert set(rows) == {world.assistant.id, world.neighbour.id, world.assistant_b.id,
                         leaver.id}
    assert rows[world.assistant.id]["answer"]["id"] == latest["id"]  # the latest answer
    assert rows[world.assistant.id]["answered"] is True
    assert rows[world.neighbour.id]["answer"] is None
    assert rows[world.assistant_b.id]["village_grid_ids"] == [world.village_b.id]
    assert rows[world.assistant_b.id]["answered"] is False
    assert rows[leaver.id]["still_serving"] is False
    assert rows[leaver.id]["answer"]["result"] == "unable"
    shown = http.get(f"/api/v1/tasks/{task['id']}", headers=world.headers(world.judge_user))
    assert shown.json()["answer_count"] == 2


def test_a_closed_task_takes_no_answers(http, world, session):
    task = factories.create_task(session, world.judge_user, world.village_a, status="closed")
    session.commit()
    assert_problem(_answer(http, world, task.id, world.assistant), 409, "task_not_open")


def test_task_lists_filter(http, world, session):
    a = factories.create_task(session, world.judge_user, world.village_a)
    b = factories.create_task(session, world.users[Role.OFFICER], world.village_b,
                              kind="deliver_notice", status="closed")
    session.commit()
    headers = world.headers(world.judge_user)

    def ids(query):
        response = http.get(f"/api/v1/tasks?{query}", headers=headers)
        assert response.status_code == 200, response.text
        return {item["id"] for item in response.json()["items"]}

    assert ids("") == {a.id, b.id}
    assert ids("status=open") == {a.id}
    assert ids("kind=deliver_notice") == {b.id}
    assert ids(f"village_grid_id={world.village_a.id}") == {a.id}
    assert ids(f"created_by={world.judge_user.id}") == {a.id}
