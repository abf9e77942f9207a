"""Kinto as the benchmark peer: its own virtualenv, its own database on the same server,
served by gunicorn with the same workers and threads as Gridwork.

Kinto is what a team would otherwise deploy for "JSON records that phones sync" (its
``_since`` reads and batch writes are the same shape as our pull and push), so beating it
by a wide margin is the bar the issue sets. Its cheapest authentication (basic auth, an
HMAC of the credentials) is used, so that password hashing does not slow it down.
"""

from __future__ import annotations

import base64
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import requests

from bench.common import BENCH_DIR, free_port, plain_url, progress, recreate_database, wait_http

VENV = BENCH_DIR / "kinto-venv"
STAMP = VENV / ".installed"
REQUIREMENT = "kinto[postgresql]"
BUCKET = "bench"
RETRY_ERRNO = 122
"""Kinto's "Integrity constraint violated, please retry": its own clients retry these."""


def ensure_installed() -> Path:
    """Create Kinto's virtualenv once (pip, idempotent: a stamp file marks a finished install)."""
    if STAMP.exists():
        return VENV / "bin"
    progress(f"installing Kinto into {VENV} (once)")
    if not (VENV / "bin" / "python").exists():
        # The base interpreter, not the project's virtualenv: Kinto's pins stay apart.
        subprocess.run([sys._base_executable, "-m", "venv", str(VENV)], check=True)
    subprocess.run([str(VENV / "bin" / "pip"), "install", "-q", "--disable-pip-version-check",
                    REQUIREMENT, "gunicorn"], check=True)
    STAMP.touch()
    return VENV / "bin"


INI = """\
[app:main]
use = egg:kinto
kinto.storage_backend = kinto.core.storage.postgresql
kinto.storage_url = {url}
kinto.permission_backend = kinto.core.permission.postgresql
kinto.permission_url = {url}
kinto.cache_backend = kinto.core.cache.postgresql
kinto.cache_url = {url}
kinto.storage_pool_size = {pool}
kinto.permission_pool_size = {pool}
kinto.cache_pool_size = {pool}
kinto.userid_hmac_secret = bench-only-not-a-secret
multiauth.policies = basicauth
kinto.bucket_create_principals = system.Authenticated
kinto.batch_max_requests = 1000
kinto.paginate_by = 5000
kinto.storage_max_fetch_size = 10000

[server:main]
use = egg:waitress#main
host = 127.0.0.1
port = {port}

[loggers]
keys = root

[handlers]
keys = console

[formatters]
keys = generic

[logger_root]
level = WARNING
handlers = console

[handler_console]
class = StreamHandler
args = (sys.stderr,)
level = WARNING
formatter = generic

[formatter_generic]
format = %(levelname)s %(name)s %(message)s
"""


def basic_auth(user: str) -> dict[str, str]:
    token = base64.b64encode(f"{user}:bench".encode()).decode()
    return {"Authorization": f"Basic {token}"}


class Kinto:
    """A running Kinto: batch writes with Kinto's retry rule and paginated ``_since`` reads."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.retries = 0

    def create_collection(self, name: str) -> None:
        auth = basic_auth("owner")
        requests.put(f"{self.base}/buckets/{BUCKET}", headers=auth, timeout=60,
                     json={"permissions": {"write": ["system.Authenticated"]}}
                     ).raise_for_status()
        requests.put(f"{self.base}/buckets/{BUCKET}/collections/{name}", headers=auth,
                     timeout=60).raise_for_status()

    def batch_put(self, session: requests.Session, user: str, collection: str,
                  records: Sequence[dict[str, Any]]) -> None:
        """One batch request creating ``records`` (each with its ``id``); sub-requests that
        fail with 409 errno 122 are sent again, as Kinto's clients do."""
        path = f"/buckets/{BUCKET}/collections/{collection}/records"
        todo = list(records)
        while todo:
            body = {"defaults": {"method": "PUT"},
                    "requests": [{"path": f"{path}/{r['id']}", "body": {"data": r}}
                                 for r in todo]}
            answer = session.post(f"{self.base}/batch", json=body, headers=basic_auth(user),
                                  timeout=300)
            answer.raise_for_status()
            again = []
            for record, response in zip(todo, answer.json()["responses"], strict=True):
                status = response["status"]
                if status == 409 and response["body"].get("errno") == RETRY_ERRNO:
                    again.append(record)
                elif status >= 400:
                    raise RuntimeError(f"Kinto refused a record: {status} {response['body']}")
            self.retries += len(again)
            todo = again

    def read_since(self, collection: str, page_size: int) -> int:
        """Read the whole collection as a fresh device does: ``_since=0``, page by page
        (Kinto's Next-Page links). Returns the number of records read."""
        url: str | None = (f"{self.base}/buckets/{BUCKET}/collections/{collection}/records"
                           f"?_since=0&_sort=last_modified&_limit={page_size}")
        total = 0
        with requests.Session() as session:
            while url:
                answer = session.get(url, headers=basic_auth("reader"), timeout=300)
                answer.raise_for_status()
                total += len(answer.json()["data"])
                url = answer.headers.get("Next-Page")
        return total


@contextmanager
def running(server_url: str, workers: int, threads: int,
            database: str = "kinto_bench") -> Iterator[Kinto]:
    """Kinto on a loopback port, its database (``kinto_bench``) created afresh and migrated."""
    bin_dir = ensure_installed()
    url = plain_url(recreate_database(server_url, database))
    port = free_port()
    ini = BENCH_DIR / "kinto.ini"
    ini.write_text(INI.format(url=url, port=port, pool=threads + 1))
    progress("migrating Kinto's database")
    subprocess.run([str(bin_dir / "kinto"), "migrate", "--ini", str(ini)], check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    log = (BENCH_DIR / "kinto.log").open("w")
    server = subprocess.Popen(
        [str(bin_dir / "gunicorn"), "--paste", str(ini), "--bind", f"127.0.0.1:{port}",
         "--workers", str(workers), "--threads", str(threads), "--worker-class", "gthread",
         "--timeout", "300"],
        # Not the checkout: gunicorn would read Gridwork's gunicorn.conf.py from there.
        cwd=BENCH_DIR, stdout=log, stderr=subprocess.STDOUT)
    try:
        base = f"http://127.0.0.1:{port}/v1"
        wait_http(f"{base}/", server)
        progress(f"Kinto serving on 127.0.0.1:{port}")
        yield Kinto(base)
    finally:
        server.terminate()
        try:
            server.wait(30)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()
        time.sleep(0.5)
