"""Schemathesis, run as a client runs it: its CLI against the served document and server.

The in-process test (``test_schemathesis.py``) builds requests from a dict; this one
runs ``schemathesis run`` against ``/api/v1/openapi.json`` on a live server holding the
demo county, as each demo user signed in once, in both modes (valid and invalid
requests), with the stateful phase (links inferred from Location headers and from the
schemas). Any finding of the four checks a client relies on fails the test, with the
command that replays it. The run that found the 34 failures of the document was this
one, with more examples.

Coverage (every boundary and empty value of every parameter, the slowest phase) runs
for the judge, who reaches the most operations; fuzzing and stateful run for every role.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

CHECKS = ("not_a_server_error,status_code_conformance,content_type_conformance,"
          "response_schema_conformance")
DEMO_USERS = ("judge1", "officer1", "assistant1", "mediator1", "deputy1", "liaison1", "admin")
DEMO_PASSWORD = "gridwork-demo"
EXAMPLES_PER_OPERATION = 2
"""Fuzzing examples per operation and role: with coverage for one role, about 90 s."""
SCHEMATHESIS = Path(sys.executable).with_name("schemathesis")
CONFIG = """\
[phases.coverage]
# Every other HTTP method on every path is answered by Flask's 405 alike: not worth a
# minute of the run.
unexpected-methods = []
"""


@pytest.fixture(scope="module")
def demo_server(make_database) -> Iterator[str]:
    """The demo county in a database of its own, served over HTTP."""
    from api import create_app
    from seed.load import load_demo
    from tests.conftest import TEST_SETTINGS, serving

    url = make_database()
    app = create_app({"DATABASE_URL": url, "TESTING": True, **TEST_SETTINGS})
    load_demo(app.extensions["gridwork"].db.engine, progress=False)
    try:
        with serving(app) as base_url:
            yield base_url
    finally:
        app.extensions["gridwork"].db.dispose()


def sign_in(base_url: str, username: str) -> str:
    response = requests.post(f"{base_url}/api/v1/auth/login", timeout=30, json={
        "username": username, "password": DEMO_PASSWORD, "device_id": f"schemathesis-{username}"})
    assert response.status_code == 200, response.text
    return response.json()["access_token"]


@pytest.mark.timeout(600)
@pytest.mark.parametrize("username", DEMO_USERS)
def test_schemathesis_finds_nothing_as_any_role(demo_server, username, tmp_path):
    token = sign_in(demo_server, username)
    phases = "examples,coverage,fuzzing,stateful" if username == "judge1" else \
        "examples,fuzzing,stateful"
    config = tmp_path / "schemathesis.toml"
    config.write_text(CONFIG)
    command = [str(SCHEMATHESIS), "--config-file", str(config), "run",
               f"{demo_server}/api/v1/openapi.json",
               "--mode", "all", "--phases", phases, "--checks", CHECKS,
               "--max-examples", str(EXAMPLES_PER_OPERATION), "--workers", "2",
               "--header", f"Authorization: Bearer {token}",
               "--output-truncate", "true", "--no-color",
               "--report", "junit", "--report-dir", str(tmp_path)]
    run = subprocess.run(command, capture_output=True, text=True, cwd=tmp_path, check=False)
    starts = [i for i in (run.stdout.find("= ERRORS ="), run.stdout.find("= FAILURES ="))
              if i >= 0]
    summary = run.stdout[min(starts, default=0):][:20_000]  # errors (timeouts…) too
    assert run.returncode == 0, f"schemathesis as {username} found:\n{summary}{run.stderr}"
