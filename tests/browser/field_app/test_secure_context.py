"""HTTPS on a court's own network (issue 27). The field app needs a secure context (service
worker, persistent storage, WebCrypto), so ``make serve`` serves HTTPS with a certificate
from a private authority the project creates (api/court_tls.py) when the court has none.

A phone that trusts that authority opens the app at ``https://court.test`` and works; a
browser that does not trust it refuses the page (nothing is waved through); opened over
plain HTTP at a network name, the app shows one clear screen in Chinese and English and
stores nothing. Chromium reaches ``court.test`` through ``--host-resolver-rules`` and
trusts the authority through ``--ignore-certificate-errors-spki-list`` with the
authority's key hash, which accepts only chains that contain that key.
"""

from __future__ import annotations

import socket
import ssl
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import requests
from flask import Flask

from api import court_tls
from tests import factories
from tests.browser import chromium
from tests.browser.app_bundle import app_built  # noqa: F401 (a fixture)
from tests.browser.field_app.conftest import EXPECTED, HOME, Village, leads_of

HOST = "court.test"


@pytest.fixture(scope="module")
def authority(tmp_path_factory: pytest.TempPathFactory) -> court_tls.CourtTls:
    return court_tls.ensure([HOST, "127.0.0.1"], tmp_path_factory.mktemp("tls"), "测试法院")


@pytest.fixture(scope="module")
def https_port(app: Flask, authority: court_tls.CourtTls,
               app_built: Path) -> Iterator[int]:  # noqa: F811
    """The app over HTTPS with the authority's server certificate, on 127.0.0.1."""
    from werkzeug.serving import make_server

    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(authority.cert_file, authority.key_file)
    server = make_server("127.0.0.1", 0, app, threaded=True, ssl_context=context)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_port
    server.shutdown()
    server.server_close()
    thread.join(timeout=10)


@pytest.fixture(scope="module")
def court_browser(browser: Any, authority: court_tls.CourtTls) -> Iterator[Any]:
    """Chromium where court.test is this machine and the court's authority is trusted."""
    args = [flag for flag in chromium.FLAGS
            if not flag.startswith(("--headless", "--window-size", "--host-resolver-rules"))]
    args += [f"--host-resolver-rules=MAP {HOST} 127.0.0.1, MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
             f"--ignore-certificate-errors-spki-list={court_tls.spki_sha256(authority.ca_file)}"]
    launched = browser.browser_type.launch(executable_path=chromium.CHROMIUM, headless=True,
                                           args=args)
    yield launched
    launched.close()


def phone_context(browser: Any, base_url: str) -> Any:
    context = browser.new_context(
        locale="zh-CN", viewport={"width": 390, "height": 844}, is_mobile=True,
        has_touch=True, geolocation={"longitude": HOME[0], "latitude": HOME[1], "accuracy": 15},
        permissions=["geolocation"], base_url=base_url)
    context.set_default_timeout(20_000)
    context.problems = []
    context.hosts = set()

    def watch(page: Any) -> None:
        page.on("console", lambda m: m.type in ("warning", "error")
                and not any(s in m.text for s in EXPECTED)
                and context.problems.append(f"{m.type}: {m.text}"))
        page.on("pageerror", lambda e: context.problems.append(f"pageerror: {e}"))
        page.on("request", lambda r: context.hosts.add(urlsplit(r.url).hostname or ""))

    context.on("page", watch)
    return context


def test_the_generated_certificate_verifies_against_the_authority_only(
        authority: court_tls.CourtTls, https_port: int) -> None:
    trusting = ssl.create_default_context(cafile=str(authority.ca_file))
    with socket.create_connection(("127.0.0.1", https_port), timeout=10) as raw, \
            trusting.wrap_socket(raw, server_hostname=HOST) as tls:
        names = dict(tls.getpeercert()["subjectAltName"])
        assert names["DNS"] == HOST and tls.version() in ("TLSv1.2", "TLSv1.3")
    assert requests.get(f"https://127.0.0.1:{https_port}/app/manifest.webmanifest",
                        verify=str(authority.ca_file), timeout=10).ok
    # Not for another name, and not for a client that lacks the authority.
    with socket.create_connection(("127.0.0.1", https_port), timeout=10) as raw, \
            pytest.raises(ssl.SSLCertVerificationError):
        trusting.wrap_socket(raw, server_hostname="other.test")
    with socket.create_connection(("127.0.0.1", https_port), timeout=10) as raw, \
            pytest.raises(ssl.SSLCertVerificationError):
        ssl.create_default_context().wrap_socket(raw, server_hostname=HOST)
    # Issued once: asked again for the same names, the same files, the same key.
    again = court_tls.ensure([HOST, "127.0.0.1"], authority.ca_file.parent, "测试法院")
    assert court_tls.spki_sha256(again.cert_file) == court_tls.spki_sha256(authority.cert_file)


def test_a_phone_trusting_the_courts_authority_works_over_https(
        court_browser: Any, browser: Any, https_port: int, village: Village,
        engine: Any) -> None:
    # Without the authority, Chromium refuses the page: the certificate is not waved through.
    stranger = browser.new_context()
    with pytest.raises(Exception, match="ERR_CERT_AUTHORITY_INVALID"):
        stranger.new_page().goto(f"https://127.0.0.1:{https_port}/app/")
    stranger.close()

    context = phone_context(court_browser, f"https://{HOST}:{https_port}")
    page = context.new_page()
    page.goto("/app/")
    assert page.evaluate("window.isSecureContext") is True
    assert page.evaluate("location.protocol") == "https:"
    page.fill("#username", village.assistant.username)
    page.fill("#password", factories.PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector("#sync-status:has-text('上次同步')")
    assert page.evaluate("navigator.serviceWorker.ready.then((r) => Boolean(r.active))")
    context.set_offline(True)
    page.click("nav [data-tab=report]")
    page.wait_for_selector("#lead-position:has-text('108.30500')")
    page.fill("#lead-description", "经 HTTPS 上报的线索")
    page.click("#lead-submit")
    page.wait_for_selector("#report-message:has-text('已保存')")
    context.set_offline(False)
    page.click("nav [data-tab=leads]")
    page.wait_for_selector("#leads li.sent")
    assert [lead.description for lead in leads_of(engine, village.assistant.id)] == [
        "经 HTTPS 上报的线索"]
    assert context.hosts == {HOST}
    problems = list(context.problems)
    context.close()
    assert problems == []


def test_over_plain_http_at_a_network_name_one_clear_screen_and_nothing_stored(
        court_browser: Any, live_server: str) -> None:
    port = urlsplit(live_server).port
    context = phone_context(court_browser, f"http://{HOST}:{port}")
    page = context.new_page()
    page.goto("/app/")
    assert page.evaluate("window.isSecureContext") is False
    screen = page.wait_for_selector("#insecure")
    text = screen.inner_text()
    assert "请使用 HTTPS 打开" in text and "Please open this app over HTTPS" in text
    assert f"https://{HOST}:{port}/app/" in text
    assert page.locator("#username").count() == 0 and page.locator("nav").count() == 0
    page.wait_for_timeout(500)
    assert page.evaluate("localStorage.length") == 0
    assert page.evaluate("indexedDB.databases().then((all) => all.length)") == 0
    assert page.evaluate("'serviceWorker' in navigator") is False
    # Chromium's own line for the server's COOP header on an untrustworthy origin.
    problems = [p for p in context.problems if "Cross-Origin-Opener-Policy" not in p]
    context.close()
    assert problems == []
