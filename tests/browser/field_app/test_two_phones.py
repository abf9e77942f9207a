"""Two phones of one assistant edit the same lead offline and converge as docs/sync.md says:
fields are merged by owner, so phone A's new description (a client field) and phone B's
debtor (the shared ``party_id``, which A left alone) both survive, with no conflict; after
both sync, both phones and the court hold the same lead."""

from __future__ import annotations

from typing import Any

from tests.browser.field_app.assistant import another_phone, api_get, sync_until
from tests.browser.field_app.conftest import Village, leads_of, masked_wanted, sign_in

FIRST, BETTER = "院里停着一辆三轮车", "院里停着一辆蓝色三轮车，车牌甘A12345"


def edit_lead(page: Any, edit: Any) -> None:
    page.click("nav [data-tab=leads]")
    page.locator("#leads li", has_text="三轮车").locator("button.edit").click()
    page.wait_for_selector("#editing")
    edit()
    page.click("#lead-submit")
    page.wait_for_selector("#leads li.waiting")


def shown(page: Any) -> str:
    page.click("nav [data-tab=leads]")
    item = page.locator("#leads li.sent")
    item.wait_for()
    return " | ".join([item.locator(".description").inner_text(),
                       item.locator(".debtor").inner_text()])


def test_two_phones_edit_one_lead_offline_and_end_equal(
        phone: Any, browser: Any, village: Village, live_server: str, engine: Any) -> None:
    a = phone.new_page()
    sign_in(a, village.assistant.username)
    a.fill("#lead-description", FIRST)
    a.click("#lead-submit")
    a.click("nav [data-tab=leads]")
    a.wait_for_selector(f"#leads li.sent:has-text('{FIRST}')")
    (lead,) = leads_of(engine, village.assistant.id)
    debtor = masked_wanted(live_server, village.assistant)["name"]

    with another_phone(browser, live_server) as second:
        b = second.new_page()
        sign_in(b, village.assistant.username)
        b.click("nav [data-tab=leads]")
        b.wait_for_selector(f"#leads li.sent:has-text('{FIRST}')")

        # Both offline: A rewrites the description, B names the debtor.
        phone.set_offline(True)
        second.set_offline(True)
        edit_lead(a, lambda: a.fill("#lead-description", BETTER))
        edit_lead(b, lambda: b.select_option("#lead-debtor", village.debtor_id))

        # Both back: A syncs first, then B (which pulls A's change first), then A again.
        phone.set_offline(False)
        sync_until(a, "#unsent:has-text('全部已发送')")
        second.set_offline(False)
        sync_until(b, "#unsent:has-text('全部已发送')")
        expected = f"{BETTER} | 被执行人：{debtor}"
        sync_until(a, f"#leads li.sent .debtor:has-text('{debtor}')")
        sync_until(b, f"#leads li.sent:has-text('{BETTER}')")
        assert shown(a) == shown(b) == expected
        assert second.problems == []

    (stored,) = leads_of(engine, village.assistant.id)
    assert stored.id == lead.id
    assert (stored.description, stored.party_id) == (BETTER, village.debtor_id)
    assert api_get(live_server, village.assistant, "/sync/conflicts") == []
    assert phone.problems == []
