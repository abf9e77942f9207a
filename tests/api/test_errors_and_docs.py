"""Every error is problem+json in the caller's language; the API documents itself offline."""

from __future__ import annotations

import re
import socket

import pytest
from openapi_spec_validator import validate

from tests.api.helpers import assert_problem


@pytest.mark.parametrize(("language", "title"), [
    ("en", "The submitted data is not valid"),
    ("en-GB,en;q=0.9", "The submitted data is not valid"),
    ("zh-CN,zh;q=0.9", "提交的数据有误"),
    (None, "提交的数据有误"),
])
def test_validation_errors_name_fields_and_speak_the_callers_language(http, language, title):
    headers = {"Accept-Language": language} if language else {}
    response = http.post("/api/v1/auth/login", json={"username": ""}, headers=headers)
    body = assert_problem(response, 422, "validation_failed")
    assert body["title"] == title
    assert set(body["errors"]["json"]) == {"username", "password", "device_id"}


def test_fields_a_client_may_not_set_are_refused_by_name(http):
    response = http.post("/api/v1/auth/login", json={
        "username": "a", "password": "b", "device_id": "d", "role": "admin"})
    body = assert_problem(response, 422, "unknown_field")
    assert body["errors"]["json"] == {"role": ["Unknown field."]}


def test_malformed_json_is_400_not_500(http):
    response = http.post("/api/v1/auth/login", data="{not json",
                         headers={"Content-Type": "application/json"})
    assert_problem(response, 400, "bad_request")


def test_unknown_path_and_wrong_method(http):
    assert_problem(http.get("/api/v1/nothing-here", headers={"Accept-Language": "en"}),
                   404, "not_found")
    assert_problem(http.delete("/api/v1/auth/login"), 405, "method_not_allowed")


def test_oversized_body_is_413(http):
    response = http.post("/api/v1/auth/login", data=b"x" * (3 * 1024 * 1024),
                         headers={"Content-Type": "application/json"})
    assert_problem(response, 413, "payload_too_large")


def test_healthz_reports_the_database(http):
    response = http.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


def test_healthz_is_503_problem_when_the_database_is_down(make_app):
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    app = make_app(DATABASE_URL=f"postgresql+psycopg://postgres@127.0.0.1:{port}/none")
    response = app.test_client().get("/healthz", headers={"Accept-Language": "en"})
    assert response.status_code == 503
    assert response.mimetype == "application/problem+json"
    assert response.json["code"] == "database_unavailable"
    assert response.json["title"] == "The database is unavailable"


def test_openapi_document_is_valid_and_documents_problem_errors(http):
    spec = http.get("/api/v1/openapi.json").json()
    validate(spec)
    assert spec["openapi"].startswith("3.")
    login = spec["paths"]["/api/v1/auth/login"]["post"]
    assert "422" in login["responses"]
    assert "bearerAuth" in spec["components"]["securitySchemes"]
    me = spec["paths"]["/api/v1/me"]["get"]
    assert me["security"] == [{"bearerAuth": []}]


def test_every_documented_error_is_problem_json_with_the_problem_schema(http):
    """What the error handler sends, whatever the status: the document must say so, or a
    generated client parses no error body (and schemathesis reports every one)."""
    spec = http.get("/api/v1/openapi.json").json()
    components = spec["components"]["responses"]
    wrong = {}
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            if method == "parameters":
                continue
            for status, response in operation["responses"].items():
                if status != "default" and int(status) < 400:
                    continue
                response = components[response["$ref"].rsplit("/", 1)[-1]] \
                    if "$ref" in response else response
                content = response.get("content", {})
                schemas = [media.get("schema") for media in content.values()]
                if list(content) != ["application/problem+json"] or schemas != [
                        {"$ref": "#/components/schemas/Problem"}]:
                    wrong[(method, path, status)] = content
    assert not wrong, wrong
    problem = spec["components"]["schemas"]["Problem"]
    assert problem["additionalProperties"] is True  # RFC 9457 extension members
    assert {"errors", "current_status", "allowed", "wipe", "records", "resync"} <= set(
        problem["properties"])


def test_docs_ui_loads_every_asset_from_the_app_itself(http):
    page = http.get("/api/v1/docs")
    assert page.status_code == 200
    assets = re.findall(r'(?:src|href)="([^"]+)"', page.text)
    assert assets, page.text
    for asset in assets:
        assert asset.startswith("/"), f"{asset} would need the internet"
        assert http.get(asset).status_code == 200, asset


def test_nul_characters_anywhere_are_refused_by_location(http):
    response = http.post("/api/v1/auth/login?next=a%00b", json={
        "username": "张\u0000三", "password": "x", "device_id": "d1"})
    body = assert_problem(response, 422, "invalid_characters")
    assert body["errors"] == {"query": {"next": ["must not contain NUL characters"]},
                              "json": {"username": ["must not contain NUL characters"]}}


def test_absurdly_nested_or_long_json_is_refused_before_any_view(http):
    nested: dict = {"x": 1}
    for _ in range(40):
        nested = {"x": nested}
    assert_problem(http.post("/api/v1/auth/login", json=nested), 422, "json_too_deep")
    assert_problem(http.post("/api/v1/auth/login", json=list(range(20_000))),
                   422, "json_too_large")
