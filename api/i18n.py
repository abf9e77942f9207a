"""The server's words in Chinese and English: gettext catalogs through Flask-Babel.

Source strings are English in the code (``_l("No such lead")``); ``translations/`` holds one
catalog per language (``zh_CN``, ``en``) that translators open in Poedit or Weblate.
``make messages`` extracts new strings and updates the catalogs; the compiled ``.mo``
files are built from the ``.po`` (``make translations``, or here at start-up when missing or
older), never committed. The language of a request is chosen as it always was:
``Accept-Language`` (zh-CN or en), else ``DEFAULT_LOCALE``.
"""

from __future__ import annotations

import logging
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache, cached_property
from pathlib import Path

from babel import support
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po
from flask import Flask, current_app, has_request_context, request
from flask_babel import Babel, Domain, force_locale, get_locale, lazy_pgettext
from flask_babel import lazy_gettext as _l

__all__ = ["SUPPORTED_LOCALES", "TRANSLATIONS", "_l", "in_locale", "init_app",
           "lazy_pgettext", "request_locale"]

TRANSLATIONS = Path(__file__).resolve().parent.parent / "translations"
SUPPORTED_LOCALES = ("zh-CN", "en")
"""As HTTP names them (``Accept-Language``, ``Content-Language``); catalogs use ``zh_CN``."""
EXTRACT_KEYWORDS = {"_l": None, "lazy_pgettext": ((1, "c"), 2)}
"""Marker functions besides gettext's own; ``make messages`` passes the same to pybabel."""

log = logging.getLogger("gridwork.i18n")


def request_locale() -> str:
    """The best supported locale for the current request, else the configured default."""
    default = current_app.config.get("DEFAULT_LOCALE", "zh-CN")
    if not has_request_context():
        return default
    match = request.accept_languages.best_match(["zh-CN", "zh", "en"])
    if match is None:
        return default
    return "en" if match == "en" else "zh-CN"


def catalog_name(locale: str) -> str:
    """``zh-CN`` → ``zh_CN``: gettext's name for an HTTP language tag."""
    return locale.replace("-", "_")


@contextmanager
def in_locale(locale: str) -> Iterator[None]:
    """Translate in ``locale`` (``zh-CN`` or ``en``) rather than the request's, e.g. for the
    health page's ``?lang=``."""
    with force_locale(catalog_name(locale)):
        yield


def compile_catalogs(directory: Path = TRANSLATIONS) -> None:
    """Build each ``.mo`` that is missing or older than its ``.po`` (a fresh clone, or a
    catalog just edited); written to a temporary file and renamed, so that processes
    starting together never read half a file."""
    for po in sorted(directory.glob("*/LC_MESSAGES/*.po")):
        mo = po.with_suffix(".mo")
        if mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
            continue
        try:
            with po.open("rb") as source:
                catalog = read_po(source)
            fd, temporary = tempfile.mkstemp(dir=po.parent, suffix=".mo.tmp")
            with os.fdopen(fd, "wb") as target:
                write_mo(target, catalog)
            os.replace(temporary, mo)
        except OSError as error:  # a read-only installation: `make translations` built them
            log.warning("cannot compile %s: %s", po, error)


@cache
def _catalog(name: str) -> support.NullTranslations:
    return support.Translations.load(str(TRANSLATIONS), [name], "messages")


class _Catalogs(Domain):
    """Finds zh-CN in ``translations/zh_CN``, where gettext, Poedit and Weblate put it:
    Babel would look in ``zh_Hans_CN`` (CLDR's full name of the locale)."""

    def get_translations(self) -> support.NullTranslations:
        locale = get_locale()
        if locale is None:
            return support.NullTranslations()
        return _catalog("en" if locale.language == "en" else "zh_CN")


class _Babel(Babel):
    @cached_property
    def domain_instance(self) -> Domain:
        return _Catalogs(domain=self.domain)


def init_app(app: Flask) -> None:
    compile_catalogs()
    _Babel(app, locale_selector=lambda: catalog_name(request_locale()),
           default_locale="zh_CN", default_translation_directories=str(TRANSLATIONS))


def fill_english(directory: Path = TRANSLATIONS) -> int:
    """Give each new English entry the source text, so that the English catalog is complete
    and its wording can be edited there without touching the code (``make messages``)."""
    path = directory / "en" / "LC_MESSAGES" / "messages.po"
    with path.open("rb") as source:
        catalog = read_po(source)
    filled = 0
    for message in catalog:
        if message.id and not message.string:
            message.string = message.id
            filled += 1
    with path.open("wb") as target:
        write_po(target, catalog, width=100)
    return filled

