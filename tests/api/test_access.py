"""The access policy as a table, over HTTP: endpoint × role × whose record.

Columns, from the point of view of the grid assistant serving village A:
``own`` — their own lead / a case whose debtor lives in their grid, which the deputy
follows and the mediator mediates; ``same_grid`` — a neighbour's lead in village A / another
case of a village-A debtor; ``other_grid`` — a lead or case in village B; ``other_court`` —
a lead or case of another court. 403 means the role may not do this at all; 404 that
the record is outside the caller's scope (its existence is not disclosed).
"""

from __future__ import annotations

import pytest

from enforcement.models import Role
from tests import factories

TARGETS = ("own", "same_grid", "other_grid", "other_court")
R = Role

LEAD_TABLE = {
    # endpoint        role                own  same other court
    ("lead.get",        R.GRID_ASSISTANT): (200, 404, 404, 404),
    ("lead.get",        R.MEDIATOR):       (403, 403, 403, 403),
    ("lead.get",        R.OFFICER):        (200, 200, 200, 404),
    ("lead.get",        R.JUDGE):          (200, 200, 200, 404),
    ("lead.get",        R.DEPUTY):         (403, 403, 403, 403),
    ("lead.get",        R.LIAISON_UNIT):   (403, 403, 403, 403),
    ("lead.get",        R.ADMIN):          (403, 403, 403, 403),
    ("lead.history",    R.GRID_ASSISTANT): (200, 404, 404, 404),
    ("lead.history",    R.MEDIATOR):       (403, 403, 403, 403),
    ("lead.history",    R.OFFICER):        (200, 200, 200, 404),
    ("lead.history",    R.JUDGE):          (200, 200, 200, 404),
    ("lead.history",    R.DEPUTY):         (403, 403, 403, 403),
    ("lead.history",    R.LIAISON_UNIT):   (403, 403, 403, 403),
    ("lead.history",    R.ADMIN):          (403, 403, 403, 403),
    ("lead.patch",      R.GRID_ASSISTANT): (200, 404, 404, 404),
    ("lead.patch",      R.MEDIATOR):       (403, 403, 403, 403),
    ("lead.patch",      R.OFFICER):        (403, 403, 403, 403),
    ("lead.patch",      R.JUDGE):          (403, 403, 403, 403),
    ("lead.patch",      R.DEPUTY):         (403, 403, 403, 403),
    ("lead.patch",      R.LIAISON_UNIT):   (403, 403, 403, 403),
    ("lead.patch",      R.ADMIN):          (403, 403, 403, 403),
    ("lead.transition", R.GRID_ASSISTANT): (403, 403, 403, 403),
    ("lead.transition", R.MEDIATOR):       (403, 403, 403, 403),
    ("lead.transition", R.OFFICER):        (403, 403, 403, 404),  # triage is the judge's
    ("lead.transition", R.JUDGE):          (201, 201, 201, 404),
    ("lead.transition", R.DEPUTY):         (403, 403, 403, 403),
    ("lead.transition", R.LIAISON_UNIT):   (403, 403, 403, 403),
    ("lead.transition", R.ADMIN):          (403, 403, 403, 403),
}

CASE_TABLE = {
    ("case.get", R.GRID_ASSISTANT): (200, 200, 404, 404),
    ("case.get", R.MEDIATOR):       (200, 404, 404, 404),
    ("case.get", R.OFFICER):        (200, 200, 200, 404),
    ("case.get", R.JUDGE):          (200, 200, 200, 404),
    ("case.get", R.DEPUTY):         (200, 404, 404, 404),
    ("case.get", R.LIAISON_UNIT):   (403, 403, 403, 403),
    ("case.get", R.ADMIN):          (403, 403, 403, 403),
}


def _caller(world, role):
    return world.assistant if role == R.GRID_ASSISTANT else world.users[role]


def _lead_request(http, endpoint, lead_id, headers):
    url = f"/api/v1/leads/{lead_id}"
    if endpoint == "lead.get":
        return http.get(url, headers=headers)
    if endpoint == "lead.history":
        return http.get(f"{url}/transitions", headers=headers)
    if endpoint == "lead.patch":
        return http.patch(url, json={"description": "补充"}, headers={**headers, "If-Match": '"1"'})
    return http.post(f"{url}/transitions", json={"to": "under_review"}, headers=headers)


@pytest.mark.parametrize(("endpoint", "role"), list(LEAD_TABLE))
def test_lead_access(http, world, session, endpoint, role):
    leads = {
        "own": factories.create_lead(session, world.assistant, world.village_a),
        "same_grid": factories.create_lead(session, world.neighbour, world.village_a),
        "other_grid": factories.create_lead(session, world.assistant_b, world.village_b),
        "other_court": factories.create_lead(session, world.stranger, world.other_village),
    }
    session.commit()
    headers = world.headers(_caller(world, role))
    got = tuple(_lead_request(http, endpoint, leads[t].id, headers).status_code
                for t in TARGETS)
    assert got == LEAD_TABLE[endpoint, role]


@pytest.mark.parametrize(("endpoint", "role"), list(CASE_TABLE))
def test_case_access(http, world, session, endpoint, role):
    cases = {
        "own": factories.create_debtor_case(session, world.court, world.village_a)[0],
        "same_grid": factories.create_debtor_case(session, world.court, world.village_a)[0],
        "other_grid": factories.create_debtor_case(session, world.court, world.village_b)[0],
        "other_court": factories.create_debtor_case(session, world.other_court,
                                                    world.other_village)[0],
    }
    factories.follow_case(session, world.users[R.DEPUTY], cases["own"])
    factories.create_mediation_note(session, world.users[R.MEDIATOR], cases["own"])
    session.commit()
    headers = world.headers(_caller(world, role))
    got = tuple(http.get(f"/api/v1/cases/{cases[t].id}", headers=headers).status_code
                for t in TARGETS)
    assert got == CASE_TABLE[endpoint, role]
    listed = http.get("/api/v1/cases", headers=headers)
    if got[0] == 403:
        assert listed.status_code == 403
    else:
        visible = {item["id"] for item in listed.json()["items"]}
        assert visible == {cases[t].id for t, status in zip(TARGETS, got, strict=True)
                           if status == 200}


def test_a_mediator_sees_the_cases_of_the_townships_they_serve(http, world, session):
    mediator = world.users[R.MEDIATOR]
    factories.assign_grid(session, mediator, world.village_b)
    case, _ = factories.create_debtor_case(session, world.court, world.village_a,
                                           township_id=world.township.id)
    elsewhere, _ = factories.create_debtor_case(session, world.court, world.village_a)
    session.commit()
    headers = world.headers(mediator)
    assert http.get(f"/api/v1/cases/{case.id}", headers=headers).status_code == 200
    assert http.get(f"/api/v1/cases/{elsewhere.id}", headers=headers).status_code == 404


def test_the_lead_list_is_scoped_like_single_reads(http, world, session):
    own = factories.create_lead(session, world.assistant, world.village_a)
    factories.create_lead(session, world.neighbour, world.village_a)
    factories.create_lead(session, world.stranger, world.other_village)
    session.commit()
    mine = http.get("/api/v1/leads", headers=world.headers(world.assistant)).json()
    assert [item["id"] for item in mine["items"]] == [own.id]
    court = http.get("/api/v1/leads", headers=world.headers(world.judge_user)).json()
    assert len(court["items"]) == 2


CREATE_AND_WANTED = {
    # role              POST /leads  GET /leads  GET /wanted
    R.GRID_ASSISTANT: (201,          200,        200),
    R.MEDIATOR:       (403,          403,        403),
    R.OFFICER:        (201,          200,        403),
    R.JUDGE:          (201,          200,        403),
    R.DEPUTY:         (403,          403,        403),
    R.LIAISON_UNIT:   (403,          403,        403),
    R.ADMIN:          (403,          403,        403),
}


@pytest.mark.parametrize("role", list(CREATE_AND_WANTED))
def test_who_may_report_list_leads_and_read_the_wanted_list(http, world, role):
    headers = world.headers(_caller(world, role))
    got = (
        http.post("/api/v1/leads", json={"kind": "other"}, headers=headers).status_code,
        http.get("/api/v1/leads", headers=headers).status_code,
        http.get("/api/v1/wanted", headers=headers).status_code,
    )
    assert got == CREATE_AND_WANTED[role]
