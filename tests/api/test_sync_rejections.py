"""Refused records over HTTP: listed for their author and the court (never another
assistant, never another court), in the request's language, discarded once."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from sync.tables import sync_rejection
from tests.api.helpers import assert_problem


def _refused_push(http: Any, world: Any, user: Any, record_id: str,
                  mutation_id: str | None = None) -> dict[str, Any]:
    headers = world.headers(user)
    device = http.get("/api/v1/me", headers=headers).json()["device_id"]
    pushed = http.post("/api/v1/sync/push", headers=headers, json={
        "device_id": device, "schema_version": 3, "mutations": [{
            "mutation_id": mutation_id or f"m-{record_id}", "table": "lead", "op": "create",
            "id": record_id,
            "fields": {"kind": "vehicle", "description": "院里停着一辆新三轮",
                       "observed_at": "2040-01-01T00:00:00Z"}}]})
    assert pushed.status_code == 200, pushed.text
    return pushed.json()["results"][0]


def test_refusals_are_listed_for_their_author_and_the_court_only(http, world):
    result = _refused_push(http, world, world.assistant, "a" * 16)
    assert result["status"] == "rejected" and result["code"] == "implausible_time"
    mine = http.get("/api/v1/sync/rejections", headers=world.headers(world.assistant)).json()
    assert [(r["record_id"], r["code"], r["op"], r["attempts"]) for r in mine] == [
        ("a" * 16, "implausible_time", "create", 1)]
    assert mine[0]["mutation"]["fields"]["description"] == "院里停着一辆新三轮"
    assert http.get("/api/v1/sync/rejections",
                    headers=world.headers(world.neighbour)).json() == []
    assert http.get("/api/v1/sync/rejections",
                    headers=world.headers(world.stranger)).json() == []
    court = http.get("/api/v1/sync/rejections",
                     headers=world.headers(world.judge_user, **{"Accept-Language": "zh-CN"}))
    listed = court.json()
    assert [r["author_name"] for r in listed] == [world.assistant.display_name]
    assert "时间" in listed[0]["message"]
    english = http.get("/api/v1/sync/rejections",
                       headers=world.headers(world.judge_user, **{"Accept-Language": "en"}))
    assert "time" in english.json()[0]["message"].lower()


def test_a_refusal_is_discarded_once_by_its_author_or_the_court(http, world, engine):
    _refused_push(http, world, world.assistant, "b" * 16)
    rejection = http.get("/api/v1/sync/rejections",
                         headers=world.headers(world.judge_user)).json()[0]
    url = f"/api/v1/sync/rejections/{rejection['id']}/discard"
    assert_problem(http.post(url, headers=world.headers(world.neighbour)), 404,
                   "rejection_not_found")
    assert_problem(http.post(url, headers=world.headers(world.stranger)), 404,
                   "rejection_not_found")
    done = http.post(url, headers=world.headers(world.judge_user))
    assert done.status_code == 200 and done.json()["status"] == "discarded"
    assert_problem(http.post(url, headers=world.headers(world.assistant)), 409,
                   "rejection_closed")
    assert http.get("/api/v1/sync/rejections",
                    headers=world.headers(world.assistant)).json() == []
    gone = http.get("/api/v1/sync/rejections?status=discarded",
                    headers=world.headers(world.assistant)).json()
    assert [r["record_id"] for r in gone] == ["b" * 16]
    with engine.connect() as conn:
        assert conn.execute(sa.select(sync_rejection.c.status)).scalars().all() == ["discarded"]


def test_sending_a_refused_record_again_counts_and_a_fixed_one_closes(http, world):
    for attempt in range(3):  # a retry of one mutation is not a new attempt; a resend is
        _refused_push(http, world, world.assistant, "c" * 16, f"m-{attempt}")
    _refused_push(http, world, world.assistant, "c" * 16, "m-2")
    headers = world.headers(world.assistant)
    assert [r["attempts"] for r in
            http.get("/api/v1/sync/rejections", headers=headers).json()] == [3]
    device = http.get("/api/v1/me", headers=headers).json()["device_id"]
    fixed = http.post("/api/v1/sync/push", headers=headers, json={
        "device_id": device, "schema_version": 3, "mutations": [{
            "mutation_id": "m-fixed", "table": "lead", "op": "create", "id": "c" * 16,
            "fields": {"kind": "vehicle", "description": "院里停着一辆新三轮"}}]})
    assert fixed.json()["results"][0]["status"] == "applied"
    assert http.get("/api/v1/sync/rejections", headers=headers).json() == []
    closed = http.get("/api/v1/sync/rejections?status=fixed", headers=headers).json()
    assert [(r["record_id"], r["status"]) for r in closed] == [("c" * 16, "fixed")]
