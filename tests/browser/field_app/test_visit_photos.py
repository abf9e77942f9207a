"""Issue 22, "record a visit with its outcome and photos offline": an officer takes a photo
at a stop with no signal, saves the visit, closes the app; reopened (the password unlocks
it) the visit and its photo still wait; online, the photo goes first, the visit on the
court lists it, the court stores exactly the bytes the phone sent, and the round summary
counts the visit."""

from __future__ import annotations

import hashlib
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

from enforcement.models import Visit
from tests.browser.field_app.assistant import (
    Uploads,
    api_get,
    camera_jpeg,
    photo_file,
    stored_file,
)
from tests.browser.field_app.conftest import Village, sign_in, unlock
from tests.browser.field_app.test_officer_round import _round, _summary


def test_an_officer_records_a_visit_with_a_photo_offline_and_the_court_gets_both(
        phone: Any, village: Village, live_server: str, engine: Any, app: Any) -> None:
    officer, rnd, stops, _ = _round(engine, village)
    page = phone.new_page()
    sign_in(page, officer.username)
    page.wait_for_selector("#stops > li >> nth=2")

    phone.set_offline(True)
    page.wait_for_selector("#offline")
    page.click(f"#stops > li[data-id='{stops[0].id}'] button.record")
    page.select_option("#visit-result", "property_found")
    page.fill("#visit-notes", "院内有一台拖拉机")
    page.set_input_files("#visit-photo", photo_file(
        camera_jpeg(3000, 2000, taken="2026:12:07 10:05:00")))
    page.wait_for_selector("#visit-photo-note:has-text('已添加 1 张照片')")
    page.click("#visit-submit")
    page.wait_for_selector(f"#stops > li.recorded[data-id='{stops[0].id}']")
    page.wait_for_selector("#unsent[data-records='1'][data-photos='1']")
    with Session(engine) as session:  # nothing left the phone
        assert session.scalars(sa.select(Visit).where(Visit.round_id == rnd.id)).all() == []

    # Closed and reopened offline: the visit and its photo still wait.
    page.wait_for_timeout(1000)  # LokiJS saves to IndexedDB every 200 ms
    page.close()
    page = phone.new_page()
    page.goto("/app/")
    unlock(page)
    page.wait_for_selector("#round-progress:has-text('待发送 1')")
    page.wait_for_selector("#unsent[data-records='1'][data-photos='1']")
    page.wait_for_selector(f"#stops > li[data-id='{stops[0].id}'] img.photo.waiting")

    uploads = Uploads()
    uploads.install(phone)
    phone.set_offline(False)
    page.wait_for_selector("#unsent[data-records='0'][data-photos='0']")
    page.wait_for_selector("#round-progress:has-text('待发送 0')")
    sent = uploads.sent_bytes()
    assert sent[:2] == b"\xff\xd8" and len(sent) > 0

    # The visit on the court lists the photo with its capture time; the court's file is the
    # phone's, byte for byte.
    (visit,) = api_get(live_server, officer, f"/rounds/{rnd.id}/visits")["items"]
    assert visit["target_id"] == stops[0].id and visit["notes"] == "院内有一台拖拉机"
    (attachment,) = visit["attachments"]
    assert attachment["sha256"] == hashlib.sha256(sent).hexdigest()
    assert attachment["caption"].startswith("2026-12-07T10:05:00")
    stored = stored_file(app, village.assistant.court_id, attachment["sha256"])
    assert hashlib.sha256(stored).hexdigest() == attachment["sha256"]

    page.wait_for_selector(f"#stops > li[data-id='{stops[0].id}'] "
                           f"img.photo.sent[data-sha256='{attachment['sha256']}']")

    summary = _summary(live_server, officer, rnd.id)
    assert (summary["visits"], summary["visited"]) == (1, 1)
    assert summary["results"]["property_found"] == 1
    assert phone.problems == []


def test_a_visit_sent_before_its_photo_gets_the_photo_at_the_next_sync(
        phone: Any, village: Village, live_server: str, engine: Any, app: Any) -> None:
    officer, rnd, stops, _ = _round(engine, village)
    page = phone.new_page()
    sign_in(page, officer.username)
    page.wait_for_selector("#stops > li >> nth=2")
    phone.set_offline(True)
    page.wait_for_selector("#offline")
    page.click(f"#stops > li[data-id='{stops[1].id}'] button.record")
    page.select_option("#visit-result", "debtor_absent")
    page.set_input_files("#visit-photo", photo_file(camera_jpeg(3000, 2000, noise=True)))
    page.wait_for_selector("#visit-photo-note:has-text('已添加 1 张照片')")
    page.click("#visit-submit")
    page.wait_for_selector("#unsent[data-records='1'][data-photos='1']")

    # The link drops during the photo: the visit goes without it, the photo waits.
    uploads = Uploads(cut_after_patches=1)
    uploads.install(phone)
    phone.set_offline(False)
    page.wait_for_selector("#unsent[data-records='0'][data-photos='1']")
    (visit,) = api_get(live_server, officer, f"/rounds/{rnd.id}/visits")["items"]
    assert visit["attachments"] == []

    # Back: the photo resumes, and the visit already on the court now lists it.
    uploads.restore()
    page.click("#sync")
    page.wait_for_selector("#unsent[data-records='0'][data-photos='0']")
    (visit,) = api_get(live_server, officer, f"/rounds/{rnd.id}/visits")["items"]
    (attachment,) = visit["attachments"]
    assert attachment["sha256"] == uploads.sent_sha256()
    stored = stored_file(app, village.assistant.court_id, attachment["sha256"])
    assert hashlib.sha256(stored).hexdigest() == attachment["sha256"]
    assert _summary(live_server, officer, rnd.id)["visits"] == 1
    assert phone.problems == []
