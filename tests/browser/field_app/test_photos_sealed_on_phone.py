"""Issue 27, "find none of ... photo bytes": a photo an assistant takes offline waits on the
phone until it is sent, and all that time IndexedDB (every database of the origin, read raw
as anyone holding the phone could) holds no run of 64 bytes of the photo, neither as the
camera gave it nor as the app downscaled it, and nothing that starts like a JPEG. Once
online the photo still reaches the court, byte for byte."""

from __future__ import annotations

import hashlib
from typing import Any

from tests.browser.field_app.assistant import (
    Uploads,
    api_get,
    camera_jpeg,
    photo_file,
    stored_file,
)
from tests.browser.field_app.conftest import Village, leads_of, sign_in
from tests.browser.field_app.idb_dump import JPEG_HEADER, indexeddb_dump, shared_run


def test_a_photo_waiting_on_the_phone_is_nowhere_in_indexeddb_in_the_clear(
        phone: Any, village: Village, live_server: str, engine: Any, app: Any) -> None:
    page = phone.new_page()
    sign_in(page, village.assistant.username)
    phone.set_offline(True)
    page.wait_for_selector("#offline")

    camera = camera_jpeg(800, 600, noise=True, taken="2026:12:06 10:30:00")
    page.fill("#lead-description", "村口停着一辆没有牌照的货车")
    page.set_input_files("#lead-photo", photo_file(camera))
    page.wait_for_selector("#lead-photo-note:has-text('已添加 1 张照片')")
    page.click("#lead-submit")
    page.wait_for_selector("#unsent[data-records='1'][data-photos='1']")
    page.wait_for_timeout(1000)  # LokiJS saves to IndexedDB every 200 ms

    # The phone as it is now: the photo stored, not sent. Read every store of every database.
    stores = indexeddb_dump(page)
    (photos,) = [s for s in stores if s.database == "gridwork-photos"]
    assert photos.records == 1
    assert any(s.database != "gridwork-photos" and s.records for s in stores)  # LokiJS's too

    # Online: the photo goes to the court; what went is the photo the phone stored.
    uploads = Uploads()
    uploads.install(phone)
    phone.set_offline(False)
    page.wait_for_selector("#unsent[data-records='0'][data-photos='0']")
    stored_jpeg = uploads.sent_bytes()
    assert JPEG_HEADER.match(stored_jpeg)  # so the search below would have found it
    assert len(photos.data) > len(stored_jpeg)  # the photo is in there, sealed

    for store in stores:
        where = f"{store.database}/{store.store}"
        assert shared_run(stored_jpeg, store.data) is None, f"downscaled photo bytes in {where}"
        assert shared_run(camera, store.data) is None, f"camera's photo bytes in {where}"
        assert JPEG_HEADER.search(store.data) is None, f"a JPEG header in {where}"

    (lead,) = leads_of(engine, village.assistant.id)
    (attachment,) = api_get(live_server, village.assistant, f"/leads/{lead.id}")["attachments"]
    assert attachment["sha256"] == hashlib.sha256(stored_jpeg).hexdigest()
    stored = stored_file(app, village.assistant.court_id, attachment["sha256"])
    assert stored == stored_jpeg
    assert phone.problems == []
