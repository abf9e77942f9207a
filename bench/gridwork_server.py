"""Gridwork as production serves it (gunicorn with gunicorn.conf.py) and a phone's HTTP calls."""

from __future__ import annotations

import base64
import os
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import requests

from bench.common import BENCH_DIR, ROOT, free_port, progress, wait_http
from enforcement.infrastructure import crypto

PASSWORD = "gridwork-demo"


SERVER_PIDS: dict[str, int] = {}
"""gunicorn master's pid per base URL being served (its workers are its children)."""


@contextmanager
def serving(database_url: str, label: str, root: Path = ROOT) -> Iterator[str]:
    """gunicorn on a loopback port for ``database_url``; yields the base URL. ``root``: the
    source tree to serve (another checkout, for an A/B of two versions)."""
    port = free_port()
    env = {**os.environ, "DATABASE_URL": database_url, "PORT": str(port),
           "GRIDWORK_ENV": "production", "SECRET_KEY": "bench-only-" + "x" * 32,
           # Twenty phones sign in at once from one address: the login limit is for people.
           "LOGIN_RATE_LIMIT": "100000 per minute",
           # Production refuses to start without a key; the demo data was sealed in the
           # bench's own process, with the installation's key unless one is configured.
           "PERSONAL_DATA_KEY": os.environ.get("PERSONAL_DATA_KEY")
           or base64.b64encode(crypto.keyring().key).decode()}
    env.pop("BIND", None)
    BENCH_DIR.mkdir(exist_ok=True)
    log = (BENCH_DIR / f"gridwork-{label}.log").open("w")
    server = subprocess.Popen([str(ROOT / ".venv" / "bin" / "gunicorn"), "-c",
                               "gunicorn.conf.py", "wsgi:app"],
                              cwd=root, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        base = f"http://127.0.0.1:{port}"
        wait_http(f"{base}/healthz", server)
        progress(f"Gridwork ({label}) serving under gunicorn on 127.0.0.1:{port}")
        SERVER_PIDS[base] = server.pid
        yield base
    finally:
        SERVER_PIDS.pop(f"http://127.0.0.1:{port}", None)
        server.terminate()
        try:
            server.wait(60)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()


class Phone:
    """One signed-in device speaking the native sync protocol."""

    def __init__(self, base: str, username: str, device_id: str) -> None:
        self.base, self.device_id = base, device_id
        self.session = requests.Session()
        answer = self.session.post(f"{base}/api/v1/auth/login", timeout=120, json={
            "username": username, "password": PASSWORD, "device_id": device_id,
            "device_name": "bench", "platform": "bench", "app_version": "bench"})
        answer.raise_for_status()
        self.session.headers["Authorization"] = f"Bearer {answer.json()['access_token']}"

    def push(self, mutations: list[dict[str, Any]]) -> list[dict[str, Any]]:
        answer = self.session.post(f"{self.base}/api/v1/sync/push", timeout=300, json={
            "device_id": self.device_id, "schema_version": 1, "mutations": mutations})
        answer.raise_for_status()
        return answer.json()["results"]

    def pull(self, cursor: str | None, limit: int) -> dict[str, Any]:
        params: dict[str, Any] = {"limit": limit, "schema_version": 1}
        if cursor:
            params["cursor"] = cursor
        answer = self.session.get(f"{self.base}/api/v1/sync/pull", params=params, timeout=300)
        answer.raise_for_status()
        return answer.json()

    def bootstrap(self, limit: int) -> tuple[list[dict[str, Any]], str]:
        """Every record in scope, page by page; (upserts, the cursor to continue from)."""
        cursor, records, more = None, [], True
        while more:
            page = self.pull(cursor, limit)
            for changes in page["changes"].values():
                records.extend(changes["upserts"])
            cursor, more = page["next_cursor"], page["has_more"]
        return records, cursor or ""

    def close(self) -> None:
        self.session.close()
