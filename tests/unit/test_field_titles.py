"""Every error code of sightings, mediation, settlements and tasks has a Chinese and an
English title of its own."""

from __future__ import annotations

import pytest
from flask import Flask

from api import i18n
from api.messages import TITLES, title_for

FIELD_CODES = (
    "sighting_not_found", "sighting_exists", "mediation_note_not_found",
    "mediation_note_exists", "mediation_note_settled", "instalments_do_not_add_up",
    "settlement_not_found", "settlement_not_active", "instalment_not_found",
    "instalment_overpaid", "amount_owed_exceeded", "task_not_found", "task_not_open",
    "task_answer_exists",
)


@pytest.fixture(scope="module")
def app() -> Flask:
    app = Flask("titles")
    i18n.init_app(app)
    return app


@pytest.mark.parametrize("code", FIELD_CODES)
def test_each_code_has_its_own_title_in_both_languages(app, code):
    assert code in TITLES
    with app.app_context():
        zh, en = title_for(code, 400, "zh-CN"), title_for(code, 400, "en")
        generic = title_for("bad_request", 400, "zh-CN")
    assert any("\u4e00" <= ch <= "\u9fff" for ch in zh) and zh != generic
    assert en.isascii() and en != zh
