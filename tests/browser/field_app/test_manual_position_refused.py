"""A court that turns ``FIELD_APP_MANUAL_POSITION`` off refuses hand-typed positions, also from
a phone that recorded one while it was still allowed: the lead stays on the phone marked
refused with the court's reason, and is fixed by locating it again with GPS and resending."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask

from tests.browser.field_app.conftest import Village, leads_of, sign_in

TEXT = "在地图上找不到的院子，位置是手动输入的"


def test_a_hand_typed_position_refused_by_the_court_is_fixed_with_gps_and_resent(
        phone: Any, village: Village, engine: Any, app: Flask,
        monkeypatch: pytest.MonkeyPatch) -> None:
    page = phone.new_page()
    sign_in(page, village.assistant.username)
    phone.set_offline(True)
    page.wait_for_selector("#offline")
    page.click("nav [data-tab=report]")
    page.fill("#lead-description", TEXT)
    page.click("#manual-position summary")
    page.fill("#manual-lon", "108.3071")
    page.fill("#manual-lat", "35.4062")
    page.click("#lead-submit")
    page.wait_for_selector("#report-message:has-text('已保存')")

    # Meanwhile the court forbids typed positions; the phone's next sync is refused.
    monkeypatch.setitem(app.config, "FIELD_APP_MANUAL_POSITION", False)
    phone.set_offline(False)
    page.click("nav [data-tab=leads]")
    item = page.locator("#leads li.refused", has_text=TEXT)
    item.wait_for()
    assert "本院不接受手动输入的位置" in item.inner_text()
    assert leads_of(engine, village.assistant.id) == []

    # Fixed: the form locates the lead again (the typed position is no longer offered).
    item.locator("button.fix").click()
    page.wait_for_selector("#editing:has-text('手动输入的位置')")
    page.wait_for_selector("#lead-position:has-text('108.30500')")
    assert page.locator("#manual-position").count() == 0
    page.click("#lead-submit")
    page.wait_for_selector(f"#leads li.sent:has-text('{TEXT}')")
    (lead,) = leads_of(engine, village.assistant.id)
    assert lead.position_source == "gps" and lead.accuracy_m == pytest.approx(15)
    assert (lead.reported_lon, lead.reported_lat) == pytest.approx((108.305, 35.405))
    assert lead.position_note is None
    assert phone.problems == []
