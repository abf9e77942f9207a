"""The ``app_built`` fixture: the field app's bundle, built if missing (as ``console_built``
does for the console; ``make test`` builds it first with target ``app``)."""

from __future__ import annotations

import fcntl
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
APP_INDEX = ROOT / "app" / "dist" / "index.html"


@pytest.fixture(scope="session")
def app_built() -> Path:
    with open(ROOT / "app" / ".build.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not APP_INDEX.is_file():
            subprocess.run(["make", "-s", "app"], cwd=ROOT, check=True, timeout=600)
    return APP_INDEX
