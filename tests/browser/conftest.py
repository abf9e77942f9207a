"""Playwright on Debian's Chromium for the console tests, with the internet shut out.

The Python ``playwright`` package brings its driver in the wheel; the browser is
``/usr/bin/chromium`` (``make browser`` installs it), never a downloaded one. Every page
records the hosts it asked for, and a test fails if one is not 127.0.0.1. A failed test
leaves a screenshot in ``test-artifacts/``.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest

from tests.browser import chromium
from tests.browser.console_bundle import console_built  # noqa: F401 (a fixture)

LOCAL_SCHEMES = ("data", "blob", "about")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: Any) -> Iterator[None]:
    """Keep each phase's report on the test, so fixtures know whether it failed."""
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"report_{report.when}", report)


@pytest.fixture(scope="session")
def browser(request: pytest.FixtureRequest) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    request.getfixturevalue("console_built")
    args = [flag for flag in chromium.FLAGS
            if not flag.startswith(("--headless", "--window-size"))]
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=chromium.CHROMIUM,
                                              headless=True, args=args)
        yield launched
        launched.close()


@pytest.fixture
def page(browser: Any, request: pytest.FixtureRequest) -> Iterator[Any]:
    """A fresh browser tab (Chinese, 1280×900, downloads allowed) that may only talk to
    127.0.0.1; a screenshot of it is kept when the test fails."""
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900},
                                  accept_downloads=True)
    context.set_default_timeout(20_000)
    tab = context.new_page()
    hosts: set[str] = set()
    tab.on("request", lambda r: hosts.add(
        urlsplit(r.url).scheme if urlsplit(r.url).scheme in LOCAL_SCHEMES
        else urlsplit(r.url).hostname or ""))
    yield tab
    report = getattr(request.node, "report_call", None)
    if report is not None and report.failed:
        chromium.ARTIFACTS.mkdir(exist_ok=True)
        tab.screenshot(path=str(chromium.ARTIFACTS / f"{request.node.name}.png"), full_page=True)
    context.close()
    outside = hosts - {"127.0.0.1", *LOCAL_SCHEMES}
    assert not outside, f"the console asked for hosts other than 127.0.0.1: {outside}"
