"""A client generated from the served OpenAPI document builds and type-checks: the
TypeScript types openapi-typescript makes of ``/api/v1/openapi.json``, used by
``client.ts`` (sign in, the triage queue, refusals, a push) through openapi-fetch, pass
``tsc --strict``. The same check on a document that lies about one field fails, so the
check can fail."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest

HERE = Path(__file__).parent
ROOT = HERE.parent.parent
BIN = HERE / "node_modules" / ".bin"


@pytest.fixture(scope="session")
def client_js() -> Path:
    """``npm ci`` of the pinned generator and compiler, once (the Makefile step)."""
    subprocess.run(["make", "-s", "client-js"], cwd=ROOT, check=True, timeout=600)
    return BIN


def _check(spec: dict[str, Any], tmp_path: Path) -> subprocess.CompletedProcess[str]:
    """Generate ``gridwork.d.ts`` from ``spec`` next to client.ts, then type-check.

    ``--default-non-nullable false``: a property with a default is one the server fills
    in when a request leaves it out, so a client need not send it (openapi-typescript
    would otherwise demand it in requests too)."""
    document = tmp_path / "openapi.json"
    document.write_text(json.dumps(spec))
    subprocess.run([str(BIN / "openapi-typescript"), str(document), "--default-non-nullable",
                    "false", "-o", str(HERE / "gridwork.d.ts")], cwd=HERE, check=True,
                   capture_output=True, timeout=120)
    return subprocess.run([str(BIN / "tsc"), "-p", "tsconfig.json"], cwd=HERE, text=True,
                          capture_output=True, timeout=300)


def test_a_client_generated_from_the_document_type_checks(client_js, app, tmp_path):
    spec = app.test_client().get("/api/v1/openapi.json").json
    lying = json.loads(json.dumps(spec))
    del lying["components"]["schemas"]["LeadPage"]["properties"]["items"]
    caught = _check(lying, tmp_path)
    assert caught.returncode != 0 and "items" in caught.stdout, caught.stdout
    checked = _check(spec, tmp_path)
    assert checked.returncode == 0, checked.stdout + checked.stderr
