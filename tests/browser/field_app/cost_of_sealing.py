"""What encryption at rest costs the field app (issue 27): not a test (no timing is
asserted, and ``make test`` does not collect this file), a measurement to run by hand:

    .venv/bin/python -m pytest -q -p no:randomly -s tests/browser/field_app/cost_of_sealing.py

Two builds of today's sources, each with one line added that hands the page's WatermelonDB
to the script: as shipped (every LokiJS chunk sealed with secretbox), and the same without
the chunk hooks (records in clear; the vault, its PBKDF2 unlock and the sealed small items
stay). For each: store 1,000 leads in one batch until IndexedDB has them, then reopen the
app and unlock it (PBKDF2, load and open every chunk) until its tabs show. The PBKDF2 step
alone is timed too, with the vault's parameters. Medians of five runs, in ms.
"""

from __future__ import annotations

import shutil
import statistics
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from tests.browser.app_bundle import ROOT, app_built  # noqa: F401 (a fixture)
from tests.browser.field_app.conftest import Village, sign_in, unlock

RUNS = 5
STORE = """async (n) => {
  const db = window.__gridworkState.database;
  const started = performance.now();
  await db.write(() => db.batch(...Array.from({ length: n }, (_, i) =>
    db.get('lead').prepareCreate((r) => {
      r._setRaw('kind', 'other');
      r._setRaw('description', `第 ${i} 条测试线索：村口停着一辆新三轮车，车牌未看清`);
      r._setRaw('observed_at', Date.now());
    }))));
  const loki = db.adapter.underlyingAdapter._driver.loki;
  await new Promise((resolve, reject) => loki.saveDatabase((e) => (e ? reject(e) : resolve())));
  return performance.now() - started;
}"""
PBKDF2 = """async () => {
  const started = performance.now();
  const base = await crypto.subtle.importKey('raw', new TextEncoder().encode('password'),
    'PBKDF2', false, ['deriveBits']);
  await crypto.subtle.deriveBits({ name: 'PBKDF2', hash: 'SHA-256',
    salt: crypto.getRandomValues(new Uint8Array(16)), iterations: 600000 }, base, 256);
  return performance.now() - started;
}"""


def build(work: Path, sealed: bool) -> Path:
    shutil.copytree(ROOT / "app" / "src", work / "src")
    shutil.copy(ROOT / "app" / "build.mjs", work / "build.mjs")
    shutil.copy(ROOT / "app" / "package.json", work / "package.json")
    (work / "node_modules").symlink_to(ROOT / "app" / "node_modules")
    main = work / "src" / "main.js"
    main.write_text(main.read_text(encoding="utf-8")
                    + "\nwindow.__gridworkState = state;\n", encoding="utf-8")
    if not sealed:
        db = work / "src" / "db.js"
        text = db.read_text(encoding="utf-8")
        assert ", extraIncrementalIDBOptions: chunkHooks" in text
        db.write_text(text.replace(", extraIncrementalIDBOptions: chunkHooks", ""),
                      encoding="utf-8")
    subprocess.run(["node", "build.mjs"], cwd=work, check=True, timeout=300)
    return work / "dist"


@pytest.fixture
def served(app: Flask) -> Iterator[dict[str, Any]]:
    before = app.config["APP_DIST"]
    yield app.config
    app.config["APP_DIST"] = before


def test_cost_of_sealing(browser: Any, live_server: str, village: Village, served: Any,
                         tmp_path: Path, app_built: Path) -> None:  # noqa: F811
    results: dict[str, dict[str, float]] = {}
    for sealed in (True, False):
        served["APP_DIST"] = str(build(tmp_path / f"sealed-{sealed}", sealed))
        stores, opens = [], []
        for _ in range(RUNS):
            context = browser.new_context(base_url=live_server, locale="zh-CN",
                                          viewport={"width": 390, "height": 844})
            context.set_default_timeout(60_000)
            page = context.new_page()
            sign_in(page, village.assistant.username)
            context.set_offline(True)
            stores.append(page.evaluate(STORE, 1000))
            page.reload()
            page.wait_for_selector("#unlock-form")
            started = time.perf_counter()
            unlock(page)
            opens.append((time.perf_counter() - started) * 1000)
            assert page.evaluate(
                "window.__gridworkState.database.get('lead').query().fetchCount()") == 1000
            context.close()
        results["sealed" if sealed else "clear"] = {
            "store 1,000 leads": statistics.median(stores),
            "unlock and open (1,000 leads)": statistics.median(opens)}
    page = browser.new_page()
    page.goto(f"{live_server}/app/manifest.webmanifest")  # WebCrypto needs a secure context
    pbkdf2 = statistics.median(page.evaluate(PBKDF2) for _ in range(RUNS))
    page.close()
    print(f"\nPBKDF2-SHA-256, 600,000 iterations: {pbkdf2:.0f} ms")
    for what in results["sealed"]:
        print(f"{what}: sealed {results['sealed'][what]:.0f} ms, "
              f"clear {results['clear'][what]:.0f} ms")
