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
    ("lead.delete",     R.GRID_ASSISTANT): (204, 404, 404, 404),
    ("lead.delete",     R.MEDIATOR):       (403, 403, 403, 403),
    ("lead.delete",     R.OFFICER):        (404, 404, 404, 404),  # only their own
    ("lead.delete",     R.JUDGE):          (404, 404, 404, 404),
    ("lead.delete",     R.DEPUTY):         (403, 403, 403, 403),
    ("lead.delete",     R.LIAISON_UNIT):   (403, 403, 403, 403),
    ("lead.delete",     R.ADMIN):          (403, 403, 403, 403),
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
    if endpoint == "lead.delete":
        return http.delete(url, headers=headers)
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
    factories.assign_mediator(session, world.users[R.MEDIATOR], cases["own"])
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


NO = (403, 403, 403, 403)
COURT = (200, 200, 200, 404)
MEDIATOR_TABLE = {
    # endpoint               role                own  same other court
    ("case.mediators",       R.GRID_ASSISTANT): NO,
    ("case.mediators",       R.MEDIATOR):       (200, 404, 404, 404),
    ("case.mediators",       R.OFFICER):        COURT,
    ("case.mediators",       R.JUDGE):          COURT,
    ("case.mediators",       R.DEPUTY):         NO,
    ("case.mediators",       R.LIAISON_UNIT):   NO,
    ("case.mediators",       R.ADMIN):          NO,
    ("case.assign_mediator", R.GRID_ASSISTANT): NO,
    ("case.assign_mediator", R.MEDIATOR):       NO,
    ("case.assign_mediator", R.OFFICER):        (201, 201, 201, 404),
    ("case.assign_mediator", R.JUDGE):          (201, 201, 201, 404),
    ("case.assign_mediator", R.DEPUTY):         NO,
    ("case.assign_mediator", R.LIAISON_UNIT):   NO,
    ("case.assign_mediator", R.ADMIN):          NO,
    ("case.end_mediator",    R.GRID_ASSISTANT): NO,
    ("case.end_mediator",    R.MEDIATOR):       NO,
    ("case.end_mediator",    R.OFFICER):        COURT,
    ("case.end_mediator",    R.JUDGE):          COURT,
    ("case.end_mediator",    R.DEPUTY):         NO,
    ("case.end_mediator",    R.LIAISON_UNIT):   NO,
    ("case.end_mediator",    R.ADMIN):          NO,
}


@pytest.mark.parametrize(("endpoint", "role"), list(MEDIATOR_TABLE))
def test_case_mediator_access(http, world, session, endpoint, role):
    """The mediator of the table is assigned to ``own``; another mediator of the court
    (``second``) is assigned to every case and is the one assigned or taken off."""
    second = factories.create_user(session, world.court, R.MEDIATOR)
    other_mediator = factories.create_user(session, world.other_court, R.MEDIATOR)
    cases = {
        "own": factories.create_debtor_case(session, world.court, world.village_a)[0],
        "same_grid": factories.create_debtor_case(session, world.court, world.village_a)[0],
        "other_grid": factories.create_debtor_case(session, world.court, world.village_b)[0],
        "other_court": factories.create_debtor_case(session, world.other_court,
                                                    world.other_village)[0],
    }
    factories.assign_mediator(session, world.users[R.MEDIATOR], cases["own"])
    assignments = {t: factories.assign_mediator(
        session, other_mediator if t == "other_court" else second, case)
        for t, case in cases.items()}
    session.commit()
    headers = world.headers(_caller(world, role))
    got = []
    for target in TARGETS:
        url = f"/api/v1/cases/{cases[target].id}/mediators"
        if endpoint == "case.mediators":
            response = http.get(url, headers=headers)
        elif endpoint == "case.assign_mediator":
            fresh = factories.create_user(session, world.court, R.MEDIATOR)
            session.commit()
            response = http.post(url, json={"mediator_id": fresh.id}, headers=headers)
        else:
            response = http.delete(f"{url}/{assignments[target].id}", headers=headers)
        got.append(response.status_code)
    assert tuple(got) == MEDIATOR_TABLE[endpoint, role]


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
