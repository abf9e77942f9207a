"""scripts/pgcluster.py against a second, throw-away cluster: crash recovery and a taken port.

A dev machine's cluster dies the hard way (OOM killer, a closed laptop, a
container restart) and must come back with a plain ``make run``.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "pgcluster.py"

pytestmark = [
    pytest.mark.no_db,
    pytest.mark.skipif(
        not list(Path("/usr/lib/postgresql").glob("*/bin/initdb")),
        reason="PostgreSQL server binaries are not installed",
    ),
]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Cluster:
    """Runs pgcluster.py with a private data folder and port."""

    def __init__(self, pgdata: Path, port: int) -> None:
        self.pgdata = pgdata
        self.port = port

    def run(self, *args: str, port: int | None = None) -> subprocess.CompletedProcess[str]:
        env = os.environ | {
            "GRIDWORK_PG_DIR": str(self.pgdata),
            "GRIDWORK_PG_PORT": str(port or self.port),
        }
        return subprocess.run(
            [sys.executable, str(SCRIPT), *args],
            env=env,
            capture_output=True,
            text=True,
            timeout=90,
            check=False,
        )

    def postmaster_pid(self) -> int:
        return int((self.pgdata / "postmaster.pid").read_text().splitlines()[0])


@pytest.fixture
def cluster() -> Iterator[Cluster]:
    # Not pytest's tmp_path: as root the cluster runs as the `postgres` user, who cannot
    # enter pytest's private (mode 700) temporary folders.
    base = Path(tempfile.mkdtemp(prefix="gridwork-pgtest-", dir="/var/tmp"))
    base.chmod(0o755)
    c = Cluster(base / "pg", _free_port())
    try:
        yield c
    finally:
        c.run("stop")
        shutil.rmtree(base, ignore_errors=True)


def _dead(pid: int) -> bool:
    """Gone, or a zombie nobody reaps (common when pid 1 is not an init)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return True
    return stat.rsplit(")", 1)[-1].split()[0] in ("Z", "X")


@pytest.mark.timeout(60)
def test_start_is_idempotent_and_recovers_from_a_crash(cluster: Cluster) -> None:
    started = cluster.run("start")
    assert started.returncode == 0, started.stderr
    assert (cluster.pgdata / "PG_VERSION").exists()

    again = cluster.run("start")
    assert again.returncode == 0, again.stderr
    assert "running" in again.stdout

    status = cluster.run("status")
    assert status.returncode == 0
    assert f"127.0.0.1:{cluster.port}" in status.stdout

    url = cluster.run("url", "somedb")
    assert url.stdout.strip() == f"postgresql+psycopg://postgres@127.0.0.1:{cluster.port}/somedb"

    # Simulate a crash: the postmaster dies without removing postmaster.pid.
    pid = cluster.postmaster_pid()
    os.kill(pid, signal.SIGKILL)
    deadline = time.monotonic() + 10
    while not _dead(pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert (cluster.pgdata / "postmaster.pid").exists()
    assert cluster.run("status").returncode == 3

    recovered = cluster.run("start")
    assert recovered.returncode == 0, recovered.stderr
    assert "stale" in recovered.stderr
    assert cluster.postmaster_pid() != pid
    assert cluster.run("status").returncode == 0

    # The server answers, PostGIS included.
    ensured = cluster.run("ensure-db", "crash_test")
    assert ensured.returncode == 0, ensured.stderr

    stopped = cluster.run("stop")
    assert stopped.returncode == 0, stopped.stderr
    assert cluster.run("status").returncode == 3
    assert not (cluster.pgdata / "postmaster.pid").exists()


@pytest.mark.timeout(30)
def test_a_taken_port_fails_with_a_clear_message(cluster: Cluster) -> None:
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", 0))
        squatter.listen()
        taken = int(squatter.getsockname()[1])
        result = cluster.run("start", port=taken)
    assert result.returncode != 0
    assert f"port {taken}" in result.stderr
    assert "GRIDWORK_PG_PORT" in result.stderr
    assert cluster.run("status", port=taken).returncode == 3
