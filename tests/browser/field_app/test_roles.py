"""Who the field app is for: assistants (and, with their screens, mediators and officers).
A judge who signs in on a phone is told to use the desk console and is not kept signed in,
so no court data is stored on that phone."""

from __future__ import annotations

from typing import Any

from tests import factories
from tests.browser.field_app.conftest import Village


def test_a_judge_is_sent_to_the_desk_console_and_nothing_is_stored(
        phone: Any, village: Village) -> None:
    page = phone.new_page()
    page.goto("/app/")
    page.fill("#username", village.judge.username)
    page.fill("#password", factories.PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector(".login [role=alert]:has-text('桌面系统')")
    assert page.evaluate("localStorage.getItem('gridwork.app.session')") is None
    databases = page.evaluate("indexedDB.databases().then((all) => all.map((d) => d.name))")
    assert databases == []
    assert phone.problems == []
