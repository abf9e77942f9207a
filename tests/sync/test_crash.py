"""The server process is killed (SIGKILL) in the middle of a push; after a restart the
phone's retry of the same batch applies every mutation exactly once: sent by hand, and by
the reference client, whose back-off keeps retrying while the server is down."""

from __future__ import annotations

import json
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
from typing import Any

import pytest
import requests
import sqlalchemy as sa
from sqlmodel import Session

from enforcement.models import Role
from sync.client import Backoff, HttpTransport, LocalStore, SyncClient
from tests import factories
from tests.sync.helpers import busy_writing, count_rows

SERVE = ("import sys; from werkzeug.serving import run_simple; from api import create_app; "
         "run_simple('127.0.0.1', int(sys.argv[1]), create_app({'DATABASE_URL': sys.argv[2]}), "
         "threaded=True)")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def server(url: str, port: int | None = None) -> Iterator[tuple[str, subprocess.Popen]]:
    port = port or _free_port()
    proc = subprocess.Popen([sys.executable, "-c", SERVE, str(port), url],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120  # a loaded machine imports slowly: wait, not fail
        while True:
            try:
                requests.get(f"{base}/healthz", timeout=1)
                break
            except requests.ConnectionError:
                assert proc.poll() is None, f"the server exited with {proc.returncode}"
                assert time.monotonic() < deadline, "the server did not start"
                time.sleep(0.1)
        yield base, proc
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait(10)




@pytest.mark.timeout(240)
def test_sigkill_mid_push_then_the_retry_applies_everything_once(make_database):
    url = make_database()
    engine = sa.create_engine(url)
    with Session(engine) as session:
        court = factories.create_court(session)
        village = factories.create_village(session, factories.create_township(session, court))
        user = factories.create_user(session, court, Role.GRID_ASSISTANT)
        factories.assign_grid(session, user, village)
        session.commit()
        username = user.username
    batch = [{"mutation_id": uuid.uuid4().hex, "table": "lead", "op": "create",
              "id": str(uuid.uuid4()), "fields": {"kind": "other", "description": f"#{i}"}}
             for i in range(400)]

    with server(url) as (base, proc):
        tokens = requests.post(f"{base}/api/v1/auth/login", json={
            "username": username, "password": factories.PASSWORD, "device_id": "phone-k"},
            timeout=30).json()
        headers = {"Authorization": f"Bearer {tokens['access_token']}"}
        body = {"device_id": "phone-k", "schema_version": 1, "mutations": batch}
        sender = subprocess.Popen([sys.executable, "-c", (
            "import json, sys, requests; requests.post(sys.argv[1], json=json.loads(sys.argv[2]),"
            " headers=json.loads(sys.argv[3]), timeout=120)"),
            f"{base}/api/v1/sync/push", json.dumps(body),
            json.dumps(headers)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 60
        while not busy_writing(engine):
            assert time.monotonic() < deadline, "the push never started"
            time.sleep(0.01)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(10)
        sender.wait(30)

    assert count_rows(engine, "lead") == 0 and count_rows(engine, "sync_receipt") == 0

    with server(url) as (base, _proc):
        first = requests.post(f"{base}/api/v1/sync/push", json=body, headers=headers,
                              timeout=180)
        again = requests.post(f"{base}/api/v1/sync/push", json=body, headers=headers,
                              timeout=180)
    assert first.status_code == 200, first.text
    assert {r["status"] for r in first.json()["results"]} == {"applied"}
    assert again.json() == first.json()
    assert count_rows(engine, "lead") == len(batch) == count_rows(engine, "sync_receipt")
    engine.dispose()


@pytest.mark.timeout(240)
def test_sigkill_mid_push_the_reference_client_retries_until_it_is_applied_once(
        make_database, tmp_path):
    url = make_database()
    engine = sa.create_engine(url)
    with Session(engine) as session:
        court = factories.create_court(session)
        village = factories.create_village(session, factories.create_township(session, court))
        user = factories.create_user(session, court, Role.GRID_ASSISTANT)
        factories.assign_grid(session, user, village)
        session.commit()
        username = user.username
    port = _free_port()
    phone = SyncClient(LocalStore(tmp_path / "phone.sqlite3"),
                       HttpTransport(f"http://127.0.0.1:{port}", timeout=120),
                       username=username, password=factories.PASSWORD, device_id="phone-r",
                       backoff=Backoff(attempts=200, base=0.1, cap=0.5), batch_size=1000)
    for i in range(400):
        phone.create("lead", {"kind": "other", "description": f"#{i}"})
    outcome: dict[str, Any] = {}

    with server(url, port) as (_base, proc):
        phone.login()
        pushing = threading.Thread(target=lambda: outcome.update(results=phone.push()))
        pushing.start()
        deadline = time.monotonic() + 60
        while not busy_writing(engine):
            assert time.monotonic() < deadline, "the push never started"
            time.sleep(0.01)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(10)
    assert count_rows(engine, "lead") == 0  # nothing of the cut-off batch was kept

    with server(url, port):
        pushing.join(180)
    assert not pushing.is_alive()
    assert [r["status"] for r in outcome["results"]] == ["applied"] * 400
    assert phone.store.outbox() == []
    assert count_rows(engine, "lead") == 400 == count_rows(engine, "sync_receipt")
    engine.dispose()
