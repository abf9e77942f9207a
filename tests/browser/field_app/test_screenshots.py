"""The assistant's main screens, photographed for docs/app.md: report (with a photo), my
leads (waiting, sent with its photo, refused with the court's reason), a sighting, a task
answered, the wanted list and the confirmation before an unsent lead is deleted.

In every test run the pictures go to a temporary folder and must be small (< 80 KB) and
drawn without a warning; `make app-screenshots` sets GRIDWORK_APP_SCREENSHOTS=docs/img to
write the committed ones.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from tests.browser.field_app.assistant import camera_jpeg, photo_file, sync_until
from tests.browser.field_app.conftest import Village, sign_in
from tests.browser.field_app.test_refused import report

SHOTS = ("app-report", "app-leads", "app-sighting", "app-tasks", "app-wanted", "app-confirm")


def test_the_assistants_screens_are_photographed_small(
        phone: Any, village: Village, tmp_path: Path) -> None:
    out = Path(os.environ.get("GRIDWORK_APP_SCREENSHOTS") or tmp_path)
    page = phone.new_page()
    sign_in(page, village.assistant.username)

    def shoot(name: str) -> None:
        page.wait_for_timeout(300)  # let the last redraw settle before the picture
        page.evaluate("window.scrollTo(0, 0)")
        page.screenshot(path=str(out / f"{name}.png"))

    report(page, "村口停着一辆新三轮车，车主说是张家的", "2036-12-07T10:00")
    report(page, "他家新盖了两层楼")
    sync_until(page, "#unsent[data-records='1']")
    phone.set_offline(True)
    page.wait_for_selector("#offline")
    page.click("nav [data-tab=report]")
    page.select_option("#lead-kind", "vehicle")
    page.fill("#lead-description", "院子里停着一辆蓝色三轮车，车牌看不清")
    page.select_option("#lead-debtor", village.debtor_id)
    page.set_input_files("#lead-photo", photo_file(camera_jpeg(1600, 1200)))
    page.wait_for_selector("#lead-photo-note:has-text('已添加 1 张照片')")
    shoot("app-report")
    page.click("#lead-submit")
    page.wait_for_selector("#report-message:has-text('已保存')")

    page.click("nav [data-tab=leads]")
    page.wait_for_selector("#leads li.refused")
    page.wait_for_selector("#leads li.waiting img.photo")
    shoot("app-leads")
    page.locator("#leads li.waiting button.remove").click()
    page.wait_for_selector("#confirm-text")
    shoot("app-confirm")
    page.click("#confirm-cancel")

    page.click("nav [data-tab=sighting]")
    page.select_option("#sighting-debtor", village.debtor_id)
    page.fill("#sighting-plate", "甘A12345")
    page.fill("#sighting-notes", "骑蓝色三轮车往镇上去了")
    page.click("#sighting-submit")
    page.wait_for_selector("#sightings li.waiting")
    shoot("app-sighting")

    page.click("nav [data-tab=tasks]")
    page.locator("#tasks textarea.answer-text").fill("已核实：本人在家")
    shoot("app-tasks")
    page.click("nav [data-tab=wanted]")
    page.wait_for_selector("#wanted li")
    shoot("app-wanted")

    for name in SHOTS:
        size = (out / f"{name}.png").stat().st_size
        assert 0 < size < 80_000, (name, size)
    assert phone.problems == []
