"""The server's words are in gettext catalogs, complete in Chinese and English.

A string marked for translation in the code (``_l("…")``, ``_("…")`` in a template) that
``make messages`` has not brought into the catalogs, or that nobody translated, fails here.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

from api.i18n import EXTRACT_KEYWORDS, TRANSLATIONS
from api.messages import HTTP_STATUS_CODES, TITLES

ROOT = Path(__file__).resolve().parents[2]
CJK = re.compile(r"[\u4e00-\u9fff]")
PLACEHOLDER = re.compile(r"%\([a-z_]+\)s")


def _in_code() -> set[tuple[str | None, str]]:
    with (ROOT / "babel.cfg").open(encoding="utf-8") as cfg:
        method_map, options_map = parse_mapping_cfg(cfg)
    keywords = {"_": None, "gettext": None, "pgettext": ((1, "c"), 2), **EXTRACT_KEYWORDS}
    found = set()
    for _file, _line, message, _comments, context in extract_from_dir(
            str(ROOT), method_map, options_map, keywords=keywords):
        found.add((context, message))
    return found


def _catalog(language: str) -> dict[tuple[str | None, str], str]:
    path = TRANSLATIONS / language / "LC_MESSAGES" / "messages.po"
    with path.open("rb") as source:
        catalog = read_po(source)
    fuzzy = [m.id for m in catalog if m.id and m.fuzzy]
    assert not fuzzy, f"{language}: fuzzy entries need a translator's look: {fuzzy}"
    return {(m.context, m.id): m.string for m in catalog if m.id}


@pytest.fixture(scope="module")
def in_code() -> set[tuple[str | None, str]]:
    return _in_code()


@pytest.mark.parametrize("language", ["zh_CN", "en"])
def test_every_string_in_the_code_is_translated(in_code, language):
    catalog = _catalog(language)
    missing = sorted(m for m in in_code if not catalog.get(m))
    assert not missing, f"run make messages, then translate {language}: {missing}"


@pytest.mark.parametrize("language", ["zh_CN", "en"])
def test_the_catalogs_hold_nothing_the_code_no_longer_says(in_code, language):
    assert set(_catalog(language)) - in_code == set(), "run make messages"


def test_chinese_is_chinese_english_is_english_and_placeholders_survive():
    zh, en = _catalog("zh_CN"), _catalog("en")
    for key, text in zh.items():
        assert CJK.search(text), f"not translated into Chinese: {key}"
        assert sorted(PLACEHOLDER.findall(text)) == sorted(PLACEHOLDER.findall(key[1])), key
    for key, text in en.items():
        assert text != zh.get(key), f"the English catalog has the Chinese text: {key}"
        assert sorted(PLACEHOLDER.findall(text)) == sorted(PLACEHOLDER.findall(key[1])), key


def test_every_generic_status_has_a_title():
    assert set(HTTP_STATUS_CODES.values()) <= set(TITLES)
