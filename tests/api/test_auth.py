"""Signing in, token rotation with reuse detection, and device revocation, over HTTP."""

from __future__ import annotations

import sqlalchemy as sa

from enforcement.models import Role
from tests import factories
from tests.api.helpers import assert_problem, bearer


def test_login_returns_tokens_and_me_describes_the_user(http, session, login):
    court = factories.create_court(session)
    township = factories.create_township(session, court)
    village = factories.create_village(session, township, name="西坡村")
    user = factories.create_user(session, court, Role.GRID_ASSISTANT)
    factories.assign_grid(session, user, village)
    session.commit()

    tokens = login(user, device_id="phone-1", device_name="Redmi")
    assert tokens["token_type"] == "Bearer"
    assert tokens["expires_in"] == 900
    me = http.get("/api/v1/me", headers=bearer(tokens)).json()

    assert me["username"] == user.username
    assert me["role"] == "grid_assistant"
    assert me["court"]["id"] == court.id
    assert me["device_id"] == "phone-1"
    assert [g["village_name"] for g in me["grids"]] == ["西坡村"]
    assert me["grids"][0]["township_name"] == township.name


def test_wrong_password_and_unknown_user_get_the_same_401(http, session):
    user = factories.create_user(session, factories.create_court(session))
    session.commit()
    wrong = http.post("/api/v1/auth/login", json={
        "username": user.username, "password": "nope", "device_id": "d1"})
    unknown = http.post("/api/v1/auth/login", json={
        "username": "nobody-here", "password": "nope", "device_id": "d1"})
    wrong_body = assert_problem(wrong, 401, "invalid_credentials")
    unknown_body = assert_problem(unknown, 401, "invalid_credentials")
    assert wrong_body.pop("request_id") != unknown_body.pop("request_id")
    assert wrong_body == unknown_body


def test_disabled_account_cannot_sign_in(http, session):
    user = factories.create_user(session, factories.create_court(session), is_active=False)
    session.commit()
    response = http.post("/api/v1/auth/login", json={
        "username": user.username, "password": factories.PASSWORD, "device_id": "d1"})
    assert_problem(response, 403, "account_disabled")


def test_refresh_rotates_and_old_token_stops_working(http, session, login):
    user = factories.create_user(session, factories.create_court(session))
    session.commit()
    first = login(user)

    second = http.post("/api/v1/auth/refresh", json={"refresh_token": first["refresh_token"]})
    assert second.status_code == 200, second.text
    rotated = second.json()
    assert rotated["refresh_token"] != first["refresh_token"]
    assert http.get("/api/v1/me", headers=bearer(rotated)).status_code == 200

    third = http.post("/api/v1/auth/refresh", json={"refresh_token": rotated["refresh_token"]})
    assert third.status_code == 200


def test_reusing_a_refresh_token_signs_the_device_out(http, session, login):
    user = factories.create_user(session, factories.create_court(session))
    session.commit()
    stolen = login(user, device_id="phone-x")
    legit = http.post("/api/v1/auth/refresh", json={"refresh_token": stolen["refresh_token"]})
    assert legit.status_code == 200
    legit_tokens = legit.json()

    reuse = http.post("/api/v1/auth/refresh", json={"refresh_token": stolen["refresh_token"]})
    assert_problem(reuse, 401, "refresh_token_reused")

    # Both the legitimate successor and the access tokens issued so far are dead now.
    after = http.post("/api/v1/auth/refresh", json={"refresh_token": legit_tokens["refresh_token"]})
    assert_problem(after, 401, "refresh_token_reused")
    assert_problem(http.get("/api/v1/me", headers=bearer(legit_tokens)), 401, "token_revoked")
    # Signing in again with the password works and gives a working session.
    fresh = login(user, device_id="phone-x")
    assert http.get("/api/v1/me", headers=bearer(fresh)).status_code == 200


def test_unknown_refresh_token_is_401(http):
    response = http.post("/api/v1/auth/refresh", json={"refresh_token": "made-up"})
    assert_problem(response, 401, "refresh_token_invalid")


def test_tampered_access_token_is_401(http, session, login):
    user = factories.create_user(session, factories.create_court(session))
    session.commit()
    tokens = login(user)
    header, payload, signature = tokens["access_token"].split(".")
    forged = {"access_token": f"{header}.{payload}.{signature[::-1]}"}
    assert_problem(http.get("/api/v1/me", headers=bearer(forged)), 401, "token_invalid")
    assert_problem(http.get("/api/v1/me"), 401, "token_missing")


def test_user_revokes_own_device_which_is_then_refused_and_told_to_wipe(http, session, login):
    user = factories.create_user(session, factories.create_court(session))
    session.commit()
    lost = login(user, device_id="lost-phone")
    other = login(user, device_id="desk")

    response = http.post("/api/v1/devices/lost-phone/revoke", json={"reason": "lost"},
                         headers=bearer(other))
    assert response.status_code == 200, response.text
    assert response.json()["wipe_requested"] is True

    refused = assert_problem(http.get("/api/v1/me", headers=bearer(lost)), 403, "device_revoked")
    assert refused["wipe"] is True
    assert_problem(http.post("/api/v1/auth/refresh", json={"refresh_token": lost["refresh_token"]}),
                   401, "refresh_token_reused")
    relogin = http.post("/api/v1/auth/login", json={
        "username": user.username, "password": factories.PASSWORD, "device_id": "lost-phone"})
    assert_problem(relogin, 403, "device_revoked")
    assert http.get("/api/v1/me", headers=bearer(other)).status_code == 200


def test_admin_revokes_any_device_of_the_court_but_users_cannot_revoke_others(
        http, session, login):
    court = factories.create_court(session)
    admin = factories.create_user(session, court, Role.ADMIN)
    alice = factories.create_user(session, court)
    bob = factories.create_user(session, court)
    session.commit()
    alice_tokens = login(alice, device_id="alice-phone")
    bob_tokens = login(bob)

    by_bob = http.post("/api/v1/devices/alice-phone/revoke", json={}, headers=bearer(bob_tokens))
    assert_problem(by_bob, 404, "device_not_found")
    assert http.get("/api/v1/me", headers=bearer(alice_tokens)).status_code == 200

    by_admin = http.post("/api/v1/devices/alice-phone/revoke", json={},
                         headers=bearer(login(admin)))
    assert by_admin.status_code == 200
    assert_problem(http.get("/api/v1/me", headers=bearer(alice_tokens)), 403, "device_revoked")


def test_admin_of_another_court_gets_404_for_a_device(http, session, login):
    here, there = factories.create_court(session), factories.create_court(session)
    user = factories.create_user(session, here)
    foreign_admin = factories.create_user(session, there, Role.ADMIN)
    session.commit()
    tokens = login(user, device_id="shared-name")

    response = http.post("/api/v1/devices/shared-name/revoke", json={},
                         headers=bearer(login(foreign_admin)))
    assert_problem(response, 404, "device_not_found")
    assert http.get("/api/v1/me", headers=bearer(tokens)).status_code == 200
    listed = http.get("/api/v1/devices", headers=bearer(login(foreign_admin))).json()
    assert "shared-name" not in [d["id"] for d in listed]


def test_device_of_one_user_cannot_be_taken_over_by_another(http, session, login):
    court = factories.create_court(session)
    alice, bob = factories.create_user(session, court), factories.create_user(session, court)
    session.commit()
    login(alice, device_id="family-phone")
    response = http.post("/api/v1/auth/login", json={
        "username": bob.username, "password": factories.PASSWORD, "device_id": "family-phone"})
    assert_problem(response, 403, "device_registered_to_other_user")


def test_login_is_audited_in_a_hash_chain(http, session, login, engine):
    user = factories.create_user(session, factories.create_court(session))
    session.commit()
    login(user)
    login(user)
    with engine.connect() as conn:
        rows = conn.execute(sa.text(
            "SELECT seq, prev_hash, hash, action FROM audit_log WHERE court_id = :c ORDER BY seq"
        ), {"c": user.court_id}).all()
    assert [r.action for r in rows] == ["auth.login", "auth.login"]
    assert [r.seq for r in rows] == [1, 2]
    assert rows[1].prev_hash == rows[0].hash
