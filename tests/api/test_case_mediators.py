"""Mediators on cases: the court assigns and takes off; the mediator's view follows."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from enforcement.models import AuditEntry, Role
from tests import factories
from tests.api.helpers import assert_problem


@pytest.fixture
def case(session, world):
    made, _ = factories.create_debtor_case(session, world.court, world.village_a)
    session.commit()
    return made


def _assign(http, world, case, mediator, user=None, **body):
    return http.post(f"/api/v1/cases/{case.id}/mediators",
                     json={"mediator_id": mediator.id} | body,
                     headers=world.headers(user or world.judge_user))


def _note(http, world, case, mediator):
    return http.post("/api/v1/mediation-notes", headers=world.headers(mediator), json={
        "case_id": case.id, "held_at": "2026-11-01T02:00:00Z", "outcome": "continue"})


def test_an_assigned_mediator_works_the_case_until_taken_off(http, world, session, case):
    mediator = world.users[Role.MEDIATOR]
    headers = world.headers(mediator)
    assert http.get(f"/api/v1/cases/{case.id}", headers=headers).status_code == 404

    response = _assign(http, world, case, mediator, note="请协助调解")
    assert response.status_code == 201, response.text
    assignment = response.json()
    assert (assignment["starts_on"], assignment["ends_on"], assignment["assigned_by"]) == (
        date.today().isoformat(), None, world.judge_user.id)
    shown = http.get(f"/api/v1/cases/{case.id}", headers=headers).json()
    assert shown["amount_owed"] == "50000.00" and shown["parties"][0]["masked"] is False
    note = _note(http, world, case, mediator)
    assert note.status_code == 201, note.text
    assert [c["id"] for c in http.get("/api/v1/cases", headers=headers).json()["items"]] == [
        case.id]

    ended = http.delete(f"/api/v1/cases/{case.id}/mediators/{assignment['id']}",
                        headers=world.headers(world.users[Role.OFFICER]))
    assert ended.status_code == 200, ended.text
    assert ended.json()["ends_on"] == date.today().isoformat()
    assert http.get(f"/api/v1/cases/{case.id}", headers=headers).status_code == 404
    assert http.get("/api/v1/mediation-notes", headers=headers).json()["items"] == []
    assert_problem(_note(http, world, case, mediator), 422, "validation_failed")
    history = http.get(f"/api/v1/cases/{case.id}/mediators",
                       headers=world.headers(world.judge_user)).json()
    assert [(a["mediator_id"], a["ended_by"]) for a in history] == [
        (mediator.id, world.users[Role.OFFICER].id)]
    actions = session.scalars(sa.select(AuditEntry.action).where(
        AuditEntry.court_id == world.court.id,
        AuditEntry.subject_table == "case_mediator").order_by(AuditEntry.seq)).all()
    assert actions == ["case.assign_mediator", "case.end_mediator"]
    assert_problem(http.delete(f"/api/v1/cases/{case.id}/mediators/{assignment['id']}",
                               headers=world.headers(world.judge_user)), 409, "assignment_ended")


def test_overlapping_assignments_of_one_mediator_are_refused(http, world, case):
    mediator = world.users[Role.MEDIATOR]
    soon = date.today() + timedelta(days=10)
    assert _assign(http, world, case, mediator, ends_on=soon.isoformat()).status_code == 201
    overlapping = _assign(http, world, case, mediator,
                          starts_on=(soon - timedelta(days=1)).isoformat())
    assert_problem(overlapping, 409, "mediator_already_assigned")
    later = _assign(http, world, case, mediator, starts_on=soon.isoformat())
    assert later.status_code == 201, later.text


def test_a_future_assignment_gives_nothing_yet(http, world, case):
    mediator = world.users[Role.MEDIATOR]
    start = date.today() + timedelta(days=3)
    made = _assign(http, world, case, mediator, starts_on=start.isoformat()).json()
    assert http.get(f"/api/v1/cases/{case.id}",
                    headers=world.headers(mediator)).status_code == 404
    ended = http.delete(f"/api/v1/cases/{case.id}/mediators/{made['id']}",
                        headers=world.headers(world.judge_user)).json()
    assert ended["ends_on"] == ended["starts_on"] == start.isoformat()


@pytest.mark.parametrize(("who", "body", "field"), [
    ("assistant", {}, "mediator_id"),
    ("stranger", {}, "mediator_id"),
    ("mediator", {"starts_on": "2027-01-10", "ends_on": "2027-01-10"}, "ends_on"),
])
def test_bad_assignments_are_a_422_naming_the_field(http, world, case, who, body, field):
    user = {"assistant": world.assistant, "stranger": world.stranger,
            "mediator": world.users[Role.MEDIATOR]}[who]
    problem = assert_problem(_assign(http, world, case, user, **body), 422, "validation_failed")
    assert field in problem["errors"]["json"]


def test_server_owned_assignment_fields_are_refused(http, world, case):
    response = _assign(http, world, case, world.users[Role.MEDIATOR],
                       assigned_by=world.judge_user.id)
    assert "assigned_by" in assert_problem(response, 422, "unknown_field")["errors"]["json"]
