"""Every error code of sightings, mediation, settlements and tasks has a Chinese and an
English title."""

from __future__ import annotations

import pytest

from api.messages import TITLES, title_for

FIELD_CODES = (
    "sighting_not_found", "sighting_exists", "mediation_note_not_found",
    "mediation_note_exists", "mediation_note_settled", "instalments_do_not_add_up",
    "settlement_not_found", "settlement_not_active", "instalment_not_found",
    "instalment_overpaid", "amount_owed_exceeded", "task_not_found", "task_not_open",
    "task_answer_exists",
)


@pytest.mark.parametrize("code", FIELD_CODES)
def test_each_code_has_its_own_title_in_both_languages(code):
    zh, en = TITLES[code]
    assert title_for(code, 400, "zh-CN") == zh and title_for(code, 400, "en") == en
    assert any("\u4e00" <= ch <= "\u9fff" for ch in zh)
    assert en.isascii() and en != zh
