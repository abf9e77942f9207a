"""No fixed key in any mode (issue #29, item 1): a token signed with the key that used to be
in the source opens nothing; an install without keys makes its own once and keeps them;
production without keys does not start; keys rotate by the id in each token's header."""

from __future__ import annotations

import base64
import os
import stat
import subprocess
import sys
import time
from datetime import timedelta
from types import SimpleNamespace

import jwt
import pytest

from enforcement.infrastructure import tokens as token_module
from enforcement.models import Role, utcnow
from tests import factories
from tests.api.helpers import assert_problem, bearer
from tests.conftest import ROOT, LiveSession, serving

OLD_DEVELOPMENT_KEY = "gridwork-local-development-only-not-a-secret"
"""The SECRET_KEY every install without one used to sign with (it was in the source)."""


def forged(secret: str, user, device_id: str, **header: str) -> str:
    now = utcnow()
    payload = {"iss": "gridwork", "typ": "access", "sub": user.id, "court": user.court_id,
               "role": user.role.value, "dev": device_id, "iat": int(now.timestamp()),
               "exp": int((now + timedelta(minutes=15)).timestamp()),
               "iat_us": int(now.timestamp() * 1_000_000), "jti": "x"}
    return jwt.encode(payload, secret, algorithm="HS256", headers=header or None)


def test_a_token_signed_with_the_old_development_key_opens_nothing(http, session, login):
    judge = factories.create_user(session, factories.create_court(session), Role.JUDGE)
    session.commit()
    device = login(judge)["device_id"]
    for token in (forged(OLD_DEVELOPMENT_KEY, judge, device),
                  forged(OLD_DEVELOPMENT_KEY, judge, device,
                         kid="made-up")):  # a made-up key id is no better
        answer = http.get("/api/v1/cases", headers={"Authorization": f"Bearer {token}"})
        assert_problem(answer, 401, "token_invalid")


def test_tokens_name_their_key_and_the_previous_key_verifies_after_a_rotation(
        http, session, login, make_app, keep_keyring):
    judge = factories.create_user(session, factories.create_court(session), Role.JUDGE)
    session.commit()
    before = login(judge)
    old_key = os.environ["SECRET_KEY"]
    kid = jwt.get_unverified_header(before["access_token"])["kid"]
    assert kid and old_key not in kid

    new_key = "rotated-" + "k" * 40
    rotated = make_app(SECRET_KEY=new_key, SECRET_KEY_PREVIOUS=old_key)
    without_old = make_app(SECRET_KEY=new_key)
    with serving(rotated) as url, LiveSession(url) as client:
        assert client.get("/api/v1/me", headers=bearer(before)).status_code == 200
        after = client.post("/api/v1/auth/login", json={
            "username": judge.username, "password": factories.PASSWORD,
            "device_id": before["device_id"]}).json()
        assert jwt.get_unverified_header(after["access_token"])["kid"] != kid
        assert client.get("/api/v1/me", headers=bearer(after)).status_code == 200
    with serving(without_old) as url, LiveSession(url) as client:
        assert_problem(client.get("/api/v1/me", headers=bearer(before)), 401, "token_invalid")
        assert client.get("/api/v1/me", headers=bearer(after)).status_code == 200


def test_an_install_without_keys_makes_its_own_once_readable_by_its_owner_only(
        http, session, login, make_app, tmp_path, keep_keyring):
    folder = tmp_path / "private"
    first = make_app(SECRET_KEY="", PERSONAL_DATA_KEY="", PRIVATE_DATA_DIR=str(folder))
    files = sorted(p.name for p in folder.iterdir())
    assert files == ["personal_data_key", "secret_key"]
    for name in files:
        assert stat.S_IMODE((folder / name).stat().st_mode) == 0o600
    secret = first.config["SECRET_KEY"]
    assert len(secret) >= 32 and secret != OLD_DEVELOPMENT_KEY
    assert len(base64.b64decode(first.config["PERSONAL_DATA_KEY"])) == 32

    user = factories.create_user(session, factories.create_court(session))
    session.commit()
    with serving(first) as url, LiveSession(url) as client:
        tokens = client.post("/api/v1/auth/login", json={
            "username": user.username, "password": factories.PASSWORD,
            "device_id": "restart-1"}).json()
    restarted = make_app(SECRET_KEY="", PERSONAL_DATA_KEY="", PRIVATE_DATA_DIR=str(folder))
    assert restarted.config["SECRET_KEY"] == secret
    with serving(restarted) as url, LiveSession(url) as client:
        assert client.get("/api/v1/me", headers=bearer(tokens)).status_code == 200
    elsewhere = make_app(SECRET_KEY="", PERSONAL_DATA_KEY="",
                         PRIVATE_DATA_DIR=str(tmp_path / "another-install"))
    assert elsewhere.config["SECRET_KEY"] != secret


def test_a_key_file_others_can_read_is_refused(make_app, tmp_path, keep_keyring):
    folder = tmp_path / "private"
    make_app(SECRET_KEY="", PERSONAL_DATA_KEY="", PRIVATE_DATA_DIR=str(folder))
    (folder / "secret_key").chmod(0o644)
    with pytest.raises(RuntimeError, match="chmod 600"):
        make_app(SECRET_KEY="", PERSONAL_DATA_KEY="", PRIVATE_DATA_DIR=str(folder))


@pytest.mark.no_db
@pytest.mark.parametrize(("given", "missing"), [
    ({}, "SECRET_KEY"),
    ({"SECRET_KEY": "s" * 40}, "PERSONAL_DATA_KEY"),
])
def test_production_without_keys_refuses_to_start_with_one_line(tmp_path, given, missing):
    env = {k: v for k, v in os.environ.items()
           if k not in ("SECRET_KEY", "PERSONAL_DATA_KEY", "PRIVATE_DATA_DIR")}
    env |= {"GRIDWORK_ENV": "production", "PRIVATE_DATA_DIR": str(tmp_path), **given}
    started = subprocess.run([sys.executable, "-c", "import wsgi"], cwd=ROOT, env=env,
                             capture_output=True, text=True, timeout=120, check=False)
    assert started.returncode == 1
    assert started.stderr.strip().splitlines() == [
        f"error: {missing} must be set when GRIDWORK_ENV=production"]
    assert list(tmp_path.iterdir()) == [], "production never writes a key of its own"


def test_personal_data_key_rotation_reseals_everything_then_the_old_key_can_go(
        http, world, session, engine, make_app, keep_keyring):
    from sqlmodel import Session

    from enforcement.infrastructure import crypto
    from enforcement.models import Party

    old = crypto.keyring()
    case, debtor = factories.create_debtor_case(session, world.court, world.village_a)
    session.commit()
    new_key = bytes(range(7, 39))
    encoded = base64.b64encode(new_key).decode()
    rotated = make_app(PERSONAL_DATA_KEY=encoded,
                       PERSONAL_DATA_OLD_KEYS=base64.b64encode(old.key).decode())
    shown = http.get(f"/api/v1/cases/{case.id}", headers=world.headers(world.judge_user))
    assert shown.status_code == 200 and "620102199001011234" in shown.text

    with engine.connect() as conn:
        feed_before = conn.exec_driver_sql("SELECT count(*) FROM sync_change").scalar()
    result = rotated.test_cli_runner().invoke(args=["keys", "reseal"])
    assert result.exit_code == 0, result.output
    assert "party\t1 rows re-sealed" in result.output
    with engine.connect() as conn:
        stored = conn.exec_driver_sql("SELECT id_number, phone FROM party").one()
        feed_after = conn.exec_driver_sql("SELECT count(*) FROM sync_change").scalar()
    assert feed_after == feed_before, "phones are not sent every party again"
    assert all(v.startswith(f"gw1:{crypto.key_id(new_key)}:") for v in stored)

    make_app(PERSONAL_DATA_KEY=encoded)  # the old key is no longer listed anywhere
    with Session(engine) as reader:
        assert reader.get(Party, (world.court.id, debtor.id)).id_number == "620102199001011234"
    again = rotated.test_cli_runner().invoke(args=["keys", "reseal"])
    assert "party\t0 rows re-sealed" in again.output


def test_a_token_checked_once_is_still_refused_once_it_expires(http, session, login,
                                                               monkeypatch):
    """A process remembers the tokens whose signature it checked (a phone polls with one
    token all its life), never their expiry: the token that opened the last request is
    refused as expired a quarter of an hour later, as is one never seen before."""
    judge = factories.create_user(session, factories.create_court(session), Role.JUDGE)
    session.commit()
    tokens = login(judge)
    assert http.get("/api/v1/me", headers=bearer(tokens)).status_code == 200
    assert http.get("/api/v1/me", headers=bearer(tokens)).status_code == 200
    later = time.time() + 16 * 60
    monkeypatch.setattr(token_module, "time", SimpleNamespace(time=lambda: later))
    assert_problem(http.get("/api/v1/me", headers=bearer(tokens)), 401, "token_expired")
    unseen = forged(os.environ["SECRET_KEY"], judge, tokens["device_id"],
                    kid=token_module.signing_key_id(os.environ["SECRET_KEY"]))
    assert_problem(http.get("/api/v1/me", headers={"Authorization": f"Bearer {unseen}"}),
                   401, "token_expired")
