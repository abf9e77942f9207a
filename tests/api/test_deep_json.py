"""No JSON a client sends is deep enough to make the server fail: every route that takes a
body (from the access table) answers problem+json 413 or 422 to arrays nested up to a
million levels, before any view parses them; JSON inside a query value too."""

from __future__ import annotations

import pytest

from sync.json_depth import MAX_DEPTH
from tests.api.helpers import assert_problem, bearer
from tests.api.test_route_access import PUBLIC, ROUTES, _url

BODY_METHODS = {"POST", "PUT", "PATCH"}
ROUTES_WITH_BODY = sorted(route for route in (*ROUTES, *PUBLIC) if route[0] in BODY_METHODS)
DEPTHS = (MAX_DEPTH + 1, 100_000, 1_000_000)


def deep_array(depth: int) -> bytes:
    return b"[" * depth + b"]" * depth


@pytest.fixture
def judge_headers(world, login) -> dict[str, str]:
    return {**bearer(login(world.judge_user)), "Content-Type": "application/json"}


def test_the_table_lists_the_routes_that_take_a_body():
    assert ("POST", "/api/v1/leads") in ROUTES_WITH_BODY
    assert len(ROUTES_WITH_BODY) > 50


def test_every_route_refuses_deep_json_with_a_problem(http, judge_headers):
    failures = {}
    for method, rule in ROUTES_WITH_BODY:
        for depth in DEPTHS:
            response = http.request(method, _url(rule), headers=judge_headers,
                                    data=deep_array(depth))
            is_problem = response.headers.get("Content-Type", "").startswith(
                "application/problem+json")
            if response.status_code not in (413, 422) or not is_problem or (
                    response.status_code == 422 and response.json()["code"] != "json_too_deep"):
                failures[(method, rule, depth)] = (response.status_code, response.text[:120])
    assert not failures, failures


def test_deep_json_sent_in_chunks_without_a_length_is_refused_too(http, judge_headers):
    body = deep_array(1_000_000)
    chunks = (body[i:i + 65_536] for i in range(0, len(body), 65_536))
    response = http.post("/api/v1/leads", headers=judge_headers, data=chunks)
    assert_problem(response, 422, "json_too_deep")


def test_json_as_deep_as_allowed_reaches_the_view(http, judge_headers):
    shallow = b"[" * MAX_DEPTH + b"]" * MAX_DEPTH
    response = http.post("/api/v1/leads", headers=judge_headers, data=shallow)
    assert_problem(response, 422, "validation_failed")  # the schema's answer, not the guard's


def test_deep_json_in_a_query_value_is_a_field_error(http, world, login):
    migration = "[" * 2_000 + "]" * 2_000
    response = http.get("/api/v1/sync/watermelon", headers=bearer(login(world.assistant)),
                        params={"migration": migration})
    body = assert_problem(response, 422, "validation_failed")
    assert "migration" in body["errors"]["query"]

