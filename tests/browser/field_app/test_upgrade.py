"""A new app version keeps unsent records (issue 27; what ODK Collect and Enketo users lost
to upgrades). The phone runs a build on WatermelonDB schema version 4, reports leads while
the sync cannot get through, and the court deploys the current build: a new bundle, a new
service worker, schema version 5 with its migration (the leads' position source and note).
The phone picks the new build up, migrates its sealed database, and once sync gets
through every lead arrives, once."""

from __future__ import annotations

import re
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from tests.browser.app_bundle import ROOT, app_built  # noqa: F401 (a fixture)
from tests.browser.field_app.conftest import Village, leads_of, sign_in, unlock

SYNC = re.compile(r".*/api/v1/sync/watermelon\?.*")
"""Pulls and pushes (not the schema): blocked, as on a signal too weak to sync."""


@pytest.fixture(scope="module")
def old_build(tmp_path_factory: pytest.TempPathFactory,
              app_built: Path) -> Path:  # noqa: F811
    """The app as it was on schema version 4, built from today's sources into a folder."""
    work = tmp_path_factory.mktemp("app-v4")
    shutil.copytree(ROOT / "app" / "src", work / "src")
    shutil.copy(ROOT / "app" / "build.mjs", work / "build.mjs")
    shutil.copy(ROOT / "app" / "package.json", work / "package.json")
    (work / "node_modules").symlink_to(ROOT / "app" / "node_modules")
    db = work / "src" / "db.js"
    text = db.read_text(encoding="utf-8")
    assert "export const SCHEMA_VERSION = 5;" in text
    db.write_text(text.replace("SCHEMA_VERSION = 5;", "SCHEMA_VERSION = 4;"), encoding="utf-8")
    subprocess.run(["node", "build.mjs"], cwd=work, check=True, timeout=300)
    return work / "dist"


@pytest.fixture
def deployed(app: Flask) -> Iterator[dict[str, Any]]:
    """The folder the server serves /app from, switched by the test (then put back)."""
    before = app.config["APP_DIST"]
    yield app.config
    app.config["APP_DIST"] = before


def test_unsent_records_survive_a_new_build_and_schema_migration_and_arrive_once(
        phone: Any, village: Village, engine: Any, old_build: Path, app_built: Path,  # noqa: F811
        deployed: dict[str, Any]) -> None:
    deployed["APP_DIST"] = str(old_build)
    schema_versions: list[str] = []
    phone.on("request", lambda r: "/sync/watermelon/schema" in r.url
             and schema_versions.append(r.url.rsplit("schema_version=", 1)[-1]))
    page = phone.new_page()
    sign_in(page, village.assistant.username)
    assert schema_versions == ["4"]
    page.evaluate("navigator.serviceWorker.ready.then((r) => Boolean(r.active))")

    # Three leads reported offline; back on a signal too weak to sync, they wait.
    phone.set_offline(True)
    texts = ["升级前的线索一", "升级前的线索二", "升级前的线索三"]
    for text in texts:
        page.click("nav [data-tab=report]")
        page.fill("#lead-description", text)
        page.click("#lead-submit")
        page.wait_for_selector("#report-message:has-text('已保存')")
    phone.route(SYNC, lambda route: route.abort("internetdisconnected"))
    phone.set_offline(False)
    page.click("nav [data-tab=leads]")
    page.wait_for_selector("#leads li.waiting >> nth=2")

    # The court deploys the new build. The phone's next opening installs the new service
    # worker; the one after runs the new bundle, which migrates the database to 4.
    (old_cache,) = page.evaluate("caches.keys()")
    deployed["APP_DIST"] = str(app_built.parent)
    page.reload()
    unlock(page)
    deadline = time.monotonic() + 60
    while page.evaluate("caches.keys()") in ([], [old_cache]) or old_cache in page.evaluate(
            "caches.keys()"):  # the new worker installs, takes over, drops the old cache
        assert time.monotonic() < deadline, "the new build's service worker never took over"
        page.wait_for_timeout(200)
    page.reload()
    unlock(page)
    assert schema_versions[-1] == "5", schema_versions
    page.click("nav [data-tab=leads]")
    page.wait_for_selector("#leads li.waiting >> nth=2")
    assert page.locator("#leads li.waiting").count() == 3
    assert leads_of(engine, village.assistant.id) == []

    # Sync gets through: each lead arrives once, and again nothing is sent twice.
    phone.unroute(SYNC)
    page.click("#sync")
    page.wait_for_selector("#leads li.sent >> nth=2")
    page.click("#sync")
    page.wait_for_selector("#sync:not([disabled])")
    page.wait_for_selector("#sync-status:has-text('上次同步')")
    leads = leads_of(engine, village.assistant.id)
    assert sorted(lead.description for lead in leads) == sorted(texts)
    problems = [p for p in phone.problems if "ERR_INTERNET_DISCONNECTED" not in p]
    assert problems == []
