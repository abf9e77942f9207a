"""scripts/hacluster.py's ports follow GRIDWORK_HA_PORT_BASE, so that a second HA set (a
fresh clone's ``make cluster-test`` beside a running one, the capacity bench) never takes
another's ports; and ``make cluster-seed`` loads the set those ports name."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "hacluster.py"

pytestmark = pytest.mark.no_db


def _run(*argv: str, base: str | None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "GRIDWORK_HA_PORT_BASE"}
    if base is not None:
        env["GRIDWORK_HA_PORT_BASE"] = base
    return subprocess.run(list(argv), env=env, cwd=ROOT, capture_output=True, text=True,
                          timeout=60, check=False)


def test_every_url_moves_with_the_port_base_and_the_default_stays() -> None:
    default = _run(sys.executable, str(SCRIPT), "url", "write", base=None)
    assert default.stdout.strip() == "postgresql+psycopg://postgres@127.0.0.1:54430/gridwork"
    moved = _run(sys.executable, str(SCRIPT), "url", "write", "other", base="55400")
    assert moved.stdout.strip() == "postgresql+psycopg://postgres@127.0.0.1:55430/other"
    read = _run(sys.executable, str(SCRIPT), "url", "read", base="55400")
    assert read.stdout.strip().endswith("@127.0.0.1:55431/gridwork")


@pytest.mark.parametrize("base", ["80", "65500", "5440O"])
def test_a_base_that_cannot_hold_the_set_is_refused_with_the_range(base: str) -> None:
    answer = _run(sys.executable, str(SCRIPT), "url", "write", base=base)
    assert answer.returncode != 0
    assert "GRIDWORK_HA_PORT_BASE" in answer.stderr and "1024" in answer.stderr
    assert "Traceback" not in answer.stderr


def test_make_cluster_seed_loads_the_set_the_port_base_names() -> None:
    dry = _run("make", "-n", "cluster-seed", base="55400")
    seed = next(line for line in dry.stdout.splitlines() if "seed demo" in line)
    assert "@127.0.0.1:55430/gridwork" in seed
