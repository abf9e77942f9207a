"""The field app at /app in a phone-sized Chromium (Playwright on Debian's Chromium, the
internet shut out): the fixtures every field-app test shares.

``phone`` is a phone-sized Chinese browser context with the position granted at HOME, inside
the assistant's village grid of ``village``; any warning or error a page prints (WatermelonDB's
included) is collected in ``phone.problems``, which a test asserts empty.
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
    judge: User


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
        return Village(assistant, home.id, neighbour.id, debtor.id, task.title, judge)


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


def masked_wanted(live_server: str, assistant: User) -> dict[str, Any]:
    """The wanted list's row as the API shows it to the assistant."""
    token = requests.post(f"{live_server}/api/v1/auth/login", json={
        "username": assistant.username, "password": factories.PASSWORD,
        "device_id": "api-check"}, timeout=30).json()["access_token"]
    rows = requests.get(f"{live_server}/api/v1/wanted", headers={
        "Authorization": f"Bearer {token}"}, timeout=30).json()
    rows = rows["items"] if isinstance(rows, dict) else rows
    assert len(rows) == 1
    return rows[0]["party"]


def leads_of(engine: Any, author_id: str) -> list[Lead]:
    with Session(engine) as session:
        return list(session.scalars(sa.select(Lead).where(Lead.author_id == author_id)))


def sign_in(page: Any, username: str) -> None:
    """Open the app and sign in with the factories' password; wait for the first sync."""
    page.goto("/app/")
    page.fill("#username", username)
    page.fill("#password", factories.PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector("#sync-status:has-text('上次同步')")


def unlock(page: Any, password: str = factories.PASSWORD) -> None:
    """The app opened again (a reload, a new tab, after locking) asks for the password that
    unwraps the phone's data key; give it and wait for the tabs."""
    page.wait_for_selector("#unlock-form")
    page.fill("#password", password)
    page.click("#unlock")
    page.wait_for_selector("nav [data-tab]")
