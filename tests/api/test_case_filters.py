"""Narrowing the case list: place, dates, number, debtor, followed; who may use which."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from enforcement.models import Role
from tests import factories
from tests.api.helpers import assert_problem


@pytest.fixture
def cases(session, world):
    made = {
        "west": factories.create_debtor_case(
            session, world.court, world.village_a, case_number="(2023)甘1025执7号",
            filed_on=date(2023, 5, 2), address_point=factories.point(108.305, 35.405),
            updated_at=datetime(2026, 1, 5, tzinfo=UTC))[0],
        "east": factories.create_debtor_case(
            session, world.court, world.village_b, case_number="(2024)甘1025执7号",
            filed_on=date(2024, 5, 2), address_point=factories.point(108.315, 35.405),
            updated_at=datetime(2026, 3, 5, tzinfo=UTC))[0],
        "odd": factories.create_case(session, world.court, case_number="(2024)甘1025执%_号",
                                     filed_on=date(2024, 6, 30)),
    }
    debtor = factories.create_party(session, world.court, world.village_b, name="欧阳明辉")
    factories.add_party(session, made["odd"], debtor)
    factories.follow_case(session, world.users[Role.DEPUTY], made["east"])
    session.commit()
    return made


def _ids(http, world, query, user=None):
    response = http.get(f"/api/v1/cases?{query}", headers=world.headers(user or world.judge_user))
    assert response.status_code == 200, response.text
    return {item["id"] for item in response.json()["items"]}


@pytest.mark.parametrize(("query", "expected"), [
    ("bbox=108.30,35.40,108.31,35.41", {"west"}),
    ("filed_from=2024-01-01", {"east", "odd"}),
    ("filed_to=2024-05-02", {"west", "east"}),
    ("filed_from=2024-05-02&filed_to=2024-05-02", {"east"}),
    ("updated_from=2026-02-01T00:00:00Z&updated_to=2026-04-01T00:00:00Z", {"east"}),
    ("number=(2024)", {"east", "odd"}),
    ("number=(2024)甘1025执%25", {"odd"}),  # % is a character here, not a wildcard
    ("number=(2024)甘1025执_", set()),
    ("debtor=欧阳", {"odd"}),
    ("debtor=张三", {"west", "east"}),
    ("followed=true", set()),  # the judge follows nothing
])
def test_case_filters(http, world, cases, query, expected):
    assert _ids(http, world, query) == {cases[name].id for name in expected}


def test_a_deputy_narrows_to_the_cases_they_follow(http, world, session, cases):
    deputy = world.users[Role.DEPUTY]
    assert _ids(http, world, "followed=true", deputy) == {cases["east"].id}
    assert _ids(http, world, "followed=false", deputy) == set()


@pytest.mark.parametrize("role", [Role.GRID_ASSISTANT, Role.DEPUTY])
def test_roles_that_see_names_masked_cannot_search_by_name(http, world, cases, role):
    user = world.assistant if role == Role.GRID_ASSISTANT else world.users[role]
    response = http.get("/api/v1/cases?debtor=张", headers=world.headers(user))
    problem = assert_problem(response, 403, "filter_not_allowed")
    assert "debtor" in problem["errors"]["query"]


def test_roles_without_amounts_cannot_sort_by_them(http, world, cases):
    response = http.get("/api/v1/cases?sort=outstanding",
                        headers=world.headers(world.assistant, **{"Accept-Language": "en"}))
    problem = assert_problem(response, 403, "sort_not_allowed")
    assert problem["title"] == "Your role cannot sort by that"
    ok = http.get("/api/v1/cases?sort=outstanding",
                  headers=world.headers(world.users[Role.DEPUTY]))
    assert ok.status_code == 200


@pytest.mark.parametrize("query", ["filed_from=2024-13-01", "bbox=1,2,3", "followed=maybe",
                                   "sort=richest", "updated_to=yesterday"])
def test_bad_filters_are_422(http, world, query):
    response = http.get(f"/api/v1/cases?{query}", headers=world.headers(world.judge_user))
    assert_problem(response, 422, "validation_failed")
