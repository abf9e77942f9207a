"""Photos on a lead in the field app: taken offline with the camera, downscaled on the phone
to the court's longest side (JPEG) with the capture time kept, checked against the court's
upload limit before saving, kept on the phone until sent, then uploaded resumably: a link
that drops mid-photo resumes from the server's offset and never sends a byte twice. The file
the court stores is exactly what the phone sent, listed on the lead, and the lead shows it.
"""

from __future__ import annotations

import hashlib
import io
from typing import Any

from PIL import Image

from tests.browser.field_app.assistant import (
    Uploads,
    api_get,
    camera_jpeg,
    photo_file,
    stored_file,
)
from tests.browser.field_app.conftest import Village, leads_of, sign_in


def test_a_photo_taken_offline_is_downscaled_and_resumes_after_the_link_drops(
        phone: Any, village: Village, live_server: str, engine: Any, app: Any) -> None:
    page = phone.new_page()
    sign_in(page, village.assistant.username)
    phone.set_offline(True)
    page.wait_for_selector("#offline")

    # A 3000×2000 camera photo (noise: a few MB even downscaled), taken yesterday morning.
    page.fill("#lead-description", "院子里停着一辆蓝色三轮车")
    page.set_input_files("#lead-photo", photo_file(
        camera_jpeg(3000, 2000, noise=True, taken="2026:12:06 09:15:00")))
    page.wait_for_selector("#lead-photo-note:has-text('已添加 1 张照片')")
    page.click("#lead-submit")
    page.wait_for_selector("#report-message:has-text('已保存')")
    page.wait_for_selector("#unsent[data-records='1'][data-photos='1']")
    page.click("nav [data-tab=leads]")
    page.wait_for_selector("#leads li.waiting img.photo.waiting")

    # Back online, the link drops after the first chunk and stays down: the lead is sent all
    # the same, the photo waits on the phone with part of it on the server.
    uploads = Uploads(cut_after_patches=1)
    uploads.install(phone)
    phone.set_offline(False)
    page.wait_for_selector("#leads li.sent")
    page.wait_for_selector("#unsent[data-records='0'][data-photos='1']")
    assert uploads.down and len(leads_of(engine, village.assistant.id)) == 1
    reached = sum(size for method, _, size in uploads.requests if size > 0)
    assert reached == 1024 * 1024

    # The link comes back: the next sync asks the server where it stopped and goes on from
    # there; nothing that arrived is sent again.
    uploads.restore()
    before = len(uploads.requests)
    page.click("#sync")
    page.wait_for_selector("#unsent[data-records='0'][data-photos='0']")
    resumed = uploads.requests[before:]
    assert resumed[0][0] == "HEAD"
    assert next(r for r in resumed if r[2] > 0)[1] == reached  # first new chunk at the offset
    sent = uploads.sent_bytes()
    assert sum(size for _, _, size in uploads.requests if size > 0) == len(sent) > 1_500_000

    # The court holds exactly the bytes the phone sent, listed on the lead with the capture
    # time; the photo was downscaled to 2048 px on its longest side.
    (lead,) = leads_of(engine, village.assistant.id)
    shown = api_get(live_server, village.assistant, f"/leads/{lead.id}")
    (attachment,) = shown["attachments"]
    assert attachment["sha256"] == uploads.sent_sha256()
    stored = stored_file(app, village.assistant.court_id, attachment["sha256"])
    assert hashlib.sha256(stored).hexdigest() == attachment["sha256"]
    assert attachment["caption"].startswith("2026-12-06T09:15:00")
    assert Image.open(io.BytesIO(sent)).size == (2048, 1365)

    # The lead shows its photo, now from the court.
    page.wait_for_selector(f"#leads li.sent img.photo.sent[data-sha256='{attachment['sha256']}']")
    assert page.evaluate("document.querySelector('img.photo.sent').naturalWidth") == 2048
    assert phone.problems == []


def test_the_court_sets_the_photo_size_and_a_photo_over_its_limit_is_refused_before_saving(
        phone: Any, village: Village, live_server: str, engine: Any, app: Any,
        monkeypatch: Any) -> None:
    monkeypatch.setitem(app.config, "FIELD_APP_PHOTO_MAX_SIDE", 800)
    monkeypatch.setitem(app.config, "ATTACHMENT_MAX_BYTES", 100_000)
    page = phone.new_page()
    sign_in(page, village.assistant.username)
    phone.set_offline(True)

    page.fill("#lead-description", "新盖的两层楼")
    page.set_input_files("#lead-photo", photo_file(camera_jpeg(3000, 2000, noise=True)))
    page.wait_for_selector("#lead-photo-note.error:has-text('照片太大')")
    page.set_input_files("#lead-photo", photo_file(camera_jpeg(1200, 1600), "IMG_0002.jpg"))
    page.wait_for_selector("#lead-photo-note:has-text('已添加 1 张照片')")
    page.click("#lead-submit")
    page.wait_for_selector("#unsent[data-records='1'][data-photos='1']")

    uploads = Uploads()
    uploads.install(phone)
    phone.set_offline(False)
    page.wait_for_selector("#unsent[data-records='0'][data-photos='0']")
    (lead,) = leads_of(engine, village.assistant.id)
    (attachment,) = api_get(live_server, village.assistant, f"/leads/{lead.id}")["attachments"]
    assert attachment["sha256"] == uploads.sent_sha256()
    stored = stored_file(app, village.assistant.court_id, attachment["sha256"])
    assert Image.open(io.BytesIO(stored)).size == (600, 800)
    assert phone.problems == []
