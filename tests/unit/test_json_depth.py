"""JSON depth is measured without recursion, so no text a client sends can exhaust the stack."""

from __future__ import annotations

import json
import time

import pytest

from sync.json_depth import MAX_DEPTH, TooDeep, loads, nesting_depth


@pytest.mark.parametrize(("text", "depth"), [
    ("1", 0),
    ('"[[[{{{"', 0),
    ("[]", 1),
    ('{"a": [1, {"b": []}]}', 4),
    ('[["]]]]\\"[[[["], 2]', 2),
    ('{"k\\\\": "\\\\"}', 1),
    ("[[[", 3),  # malformed: still a number, and the parser refuses it
])
def test_depth_counts_containers_not_brackets_inside_strings(text, depth):
    assert nesting_depth(text) == depth
    assert nesting_depth(text.encode("utf-16")) == depth


@pytest.mark.parametrize("depth", [10_000, 100_000, 1_000_000])
def test_a_million_levels_are_measured_quickly_and_refused(depth):
    text = "[" * depth + "]" * depth
    started = time.perf_counter()
    assert nesting_depth(text) == depth
    assert time.perf_counter() - started < 2
    with pytest.raises(TooDeep):
        loads(text)


def test_shallow_text_parses_as_json_does():
    document = {"changes": {"leads": {"created": [{"id": "x", "tags": ["[", "{"]}]}}}
    text = json.dumps(document)
    assert loads(text) == document
    assert loads(text.encode()) == document
    assert nesting_depth(text) <= MAX_DEPTH


def test_too_deep_is_a_value_error_like_malformed_json():
    with pytest.raises(ValueError, match="nested 3 levels"):
        loads("[[[]]]", max_depth=2)


def test_a_pushed_json_column_too_deep_to_parse_stays_text_for_the_table_to_refuse():
    from enforcement.syncing.registry import REGISTRY
    from sync.watermelon.columns import from_columns

    deep = "[" * 100_000 + "]" * 100_000
    fields = from_columns(REGISTRY.get("mediation_note"), {"id": "x", "present": deep})
    assert fields["present"] == deep
