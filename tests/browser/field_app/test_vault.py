"""The field app's data at rest (issue 27): everything it keeps on the phone is sealed with a
random data key that only the user's password unwraps. A lost phone's IndexedDB and
localStorage hold no lead's text, no debtor's name, no task; the app locks (by hand or when
idle) and opens again offline with the password, never with a wrong one; a remote wipe
destroys the key and the database."""

from __future__ import annotations

from typing import Any

import requests
from sqlmodel import Session

from enforcement.models import Court, Role, VillageGrid
from tests import factories
from tests.browser.field_app.conftest import (
    Village,
    leads_of,
    masked_wanted,
    sign_in,
    unlock,
)

RAW_STORAGE = """async () => {
  const out = [];
  for (const { name } of await indexedDB.databases()) {
    const db = await new Promise((resolve, reject) => {
      const request = indexedDB.open(name);
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
    for (const store of db.objectStoreNames) {
      const rows = await new Promise((resolve, reject) => {
        const request = db.transaction(store).objectStore(store).getAll();
        request.onsuccess = () => resolve(request.result);
        request.onerror = () => reject(request.error);
      });
      out.push(`${name}/${store}: ${JSON.stringify(rows)}`);
    }
    db.close();
  }
  for (let i = 0; i < localStorage.length; i += 1) {
    const key = localStorage.key(i);
    out.push(`localStorage ${key}: ${localStorage.getItem(key)}`);
  }
  return out.join('\\n');
}"""
"""Every byte the app left in IndexedDB and localStorage, as a thief reading the disk would."""

LEAD_TEXT = "王家院里停着一辆红色拖拉机"


def report(page: Any, text: str, debtor_id: str | None = None) -> None:
    page.click("nav [data-tab=report]")
    page.wait_for_selector("#lead-position:has-text('108.30500')")
    page.fill("#lead-description", text)
    if debtor_id:
        page.select_option("#lead-debtor", debtor_id)
    page.click("#lead-submit")
    page.wait_for_selector("#report-message:has-text('已保存')")


def test_what_the_phone_keeps_holds_no_lead_debtor_or_task_in_clear(
        phone: Any, village: Village, live_server: str, engine: Any) -> None:
    page = phone.new_page()
    sign_in(page, village.assistant.username)
    masked = masked_wanted(live_server, village.assistant)
    phone.set_offline(True)
    report(page, LEAD_TEXT, village.debtor_id)
    phone.set_offline(False)
    page.click("nav [data-tab=leads]")
    page.wait_for_selector("#leads li.sent")
    assert [lead.description for lead in leads_of(engine, village.assistant.id)] == [LEAD_TEXT]
    page.click("nav [data-tab=wanted]")
    page.wait_for_selector(f"#wanted li:has-text('{masked['name']}')")
    page.wait_for_timeout(1000)  # LokiJS saves to IndexedDB 200 ms after a write

    raw = page.evaluate(RAW_STORAGE)
    # The records are there (sealed chunks of each table), the words are not.
    assert "gridwork/LokiIncrementalData" in raw and '"key":"lead.chunk.0"' in raw
    assert '"key":"wanted.chunk.0"' in raw and "localStorage gridwork.app.session" in raw
    for secret in (LEAD_TEXT, masked["name"], village.task_title, "vehicle", "description",
                   "access_token", village.debtor_id, village.grid_id):
        assert secret not in raw, f"{secret!r} is readable on the phone"

    # Sealed, not lost: opened again, the app shows them after the password.
    page.reload()
    unlock(page)
    page.click("nav [data-tab=leads]")
    page.wait_for_selector(f"#leads li.sent:has-text('{LEAD_TEXT}')")
    page.click("nav [data-tab=wanted]")
    page.wait_for_selector(f"#wanted li:has-text('{masked['name']}')")
    assert phone.problems == []


def test_locked_offline_the_password_opens_it_a_wrong_one_does_not(
        phone: Any, village: Village, engine: Any) -> None:
    page = phone.new_page()
    sign_in(page, village.assistant.username)
    phone.set_offline(True)
    report(page, LEAD_TEXT)

    page.click("#lock")
    page.wait_for_selector("#unlock-form")
    assert page.locator("nav").count() == 0
    page.fill("#password", "not-the-password")
    page.click("#unlock")
    page.wait_for_selector("#unlock-message:has-text('密码错误')")
    assert page.locator("nav").count() == 0
    assert LEAD_TEXT not in page.content()

    # A new tab, still offline: locked as well; the right password opens it, no network.
    page.close()
    page = phone.new_page()
    page.goto("/app/")
    unlock(page)
    page.click("nav [data-tab=leads]")
    page.wait_for_selector(f"#leads li.waiting:has-text('{LEAD_TEXT}')")
    assert leads_of(engine, village.assistant.id) == []

    phone.set_offline(False)
    page.wait_for_selector("#leads li.sent")
    assert [lead.description for lead in leads_of(engine, village.assistant.id)] == [LEAD_TEXT]
    assert phone.problems == []


def test_left_idle_the_app_locks_itself_and_keeps_the_half_typed_lead(
        phone: Any, village: Village) -> None:
    page = phone.new_page()
    page.clock.install()
    sign_in(page, village.assistant.username)
    page.click("nav [data-tab=report]")
    page.fill("#lead-description", LEAD_TEXT)
    page.select_option("#lead-kind", "vehicle")
    page.clock.fast_forward("02:00")  # within the court's 5 minutes: still open
    assert page.locator("#unlock-form").count() == 0
    page.clock.fast_forward("05:30")
    page.wait_for_selector("#unlock-form")
    page.wait_for_selector("#unlock-message:has-text('已锁定')")
    assert LEAD_TEXT not in page.evaluate(RAW_STORAGE)  # the draft is kept, sealed
    unlock(page)
    page.click("nav [data-tab=report]")
    assert page.input_value("#lead-description") == LEAD_TEXT
    assert page.input_value("#lead-kind") == "vehicle"
    assert phone.problems == []


def test_a_revoked_phone_destroys_its_key_and_its_database(
        phone: Any, village: Village, live_server: str, engine: Any) -> None:
    """A remote wipe leaves nothing readable; the phone is then a new device, which the
    court can hand to another of its assistants."""
    page = phone.new_page()
    sign_in(page, village.assistant.username)
    device = page.evaluate("localStorage.getItem('gridwork.app.device')")
    token = requests.post(f"{live_server}/api/v1/auth/login", json={
        "username": village.assistant.username, "password": factories.PASSWORD,
        "device_id": "desk"}, timeout=30).json()["access_token"]
    revoked = requests.post(f"{live_server}/api/v1/devices/{device}/revoke",
                            json={"reason": "lost"}, timeout=30,
                            headers={"Authorization": f"Bearer {token}"})
    assert revoked.ok, revoked.text

    page.click("#sync")
    page.wait_for_selector(".login [role=alert]:has-text('已被停用')")
    assert page.evaluate("localStorage.getItem('gridwork.app.vault')") is None
    names = page.evaluate("indexedDB.databases().then((all) => all.map((d) => d.name))")
    assert "gridwork" not in names
    assert page.locator("#unlock-form").count() == 0

    with Session(engine, expire_on_commit=False) as session:
        court = session.get(Court, village.assistant.court_id)
        grid = session.get(VillageGrid, (court.id, village.grid_id))
        successor = factories.create_user(session, court, Role.GRID_ASSISTANT)
        factories.assign_grid(session, successor, grid)
        session.commit()
    sign_in(page, successor.username)
    handed_over = page.evaluate("localStorage.getItem('gridwork.app.device')")
    assert handed_over and handed_over != device
    assert phone.problems == []
