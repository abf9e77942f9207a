"""The admin health page in a real browser: sign in with the form, read the report,
in Chinese and in English, with nothing loaded from outside the server."""

from __future__ import annotations

import html
from datetime import timedelta

import pytest
from sqlmodel import Session

from enforcement.models import Device, Role, utcnow
from tests import factories
from tests.browser import chromium


def _signing_in_page(tmp_path, action: str, username: str) -> str:
    """A local page that fills in the health page's form and sends it, as a person would."""
    page = tmp_path / "sign-in.html"
    page.write_text(
        f'<form method="post" action="{html.escape(action)}">'
        f'<input name="username" value="{html.escape(username)}">'
        f'<input name="password" value="{html.escape(factories.PASSWORD)}"></form>'
        "<script>document.forms[0].submit()</script>", encoding="utf-8")
    return page.as_uri()


@pytest.fixture
def court_with_a_quiet_phone(engine):
    with Session(engine, expire_on_commit=False) as session:
        return _court_with_a_quiet_phone(session)


def _court_with_a_quiet_phone(session):
    court = factories.create_court(session)
    admin = factories.create_user(session, court, Role.ADMIN)
    assistant = factories.create_user(session, court, Role.GRID_ASSISTANT)
    session.add(Device(court_id=court.id, id="quiet-phone", user_id=assistant.id,
                       name="旧手机", last_seen_at=utcnow() - timedelta(days=60)))
    session.commit()
    return admin, assistant


@pytest.mark.parametrize(("lang", "words"), [
    ("zh-CN", ("系统健康状况", "有设备长期未联系", "数据库", "已是最新")),
    ("en", ("System health", "Some devices have not been seen", "Database", "up to date")),
])
def test_an_admin_signs_in_and_reads_the_report(live_server, tmp_path, lang, words,
                                                court_with_a_quiet_phone):
    admin, assistant = court_with_a_quiet_phone
    url = _signing_in_page(tmp_path, f"{live_server}/admin/health?lang={lang}",
                           admin.username)
    dom = chromium.dump_dom(url)
    try:
        for word in words:
            assert word in dom, f"{word!r} not shown"
        assert assistant.username in dom and "旧手机" in dom
        assert factories.PASSWORD not in dom
    except AssertionError:
        chromium.screenshot(url, f"admin-health-{lang}")
        raise


def test_the_sign_in_form_renders_offline(live_server):
    dom = chromium.dump_dom(f"{live_server}/admin/health?lang=zh-CN")
    assert "管理员登录后查看" in dom and 'type="password"' in dom
