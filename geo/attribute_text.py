"""Decoding the text of a boundary file's attribute table, and refusing mojibake.

Chinese land offices export Shapefiles whose DBF is GBK (or GB18030, or UTF-8), often
without the ``.cpg`` that says so and with no language id in the DBF header. GDAL then reads
the bytes as ISO-8859-1 and 正宁县 turns into ``ÕýÄþÏØ``: a court's grid names stored as
garbage without a word of warning. So an undeclared table is read byte for byte and decoded
with the first candidate that yields sensible text, and any name that still does not look
like text is refused, naming the field and pointing at ``--encoding``.
"""

from __future__ import annotations

import codecs
import unicodedata
from collections.abc import Mapping, Sequence

UNDECLARED = "ISO-8859-1"
"""What GDAL assumes for a DBF with no ``.cpg`` and no language id: one char per byte."""

CANDIDATES = ("UTF-8", "GB18030")
"""Tried in this order. UTF-8 first: GBK bytes are seldom valid UTF-8, and when they are
they decode to Latin, Greek or Cyrillic letters, which are not sensible here; the reverse
is not true (GB18030 decodes almost any byte string). GB18030 is a superset of GBK."""

_CJK_RANGES = (
    (0x3000, 0x303F),  # CJK symbols and punctuation (、。〇《》)
    (0x3400, 0x4DBF),  # extension A
    (0x4E00, 0x9FFF),  # unified ideographs
    (0xF900, 0xFAFF),  # compatibility ideographs
    (0xFF01, 0xFF5E),  # fullwidth forms (（）０-９)
    (0x20000, 0x323AF),  # extensions B to H
)
_PUNCTUATION = frozenset("·—–‘’“”…")


class UndecodableText(ValueError):
    """Text that decodes to nothing sensible; ``field`` and ``feature`` (1-based) say where."""

    def __init__(self, field: str, feature: int, value: str) -> None:
        super().__init__(f"field '{field}' of feature {feature} is not readable text")
        self.field = field
        self.feature = feature
        self.value = value


def check_encoding(name: str) -> str:
    """The canonical name of a codec the user named, or ``LookupError``."""
    return codecs.lookup(name).name


def is_sensible(text: str, *, strict: bool = True) -> bool:
    """Whether ``text`` reads as a Chinese place name or code (``strict``), or at least as
    text of some script with no replacement, control or private-use characters."""
    for char in text:
        category = unicodedata.category(char)
        if char == "\ufffd" or category in ("Cc", "Cf", "Co", "Cn", "Cs"):
            return False
        if strict and not (" " <= char <= "~" or char in _PUNCTUATION or _is_cjk(char)):
            return False
    return True


def _is_cjk(char: str) -> bool:
    point = ord(char)
    return any(low <= point <= high for low, high in _CJK_RANGES)


def decode_undeclared(columns: Mapping[str, Sequence[object]]) -> tuple[str, dict[str, list]]:
    """Columns read as ISO-8859-1, decoded with the first candidate that makes every value
    sensible, and the candidate's name. Raises ``UndecodableText`` for the first value that
    no candidate decodes sensibly."""
    first_bad: UndecodableText | None = None
    for encoding in CANDIDATES:
        try:
            return encoding, {field: [_redecode(v, encoding, field, i + 1)
                                      for i, v in enumerate(values)]
                              for field, values in columns.items()}
        except UndecodableText as exc:
            first_bad = first_bad or exc
    assert first_bad is not None
    raise first_bad


def _redecode(value: object, encoding: str, field: str, feature: int) -> object:
    if not isinstance(value, str):
        return value  # a number or a missing value: nothing to decode
    try:
        text = value.encode(UNDECLARED).decode(encoding)
    except UnicodeError:
        raise UndecodableText(field, feature, value) from None
    if not is_sensible(text):
        raise UndecodableText(field, feature, value)
    return text


def check_sensible(columns: Mapping[str, Sequence[object]], *, strict: bool) -> None:
    """Raise ``UndecodableText`` for the first value that is not sensible text."""
    for field, values in columns.items():
        for index, value in enumerate(values):
            if isinstance(value, str) and not is_sensible(value, strict=strict):
                raise UndecodableText(field, index + 1, value)
