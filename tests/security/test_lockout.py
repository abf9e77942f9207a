"""A lock-out that cannot be turned against users (issue #29, item 3): guesses lock out the
address (or device) they come from, slow the account down past a point, and never stop its
owner from getting in from elsewhere or from their own phone; known and unknown usernames
answer alike. Each client below really connects from its own loopback address."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from enforcement.accounts.lockout import LOCKOUT, MAX_FAILED_LOGINS, SLOW_AFTER
from enforcement.models import LoginAttempt, Role, utcnow
from tests import factories
from tests.api.helpers import assert_problem, bearer

ATTACKER, OWNER = "127.0.0.2", "127.0.0.3"


def attempt(client, username, password="wrong", device_id="attacker-1"):
    return client.post("/api/v1/auth/login", json={
        "username": username, "password": password, "device_id": device_id})


def test_five_wrong_passwords_lock_the_guessing_address_but_not_the_owner(session, from_address):
    user = factories.create_user(session, factories.create_court(session), Role.JUDGE)
    session.commit()
    attacker, owner = from_address(ATTACKER), from_address(OWNER)
    for _ in range(MAX_FAILED_LOGINS):
        assert_problem(attempt(attacker, user.username), 401, "invalid_credentials")

    locked = attempt(attacker, user.username, factories.PASSWORD)
    assert_problem(locked, 429, "account_locked")
    assert LOCKOUT.total_seconds() - 60 < int(locked.headers["Retry-After"]) \
        <= LOCKOUT.total_seconds() + 1
    assert attempt(owner, user.username, factories.PASSWORD, "judge-desk").status_code == 200
    assert_problem(attempt(attacker, user.username, factories.PASSWORD), 429, "account_locked")


def test_the_owners_own_phone_gets_in_from_the_attackers_address(session, from_address, http,
                                                                  login):
    """A carrier puts the owner and the attacker behind one address."""
    court = factories.create_court(session)
    user = factories.create_user(session, court)
    admin = factories.create_user(session, court, Role.ADMIN)
    session.commit()
    shared = from_address(ATTACKER)
    assert attempt(shared, user.username, factories.PASSWORD, "owners-phone").status_code == 200
    for n in range(MAX_FAILED_LOGINS):
        attempt(shared, user.username, device_id=f"attacker-{n}")
    assert_problem(attempt(shared, user.username, factories.PASSWORD, "new-phone"),
                   429, "account_locked")

    assert attempt(shared, user.username, factories.PASSWORD, "owners-phone").status_code == 200
    # The phone's own guesses lock that phone only, like an address.
    for _ in range(MAX_FAILED_LOGINS):
        assert_problem(attempt(shared, user.username, device_id="owners-phone"), 401,
                       "invalid_credentials")
    assert_problem(attempt(shared, user.username, factories.PASSWORD, "owners-phone"),
                   429, "account_locked")
    # An admin's unlock lifts every lock of the account.
    unlocked = http.post(f"/api/v1/users/{user.id}/unlock", headers=bearer(login(admin)))
    assert unlocked.status_code == 200, unlocked.text
    assert attempt(shared, user.username, factories.PASSWORD, "owners-phone").status_code == 200
    assert attempt(shared, user.username, factories.PASSWORD, "new-phone").status_code == 200


def _answers(client, username, times):
    shapes = []
    for _ in range(times):
        answer = attempt(client, username)
        body = answer.json()
        body.pop("request_id", None)
        shapes.append((answer.status_code, body, "Retry-After" in answer.headers))
    return shapes


def test_known_and_unknown_usernames_answer_alike(session, from_address):
    user = factories.create_user(session, factories.create_court(session), Role.ADMIN)
    session.commit()
    known = _answers(from_address("127.0.0.4"), user.username, MAX_FAILED_LOGINS + 2)
    unknown = _answers(from_address("127.0.0.5"), "nobody-" + user.username,
                       MAX_FAILED_LOGINS + 2)
    assert [(s, b["code"], r) for s, b, r in known] == (
        [(401, "invalid_credentials", False)] * MAX_FAILED_LOGINS
        + [(429, "account_locked", True)] * 2)
    assert unknown == known


def test_guesses_from_many_addresses_slow_the_account_down_but_the_owners_phone_gets_in(
        session, from_address, engine):
    user = factories.create_user(session, factories.create_court(session), Role.JUDGE)
    session.commit()
    owner = from_address(OWNER)
    assert attempt(owner, user.username, factories.PASSWORD, "judge-phone").status_code == 200
    for n in range(SLOW_AFTER):  # each address stays under its own limit
        assert_problem(attempt(from_address(f"127.0.1.{n + 1}"), user.username), 401,
                       "invalid_credentials")
    fresh = from_address("127.0.2.1")
    slowed = assert_problem(attempt(fresh, user.username, factories.PASSWORD), 429,
                            "login_slowed")
    assert slowed["title"]
    assert 0 < int(attempt(fresh, user.username).headers["Retry-After"]) <= 61
    assert attempt(owner, user.username, factories.PASSWORD, "judge-phone").status_code == 200

    with engine.begin() as conn:  # the delay passes
        conn.execute(sa.update(LoginAttempt.__table__)
                     .values(locked_until=utcnow() - timedelta(seconds=1)))
    assert attempt(fresh, user.username, factories.PASSWORD, "new-desk").status_code == 200

    unknown = "nobody-" + user.username  # the same for a name that does not exist
    for n in range(SLOW_AFTER):
        attempt(from_address(f"127.0.3.{n + 1}"), unknown)
    assert_problem(attempt(fresh, unknown), 429, "login_slowed")


def test_the_typed_username_is_never_stored(session, from_address, engine):
    user = factories.create_user(session, factories.create_court(session))
    session.commit()
    attempt(from_address(ATTACKER), "my-password-typed-as-name")
    attempt(from_address(ATTACKER), user.username)
    with engine.connect() as conn:
        stored = " ".join(str(v) for row in conn.execute(
            sa.select(LoginAttempt.__table__)) for v in row)
    assert "my-password-typed-as-name" not in stored and user.username not in stored
    assert ATTACKER in stored
