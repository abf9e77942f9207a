"""Guessing passwords gets the guessing address locked out and the address slowed down
(tests/security/test_lockout.py: what the lock-out no longer does to the account's owner)."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from enforcement.accounts.auth import LOCKOUT, MAX_FAILED_LOGINS
from enforcement.models import LoginAttempt, Role, utcnow
from tests import factories
from tests.api.helpers import assert_problem, bearer


def attempt(http, user, password="wrong", device_id="d1"):
    return http.post("/api/v1/auth/login", json={
        "username": user.username, "password": password, "device_id": device_id})


def test_account_locks_after_repeated_wrong_passwords_even_with_the_right_one(http, session):
    user = factories.create_user(session, factories.create_court(session))
    session.commit()
    for _ in range(MAX_FAILED_LOGINS):
        assert_problem(attempt(http, user), 401, "invalid_credentials")

    locked = attempt(http, user, factories.PASSWORD)
    body = assert_problem(locked, 429, "account_locked")
    retry_after = int(locked.headers["Retry-After"])
    assert LOCKOUT.total_seconds() - 60 < retry_after <= LOCKOUT.total_seconds() + 1
    assert body["title"]


def test_a_right_password_resets_the_count(http, session):
    user = factories.create_user(session, factories.create_court(session))
    session.commit()
    for _ in range(MAX_FAILED_LOGINS - 1):
        attempt(http, user)
    assert attempt(http, user, factories.PASSWORD).status_code == 200
    for _ in range(MAX_FAILED_LOGINS - 1):
        attempt(http, user)
    assert attempt(http, user, factories.PASSWORD).status_code == 200


def test_the_lock_runs_out_by_itself(http, session, engine):
    user = factories.create_user(session, factories.create_court(session))
    session.commit()
    for _ in range(MAX_FAILED_LOGINS):
        attempt(http, user)
    with engine.begin() as conn:  # let the lock expire
        conn.execute(sa.update(LoginAttempt.__table__)
                     .values(locked_until=utcnow() - timedelta(seconds=1)))
    assert attempt(http, user, factories.PASSWORD).status_code == 200


def test_an_admin_unlocks_but_only_in_their_court(http, session, login):
    court, other = factories.create_court(session), factories.create_court(session)
    user = factories.create_user(session, court)
    admin = factories.create_user(session, court, Role.ADMIN)
    foreign_admin = factories.create_user(session, other, Role.ADMIN)
    clerk = factories.create_user(session, court, Role.JUDGE)
    session.commit()
    for _ in range(MAX_FAILED_LOGINS):
        attempt(http, user)

    path = f"/api/v1/users/{user.id}/unlock"
    assert_problem(http.post(path, headers=bearer(login(foreign_admin))), 404, "user_not_found")
    assert_problem(http.post(path, headers=bearer(login(clerk))), 403, "forbidden")
    assert_problem(attempt(http, user, factories.PASSWORD), 429, "account_locked")
    unlocked = http.post(path, headers=bearer(login(admin)))
    assert unlocked.status_code == 200, unlocked.text
    assert unlocked.json()["locked_until"] is None
    assert attempt(http, user, factories.PASSWORD).status_code == 200


def test_one_address_is_slowed_down_with_429_and_retry_after(make_app):
    client = make_app(LOGIN_RATE_LIMIT="3 per minute").test_client()
    answers = [client.post("/api/v1/auth/login", json={
        "username": f"nobody-{i}", "password": "x", "device_id": "d1"}) for i in range(4)]
    assert [a.status_code for a in answers] == [401, 401, 401, 429]
    limited = answers[-1]
    assert limited.mimetype == "application/problem+json"
    assert limited.json["code"] == "too_many_requests"
    assert int(limited.headers["Retry-After"]) > 0


def test_with_redis_gone_the_limit_still_holds_in_each_process_and_sign_in_works(make_app):
    # REDIS_URL names a port nobody listens on: a Redis that went away. Sign-ins are
    # answered (not 500), and each process counts on its own meanwhile.
    client = make_app(LOGIN_RATE_LIMIT="3 per minute",
                      REDIS_URL="redis://127.0.0.1:9/0").test_client()
    answers = [client.post("/api/v1/auth/login", json={
        "username": f"nobody-{i}", "password": "x", "device_id": "d1"}) for i in range(4)]
    assert [a.status_code for a in answers] == [401, 401, 401, 429]
    assert answers[-1].json["code"] == "too_many_requests"


def test_failed_sign_ins_unlocks_and_revocations_are_audited(http, session, login, engine):
    court = factories.create_court(session)
    user = factories.create_user(session, court)
    admin = factories.create_user(session, court, Role.ADMIN)
    session.commit()
    for _ in range(MAX_FAILED_LOGINS):
        attempt(http, user)
    admin_tokens = login(admin)
    http.post(f"/api/v1/users/{user.id}/unlock", headers=bearer(admin_tokens))
    login(user, device_id="lost")
    http.post("/api/v1/devices/lost/revoke", json={}, headers=bearer(admin_tokens))

    with engine.connect() as conn:
        rows = conn.execute(sa.text(
            "SELECT action, subject_id, detail FROM audit_log WHERE court_id = :c ORDER BY seq"
        ), {"c": court.id}).all()
    actions = [r.action for r in rows]
    assert actions.count("auth.login_failed") == MAX_FAILED_LOGINS
    assert rows[MAX_FAILED_LOGINS - 1].detail == {"locked": True}
    assert ("auth.unlock", user.id) in [(r.action, r.subject_id) for r in rows]
    assert ("device.revoke", "lost") in [(r.action, r.subject_id) for r in rows]
