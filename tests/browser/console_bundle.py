"""The ``console_built`` fixture: the web console's bundle, built if missing.

``make test`` builds it first (target ``console``); a bare ``pytest`` run builds it here,
one xdist worker at a time (a file lock), so the console tests never meet a 503 page.
"""

from __future__ import annotations

import fcntl
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CONSOLE_INDEX = ROOT / "console" / "dist" / "index.html"


@pytest.fixture(scope="session")
def console_built() -> Path:
    with open(ROOT / "console" / ".build.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not CONSOLE_INDEX.is_file():
            subprocess.run(["make", "-s", "console"], cwd=ROOT, check=True, timeout=600)
    return CONSOLE_INDEX
