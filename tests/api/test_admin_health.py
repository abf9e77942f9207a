"""The admin health report: JSON for tools, a small page for browsers.

What an IT office needs before a phone user calls: database reachable and migrated,
disk for attachments, how far devices trail the court's changes, quiet devices and
open conflicts. Only admins read it, and only their own court's devices and conflicts.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa

from enforcement.models import Device, Role, utcnow
from tests import factories
from tests.api.helpers import assert_problem, bearer


def _quiet_device(session, user, days: int) -> Device:
    device = Device(court_id=user.court_id, id=f"old-{uuid.uuid4().hex[:8]}",
                    user_id=user.id, name="旧手机", last_seen_at=utcnow() - timedelta(days=days))
    session.add(device)
    session.flush()
    return device


def _push_lead(http, tokens):
    response = http.post("/api/v1/sync/push", headers=bearer(tokens), json={
        "device_id": tokens["device_id"], "schema_version": 1, "mutations": [{
            "mutation_id": uuid.uuid4().hex, "table": "lead", "op": "create",
            "id": str(uuid.uuid4()), "fields": {"kind": "other", "description": "新线索"}}]})
    assert response.status_code == 200, response.text


def test_admin_sees_database_disk_quiet_devices_and_sync_lag(http, world, session, login):
    quiet = _quiet_device(session, world.assistant_b, days=40)
    _quiet_device(session, world.stranger, days=40)  # another court's: never shown
    session.commit()
    _push_lead(http, login(world.assistant))

    response = http.get("/api/v1/admin/health", headers=world.headers(world.users[Role.ADMIN]))
    assert response.status_code == 200, response.text
    report = response.json()
    assert report["database"]["reachable"] is True
    assert report["database"]["at_head"] is True
    assert report["database"]["revisions"] == report["database"]["head_revisions"]
    assert report["disk"]["free_bytes"] > 0 and report["disk"]["low"] is False
    assert report["stale_devices"]["count"] == 1
    assert [d["device_id"] for d in report["stale_devices"]["devices"]] == [quiet.id]
    assert report["stale_devices"]["devices"][0]["username"] == world.assistant_b.username
    groups = {g["role"]: g for g in report["sync"]["device_groups"]}
    assistants = groups["grid_assistant"]
    # the quiet phone synced 40 days ago: it is behind, and everything the court's feed
    # holds (the grids and cases the world made, then the new lead) is unacknowledged
    assert assistants["devices"] == 2 and assistants["behind"] == 1
    first, last = session.execute(sa.text(
        "SELECT min(changed_at), max(changed_at) FROM sync_change WHERE court_id = :court"),
        {"court": world.court.id}).one()
    assert datetime.fromisoformat(assistants["oldest_unacknowledged_change_at"]) == first
    assert datetime.fromisoformat(report["sync"]["newest_change_at"]) == last
    assert report["conflicts"]["open"] == 0
    assert report["status"] == "warning" and report["warnings"] == ["devices_not_seen"]


@pytest.mark.parametrize("role", [r for r in Role if r != Role.ADMIN])
def test_only_admins_read_the_health_report(http, world, role):
    user = world.assistant if role == Role.GRID_ASSISTANT else world.users[role]
    assert_problem(http.get("/api/v1/admin/health", headers=world.headers(user)),
                   403, "forbidden")


def test_the_health_report_needs_a_sign_in(http):
    assert_problem(http.get("/api/v1/admin/health"), 401, "token_missing")


def test_an_admin_of_another_court_sees_only_their_court(http, world, session):
    _quiet_device(session, world.assistant_b, days=40)
    other_admin = factories.create_user(session, world.other_court, Role.ADMIN)
    session.commit()
    report = http.get("/api/v1/admin/health", headers=world.headers(other_admin)).json()
    assert report["stale_devices"]["count"] == 0
    assert report["warnings"] == []


def test_little_disk_left_is_a_warning(make_app, world):
    app = make_app(HEALTH_DISK_FREE_WARN_MB=1024 * 1024 * 1024)  # a petabyte
    client = app.test_client()
    tokens = client.post("/api/v1/auth/login", json={
        "username": world.users[Role.ADMIN].username, "password": factories.PASSWORD,
        "device_id": "admin-desk"}).get_json()
    report = client.get("/api/v1/admin/health", headers=bearer(tokens)).get_json()
    assert report["disk"]["low"] is True and "disk_low" in report["warnings"]


def test_the_page_asks_for_a_sign_in_and_runs_no_script(http):
    page = http.get("/admin/health", headers={"Accept-Language": "en"})
    assert page.status_code == 200
    assert page.headers["Content-Type"].startswith("text/html")
    assert '<form method="post"' in page.text and "Sign in as an admin" in page.text
    csp = page.headers["Content-Security-Policy"]
    assert "default-src 'none'" in csp and "script-src" not in csp
    assert page.headers["Cache-Control"] == "no-store"


def test_the_page_shows_the_report_to_an_admin_only(http, world, session):
    _quiet_device(session, world.assistant_b, days=40)
    session.commit()
    shown = http.post("/admin/health?lang=zh-CN", data={
        "username": world.users[Role.ADMIN].username, "password": factories.PASSWORD})
    assert shown.status_code == 200
    assert "系统健康状况" in shown.text and "有设备长期未联系" in shown.text
    assert world.assistant_b.username in shown.text
    judge = http.post("/admin/health?lang=en", data={
        "username": world.judge_user.username, "password": factories.PASSWORD})
    assert judge.status_code == 403 and "You may not do this" in judge.text
    assert world.assistant_b.username not in judge.text
    wrong = http.post("/admin/health?lang=en", data={
        "username": world.users[Role.ADMIN].username, "password": "wrong"})
    assert wrong.status_code == 401 and "Wrong username or password" in wrong.text
