"""Request ids, metrics and logs as an operator sees them."""

from __future__ import annotations

import json
import logging

from prometheus_client.parser import text_string_to_metric_families

from api.observability import JsonFormatter
from tests.api.helpers import assert_problem


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


def test_access_log_is_json_without_personal_data(caplog, make_app):
    app = make_app()
    with caplog.at_level(logging.INFO, logger="gridwork.access"):
        app.test_client().post("/api/v1/auth/login", json={
            "username": "张三丰", "password": "13812345678", "device_id": "d1"})
    records = [r for r in caplog.records if r.name == "gridwork.access"]
    assert records, "no access log line"
    line = JsonFormatter().format(records[-1])
    entry = json.loads(line)
    assert entry["route"] == "/api/v1/auth/login"
    assert entry["status"] == 401
    assert "张三丰" not in line and "13812345678" not in line
