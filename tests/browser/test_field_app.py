"""The field app at /app in a phone-sized Chromium (Playwright on Debian's Chromium, the
internet shut out), with the phone's position granted inside the assistant's village grid.

An assistant signs in, sees the wanted list (masked as the API masks it) and their task,
loses the network, reloads (the app still opens from its service worker), reports three
leads, closes the page, reopens it and gets the network back: every lead reaches the
server exactly once, placed in the right village grid. Any warning or error WatermelonDB
(or anything else) prints in the page fails the test.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import pytest
import requests
import sqlalchemy as sa
from sqlmodel import Session

from enforcement.models import Lead, Role, User
from tests import factories
from tests.browser.app_bundle import app_built  # noqa: F401 (a fixture)
from tests.browser.conftest import LOCAL_SCHEMES

HOME = (108.305, 35.405)
"""Where the phone is: inside 东关村 (108.30–108.31, 35.40–35.41), not in its neighbour."""
EXPECTED = ("net::ERR_INTERNET_DISCONNECTED", "Failed to load resource",
            "Deleting database failed because it's blocked by another connection")
"""Not defects: what Chromium prints for a request made while offline, and LokiJS's line
when WatermelonDB sets up an empty database (the delete waits for LokiJS's own closing
connection, then goes through: "[Loki] Database is now reset" follows)."""


@dataclass
class Village:
    assistant: User
    grid_id: str
    neighbour_id: str
    debtor_id: str
    task_title: str


@pytest.fixture
def village(engine: Any) -> Village:
    with Session(engine, expire_on_commit=False) as session:
        court = factories.create_court(session)
        township = factories.create_township(session, court, 108.30, 35.40, size=0.03)
        home = factories.create_village(session, township, 108.30, 35.40, name="东关村")
        neighbour = factories.create_village(session, township, 108.31, 35.40, name="西坡村")
        assistant = factories.create_user(session, court, Role.GRID_ASSISTANT)
        factories.assign_grid(session, assistant, home)
        factories.assign_grid(session, assistant, neighbour)
        _, debtor = factories.create_debtor_case(session, court, home, village_grid_id=home.id)
        judge = factories.create_user(session, court, Role.JUDGE)
        task = factories.create_task(session, judge, home, title="核实张三明是否在家")
        session.commit()
        return Village(assistant, home.id, neighbour.id, debtor.id, task.title)


@pytest.fixture
def phone(browser: Any, live_server: str, app_built: Any) -> Iterator[Any]:  # noqa: F811
    """A phone-sized Chinese browser context, geolocation granted at HOME, that may only talk
    to 127.0.0.1; every console warning or error of its pages is collected in .problems."""
    context = browser.new_context(
        locale="zh-CN", viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True,
        geolocation={"longitude": HOME[0], "latitude": HOME[1], "accuracy": 15},
        permissions=["geolocation"], base_url=live_server)
    context.set_default_timeout(20_000)
    context.problems = []
    context.hosts = set()

    def watch(page: Any) -> None:
        page.on("console", lambda m: m.type in ("warning", "error")
                and not any(s in m.text for s in EXPECTED)
                and context.problems.append(f"{m.type}: {m.text}"))
        page.on("pageerror", lambda e: context.problems.append(f"pageerror: {e}"))
        page.on("request", lambda r: context.hosts.add(
            urlsplit(r.url).scheme if urlsplit(r.url).scheme in LOCAL_SCHEMES
            else urlsplit(r.url).hostname or ""))

    context.on("page", watch)
    yield context
    context.close()
    outside = context.hosts - {"127.0.0.1", *LOCAL_SCHEMES}
    assert not outside, f"the app asked for hosts other than 127.0.0.1: {outside}"


def _masked_wanted(live_server: str, assistant: User) -> dict[str, Any]:
    """The wanted list's row as the API shows it to the assistant."""
    token = requests.post(f"{live_server}/api/v1/auth/login", json={
        "username": assistant.username, "password": factories.PASSWORD,
        "device_id": "api-check"}, timeout=30).json()["access_token"]
    rows = requests.get(f"{live_server}/api/v1/wanted", headers={
        "Authorization": f"Bearer {token}"}, timeout=30).json()
    rows = rows["items"] if isinstance(rows, dict) else rows
    assert len(rows) == 1
    return rows[0]["party"]


def _leads(engine: Any, author_id: str) -> list[Lead]:
    with Session(engine) as session:
        return list(session.scalars(sa.select(Lead).where(Lead.author_id == author_id)))


def test_an_assistant_reports_leads_offline_and_each_reaches_the_server_once(
        phone: Any, village: Village, live_server: str, engine: Any) -> None:
    page = phone.new_page()
    page.goto("/app/")
    page.fill("#username", village.assistant.username)
    page.fill("#password", factories.PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector("#sync-status:has-text('上次同步')")

    # What the first sync brought: the task and the wanted debtor, masked as the API masks.
    masked = _masked_wanted(live_server, village.assistant)
    assert masked["name"] != "张三明"
    page.click("nav [data-tab=wanted]")
    page.wait_for_selector(f"#wanted li:has-text('{masked['name']}')")
    assert "张三明" not in page.inner_text("#wanted")
    assert "620102199001011234" not in page.inner_text("#wanted")
    page.click("nav [data-tab=tasks]")
    page.wait_for_selector(f"#tasks li:has-text('{village.task_title}')")

    # Persistent storage asked; a refusal is shown, a grant is not warned about.
    persisted = page.evaluate("navigator.storage.persisted()")
    assert page.locator("#storage-warning").count() == (0 if persisted else 1)

    # The service worker holds the shell: offline, a reload still opens the app.
    page.evaluate("navigator.serviceWorker.ready.then((r) => Boolean(r.active))")
    phone.set_offline(True)
    page.reload()
    page.wait_for_selector("#offline")
    page.wait_for_selector("nav [data-tab=report]")

    texts = ["村口停着一辆新三轮车", "他家新盖了两层楼", "看见被执行人在镇上打工"]
    for k, text in enumerate(texts):
        page.click("nav [data-tab=report]")
        page.wait_for_selector("#lead-position:has-text('108.30500')")
        page.select_option("#lead-kind", ["vehicle", "real_estate", "debtor_whereabouts"][k])
        page.fill("#lead-description", text)
        if k == 2:
            page.select_option("#lead-debtor", village.debtor_id)
        page.click("#lead-submit")
        page.wait_for_selector("#report-message:has-text('已保存')")
    page.click("nav [data-tab=leads]")
    page.wait_for_selector("#leads li.waiting >> nth=2")
    assert page.locator("#leads li.waiting").count() == 3
    assert _leads(engine, village.assistant.id) == []  # nothing left the phone

    # Closed and reopened, still offline: the three leads are still waiting on the phone.
    page.wait_for_timeout(1000)  # WatermelonDB's LokiJS saves to IndexedDB every 200 ms
    page.close()
    page = phone.new_page()
    page.goto("/app/")
    page.click("nav [data-tab=leads]")
    page.wait_for_selector("#leads li.waiting >> nth=2")

    # The network returns: the app syncs by itself and every lead is sent, once.
    phone.set_offline(False)
    page.wait_for_selector("#leads li.sent >> nth=2")
    assert page.locator("#leads li.waiting").count() == 0
    page.click("#sync")  # a second sync sends nothing again
    page.wait_for_selector("#sync:not([disabled])")

    leads = _leads(engine, village.assistant.id)
    assert sorted(lead.description for lead in leads) == sorted(texts)
    for lead in leads:
        assert lead.village_grid_id == village.grid_id
        assert (lead.reported_lon, lead.reported_lat) == pytest.approx(HOME)
        assert lead.datum == "wgs84" and lead.accuracy_m == pytest.approx(15)
    by_text = {lead.description: lead for lead in leads}
    assert by_text[texts[2]].party_id == village.debtor_id
    assert by_text[texts[0]].party_id is None
    assert phone.problems == []
