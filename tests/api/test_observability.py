"""Request ids, metrics and logs as an operator sees them."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from typing import Any

import pytest
from prometheus_client.parser import text_string_to_metric_families

from api.observability import log_formatter
from enforcement.infrastructure import crypto
from tests import factories
from tests.api.helpers import assert_problem


@pytest.fixture
def log_lines(caplog: pytest.LogCaptureFixture) -> Callable[[], list[dict[str, Any]]]:
    """The JSON lines production would write, as the server logged them during the test."""
    caplog.handler.setFormatter(log_formatter(json_logs=True))
    caplog.set_level(logging.INFO)
    return lambda: [json.loads(line) for line in caplog.text.splitlines()]


def test_every_response_carries_a_request_id_that_problems_repeat(http):
    ok = http.get("/healthz")
    assert len(ok.headers["X-Request-ID"]) >= 8
    failed = http.get("/api/v1/me", headers={"X-Request-ID": "phone-req-12345"})
    body = assert_problem(failed, 401, "token_missing")
    assert failed.headers["X-Request-ID"] == "phone-req-12345"
    assert body["request_id"] == "phone-req-12345"


def test_a_hostile_request_id_is_replaced(http):
    response = http.get("/healthz", headers={"X-Request-ID": "x\" onmouseover=alert(1)"})
    assert response.headers["X-Request-ID"] != "x\" onmouseover=alert(1)"


def _samples(text: str, name: str) -> dict[tuple, float]:
    return {
        tuple(sorted(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples if sample.name == name
    }


def test_metrics_count_requests_by_route_and_status(http):
    for _ in range(3):
        http.get("/healthz")
    http.get("/api/v1/me")
    scraped = http.get("/metrics")
    assert scraped.status_code == 200
    counts = _samples(scraped.text, "gridwork_http_requests_total")
    healthz = (("method", "GET"), ("route", "/healthz"), ("status", "200"))
    me = (("method", "GET"), ("route", "/api/v1/me"), ("status", "401"))
    assert counts[healthz] >= 3
    assert counts[me] >= 1
    latency = _samples(scraped.text, "gridwork_http_request_seconds_count")
    assert latency[(("method", "GET"), ("route", "/healthz"))] >= 3


def test_metrics_are_hidden_from_other_addresses_unless_the_token_is_sent(make_app):
    app = make_app(METRICS_ALLOW_FROM="10.9.9.0/24", METRICS_TOKEN="s3cret-token")
    client = app.test_client()
    assert client.get("/metrics").status_code == 404
    assert client.get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 404
    allowed = client.get("/metrics", headers={"Authorization": "Bearer s3cret-token"})
    assert allowed.status_code == 200


def test_access_log_is_json_without_personal_data(http, log_lines):
    http.post("/api/v1/auth/login", json={
        "username": "张三丰", "password": "13812345678", "device_id": "d1"})
    access = [e for e in log_lines() if e["logger"] == "gridwork.access"]
    assert access, "no access log line"
    assert access[-1]["route"] == "/api/v1/auth/login" and access[-1]["status"] == 401
    line = json.dumps(access[-1], ensure_ascii=False)
    assert "张三丰" not in line and "13812345678" not in line


def test_an_access_line_names_the_request_its_user_and_court(http, world, log_lines):
    response = http.get("/api/v1/me", headers=world.headers(world.assistant))
    assert response.status_code == 200
    line = next(e for e in log_lines()
                if e.get("request_id") == response.headers["X-Request-ID"])
    assert line["logger"] == "gridwork.access" and line["msg"] == "request"
    assert (line["method"], line["route"], line["status"]) == ("GET", "/api/v1/me", 200)
    assert line["user_id"] == world.assistant.id and line["court_id"] == world.court.id
    assert line["level"] == "info" and line["ts"].endswith("Z")


def test_the_traceback_of_a_500_carries_the_request_id_the_user_was_given(
        http, world, session, log_lines):
    case, _ = factories.create_debtor_case(session, world.court, world.village_a)
    session.commit()
    headers = world.headers(world.judge_user)
    before = crypto.keyring()
    crypto.configure(bytes(range(32)))  # not the key the numbers were sealed with
    try:
        response = http.get(f"/api/v1/cases/{case.id}", headers=headers)
    finally:
        crypto.configure(before.key)
    request_id = assert_problem(response, 500, "internal_error")["request_id"]
    lines = [e for e in log_lines() if e.get("request_id") == request_id]
    failure = next(e for e in lines if "exc" in e)
    assert failure["level"] == "error" and failure["logger"] == "gridwork.api"
    assert failure["exc"].startswith("Traceback") and "PersonalDataKeyError" in failure["exc"]
    assert failure["route"] == "/api/v1/cases/<string:case_id>"
    assert failure["user_id"] == world.judge_user.id and failure["court_id"] == world.court.id
    access = next(e for e in lines if e["logger"] == "gridwork.access")
    assert access["status"] == 500


def test_a_terminal_gets_readable_lines_with_the_same_context():
    import structlog

    structlog.contextvars.bind_contextvars(request_id="phone-req-12345", route="/api/v1/me")
    try:
        record = logging.LogRecord("gridwork.api", logging.WARNING, __file__, 1,
                                   "database unavailable", None, None)
        line = log_formatter(json_logs=False).format(record)
    finally:
        structlog.contextvars.clear_contextvars()
    assert not line.startswith("{") and "database unavailable" in line
    assert "request_id=phone-req-12345" in line and "route=/api/v1/me" in line
