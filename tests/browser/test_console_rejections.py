"""The console's refused records (被拒记录) in a real browser: what phones sent that the
server refused, with its reason in the console's language, and discarding one.

The refusals are real: assistants push through the sync API a lead observed in 2035, which
the server refuses as ``implausible_time``. A failed test leaves its screenshot in
test-artifacts/ (see conftest.py).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

import pytest
import requests
from sqlmodel import Session

from enforcement.models import Role, User
from tests import factories
from tests.api.helpers import bearer

LONG_DESCRIPTION = ("村东头停着一辆白色小货车，车牌号看不清，司机说是被执行人的表哥，"
                    "每周三上午来一次，停在小卖部门口")


@dataclass
class Court:
    judge: User
    assistant: User
    other_assistant: User


@pytest.fixture
def court(engine: Any) -> Court:
    """A judge and two grid assistants of one court; each assistant has a village grid."""
    with Session(engine, expire_on_commit=False) as session:
        court = factories.create_court(session)
        township = factories.create_township(session, court, 108.30, 35.40, size=0.03)
        village = factories.create_village(session, township, 108.30, 35.40)
        judge = factories.create_user(session, court, Role.JUDGE, display_name="赵法官")
        assistant = factories.create_user(session, court, Role.GRID_ASSISTANT,
                                          display_name="李协执")
        other = factories.create_user(session, court, Role.GRID_ASSISTANT,
                                      display_name="王协执")
        for user in (assistant, other):
            factories.assign_grid(session, user, village)
        session.commit()
        return Court(judge, assistant, other)


def _login(base: str, user: User) -> dict[str, Any]:
    response = requests.post(f"{base}/api/v1/auth/login", timeout=30, json={
        "username": user.username, "password": factories.PASSWORD,
        "device_id": f"phone-{uuid.uuid4().hex[:10]}"})
    assert response.status_code == 200, response.text
    return response.json()


def _refused_lead(base: str, user: User, description: str) -> str:
    """A phone pushes a lead whose time is years ahead: the server refuses it. Its id."""
    phone = _login(base, user)
    lead_id = str(uuid.uuid4())
    fields = {"kind": "vehicle", "description": description,
              "observed_at": "2035-01-01T00:00:00Z"}
    mutation = {"mutation_id": uuid.uuid4().hex, "table": "lead", "op": "create",
                "id": lead_id, "fields": fields}
    pushed = requests.post(f"{base}/api/v1/sync/push", headers=bearer(phone), timeout=30,
                           json={"device_id": phone["device_id"], "schema_version": 1,
                                 "mutations": [mutation]})
    assert pushed.status_code == 200, pushed.text
    assert pushed.json()["results"][0]["code"] == "implausible_time"
    return lead_id


def _sign_in(page: Any, base: str, user: User) -> None:
    page.goto(f"{base}/console/")
    page.fill("input[name=username]", user.username)
    page.fill("input[name=password]", factories.PASSWORD)
    page.click("#login-form button[type=submit]")
    page.wait_for_selector("#main-map[data-loaded=true]")


def _open_screen(page: Any) -> Any:
    page.click("#nav-rejections")
    page.wait_for_selector("#rejections-table[data-loaded=true]")
    return page.locator("#rejections-table")


def _row(page: Any, record_id: str) -> Any:
    return page.locator("#rejections-table tr[data-rejection-id]",
                        has=page.locator(f"[title='{record_id}']"))


def test_a_judge_sees_the_courts_refusals_and_discards_one(live_server, page, court):
    mine = _refused_lead(live_server, court.assistant, LONG_DESCRIPTION)
    theirs = _refused_lead(live_server, court.other_assistant, "短的")

    _sign_in(page, live_server, court.judge)
    assert page.inner_text("#nav-rejections") == "被拒记录"
    table = _open_screen(page)
    assert table.get_attribute("data-count") == "2"
    assert table.get_attribute("data-status") == "open"
    rows = page.locator("#rejections-table tr[data-rejection-id]")
    assert rows.first.locator(f"[title='{theirs}']").count() == 1  # newest first
    row = _row(page, mine)
    text = row.inner_text()
    assert "时间不合理" in text  # the API's reason, in Chinese
    assert "implausible_time" in row.locator(".code").inner_text()
    assert "李协执" in text
    assert "线索 · 新建" in text
    assert row.locator("td.num").inner_text() == "1"
    assert "observed_at: 2035-01-01T00:00:00Z" in text
    description = row.locator("li[data-field=description] .value")
    assert description.get_attribute("title") == LONG_DESCRIPTION  # whole, as a tooltip
    assert description.inner_text().endswith("…")
    assert len(description.inner_text()) < len(LONG_DESCRIPTION)

    asked: list[str] = []

    def answer(accept: bool) -> Any:
        def handle(dialog: Any) -> None:
            asked.append(dialog.message)
            if accept:
                dialog.accept()
            else:
                dialog.dismiss()
        return handle

    page.once("dialog", answer(False))
    row.locator("button.discard").click()
    assert mine in asked[0] and "线索" in asked[0]  # it names the record it would drop
    assert table.get_attribute("data-count") == "2"  # cancelled: nothing happened
    page.once("dialog", answer(True))
    row.locator("button.discard").click()
    page.wait_for_selector("#rejections-feedback .notice.ok")
    assert table.get_attribute("data-count") == "1"
    assert _row(page, mine).count() == 0
    assert _row(page, theirs).count() == 1

    judge = bearer(_login(live_server, court.judge))
    discarded = requests.get(f"{live_server}/api/v1/sync/rejections?status=discarded",
                             headers=judge, timeout=30).json()
    assert [(r["record_id"], r["status"], r["resolved_by"]) for r in discarded] == [
        (mine, "discarded", court.judge.id)]

    page.select_option("#rejection-status", "discarded")
    page.wait_for_selector("#rejections-table[data-status=discarded][data-loaded=true]")
    assert table.get_attribute("data-count") == "1"
    assert _row(page, mine).get_attribute("data-status") == "discarded"
    assert "已丢弃" in _row(page, mine).inner_text()
    assert _row(page, mine).locator("button.discard").count() == 0  # settled: no button

    page.click("#lang-switch")  # the same view, in English
    page.wait_for_selector("#nav-rejections:has-text('Refused records')")
    page.wait_for_selector("#rejections-table[data-status=discarded][data-loaded=true]")
    assert page.input_value("#rejection-status") == "discarded"
    english = _row(page, mine).inner_text()
    assert "The time is before 2000 or in the future" in english
    assert "Discarded" in english and "Lead · new" in english
    assert "时间不合理" not in english

    page.select_option("#rejection-status", "all")
    page.wait_for_selector("#rejections-table[data-status=all][data-loaded=true]")
    assert page.get_attribute("#rejections-table", "data-count") == "2"


def test_an_assistant_sees_only_their_own_and_a_settled_one_says_so(live_server, page,
                                                                     court):
    mine = _refused_lead(live_server, court.assistant, "我的线索")
    _refused_lead(live_server, court.other_assistant, "别人的线索")

    _sign_in(page, live_server, court.assistant)
    table = _open_screen(page)
    assert table.get_attribute("data-count") == "1"
    assert _row(page, mine).count() == 1

    judge = bearer(_login(live_server, court.judge))  # meanwhile the judge lets it go
    listed = requests.get(f"{live_server}/api/v1/sync/rejections", headers=judge,
                          timeout=30).json()
    assert len(listed) == 2
    rejection = next(r for r in listed if r["record_id"] == mine)
    gone = requests.post(f"{live_server}/api/v1/sync/rejections/{rejection['id']}/discard",
                         headers=judge, timeout=30)
    assert gone.status_code == 200, gone.text

    page.once("dialog", lambda dialog: dialog.accept())
    _row(page, mine).locator("button.discard").click()
    page.wait_for_selector("#rejections-feedback .notice.error")
    assert "该被拒记录已处理" in page.inner_text("#rejections-feedback")  # the API's 409 title
    page.wait_for_selector("#rejections-table[data-count='0']")
    assert "没有被拒记录" in page.inner_text("#rejections-table")
