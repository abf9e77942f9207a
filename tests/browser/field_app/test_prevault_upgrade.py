"""A phone that ran the field app before the vault (issue 27 follow-up) loses no unsent record
when it moves to the sealed build. That build kept WatermelonDB's LokiJS chunks, its photos
and its session in IndexedDB and localStorage in clear; the sealed build sets them aside at
start, seals them at its former user's sign-in and deletes the clear copy, leaves them alone
(named and counted, deleted only when confirmed) when someone else signs in, and a tab closed
between sealing and deleting the clear copy loses nothing and leaves no clear copy behind.

The old phone is made by the old build itself: the app's sources at ``PREVAULT`` (``git
archive``) bundled with today's esbuild into a temporary folder and served in place of the
current build, so its data is what that build's WatermelonDB, LokiJS and photo store wrote.
"""

from __future__ import annotations

import base64
import hashlib
import io
import re
import subprocess
import tarfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlmodel import Session

from enforcement.models import Role
from tests import factories
from tests.browser.app_bundle import ROOT, app_built  # noqa: F401 (a fixture)
from tests.browser.field_app.assistant import api_get, camera_jpeg, photo_file, stored_file
from tests.browser.field_app.conftest import Village, leads_of, sign_in, unlock
from tests.browser.field_app.idb_dump import JPEG_HEADER, indexeddb_dump, shared_run
from tests.browser.field_app.test_vault import RAW_STORAGE

PREVAULT = "ce0ce8a"
"""main's last build before the vault was merged (204c291^1): LokiJS chunks, session and
photos in clear. (bd9a5ac^, the vault branch's base, is the same app without photos.)"""

HELD = (re.compile(r".*/api/v1/sync/watermelon\?.*"), "**/api/v1/attachments**")
"""Pulls, pushes and uploads: held back while the test looks at what the phone stored."""

CHUNKS = """async () => {
  const rows = await new Promise((resolve, reject) => {
    const open = indexedDB.open('gridwork');
    open.onerror = () => reject(open.error);
    open.onsuccess = () => {
      const request = open.result.transaction('LokiIncrementalData')
        .objectStore('LokiIncrementalData').getAll();
      request.onsuccess = () => { open.result.close(); resolve(request.result); };
      request.onerror = () => reject(request.error);
    };
  });
  return rows.filter((row) => /\\.chunk\\.\\d+$/.test(row.key))
    .map((row) => [row.key, row.value.slice(0, 1)]);
}"""
"""Each LokiJS data chunk's key and first character: ``[`` for records in clear (JSON),
``"`` for a sealed chunk (JSON of its base64)."""

OLD_PHOTOS = """async () => {
  const open = await new Promise((resolve) => {
    const request = indexedDB.open('gridwork-photos');
    request.onsuccess = () => resolve(request.result);
  });
  const rows = await new Promise((resolve) => {
    const request = open.transaction('photos').objectStore('photos').getAll();
    request.onsuccess = () => resolve(request.result);
  });
  open.close();
  return rows.map(({ sealed }) => {
    let text = '';
    for (let i = 0; i < sealed.length; i += 0x8000) {
      text += String.fromCharCode.apply(null, sealed.subarray(i, i + 0x8000));
    }
    return btoa(text);
  });
}"""
"""The photos the old build keeps (in its ``sealed`` field, which held the bytes as taken)."""

DATABASES = "async () => (await indexedDB.databases()).map((d) => d.name).sort()"

STOP_BEFORE_DELETING = """(() => {
  const real = IDBFactory.prototype.deleteDatabase;
  IDBFactory.prototype.deleteDatabase = function (name) {
    if (name !== 'gridwork-premigrate') return real.call(this, name);
    console.info('premigrate step: deleting the clear copy');
    return {}; // never completes: the tab is closed here
  };
})()"""
"""Fault injection: the page stops at the step that deletes the set-aside clear copy."""


@pytest.fixture(scope="module")
def prevault_build(tmp_path_factory: pytest.TempPathFactory,
                   app_built: Path) -> Path:  # noqa: F811
    """The field app as the phone ran it before the vault, built from git into a folder."""
    work = tmp_path_factory.mktemp("app-prevault")
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", PREVAULT, "app"],
                             check=True, capture_output=True, timeout=60).stdout
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(work, filter="data")
    old = work / "app"
    assert "extraIncrementalIDBOptions" not in (old / "src" / "db.js").read_text("utf-8")
    (old / "node_modules").symlink_to(ROOT / "app" / "node_modules")
    subprocess.run(["node", "build.mjs"], cwd=old, check=True, timeout=300)
    return old / "dist"


@pytest.fixture
def deployed(app: Flask) -> Iterator[dict[str, Any]]:
    """The folder the server serves /app from, switched by the test (then put back)."""
    before = app.config["APP_DIST"]
    yield app.config
    app.config["APP_DIST"] = before


def raw(page: Any) -> str:
    return str(page.evaluate(RAW_STORAGE))


def old_phone_day(phone: Any, village: Village, deployed: dict[str, Any], build: Path,
                  leads: list[tuple[str, bytes | None]]) -> list[bytes]:
    """The old build on this phone: the assistant signs in, reports ``leads`` offline (text,
    camera photo or None), and the page is closed with them unsent. Then the court deploys
    the current build (the old service worker and its cache are gone, as after an update).
    Returns the photos as the old build stored them."""
    current = deployed["APP_DIST"]
    deployed["APP_DIST"] = str(build)
    page = phone.new_page()
    sign_in(page, village.assistant.username)
    phone.set_offline(True)
    page.wait_for_selector("#offline")
    for text, photo in leads:
        page.click("nav [data-tab=report]")
        # The position's arrival redraws the form (that build lost a photo taken meanwhile).
        page.wait_for_selector("#lead-position:has-text('108.30500')")
        page.fill("#lead-description", text)
        if photo:
            page.set_input_files("#lead-photo", photo_file(photo))
            page.wait_for_selector("#photo-note:has-text('已添加 1 张照片')")
        page.click("#lead-submit")
        page.wait_for_selector("#report-message:has-text('已保存')")
    deadline = time.monotonic() + 20
    while not all(text in raw(page) for text, _ in leads):  # LokiJS saves every 200 ms
        assert time.monotonic() < deadline, "the old build never stored its leads"
        page.wait_for_timeout(100)
    stored = [base64.b64decode(p) for p in page.evaluate(OLD_PHOTOS)]
    assert len(stored) == sum(1 for _, photo in leads if photo)
    assert all(JPEG_HEADER.match(p) for p in stored)  # in clear, as that build kept them
    assert "[" in {first for _, first in page.evaluate(CHUNKS)}
    # The new build reaches the phone (a new service worker fetches it past every cache).
    page.evaluate("""async () => {
      for (const r of await navigator.serviceWorker.getRegistrations()) await r.unregister();
      for (const name of await caches.keys()) await caches.delete(name);
    }""")
    phone.new_cdp_session(page).send("Network.clearBrowserCache")
    page.close()
    deployed["APP_DIST"] = current
    return stored


def assert_nothing_in_clear(page: Any, texts: list[str], photos: list[bytes]) -> None:
    """No clear chunk, no set-aside copy, no lead text, no photo byte run or JPEG header."""
    assert "gridwork-premigrate" not in page.evaluate(DATABASES)
    assert {first for _, first in page.evaluate(CHUNKS)} == {'"'}
    everything = raw(page)
    for text in texts:
        assert text not in everything
    for store in indexeddb_dump(page):
        assert JPEG_HEADER.search(store.data) is None, store.database
        for photo in photos:
            assert shared_run(photo, store.data) is None, store.database


def held(phone: Any, hold: bool) -> None:
    for pattern in HELD:
        if hold:
            phone.route(pattern, lambda route: route.abort("internetdisconnected"))
        else:
            phone.unroute(pattern)


def problems_of(phone: Any) -> list[str]:
    return [p for p in phone.problems if "ERR_INTERNET_DISCONNECTED" not in p]


def test_the_former_user_signs_in_and_every_unsent_lead_and_photo_reaches_the_court_once(
        phone: Any, village: Village, engine: Any, app: Flask, live_server: str,
        prevault_build: Path, deployed: dict[str, Any]) -> None:
    texts = ["旧版本里拍了照片的线索", "旧版本里的第二条线索"]
    (photo,) = old_phone_day(phone, village, deployed, prevault_build, [
        (texts[0], camera_jpeg(800, 600, taken="2026:12:06 10:30:00")), (texts[1], None)])

    # The new build starts: the clear data is set aside, whose it is shown at sign-in.
    held(phone, True)
    phone.set_offline(False)
    page = phone.new_page()
    page.goto("/app/")
    note = page.locator("#prevault-note")
    assert village.assistant.username in note.inner_text()
    assert "2 条记录、1 张照片" in note.inner_text()
    assert "gridwork" not in page.evaluate(DATABASES)

    # Its former user signs in: everything sealed under the new key, the clear copy gone.
    page.fill("#username", village.assistant.username)
    page.fill("#password", factories.PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector("#unsent[data-records='2'][data-photos='1']")
    page.click("nav [data-tab=leads]")
    page.wait_for_selector("#leads li.waiting >> nth=1")
    assert page.locator("#prevault").count() == 0
    assert_nothing_in_clear(page, texts, [photo])
    assert leads_of(engine, village.assistant.id) == []

    # The link gets through: each lead once, the photo byte for byte.
    held(phone, False)
    page.click("#sync")
    page.wait_for_selector("#unsent[data-records='0'][data-photos='0']")
    page.wait_for_selector("#sync:not([disabled])")
    page.click("#sync")
    page.wait_for_selector("#sync:not([disabled])")
    leads = leads_of(engine, village.assistant.id)
    assert sorted(lead.description for lead in leads) == sorted(texts)
    (with_photo,) = [lead for lead in leads if lead.description == texts[0]]
    (attachment,) = api_get(live_server, village.assistant, f"/leads/{with_photo.id}")[
        "attachments"]
    assert attachment["sha256"] == hashlib.sha256(photo).hexdigest()
    assert stored_file(app, village.assistant.court_id, attachment["sha256"]) == photo
    page.wait_for_timeout(500)  # LokiJS saves the sync's marks 200 ms after it
    assert_nothing_in_clear(page, texts, [photo])
    assert problems_of(phone) == []


def test_someone_else_signing_in_gets_nothing_merged_and_deletes_only_when_confirmed(
        phone: Any, village: Village, engine: Any, prevault_build: Path,
        deployed: dict[str, Any]) -> None:
    with Session(engine, expire_on_commit=False) as session:
        other_court = factories.create_court(session)
        other = factories.create_user(session, other_court, Role.GRID_ASSISTANT)
        session.commit()
    former = village.assistant.username
    old_phone_day(phone, village, deployed, prevault_build, [
        ("前一位协执员没发出的线索", camera_jpeg(640, 480))])
    phone.set_offline(False)
    page = phone.new_page()
    sign_in(page, other.username)

    bar = page.locator("#prevault")
    assert former in bar.inner_text() and "1 条记录、1 张照片" in bar.inner_text()
    page.wait_for_selector("#unsent[data-records='0'][data-photos='0']")
    page.click("nav [data-tab=leads]")
    assert page.locator("#leads li").count() == 0
    page.click("header .lang")  # the bar is drawn again in English, then back in Chinese
    page.locator("#prevault", has_text=f"photos that {former} did not send").wait_for()
    page.click("header .lang")
    page.locator("#prevault", has_text="1 条记录、1 张照片").wait_for()

    # Deleting asks first, naming whose records they are; cancelling keeps them.
    page.click("#prevault-remove")
    assert former in page.inner_text("#confirm-text")
    assert "1 条记录、1 张照片" in page.inner_text("#confirm-text")
    page.click("#confirm-cancel")
    assert page.locator("#prevault").count() == 1
    assert "gridwork-premigrate" in page.evaluate(DATABASES)
    page.click("#prevault-remove")
    page.click("#confirm-ok")
    page.wait_for_selector("#prevault", state="detached")
    assert "gridwork-premigrate" not in page.evaluate(DATABASES)
    assert leads_of(engine, village.assistant.id) == [] and leads_of(engine, other.id) == []
    assert problems_of(phone) == []


def test_a_tab_closed_between_sealing_and_deleting_the_clear_copy_loses_nothing(
        phone: Any, village: Village, engine: Any, app: Flask, live_server: str,
        prevault_build: Path, deployed: dict[str, Any]) -> None:
    text = "关页面之前还没发出的线索"
    (photo,) = old_phone_day(phone, village, deployed, prevault_build, [
        (text, camera_jpeg(640, 480, taken="2026:12:06 11:00:00"))])
    phone.set_offline(False)
    page = phone.new_page()
    page.add_init_script(STOP_BEFORE_DELETING)
    page.goto("/app/")
    page.fill("#username", village.assistant.username)
    page.fill("#password", factories.PASSWORD)
    with page.expect_console_message(lambda m: "premigrate step" in m.text):
        page.click("button[type=submit]")
    # Stopped there: the sealed copy and the clear one both on the phone. The tab closes.
    assert {"gridwork", "gridwork-premigrate"} <= set(page.evaluate(DATABASES))
    page.close()

    page = phone.new_page()
    page.goto("/app/")
    page.wait_for_selector("#unlock-form")
    assert_nothing_in_clear(page, [text], [photo])
    unlock(page)
    page.wait_for_selector("#unsent[data-records='0'][data-photos='0']")
    (lead,) = leads_of(engine, village.assistant.id)
    assert lead.description == text
    (attachment,) = api_get(live_server, village.assistant, f"/leads/{lead.id}")["attachments"]
    assert stored_file(app, village.assistant.court_id, attachment["sha256"]) == photo
    assert problems_of(phone) == []
