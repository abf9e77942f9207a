"""JSON text from a client, measured before it is parsed.

Python's ``json`` parser recurses once per nested array or object: a body of a hundred
thousand ``[`` exhausts the interpreter's stack (``RecursionError``) before any schema
sees it. ``nesting_depth`` measures the nesting with regular expressions and a running
sum, no recursion, so a caller can refuse deep text first and parse only what is shallow.
Lives in ``sync`` (the lowest layer that parses client JSON) so that ``api`` and the
WatermelonDB column decoder share it.
"""

from __future__ import annotations

import json
import re
from itertools import accumulate
from typing import Any

MAX_DEPTH = 16
"""The deepest JSON Gridwork takes from a client anywhere: no record nests half as deep."""

_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")
_STEP = {"[": 1, "{": 1, "]": -1, "}": -1}


class TooDeep(ValueError):
    """JSON text nested deeper than allowed (a ``ValueError``, like malformed JSON)."""


def nesting_depth(text: str | bytes) -> int:
    """How deeply arrays and objects nest in ``text`` (``[]`` is 1, a scalar 0).

    Brackets inside strings do not count. Malformed text gets a number too (it is not
    valid JSON whatever it is); bytes are decoded as ``json.loads`` would decode them.
    Linear in the length of ``text``: a 2 MiB body takes well under a second.
    """
    if isinstance(text, bytes | bytearray):
        try:
            text = text.decode(json.detect_encoding(text), "surrogatepass")
        except (UnicodeDecodeError, LookupError):
            return 0  # not text: the parser refuses it without recursing
    brackets = _NOT_BRACKET.sub("", _STRING.sub("", text))
    return max(accumulate(map(_STEP.__getitem__, brackets)), default=0)


def loads(text: str | bytes, max_depth: int = MAX_DEPTH) -> Any:
    """``json.loads``, but ``TooDeep`` for text nested deeper than ``max_depth``."""
    depth = nesting_depth(text)
    if depth > max_depth:
        raise TooDeep(f"JSON nested {depth} levels deep (at most {max_depth})")
    return json.loads(text)
