"""Behind a proxy (issue #29, item 7): through a real nginx started here on loopback, the
sign-in limit, the lock-out and the audit log see each client's own address, which a client
cannot choose by writing X-Forwarded-For; /metrics needs its token when a proxy forwards the
request, even from loopback."""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from enforcement.accounts.lockout import MAX_FAILED_LOGINS
from tests import factories
from tests.api.helpers import assert_problem
from tests.conftest import serving
from tests.security.conftest import client_at

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
METRICS_TOKEN = "metrics-" + "t" * 32

pytestmark = pytest.mark.skipif(not os.path.exists(NGINX),
                                reason="needs Debian's nginx (make test installs it)")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _config(folder: Path, port: int, upstream: str) -> str:
    temp = "\n".join(f"    {kind}_temp_path {folder / kind};"
                     for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    user = "user root;" if os.geteuid() == 0 else ""
    return f"""
{user}
worker_processes 1;
pid {folder / 'nginx.pid'};
error_log {folder / 'error.log'} warn;
events {{ worker_connections 64; }}
http {{
    access_log {folder / 'access.log'};
{temp}
    server {{
        listen 127.0.0.1:{port};
        location / {{
            proxy_pass {upstream};
            proxy_set_header Host $host;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_set_header X-Forwarded-Proto $scheme;
        }}
    }}
}}
"""


@contextlib.contextmanager
def nginx(folder: Path, upstream: str) -> Iterator[str]:
    """nginx in the foreground on a free loopback port, proxying to ``upstream``."""
    folder.mkdir(parents=True, exist_ok=True)
    port = _free_port()
    conf = folder / "nginx.conf"
    conf.write_text(_config(folder, port, upstream))
    log = folder / "stderr.log"
    with log.open("wb") as stderr:
        proc = subprocess.Popen([NGINX, "-p", str(folder), "-c", str(conf),
                                 "-g", "daemon off;"], stdout=subprocess.DEVNULL, stderr=stderr)
    try:
        for _ in range(200):
            if proc.poll() is not None:
                raise RuntimeError(f"nginx did not start: {log.read_text()}")
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.1):
                break
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(0.05)
        else:
            raise RuntimeError("nginx did not open its port")
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def _ips(engine, court_id: str, action: str) -> list[str | None]:
    with engine.connect() as conn:
        return list(conn.execute(sa.text(
            "SELECT ip FROM audit_log WHERE court_id = :c AND action = :a ORDER BY seq"),
            {"c": court_id, "a": action}).scalars())


def login_body(user, password="wrong", device_id="guess-1"):
    return {"username": user.username, "password": password, "device_id": device_id}


def test_behind_nginx_each_client_is_its_own_address(make_app, session, engine, tmp_path,
                                                     from_address):
    court = factories.create_court(session)
    user, other = factories.create_user(session, court), factories.create_user(session, court)
    session.commit()
    app = make_app(TRUSTED_PROXIES=1, LOGIN_RATE_LIMIT="8 per minute")
    with serving(app) as upstream, nginx(tmp_path / "nginx", upstream) as proxy, \
            client_at(proxy, "127.0.0.2") as guesser, client_at(proxy, "127.0.0.3") as owner, \
            client_at(proxy, "127.0.0.4") as spoofer:
        for _ in range(MAX_FAILED_LOGINS):
            assert_problem(guesser.post("/api/v1/auth/login", json=login_body(user)), 401,
                           "invalid_credentials")
        assert_problem(guesser.post("/api/v1/auth/login",
                                    json=login_body(user, factories.PASSWORD)),
                       429, "account_locked")
        assert owner.post("/api/v1/auth/login", json=login_body(
            user, factories.PASSWORD, "owners-desk")).status_code == 200
        # A client writing its own X-Forwarded-For gets nginx's view of it appended.
        spoofer.headers["X-Forwarded-For"] = "198.51.100.7"
        assert spoofer.post("/api/v1/auth/login", json=login_body(other)).status_code == 401
        # The per-address rate limit: the guesser has used its 8, the owner has not.
        for _ in range(2):
            guesser.post("/api/v1/auth/login", json=login_body(user))
        assert_problem(guesser.post("/api/v1/auth/login", json=login_body(user)), 429,
                       "too_many_requests")
        assert owner.post("/api/v1/auth/login", json=login_body(other)).status_code == 401

    assert _ips(engine, court.id, "auth.login_failed") == (
        ["127.0.0.2"] * MAX_FAILED_LOGINS + ["127.0.0.4", "127.0.0.3"])
    assert _ips(engine, court.id, "auth.login") == ["127.0.0.3"]

    # Straight to an app that trusts no proxy, a written X-Forwarded-For changes nothing.
    direct = from_address("127.0.0.5")
    direct.headers["X-Forwarded-For"] = "198.51.100.7"
    assert direct.post("/api/v1/auth/login", json=login_body(other)).status_code == 401
    assert _ips(engine, court.id, "auth.login_failed")[-1] == "127.0.0.5"


def test_metrics_through_a_proxy_need_the_token_even_from_loopback(make_app, live_server,
                                                                   tmp_path, http):
    assert http.get("/metrics").status_code == 200  # a scraper on the machine itself
    with nginx(tmp_path / "plain", live_server) as proxy, client_at(proxy, "127.0.0.1") as via:
        assert via.get("/metrics").status_code == 404
    app = make_app(TRUSTED_PROXIES=1, METRICS_TOKEN=METRICS_TOKEN)
    with serving(app) as upstream, nginx(tmp_path / "trusted", upstream) as proxy, \
            client_at(proxy, "127.0.0.1") as through, client_at(upstream, "127.0.0.1") as direct:
        assert through.get("/metrics").status_code == 404
        opened = through.get("/metrics", headers={"Authorization": f"Bearer {METRICS_TOKEN}"})
        assert opened.status_code == 200 and "gridwork" in opened.text
        assert direct.get("/metrics").status_code == 200
