"""Revoke means revoke (issue #29, item 6): device ids compare without case, rows stored
before included; a revocation can end every session of the owner and hold new devices until
an admin unlocks the account."""

from __future__ import annotations

import pytest

from enforcement.models import Role
from tests import factories
from tests.api.helpers import assert_problem, bearer


def sign_in(http, user, device_id):
    return http.post("/api/v1/auth/login", json={
        "username": user.username, "password": factories.PASSWORD, "device_id": device_id})


@pytest.mark.parametrize("again", ["SR-ROT-1", "Sr-Rot-1"])
def test_a_revoked_device_cannot_come_back_in_another_case(http, session, login, again):
    user = factories.create_user(session, factories.create_court(session))
    session.commit()
    lost = login(user, device_id="sr-rot-1")
    desk = login(user, device_id="desk")
    revoked = http.post("/api/v1/devices/sr-rot-1/revoke", json={"reason": "lost"},
                        headers=bearer(desk))
    assert revoked.status_code == 200, revoked.text
    assert_problem(http.get("/api/v1/me", headers=bearer(lost)), 403, "device_revoked")
    assert_problem(sign_in(http, user, again), 403, "device_revoked")
    devices = http.get("/api/v1/devices", headers=bearer(desk)).json()
    assert sorted(d["id"] for d in devices) == ["desk", "sr-rot-1"]


def test_one_device_whatever_the_case_it_signs_in_and_pushes_with(http, session, login):
    court = factories.create_court(session)
    township = factories.create_township(session, court)
    village = factories.create_village(session, township)
    user = factories.create_user(session, court)
    factories.assign_grid(session, user, village)
    session.commit()
    first = login(user, device_id="Phone-AB12")
    second = login(user, device_id="phone-ab12")
    assert first["device_id"] == second["device_id"] == "phone-ab12"
    pushed = http.post("/api/v1/sync/push", headers=bearer(second), json={
        "device_id": "PHONE-AB12", "schema_version": 1, "mutations": []})
    assert pushed.status_code == 200, pushed.text
    devices = http.get("/api/v1/devices", headers=bearer(second)).json()
    assert [d["id"] for d in devices] == ["phone-ab12"]


def test_a_device_stored_in_capitals_before_is_found_and_revoked_by_any_case(
        http, session, login):
    court = factories.create_court(session)
    user = factories.create_user(session, court)
    admin = factories.create_user(session, court, Role.ADMIN)
    factories.create_device(session, user, id="LEGACY-Phone-1")
    session.commit()
    old = login(user, device_id="legacy-phone-1")
    assert old["device_id"] == "LEGACY-Phone-1", "the stored row, not a second device"
    revoked = http.post("/api/v1/devices/legacy-PHONE-1/revoke", json={},
                        headers=bearer(login(admin)))
    assert revoked.status_code == 200, revoked.text
    assert_problem(http.get("/api/v1/me", headers=bearer(old)), 403, "device_revoked")
    assert_problem(sign_in(http, user, "legacy-phone-1"), 403, "device_revoked")


def test_revoking_without_ending_sessions_leaves_the_others_signed_in(http, session, login):
    user = factories.create_user(session, factories.create_court(session))
    session.commit()
    login(user, device_id="lost")
    desk = login(user, device_id="desk")
    http.post("/api/v1/devices/lost/revoke", json={}, headers=bearer(desk))
    assert http.get("/api/v1/me", headers=bearer(desk)).status_code == 200
    assert sign_in(http, user, "new-phone").status_code == 200


def test_revoking_with_end_all_sessions_signs_out_everywhere_and_holds_new_devices(
        http, session, login, engine):
    court = factories.create_court(session)
    user = factories.create_user(session, court)
    admin = factories.create_user(session, court, Role.ADMIN)
    other = factories.create_user(session, court)
    session.commit()
    lost = login(user, device_id="lost")
    desk = login(user, device_id="desk")
    bystander = login(other, device_id="bystander")

    revoked = http.post("/api/v1/devices/lost/revoke",
                        json={"reason": "stolen", "end_all_sessions": True}, headers=bearer(desk))
    assert revoked.status_code == 200, revoked.text
    assert_problem(http.get("/api/v1/me", headers=bearer(lost)), 403, "device_revoked")
    assert_problem(http.get("/api/v1/me", headers=bearer(desk)), 401, "token_revoked")
    assert_problem(http.post("/api/v1/auth/refresh", json={
        "refresh_token": desk["refresh_token"]}), 401, "refresh_token_reused")
    assert http.get("/api/v1/me", headers=bearer(bystander)).status_code == 200

    assert_problem(sign_in(http, user, "thiefs-phone"), 403, "device_approval_required")
    back = sign_in(http, user, "DESK")  # the owner's own registered device, with the password
    assert back.status_code == 200, back.text
    assert http.get("/api/v1/me", headers=bearer(back.json())).status_code == 200

    admin_tokens = login(admin)
    listed = http.post(f"/api/v1/users/{user.id}/unlock", headers=bearer(admin_tokens))
    assert listed.status_code == 200 and listed.json()["new_devices_held"] is False
    assert sign_in(http, user, "new-phone").status_code == 200
    assert_problem(sign_in(http, user, "lost"), 403, "device_revoked")

    with engine.connect() as conn:
        actions = [row.action for row in conn.exec_driver_sql(
            "SELECT action FROM audit_log WHERE court_id = %(c)s ORDER BY seq", {"c": court.id})]
    assert "auth.sessions_ended" in actions and "device.revoke" in actions


@pytest.mark.parametrize("end_all_sessions", [False, True])
def test_a_polling_phone_is_refused_on_its_very_next_poll(http, world, login, engine,
                                                         end_all_sessions):
    """The polls check the sign-in inside their own transaction (one transaction fewer per
    poll): a phone that was polling is still refused on its next poll, WatermelonDB's and
    the native one alike, once its device is revoked or its sessions are ended, and the
    refused poll changes nothing on the server."""
    phone = login(world.assistant)
    desk = login(world.assistant)
    watermelon = {"schema_version": 1, "migration": "null"}
    first = http.get("/api/v1/sync/watermelon", headers=bearer(phone),
                     params={**watermelon, "last_pulled_at": "null"})
    assert first.status_code == 200, first.text
    stamp = str(first.json()["timestamp"])
    assert http.get("/api/v1/sync/watermelon", headers=bearer(phone),
                    params={**watermelon, "last_pulled_at": stamp}).status_code == 200
    native = http.get("/api/v1/sync/pull", headers=bearer(phone))
    assert native.status_code == 200, native.text
    cursor = native.json()["next_cursor"]

    def stored() -> tuple[object, ...]:
        with engine.connect() as conn:
            return tuple(conn.exec_driver_sql(
                "SELECT (SELECT array_agg(xmin::text ORDER BY record_id) FROM sync_device_base"
                "        WHERE device_id = %(d)s),"
                "       (SELECT xmin::text FROM sync_watermelon_verified WHERE device_id = %(d)s),"
                "       (SELECT xmin::text FROM sync_device_state WHERE device_id = %(d)s)",
                {"d": phone["device_id"]}).one())

    before = stored()
    revoked = http.post(f"/api/v1/devices/{phone['device_id']}/revoke", headers=bearer(desk),
                        json={"reason": "lost", "end_all_sessions": end_all_sessions})
    assert revoked.status_code == 200, revoked.text
    polls = (http.get("/api/v1/sync/watermelon", headers=bearer(phone),
                      params={**watermelon, "last_pulled_at": stamp}),
             http.get("/api/v1/sync/watermelon", headers=bearer(phone),
                      params={**watermelon, "last_pulled_at": "null"}),
             http.get("/api/v1/sync/pull", headers=bearer(phone), params={"cursor": cursor}))
    for response in polls:
        assert assert_problem(response, 403, "device_revoked")["wipe"] is True
    assert stored() == before
    if end_all_sessions:  # the owner's other device is signed out, on its next poll too
        for response in (
                http.get("/api/v1/sync/watermelon", headers=bearer(desk),
                         params={**watermelon, "last_pulled_at": "null"}),
                http.get("/api/v1/sync/pull", headers=bearer(desk))):
            assert_problem(response, 401, "token_revoked")
    else:
        assert http.get("/api/v1/sync/pull", headers=bearer(desk)).status_code == 200
