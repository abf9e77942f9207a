"""Issue 22's headline, in one test: an assistant signs in, loses the network, reloads (the
app still opens), reports three leads each with a photo, a sighting of the wanted debtor,
and answers a task, closes the app, reopens it and gets the network back. Everything
reaches the court once: each photo is the bytes the phone sent (by SHA-256) and listed on
its lead, the leads land in the assistant's village grid, and the unsent count goes to 0.
"""

from __future__ import annotations

import hashlib
from typing import Any

import pytest
import sqlalchemy as sa
from sqlmodel import Session

from enforcement.models import Sighting, TaskAnswer
from tests.browser.field_app.assistant import (
    Uploads,
    api_get,
    camera_jpeg,
    photo_file,
    stored_file,
)
from tests.browser.field_app.conftest import HOME, Village, leads_of, sign_in, unlock

TEXTS = ["村口停着一辆新三轮车", "他家新盖了两层楼", "看见被执行人在镇上打工"]


def rows(engine: Any, model: Any, author_id: str) -> list[Any]:
    with Session(engine) as session:
        return list(session.scalars(sa.select(model).where(model.author_id == author_id)))


def test_an_assistants_whole_day_offline_reaches_the_court_once(
        phone: Any, village: Village, live_server: str, engine: Any, app: Any) -> None:
    uploads = Uploads()
    uploads.install(phone)
    page = phone.new_page()
    sign_in(page, village.assistant.username)
    page.evaluate("navigator.serviceWorker.ready.then((r) => Boolean(r.active))")

    phone.set_offline(True)
    page.reload()
    unlock(page)
    page.wait_for_selector("#offline")

    # Three leads, each with a photo from the camera.
    for k, text in enumerate(TEXTS):
        page.click("nav [data-tab=report]")
        page.wait_for_selector("#lead-position:has-text('108.30500')")
        page.select_option("#lead-kind", ["vehicle", "real_estate", "debtor_whereabouts"][k])
        page.fill("#lead-description", text)
        page.set_input_files("#lead-photo", photo_file(
            camera_jpeg(2400 + 200 * k, 1800, taken=f"2026:12:0{k + 1} 10:00:00"),
            f"IMG_000{k}.jpg"))
        page.wait_for_selector("#lead-photo-note:has-text('已添加 1 张照片')")
        page.click("#lead-submit")
        page.wait_for_selector("#report-message:has-text('已保存')")

    # A sighting of the wanted debtor, and an answer to the task.
    page.click("nav [data-tab=sighting]")
    page.wait_for_selector("#sighting-position:has-text('108.30500')")
    page.select_option("#sighting-debtor", village.debtor_id)
    page.fill("#sighting-plate", "甘A12345")
    page.fill("#sighting-notes", "骑蓝色三轮车往镇上去了")
    page.click("#sighting-submit")
    page.wait_for_selector("#sightings li.waiting")
    page.click("nav [data-tab=tasks]")
    task = page.locator("#tasks li.task", has_text=village.task_title)
    task.locator("select.answer-result").select_option("done")
    task.locator("textarea.answer-text").fill("已核实：本人在家，家里有一辆三轮车")
    task.locator("button.answer-submit").click()
    page.wait_for_selector("#tasks .answer-item.waiting")
    page.wait_for_selector("#unsent[data-records='5'][data-photos='3']")
    assert leads_of(engine, village.assistant.id) == [] and uploads.requests == []

    # Closed and reopened offline: everything is still waiting on the phone.
    page.wait_for_timeout(1000)  # WatermelonDB's LokiJS saves to IndexedDB every 200 ms
    page.close()
    page = phone.new_page()
    page.goto("/app/")
    unlock(page)
    page.wait_for_selector("#unsent[data-records='5'][data-photos='3']")

    # Online: the app syncs by itself; then once more by hand, which sends nothing again.
    phone.set_offline(False)
    page.wait_for_selector("#unsent[data-records='0'][data-photos='0']")
    created = [r for r in uploads.requests if r[0] == "POST"]
    page.click("#sync")
    page.wait_for_selector("#sync[disabled]", state="detached")
    page.wait_for_selector("#unsent[data-records='0'][data-photos='0']")
    assert [r for r in uploads.requests if r[0] == "POST"] == created and len(created) == 3

    leads = leads_of(engine, village.assistant.id)
    assert sorted(lead.description for lead in leads) == sorted(TEXTS)
    sent = {hashlib.sha256(body).hexdigest() for _, body in uploads.chunks}  # one chunk each
    for lead in leads:
        assert lead.village_grid_id == village.grid_id
        assert (lead.reported_lon, lead.reported_lat) == pytest.approx(HOME)
        (photo,) = api_get(live_server, village.assistant, f"/leads/{lead.id}")["attachments"]
        assert photo["sha256"] in sent
        stored = stored_file(app, village.assistant.court_id, photo["sha256"])
        assert hashlib.sha256(stored).hexdigest() == photo["sha256"]
    assert len({lead.id for lead in leads}) == 3

    (sighting,) = rows(engine, Sighting, village.assistant.id)
    assert (sighting.party_id, sighting.vehicle_plate) == (village.debtor_id, "甘A12345")
    assert sighting.notes == "骑蓝色三轮车往镇上去了"
    assert sighting.village_grid_id == village.grid_id
    (answer,) = rows(engine, TaskAnswer, village.assistant.id)
    assert (answer.result, answer.answer) == ("done", "已核实：本人在家，家里有一辆三轮车")
    assert answer.village_grid_id == village.grid_id

    page.click("nav [data-tab=leads]")
    page.wait_for_selector("#leads li.sent img.photo.sent >> nth=2")
    page.click("nav [data-tab=tasks]")
    page.wait_for_selector("#tasks .answer-item.sent")
    assert phone.problems == []
