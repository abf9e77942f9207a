"""A sync shows what it is doing: which photo is going and how much of it, then the records,
then the time of the last sync. Every text the status bar shows during the sync is recorded
in the page, so the test sees the steps however fast the upload runs."""

from __future__ import annotations

from typing import Any

from tests.browser.field_app.assistant import camera_jpeg, photo_file
from tests.browser.field_app.conftest import Village, sign_in

RECORD_BAR = """() => {
  window.barTexts = [];
  const note = () => {
    const bar = document.getElementById('sync-status');
    const text = bar ? bar.textContent : '';
    if (text && window.barTexts[window.barTexts.length - 1] !== text) window.barTexts.push(text);
  };
  new MutationObserver(note).observe(document.body,
    { childList: true, subtree: true, characterData: true });
}"""


def test_a_sync_shows_each_photo_going_then_the_records(phone: Any, village: Village) -> None:
    page = phone.new_page()
    sign_in(page, village.assistant.username)
    phone.set_offline(True)
    page.wait_for_selector("#offline")
    for text in ("院子里停着一辆蓝色三轮车", "他家新盖了两层楼"):
        page.click("nav [data-tab=report]")
        page.fill("#lead-description", text)
        page.set_input_files("#lead-photo", photo_file(camera_jpeg(2400, 1600, noise=True)))
        page.wait_for_selector("#lead-photo-note:has-text('已添加 1 张照片')")
        page.click("#lead-submit")
        page.wait_for_selector("#report-message:has-text('已保存')")
    page.wait_for_selector("#unsent[data-records='2'][data-photos='2']")

    page.evaluate(RECORD_BAR)
    phone.set_offline(False)
    page.wait_for_selector("#unsent[data-records='0'][data-photos='0']")
    page.wait_for_selector("#sync:not([disabled])")
    texts = page.evaluate("window.barTexts")
    steps = [text.split(" · ", 1)[1] for text in texts if " · " in text]
    assert any(step.startswith("正在发送照片 1/2") for step in steps), texts
    assert any(step.startswith("正在发送照片 2/2") for step in steps), texts
    first_of_two = next(k for k, s in enumerate(steps) if s.startswith("正在发送照片 2/2"))
    assert "正在同步记录…" in steps[first_of_two:], texts  # records after the photos
    assert page.inner_text("#sync-status").startswith("上次同步")
    assert page.locator("#sync-step").count() == 0
    assert phone.problems == []
