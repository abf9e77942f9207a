"""Drive Debian's headless Chromium for page tests, with the internet shut out.

Every host name except the local one resolves to nothing, so a page that tries to load
a script, font or tile from the internet shows it by failing to render.
"""

from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-extensions", "--hide-scrollbars", "--window-size=1280,900",
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
]


def run(url: str, *extra: str, budget_ms: int = 8000) -> subprocess.CompletedProcess[str]:
    with tempfile.TemporaryDirectory(prefix="gridwork-chromium-") as profile:
        return subprocess.run(
            [CHROMIUM, *FLAGS, f"--user-data-dir={profile}",
             f"--virtual-time-budget={budget_ms}", *extra, url],
            capture_output=True, text=True, timeout=90, check=False,
        )


def dump_dom(url: str) -> str:
    """The page's DOM after its scripts ran."""
    return run(url, "--dump-dom").stdout


def screenshot(url: str, name: str) -> Path:
    """Keep a picture of the page in test-artifacts/ (for a failed test, or a person)."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    run(url, f"--screenshot={path}")
    return path
