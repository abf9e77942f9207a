"""Answers that carry pages of records, encoded by orjson when that gives the same bytes.

A bootstrap page is 1,000 records, ~700 kB of JSON: the standard library's encoder took
6 ms of a ~30 ms page (bench/profile-findings.md, finding 27), orjson ~0.5 ms. For what a
pull carries orjson writes exactly what Flask's provider writes here (UTF-8, no ASCII
escapes, compact separators, keys in their order, the same string escapes), except:
floats below 1e-4 (``0.00001`` and ``1e-7`` where json writes ``1e-05`` and ``1e-07``),
non-finite floats (``null`` where json writes ``NaN``/``Infinity``) and integers beyond 64
bits (refused). A page holding any of those, or an app whose JSON settings differ, is
encoded by Flask's provider as before; tests/api/test_page_json.py checks the bytes for
any JSON value hypothesis draws.
"""

from __future__ import annotations

from typing import Any, cast

import orjson
from flask import Flask, Response, current_app

from sync.spec import PlainRecord


def page_response(body: Any) -> Response:
    """``jsonify(body)``, byte for byte, faster for large pages."""
    app = current_app
    data = encoded(app, body)
    if data is None:
        return cast(Response, app.json.response(body))
    return app.response_class(data, mimetype=app.json.mimetype)  # type: ignore[attr-defined]


def encoded(app: Flask, body: Any) -> bytes | None:
    """The body as ``app.json.response`` writes it, or None when only that can."""
    provider: Any = app.json
    if (app.debug or provider.compact is False or provider.ensure_ascii
            or provider.sort_keys or not _plain(body)):
        return None
    try:
        data = orjson.dumps(body)
    except TypeError:  # orjson.JSONEncodeError: an integer beyond 64 bits, a key not text
        return None
    return data + b"\n"


_PLAIN = frozenset({str, int, bool, type(None), PlainRecord})
"""Written alike by both (an integer orjson cannot write makes it refuse; a
``PlainRecord``'s values were checked where it was read: a pull's records are not walked
again, finding 34)."""
_NESTED = frozenset({dict, list, tuple})


def _plain(body: Any) -> bool:
    """Only text, integers, booleans, nulls, containers and floats both write alike
    (finite, zero or from 1e-4 to below 1e16) in ``body``. One comprehension per container
    passes over the plain values: a page's 25,000 values cost ~1 ms. Anything else (a
    subclass of str such as an enum member, a date) leaves the page to Flask."""
    stack: list[Any] = [[body]]
    while stack:
        node = stack.pop()
        for value in [v for v in (node.values() if type(node) is dict else node)
                      if type(v) not in _PLAIN]:
            kind = type(value)
            if kind is float:
                if not (value == 0.0 or 1e-4 <= abs(value) < 1e16):  # NaN fails too
                    return False
            elif kind in _NESTED:
                stack.append(value)
            else:
                return False
    return True
