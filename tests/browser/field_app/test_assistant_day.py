"""An assistant's day in the field app: sign in, see the wanted list (masked as the API masks
it) and their task, lose the network, reload (the app still opens from its service worker),
report three leads, close the page, reopen it and get the network back: every lead reaches
the server exactly once, placed in the right village grid.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.field_app.conftest import (
    HOME,
    Village,
    leads_of,
    masked_wanted,
    sign_in,
    unlock,
)


def test_an_assistant_reports_leads_offline_and_each_reaches_the_server_once(
        phone: Any, village: Village, live_server: str, engine: Any) -> None:
    page = phone.new_page()
    sign_in(page, village.assistant.username)

    # What the first sync brought: the task and the wanted debtor, masked as the API masks.
    masked = masked_wanted(live_server, village.assistant)
    assert masked["name"] != "张三明"
    page.click("nav [data-tab=wanted]")
    page.wait_for_selector(f"#wanted li:has-text('{masked['name']}')")
    assert "张三明" not in page.inner_text("#wanted")
    assert "620102199001011234" not in page.inner_text("#wanted")
    page.click("nav [data-tab=tasks]")
    page.wait_for_selector(f"#tasks li:has-text('{village.task_title}')")

    # Persistent storage asked; a refusal is shown, a grant is not warned about.
    persisted = page.evaluate("navigator.storage.persisted()")
    assert page.locator("#storage-warning").count() == (0 if persisted else 1)

    # The service worker holds the shell: offline, a reload still opens the app.
    page.evaluate("navigator.serviceWorker.ready.then((r) => Boolean(r.active))")
    phone.set_offline(True)
    page.reload()
    unlock(page)  # the password opens the phone's data, offline too
    page.wait_for_selector("#offline")
    page.wait_for_selector("nav [data-tab=report]")

    texts = ["村口停着一辆新三轮车", "他家新盖了两层楼", "看见被执行人在镇上打工"]
    for k, text in enumerate(texts):
        page.click("nav [data-tab=report]")
        page.wait_for_selector("#lead-position:has-text('108.30500')")
        page.select_option("#lead-kind", ["vehicle", "real_estate", "debtor_whereabouts"][k])
        page.fill("#lead-description", text)
        if k == 2:
            page.select_option("#lead-debtor", village.debtor_id)
        page.click("#lead-submit")
        page.wait_for_selector("#report-message:has-text('已保存')")
    page.click("nav [data-tab=leads]")
    page.wait_for_selector("#leads li.waiting >> nth=2")
    assert page.locator("#leads li.waiting").count() == 3
    assert leads_of(engine, village.assistant.id) == []  # nothing left the phone

    # Closed and reopened, still offline: the three leads are still waiting on the phone.
    page.wait_for_timeout(1000)  # WatermelonDB's LokiJS saves to IndexedDB every 200 ms
    page.close()
    page = phone.new_page()
    page.goto("/app/")
    unlock(page)
    page.click("nav [data-tab=leads]")
    page.wait_for_selector("#leads li.waiting >> nth=2")

    # The network returns: the app syncs by itself and every lead is sent, once.
    phone.set_offline(False)
    page.wait_for_selector("#leads li.sent >> nth=2")
    assert page.locator("#leads li.waiting").count() == 0
    page.click("#sync")  # a second sync sends nothing again
    page.wait_for_selector("#sync:not([disabled])")

    leads = leads_of(engine, village.assistant.id)
    assert sorted(lead.description for lead in leads) == sorted(texts)
    for lead in leads:
        assert lead.village_grid_id == village.grid_id
        assert (lead.reported_lon, lead.reported_lat) == pytest.approx(HOME)
        assert lead.datum == "wgs84" and lead.accuracy_m == pytest.approx(15)
    by_text = {lead.description: lead for lead in leads}
    assert by_text[texts[2]].party_id == village.debtor_id
    assert by_text[texts[0]].party_id is None
    assert phone.problems == []
