"""docs/configuration.md documents exactly the settings the code reads."""

from __future__ import annotations

import re
from pathlib import Path

from api import config_reference
from api.config import Config

ROOT = Path(__file__).resolve().parents[2]
SOURCES = ["api", "enforcement", "sync", "geo", "seed", "scripts", "gunicorn.conf.py",
           "wsgi.py", "alembic/env.py", "bench"]
ENV_READ = re.compile(r"""(?:environ(?:\.get)?\(?\[?|getenv\()\s*["']([A-Z][A-Z0-9_]+)["']""")
MAKE_VAR = re.compile(r"^([A-Z][A-Z0-9_]+) \?=", re.MULTILINE)
# Read by the code, but set by tools rather than by people.
NOT_SETTINGS = {"PYTEST_XDIST_WORKER"}


def documented() -> set[str]:
    text = (ROOT / "docs" / "configuration.md").read_text(encoding="utf-8")
    return set(re.findall(r"^\| `([A-Z][A-Z0-9_]+)` \|", text, re.MULTILINE))


def read_by_code() -> set[str]:
    names = set(Config.model_fields)
    for source in SOURCES:
        path = ROOT / source
        files = path.rglob("*.py") if path.is_dir() else [path]
        for file in files:
            names |= set(ENV_READ.findall(file.read_text(encoding="utf-8")))
    names |= set(MAKE_VAR.findall((ROOT / "Makefile").read_text(encoding="utf-8")))
    return names - NOT_SETTINGS - {"PYTHON"}


def test_every_setting_the_code_reads_is_documented():
    assert read_by_code() - documented() == set()


def test_nothing_documented_is_ignored_by_the_code():
    assert documented() - read_by_code() == set()


def test_the_settings_table_is_the_one_generated_from_the_model():
    """Run ``make config-docs`` after changing a setting in ``api/config.py``."""
    committed = config_reference.DOC.read_text(encoding="utf-8")
    assert committed == config_reference.render(committed)
