"""The parties' page (/public/case) on a phone-sized screen (390×844) in Debian's Chromium,
the internet shut out: an applicant opens their case with the code from the QR link and
the last four of their identity number, reads its progress, switches to English and
leaves an evaluation with a complaint. Any console message of level error, any request to
a host other than 127.0.0.1, any horizontal scrolling or any stored secret on screen fails.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import quote, urlsplit

import pytest
import sqlalchemy as sa
from sqlmodel import Session

from enforcement.models import PartyRole
from tests import factories
from tests.browser import chromium
from tests.browser.conftest import LOCAL_SCHEMES
from tests.factories.public import SECRETS, build_window_case, create_query_code


@pytest.fixture
def phone(browser: Any, request: pytest.FixtureRequest
          ) -> Iterator[tuple[Any, list[str], set[str]]]:
    """A 390×844 touch screen in Chinese on the session's Chromium; its console errors and
    the hosts it asked for."""
    errors: list[str] = []
    hosts: set[str] = set()
    context = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844},
                                  device_scale_factor=3, is_mobile=True, has_touch=True)
    context.set_default_timeout(20_000)
    tab = context.new_page()
    tab.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    tab.on("pageerror", lambda e: errors.append(str(e)))
    tab.on("request", lambda r: hosts.add(
        urlsplit(r.url).scheme if urlsplit(r.url).scheme in LOCAL_SCHEMES
        else urlsplit(r.url).hostname or ""))
    yield tab, errors, hosts
    report = getattr(request.node, "report_call", None)
    if report is not None and report.failed:  # kept for whoever reads the failure
        chromium.ARTIFACTS.mkdir(exist_ok=True)
        tab.screenshot(path=str(chromium.ARTIFACTS / "public-page.png"), full_page=True)
    context.close()


def _fits(tab: Any) -> None:
    width = tab.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the page is {width} px wide on a 390 px screen"


def test_an_applicant_follows_the_case_and_complains_from_a_phone(live_server, engine, phone):
    tab, errors, hosts = phone
    with Session(engine, expire_on_commit=False) as session:
        window = build_window_case(session, factories.create_court(session))
        _, code = create_query_code(session, window.case, window.applicant,
                                    PartyRole.APPLICANT, window.judge)
        session.commit()

    tab.goto(f"{live_server}/public/case?code={quote(code)}")
    assert tab.input_value("input[name=code]") == code  # filled in from the QR link
    _fits(tab)
    tab.fill("input[name=id_last_four]", "001X")
    tab.click("#open button[type=submit]")
    tab.wait_for_selector("#case-number")
    assert tab.inner_text("#case-number") == window.case.case_number
    assert tab.inner_text("#other-side") == "张*明"
    steps = tab.locator("#steps li")
    assert steps.count() == 3 and "送达执行通知书" in steps.nth(0).inner_text()
    assert "代表委员见证: 2" in steps.nth(0).inner_text()
    assert "计划" in steps.nth(2).inner_text()
    assert tab.inner_text("#paid-out") == "10000.00"
    _fits(tab)

    tab.click("#switch-language")
    tab.wait_for_selector("text=Enforcement steps")
    assert "Judicial auction" in tab.inner_text("#steps")
    tab.check("input[name=rating][value='2']")
    tab.fill("textarea[name=complaint]", "No news for three months")
    tab.click("#evaluate button[type=submit]")
    tab.wait_for_selector("#notice")
    assert "The judge must answer your complaint by" in tab.inner_text("#notice")
    assert tab.locator("#evaluated").is_visible()
    _fits(tab)

    text = tab.content()
    for secret in (*SECRETS, "张三明"):
        assert secret not in text, f"{secret!r} shown"
    with engine.connect() as conn:
        complaint = conn.execute(sa.text(
            "SELECT complaint FROM party_evaluation WHERE case_id = :c"),
            {"c": window.case.id}).scalar_one()
    assert complaint == "No news for three months"
    assert not errors, errors
    assert not hosts - {"127.0.0.1", *LOCAL_SCHEMES}, hosts


def test_a_wrong_answer_is_said_on_the_form_in_the_phones_language(live_server, engine, phone):
    tab, errors, _ = phone
    with Session(engine, expire_on_commit=False) as session:
        window = build_window_case(session, factories.create_court(session))
        _, code = create_query_code(session, window.case, window.debtor, PartyRole.DEBTOR,
                                    window.judge)
        session.commit()
    tab.goto(f"{live_server}/public/case")
    tab.fill("input[name=code]", code)
    tab.fill("input[name=id_last_four]", "0000")
    tab.click("#open button[type=submit]")
    tab.wait_for_selector("#error")
    assert "后四位" in tab.inner_text("#error")
    assert tab.get_attribute("#error", "data-code") == "query_digits_wrong"
    _fits(tab)
    # the status of the answer (403) is no page error; nothing else may be
    assert all("403" in e for e in errors), errors
