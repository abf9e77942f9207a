"""The access policy as a table for sightings, mediation notes, settlements and tasks:
endpoint × role × whose record, over HTTP (the same layout as ``test_access``).

Columns, from the point of view of the grid assistant serving village A:
``own`` — their own sighting or note / a settlement of a case whose debtor lives in their
grid, which the deputy follows and the mediator mediates / a task addressed to village A;
``same_grid`` — a neighbour's record in village A / a task addressed to villages A and B;
``other_grid`` — a record in village B; ``other_court`` — a record of another court.
403 means the role may not do this at all; 404 that the record is outside the caller's
scope (its existence is not disclosed). List endpoints show exactly the 200 columns.
"""

from __future__ import annotations

from datetime import date

import pytest

from enforcement.models import Role
from tests import factories

TARGETS = ("own", "same_grid", "other_grid", "other_court")
R = Role
NO = (403, 403, 403, 403)
COURT = (200, 200, 200, 404)

TABLE = {
    # endpoint             role                own  same other court
    ("sighting.get",       R.GRID_ASSISTANT): (200, 200, 404, 404),
    ("sighting.get",       R.MEDIATOR):       NO,
    ("sighting.get",       R.OFFICER):        COURT,
    ("sighting.get",       R.JUDGE):          COURT,
    ("sighting.get",       R.DEPUTY):         NO,
    ("sighting.get",       R.LIAISON_UNIT):   NO,
    ("sighting.get",       R.ADMIN):          NO,
    ("sighting.patch",     R.GRID_ASSISTANT): (200, 404, 404, 404),
    ("sighting.patch",     R.MEDIATOR):       NO,
    ("sighting.patch",     R.OFFICER):        (404, 404, 404, 404),  # only their own
    ("sighting.patch",     R.JUDGE):          (404, 404, 404, 404),
    ("sighting.patch",     R.DEPUTY):         NO,
    ("mediation.get",      R.GRID_ASSISTANT): (200, 404, 404, 404),
    ("mediation.get",      R.MEDIATOR):       (200, 404, 404, 404),
    ("mediation.get",      R.OFFICER):        COURT,
    ("mediation.get",      R.JUDGE):          COURT,
    ("mediation.get",      R.DEPUTY):         (200, 404, 404, 404),
    ("mediation.get",      R.LIAISON_UNIT):   NO,
    ("mediation.get",      R.ADMIN):          NO,
    ("mediation.patch",    R.GRID_ASSISTANT): (200, 404, 404, 404),
    ("mediation.patch",    R.MEDIATOR):       (404, 404, 404, 404),  # only their own
    ("mediation.patch",    R.OFFICER):        NO,
    ("mediation.patch",    R.JUDGE):          NO,
    ("mediation.patch",    R.DEPUTY):         NO,
    ("settlement.get",     R.GRID_ASSISTANT): NO,  # assistants never see amounts
    ("settlement.get",     R.MEDIATOR):       (200, 404, 404, 404),
    ("settlement.get",     R.OFFICER):        COURT,
    ("settlement.get",     R.JUDGE):          COURT,
    ("settlement.get",     R.DEPUTY):         (200, 404, 404, 404),
    ("settlement.get",     R.LIAISON_UNIT):   NO,
    ("settlement.get",     R.ADMIN):          NO,
    ("settlement.pay",     R.GRID_ASSISTANT): NO,
    ("settlement.pay",     R.MEDIATOR):       NO,
    ("settlement.pay",     R.OFFICER):        (201, 201, 201, 404),
    ("settlement.pay",     R.JUDGE):          (201, 201, 201, 404),
    ("settlement.pay",     R.DEPUTY):         NO,
    ("task.get",           R.GRID_ASSISTANT): (200, 200, 404, 404),
    ("task.get",           R.MEDIATOR):       NO,
    ("task.get",           R.OFFICER):        COURT,
    ("task.get",           R.JUDGE):          COURT,
    ("task.get",           R.DEPUTY):         NO,
    ("task.get",           R.LIAISON_UNIT):   NO,
    ("task.get",           R.ADMIN):          NO,
    ("task.answer",        R.GRID_ASSISTANT): (201, 201, 404, 404),
    ("task.answer",        R.MEDIATOR):       NO,
    ("task.answer",        R.OFFICER):        NO,
    ("task.answer",        R.JUDGE):          NO,
    ("task.answers",       R.GRID_ASSISTANT): NO,
    ("task.answers",       R.OFFICER):        COURT,
    ("task.answers",       R.JUDGE):          COURT,
    ("task.answers",       R.DEPUTY):         NO,
    ("sighting.delete",    R.GRID_ASSISTANT): (204, 404, 404, 404),
    ("sighting.delete",    R.MEDIATOR):       NO,
    ("sighting.delete",    R.OFFICER):        (404, 404, 404, 404),  # only their own
    ("sighting.delete",    R.JUDGE):          (404, 404, 404, 404),
    ("sighting.delete",    R.DEPUTY):         NO,
    ("sighting.delete",    R.LIAISON_UNIT):   NO,
    ("sighting.delete",    R.ADMIN):          NO,
    ("mediation.delete",   R.GRID_ASSISTANT): (204, 404, 404, 404),
    ("mediation.delete",   R.MEDIATOR):       (404, 404, 404, 404),  # only their own
    ("mediation.delete",   R.OFFICER):        NO,
    ("mediation.delete",   R.JUDGE):          NO,
    ("mediation.delete",   R.DEPUTY):         NO,
    ("mediation.delete",   R.LIAISON_UNIT):   NO,
    ("mediation.delete",   R.ADMIN):          NO,
    ("task.close",         R.GRID_ASSISTANT): NO,
    ("task.close",         R.MEDIATOR):       NO,
    ("task.close",         R.OFFICER):        (201, 201, 201, 404),
    ("task.close",         R.JUDGE):          (201, 201, 201, 404),
    ("task.close",         R.DEPUTY):         NO,
    ("task.close",         R.LIAISON_UNIT):   NO,
    ("task.close",         R.ADMIN):          NO,
    ("task.history",       R.GRID_ASSISTANT): (200, 200, 404, 404),
    ("task.history",       R.MEDIATOR):       NO,
    ("task.history",       R.OFFICER):        COURT,
    ("task.history",       R.JUDGE):          COURT,
    ("task.history",       R.DEPUTY):         NO,
    ("task.history",       R.LIAISON_UNIT):   NO,
    ("task.history",       R.ADMIN):          NO,
    ("task.grids",         R.GRID_ASSISTANT): NO,
    ("task.grids",         R.MEDIATOR):       NO,
    ("task.grids",         R.OFFICER):        COURT,
    ("task.grids",         R.JUDGE):          COURT,
    ("task.grids",         R.DEPUTY):         NO,
    ("task.grids",         R.LIAISON_UNIT):   NO,
    ("task.grids",         R.ADMIN):          NO,
    ("answer.get",         R.GRID_ASSISTANT): (200, 404, 404, 404),
    ("answer.get",         R.MEDIATOR):       NO,
    ("answer.get",         R.OFFICER):        COURT,
    ("answer.get",         R.JUDGE):          COURT,
    ("answer.get",         R.DEPUTY):         NO,
    ("answer.get",         R.LIAISON_UNIT):   NO,
    ("answer.get",         R.ADMIN):          NO,
    ("answer.patch",       R.GRID_ASSISTANT): (200, 404, 404, 404),
    ("answer.patch",       R.MEDIATOR):       NO,
    ("answer.patch",       R.OFFICER):        NO,
    ("answer.patch",       R.JUDGE):          NO,
    ("answer.patch",       R.DEPUTY):         NO,
    ("answer.patch",       R.LIAISON_UNIT):   NO,
    ("answer.patch",       R.ADMIN):          NO,
}

LISTS = {"sighting.get": "/api/v1/sightings", "mediation.get": "/api/v1/mediation-notes",
         "settlement.get": "/api/v1/settlements", "task.get": "/api/v1/tasks"}


def _caller(world, role):
    return world.assistant if role == R.GRID_ASSISTANT else world.users[role]


def _cases(world, session):
    """Cases for each column; the deputy follows and the mediator mediates ``own``."""
    cases = {
        "own": factories.create_debtor_case(session, world.court, world.village_a)[0],
        "same_grid": factories.create_debtor_case(session, world.court, world.village_a)[0],
        "other_grid": factories.create_debtor_case(session, world.court, world.village_b)[0],
        "other_court": factories.create_debtor_case(session, world.other_court,
                                                    world.other_village)[0],
    }
    factories.follow_case(session, world.users[R.DEPUTY], cases["own"])
    factories.assign_mediator(session, world.users[R.MEDIATOR], cases["own"])
    return cases


def _records(world, session, resource):
    authors = {"own": world.assistant, "same_grid": world.neighbour,
               "other_grid": world.assistant_b, "other_court": world.stranger}
    villages = {"own": world.village_a, "same_grid": world.village_a,
                "other_grid": world.village_b, "other_court": world.other_village}
    if resource == "sighting":
        return {t: factories.create_sighting(session, authors[t], villages[t]) for t in TARGETS}
    if resource == "answer":
        tasks = _records(world, session, "task")
        tasks["same_grid"] = tasks["own"]
        return {t: factories.create_task_answer(session, tasks[t], authors[t]) for t in TARGETS}
    if resource == "task":
        other_judge = factories.create_user(session, world.other_court, R.JUDGE)
        judge = world.judge_user
        return {
            "own": factories.create_task(session, judge, world.village_a),
            "same_grid": factories.create_task(session, judge, world.village_a, world.village_b),
            "other_grid": factories.create_task(session, judge, world.village_b),
            "other_court": factories.create_task(session, other_judge, world.other_village),
        }
    cases = _cases(world, session)
    if resource == "mediation":
        return {t: factories.create_mediation_note(session, authors[t], cases[t])
                for t in TARGETS}
    return {t: factories.create_settlement(session, cases[t]) for t in TARGETS}


def _request(http, endpoint, record_id, headers):
    match endpoint:
        case "sighting.get":
            return http.get(f"/api/v1/sightings/{record_id}", headers=headers)
        case "sighting.patch":
            return http.patch(f"/api/v1/sightings/{record_id}", json={"notes": "补充"},
                              headers={**headers, "If-Match": '"1"'})
        case "mediation.get":
            return http.get(f"/api/v1/mediation-notes/{record_id}", headers=headers)
        case "mediation.patch":
            return http.patch(f"/api/v1/mediation-notes/{record_id}", json={"place": "村委会"},
                              headers={**headers, "If-Match": '"1"'})
        case "settlement.get":
            return http.get(f"/api/v1/settlements/{record_id}", headers=headers)
        case "settlement.pay":
            return http.post(f"/api/v1/settlements/{record_id}/instalments/1/payments",
                             json={"amount": "10.00", "paid_on": str(date.today())},
                             headers=headers)
        case "task.get":
            return http.get(f"/api/v1/tasks/{record_id}", headers=headers)
        case "task.answer":
            return http.post(f"/api/v1/tasks/{record_id}/answers",
                             json={"result": "done", "answer": "已核实"}, headers=headers)
        case "task.answers":
            return http.get(f"/api/v1/tasks/{record_id}/answers", headers=headers)
        case "sighting.delete":
            return http.delete(f"/api/v1/sightings/{record_id}", headers=headers)
        case "mediation.delete":
            return http.delete(f"/api/v1/mediation-notes/{record_id}", headers=headers)
        case "task.close":
            return http.post(f"/api/v1/tasks/{record_id}/transitions",
                             json={"to": "closed", "reason": "已完成"}, headers=headers)
        case "task.history":
            return http.get(f"/api/v1/tasks/{record_id}/transitions", headers=headers)
        case "task.grids":
            return http.get(f"/api/v1/tasks/{record_id}/grids", headers=headers)
    raise AssertionError(endpoint)


def _answer_request(http, endpoint, answer, headers):
    url = f"/api/v1/tasks/{answer.task_id}/answers/{answer.id}"
    if endpoint == "answer.get":
        return http.get(url, headers=headers)
    return http.patch(url, json={"answer": "已找到"}, headers={**headers, "If-Match": '"1"'})


@pytest.mark.parametrize(("endpoint", "role"), list(TABLE))
def test_field_record_access(http, world, session, endpoint, role):
    records = _records(world, session, endpoint.split(".")[0])
    session.commit()
    headers = world.headers(_caller(world, role))
    if endpoint.startswith("answer."):
        got = tuple(_answer_request(http, endpoint, records[t], headers).status_code
                    for t in TARGETS)
    else:
        got = tuple(_request(http, endpoint, records[t].id, headers).status_code
                    for t in TARGETS)
    assert got == TABLE[endpoint, role]
    if endpoint in LISTS:
        listed = http.get(LISTS[endpoint], headers=headers)
        if got[0] == 403:
            assert listed.status_code == 403
        else:
            visible = {item["id"] for item in listed.json()["items"]}
            expected = {records[t].id for t, status in zip(TARGETS, got, strict=True)
                        if status == 200}
            assert visible == expected

