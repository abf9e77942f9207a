"""SIGTERM during a push, under gunicorn as ``make serve`` runs it (``gunicorn.conf.py``).

A deploy or a reboot sends SIGTERM. The push being applied must finish and be answered
in full; the server must stop taking new connections and then exit cleanly; and a phone
that never saw the answer and retries after the restart gets the same results, with
nothing applied twice.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import requests
import sqlalchemy as sa
from prometheus_client.parser import text_string_to_metric_families
from sqlmodel import Session

from enforcement.models import Role
from tests import factories
from tests.sync.helpers import busy_writing, count_rows

ROOT = Path(__file__).resolve().parents[2]
BATCH = 600


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def gunicorn(url: str, log: Path) -> Iterator[tuple[str, subprocess.Popen]]:
    """``gunicorn -c gunicorn.conf.py wsgi:app`` on a free loopback port."""
    port = _free_port()
    env = os.environ | {
        "DATABASE_URL": url, "PORT": str(port), "WEB_CONCURRENCY": "1",
        "GUNICORN_THREADS": "2", "GRACEFUL_TIMEOUT": "120", "REQUEST_TIMEOUT": "180",
        "LOGIN_RATE_LIMIT": "off",
    }
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    with log.open("ab") as out:
        proc = subprocess.Popen([sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py",
                                 "wsgi:app"], cwd=ROOT, env=env, stdout=out, stderr=out)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                requests.get(f"{base}/healthz", timeout=10)
                break
            except (requests.ConnectionError, requests.Timeout):  # the worker is loading
                assert proc.poll() is None, log.read_text()
                assert time.monotonic() < deadline, "gunicorn did not start"
                time.sleep(0.1)
        yield base, proc
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait(30)




@pytest.mark.timeout(300)
def test_sigterm_during_a_push_finishes_it_and_the_retry_after_restart_matches(
        make_database, tmp_path):
    url = make_database()
    engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
    with Session(engine) as session:
        court = factories.create_court(session)
        village = factories.create_village(session, factories.create_township(session, court))
        user = factories.create_user(session, court, Role.GRID_ASSISTANT)
        factories.assign_grid(session, user, village)
        session.commit()
        username, court_id = user.username, court.id
    body = {"device_id": "phone-t", "schema_version": 1, "mutations": [
        {"mutation_id": uuid.uuid4().hex, "table": "lead", "op": "create",
         "id": str(uuid.uuid4()), "fields": {"kind": "other", "description": f"#{i}"}}
        for i in range(BATCH)]}
    log = tmp_path / "gunicorn.log"

    with gunicorn(url, log) as (base, proc):
        tokens = requests.post(f"{base}/api/v1/auth/login", json={
            "username": username, "password": factories.PASSWORD, "device_id": "phone-t"},
            timeout=30).json()
        headers = {"Authorization": f"Bearer {tokens['access_token']}"}
        answers: dict[str, Any] = {}
        sender = threading.Thread(target=lambda: answers.update(push=requests.post(
            f"{base}/api/v1/sync/push", json=body, headers=headers, timeout=240)))
        sender.start()
        deadline = time.monotonic() + 60
        while not busy_writing(engine):
            assert time.monotonic() < deadline, "the push never started"
            time.sleep(0.01)
        os.kill(proc.pid, signal.SIGTERM)
        time.sleep(1)  # the arbiter closes its listeners first
        with pytest.raises(requests.ConnectionError):
            requests.get(f"{base}/healthz", timeout=5)
        assert sender.is_alive() or answers, "the push ended before the server was asked"
        sender.join(240)
        assert proc.wait(150) == 0, log.read_text()

    first = answers["push"]
    assert first.status_code == 200, first.text
    assert len(first.json()["results"]) == BATCH
    assert {r["status"] for r in first.json()["results"]} == {"applied"}
    assert count_rows(engine, "lead") == BATCH

    with gunicorn(url, log) as (base, _proc):
        retried = requests.post(f"{base}/api/v1/sync/push", json=body, headers=headers,
                                timeout=240)
        scraped = requests.get(f"{base}/metrics", timeout=30)
    assert retried.status_code == 200, retried.text
    assert retried.json() == first.json()
    # Metrics in gunicorn's multiprocess mode: counters, pool gauges and database gauges.
    samples = {(s.name, tuple(sorted(s.labels.items()))): s.value
               for family in text_string_to_metric_families(scraped.text)
               for s in family.samples}
    assert samples[("gridwork_sync_pushes_total", ())] == 1
    assert samples[("gridwork_sync_mutations_total",
                    (("result", "applied"), ("table", "lead")))] == BATCH
    assert samples[("gridwork_db_pool_size", ())] == 3  # 2 threads + 1, one worker
    assert samples[("gridwork_devices", (("court_id", court_id), ("last_seen", "1d")))] == 1
    assert count_rows(engine, "lead") == BATCH == count_rows(engine, "sync_receipt")
    engine.dispose()
