"""Never lost, in the field app (issue 27): the number of unsent records is always on
screen; a record the court refuses is set aside with its reason while the others are sent;
it can be fixed and resent (the refusal closes) or discarded; and nothing unsent is deleted
without a confirmation that names it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from tests.browser.field_app.assistant import Uploads, api_get, camera_jpeg, photo_file
from tests.browser.field_app.conftest import Village, leads_of, sign_in

TYPO = "2036-12-07T10:00"  # the year mistyped: ten years ahead
REFUSED, FIXED, FINE, ALSO_FINE, DUPLICATE = (
    "村口停着一辆新三轮车", "这一条时间写错了", "他家新盖了两层楼", "看见被执行人在镇上打工",
    "重复的线索")


def report(page: Any, text: str, observed: str | None = None, photo: bytes | None = None) -> None:
    """Report a lead from the report tab (opened, and the position shown, before typing)."""
    if page.get_attribute("nav [data-tab=report]", "aria-selected") != "true":
        page.click("nav [data-tab=report]")
    page.wait_for_selector("#lead-position:has-text('108.30500')")
    page.fill("#lead-description", text)
    if observed:
        page.fill("#lead-observed", observed)
    if photo:
        page.set_input_files("#lead-photo", photo_file(photo))
        page.wait_for_selector("#lead-photo-note:has-text('已添加 1 张照片')")
    page.click("#lead-submit")
    page.wait_for_selector("#report-message:has-text('已保存')")


def lead_item(page: Any, text: str) -> Any:
    return page.locator("#leads li", has_text=text)


def test_a_refused_lead_is_set_aside_fixed_and_resent_while_the_rest_is_sent(
        phone: Any, village: Village, live_server: str, engine: Any) -> None:
    uploads = Uploads()
    uploads.install(phone)
    page = phone.new_page()
    sign_in(page, village.assistant.username)
    page.wait_for_selector("#unsent:has-text('全部已发送')")
    phone.set_offline(True)
    page.wait_for_selector("#offline")
    report(page, REFUSED, TYPO)
    report(page, FINE)
    report(page, FIXED, TYPO)
    report(page, ALSO_FINE)
    report(page, DUPLICATE, photo=camera_jpeg(800, 600))
    page.wait_for_selector("#unsent[data-records='5']:has-text('待发送：5 条记录，1 张照片')")

    # Deleting an unsent lead asks first, naming it; "cancel" keeps it.
    page.click("nav [data-tab=leads]")
    lead_item(page, DUPLICATE).locator("button.remove").click()
    page.wait_for_selector(f"#confirm-text:has-text('{DUPLICATE}')")
    assert "删除尚未发送的线索" in page.inner_text("#confirm-text")
    page.click("#confirm-cancel")
    page.wait_for_selector("#confirm", state="detached")
    assert lead_item(page, DUPLICATE).count() == 1
    lead_item(page, DUPLICATE).locator("button.remove").click()
    page.click("#confirm-ok")
    page.wait_for_selector("#unsent[data-records='4'][data-photos='0']")  # its photo with it
    assert lead_item(page, DUPLICATE).count() == 0

    # Online: two leads are taken, two refused and set aside with the court's reason.
    phone.set_offline(False)
    page.wait_for_selector("#leads li.sent >> nth=1")
    page.wait_for_selector("#leads li.refused >> nth=1")
    page.wait_for_selector("#unsent[data-records='2']")
    assert "时间不合理" in lead_item(page, REFUSED).inner_text()
    assert sorted(lead.description for lead in leads_of(engine, village.assistant.id)) \
        == sorted([FINE, ALSO_FINE])
    page.click("#sync")  # another sync: the refused stay aside, nothing else is held up
    page.wait_for_selector("#sync:not([disabled])")
    assert page.locator("#leads li.refused").count() == 2

    # Fixed on the phone and resent: the court takes it and its refusal closes.
    lead_item(page, REFUSED).locator("button.fix").click()
    page.wait_for_selector("#editing:has-text('时间不合理')")
    yesterday = datetime.now() - timedelta(days=1)
    page.fill("#lead-observed", yesterday.strftime("%Y-%m-%dT%H:%M"))
    page.click("#lead-submit")
    page.wait_for_selector(f"#leads li.sent:has-text('{REFUSED}')")
    page.wait_for_selector("#unsent[data-records='1']")

    # The other is discarded, after a confirmation that names it.
    lead_item(page, FIXED).locator("button.discard").click()
    page.wait_for_selector(f"#confirm-text:has-text('{FIXED}')")
    assert "放弃被拒绝的线索" in page.inner_text("#confirm-text")
    page.click("#confirm-ok")
    page.wait_for_selector("#unsent:has-text('全部已发送')")
    assert lead_item(page, FIXED).count() == 0

    leads = {lead.description: lead for lead in leads_of(engine, village.assistant.id)}
    assert sorted(leads) == sorted([REFUSED, FINE, ALSO_FINE])
    observed = leads[REFUSED].observed_at
    observed = observed if observed.tzinfo else observed.replace(tzinfo=UTC)
    assert abs(observed - yesterday.astimezone(UTC)) < timedelta(minutes=1)
    refusals = {r["mutation"]["fields"]["description"]: r["status"] for r in api_get(
        live_server, village.assistant, "/sync/rejections?status=all")}
    assert refusals == {REFUSED: "fixed", FIXED: "discarded"}
    assert uploads.requests == []  # the deleted lead's photo never left the phone
    assert phone.problems == []
