"""The database stops in the middle of traffic, then comes back.

A dedicated PostgreSQL cluster (its own folder and port, started with
``scripts/pgcluster.py`` — never the shared one) is stopped while a phone's push is being
applied. The API must answer 503 problem+json with Retry-After, never 500; the push must
leave nothing behind; and once the database is back, the same server answers again
without a restart and the phone's retry applies the whole batch once.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import requests
import sqlalchemy as sa
from sqlmodel import Session

from enforcement.models import Role
from tests import factories

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "pgcluster.py"
BATCH = 600

pytestmark = pytest.mark.no_db  # it brings its own cluster


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class OwnCluster:
    url: str
    pg: Callable[..., subprocess.CompletedProcess[str]]


@pytest.fixture
def own_cluster() -> Iterator[OwnCluster]:
    from alembic import command

    from enforcement.infrastructure.db_migrations import alembic_config

    # /var/tmp, not pytest's tmp_path: as root the cluster runs as `postgres`, who cannot
    # enter pytest's private temporary folders.
    base = Path(tempfile.mkdtemp(prefix="gridwork-outage-", dir="/var/tmp"))
    base.chmod(0o755)
    env = os.environ | {"GRIDWORK_PG_DIR": str(base / "pg"),
                        "GRIDWORK_PG_PORT": str(_free_port())}

    def pg(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, str(SCRIPT), *args], env=env,
                              capture_output=True, text=True, timeout=120, check=False)

    try:
        made = pg("ensure-db", "gridwork_outage")
        assert made.returncode == 0, made.stderr
        url = pg("url", "gridwork_outage").stdout.strip()
        command.upgrade(alembic_config(url=url), "head")
        yield OwnCluster(url, pg)
    finally:
        pg("stop")
        shutil.rmtree(base, ignore_errors=True)


@pytest.fixture
def served(own_cluster: OwnCluster) -> Iterator[str]:
    """The app on the dedicated cluster, over real HTTP, for the whole outage."""
    from api import create_app
    from tests.conftest import TEST_SETTINGS, serving

    app = create_app({"DATABASE_URL": own_cluster.url, "TESTING": True, **TEST_SETTINGS})
    try:
        with serving(app) as url:
            yield url
    finally:
        app.extensions["gridwork"].db.dispose()


def _assert_unavailable(response: requests.Response) -> None:
    assert response.status_code == 503, response.text
    assert response.headers["Content-Type"].startswith("application/problem+json")
    assert int(response.headers["Retry-After"]) >= 1
    assert response.json()["code"] == "database_unavailable"


def _count(engine: sa.Engine, table: str) -> int:
    with engine.connect() as conn:
        return int(conn.execute(sa.text(f"SELECT count(*) FROM {table}")).scalar_one())


def _busy_in_push(engine: sa.Engine) -> bool:
    """Whether the push is inside its transaction: it has written, or it waits for the
    lock the test holds on the receipts (``_receipts_held``)."""
    with engine.connect() as conn:
        return bool(conn.execute(sa.text(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND (backend_xid IS NOT NULL OR wait_event_type = 'Lock') "
            "AND pid <> pg_backend_pid()")).scalar())


def _receipts_held(engine: sa.Engine) -> sa.Connection:
    """A transaction that keeps every push from writing its receipts until the database
    stops: the push is then surely cut off mid-transaction, however fast it runs."""
    holder = engine.connect()
    holder.begin()
    holder.execute(sa.text("LOCK TABLE sync_receipt IN SHARE MODE"))
    return holder


def _seed(url: str) -> str:
    engine = sa.create_engine(url)
    with Session(engine) as session:
        court = factories.create_court(session)
        village = factories.create_village(session, factories.create_township(session, court))
        user = factories.create_user(session, court, Role.GRID_ASSISTANT)
        factories.assign_grid(session, user, village)
        session.commit()
        username = user.username
    engine.dispose()
    return username


@pytest.mark.timeout(300)
def test_the_api_answers_503_while_the_database_is_down_and_recovers_by_itself(
        own_cluster, served):
    username = _seed(own_cluster.url)
    tokens = requests.post(f"{served}/api/v1/auth/login", json={
        "username": username, "password": factories.PASSWORD, "device_id": "phone-o"},
        timeout=30).json()
    headers = {"Authorization": f"Bearer {tokens['access_token']}"}
    body = {"device_id": "phone-o", "schema_version": 1, "mutations": [
        {"mutation_id": uuid.uuid4().hex, "table": "lead", "op": "create",
         "id": str(uuid.uuid4()), "fields": {"kind": "other", "description": f"#{i}"}}
        for i in range(BATCH)]}

    answers: dict[str, Any] = {}
    watcher = sa.create_engine(own_cluster.url, poolclass=sa.pool.NullPool)
    holder = _receipts_held(watcher)
    sender = threading.Thread(target=lambda: answers.update(push=requests.post(
        f"{served}/api/v1/sync/push", json=body, headers=headers, timeout=120)))
    sender.start()
    deadline = time.monotonic() + 60
    while not _busy_in_push(watcher):
        assert time.monotonic() < deadline, "the push never started"
        time.sleep(0.01)
    stopped = own_cluster.pg("stop")
    assert stopped.returncode == 0, stopped.stderr
    holder.invalidate()  # its server is gone
    sender.join(120)

    _assert_unavailable(answers["push"])
    _assert_unavailable(requests.get(f"{served}/api/v1/me", headers=headers, timeout=30))
    _assert_unavailable(requests.get(f"{served}/api/v1/sync/pull", headers=headers,
                                     timeout=30))
    _assert_unavailable(requests.post(f"{served}/api/v1/auth/login", json={
        "username": username, "password": factories.PASSWORD, "device_id": "phone-o"},
        timeout=30))
    assert requests.get(f"{served}/healthz", timeout=30).status_code == 503

    started = own_cluster.pg("start")
    assert started.returncode == 0, started.stderr
    assert _count(watcher, "lead") == 0 and _count(watcher, "sync_receipt") == 0

    # The same server process, not restarted: its pool notices the new database by itself.
    me = requests.get(f"{served}/api/v1/me", headers=headers, timeout=30)
    assert me.status_code == 200, me.text
    retried = requests.post(f"{served}/api/v1/sync/push", json=body, headers=headers,
                            timeout=180)
    assert retried.status_code == 200, retried.text
    assert {r["status"] for r in retried.json()["results"]} == {"applied"}
    assert _count(watcher, "lead") == BATCH == _count(watcher, "sync_receipt")
    watcher.dispose()
