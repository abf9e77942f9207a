"""Helpers shared by the benchmark rows: databases, servers, timing, progress."""

from __future__ import annotations

import os
import socket
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import requests
import sqlalchemy as sa
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent
BENCH_DIR = ROOT / ".bench"
"""Kinto's virtualenv, its ini and the servers' logs (git-ignored)."""
_STARTED = time.perf_counter()


def progress(message: str) -> None:
    """One line of progress on stderr, with the seconds since the suite started."""
    print(f"[bench {time.perf_counter() - _STARTED:7.1f}s] {message}", file=sys.stderr,
          flush=True)


def database_url(what: str = "the PostgreSQL server to use") -> str:
    """``DATABASE_URL``, or exit saying what it must name (``make bench`` sets it)."""
    url = os.environ.get("DATABASE_URL")
    if not url:
        sys.exit(f"DATABASE_URL must name {what} (make bench sets it)")
    return url


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def recreate_database(server_url: str, name: str) -> str:
    """Drop and create ``name`` on the server of ``server_url``; its URL (psycopg driver)."""
    server = make_url(server_url).set(drivername="postgresql+psycopg")
    admin = sa.create_engine(server.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        conn.exec_driver_sql(f"CREATE DATABASE {name}")
    admin.dispose()
    return server.set(database=name).render_as_string(hide_password=False)


def plain_url(url: str) -> str:
    """A libpq URL (no SQLAlchemy driver suffix), for psycopg and Kinto."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def wait_http(url: str, process: subprocess.Popen, seconds: float = 120) -> None:
    """Wait until ``url`` answers; fail early when the server process has died."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited with {process.returncode} before {url} "
                               "answered; see the logs in .bench/")
        try:
            requests.get(url, timeout=5)
            return
        except requests.RequestException:
            time.sleep(0.3)
    raise RuntimeError(f"{url} did not answer within {seconds:.0f} s")


def percentile(samples: list[float], pct: float) -> float:
    """Nearest-rank percentile (no interpolation: a p99 of 100 samples is a real sample)."""
    ordered = sorted(samples)
    rank = max(1, min(len(ordered), round(pct / 100 * len(ordered) + 0.5)))
    return ordered[rank - 1]


def median(samples: list[float]) -> float:
    return statistics.median(samples)


@dataclass
class Row:
    """One line of the results table."""

    row: str
    figure: float
    unit: str
    baseline_name: str = ""
    baseline: float | None = None
    target: str = ""
    met: bool | None = None
    higher_is_better: bool = True
    note: str = ""

    @property
    def ratio(self) -> float | None:
        if self.baseline in (None, 0) or self.figure == 0:
            return None
        return self.figure / self.baseline


def timed(func, *args, **kwargs):  # type: ignore[no-untyped-def]
    """(result, seconds) of one call."""
    started = time.perf_counter()
    result = func(*args, **kwargs)
    return result, time.perf_counter() - started
