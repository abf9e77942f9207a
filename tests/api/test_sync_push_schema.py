"""The push endpoint's fast paths (``MutationList``, ``ResultList``) give exactly what the
marshmallow schemas give: the same mutations for every batch a phone may send, the same
422 messages for every one it should not, and the same response bytes for any result."""

from __future__ import annotations

import json
from typing import Any

import marshmallow as ma
from hypothesis import given, settings
from hypothesis import strategies as st

from api.sync.schemas import (
    MAX_BATCH,
    MutationResultSchema,
    MutationSchema,
    PushResultSchema,
    PushSchema,
)
from sync.merge import Rejection
from sync.protocol import ConflictNote, MutationResult, Status


class ReferencePushSchema(ma.Schema):
    """``PushSchema`` as marshmallow alone loads it."""

    device_id = ma.fields.String(required=True, validate=ma.validate.Length(1, 64))
    schema_version = ma.fields.Integer(required=True,
                                       validate=ma.validate.Range(min=1, max=1000))
    mutations = ma.fields.List(ma.fields.Nested(MutationSchema), required=True,
                               validate=ma.validate.Length(max=MAX_BATCH))


class ReferenceResultSchema(ma.Schema):
    results = ma.fields.List(ma.fields.Nested(MutationResultSchema))


SCALARS = (st.none() | st.booleans() | st.integers(-3, 2**31 + 1) | st.floats(-1e3, 1e3)
           | st.text(max_size=3))
IDS = st.sampled_from(["6f1c2b9e-0d4a-4e8b-9a51-3c2d1e0f9a87", "AbCdEfGh12345678",
                       "6f1c2b9e-0d4a-4e8b-9a51-3c2d1e0f9a87\n", "short", "", "x" * 70])
VALUES: dict[str, st.SearchStrategy[Any]] = {
    "mutation_id": st.text(max_size=70) | SCALARS,
    "table": st.sampled_from(["lead", "", "t" * 65]) | SCALARS,
    "op": st.sampled_from(["create", "update", "delete", "CREATE", "upsert"]) | SCALARS,
    "id": IDS | SCALARS,
    "base_version": st.sampled_from([None, 1, 2**31 - 1, 2**31, 0, True, "3", 2.0, 2.5]),
    "base": st.none() | st.dictionaries(st.text(max_size=3), SCALARS, max_size=2) | SCALARS,
    "fields": st.dictionaries(st.text(max_size=3), SCALARS, max_size=3) | SCALARS,
    "values": SCALARS,
    "extra": SCALARS,
}
WELL_FORMED = st.fixed_dictionaries(
    {"mutation_id": st.text(min_size=1, max_size=64), "table": st.just("lead"),
     "op": st.sampled_from(["create", "update", "delete"]),
     "id": st.sampled_from(["6f1c2b9e-0d4a-4e8b-9a51-3c2d1e0f9a87", "AbCdEfGh12345678"])},
    optional={"base_version": st.none() | st.integers(1, 2**31 - 1),
              "base": st.none() | st.dictionaries(st.text(max_size=3), SCALARS, max_size=2),
              "fields": st.dictionaries(st.text(max_size=3), SCALARS, max_size=3)})
ANY_MUTATION = (WELL_FORMED
                | st.dictionaries(st.sampled_from(sorted(VALUES)), SCALARS, max_size=8)
                | st.builds(lambda base, key, value: {**base, key: value}, WELL_FORMED,
                            st.sampled_from(sorted(VALUES)), SCALARS)
                | SCALARS)


def _loaded(schema: ma.Schema, body: Any) -> Any:
    try:
        return ("ok", schema.load(body))
    except ma.ValidationError as error:
        return ("422", error.messages)


@settings(max_examples=400)
@given(mutations=st.lists(ANY_MUTATION, max_size=4) | SCALARS)
def test_a_push_body_loads_as_the_schema_loads_it(mutations: Any) -> None:
    body = {"device_id": "phone-1", "schema_version": 2, "mutations": mutations}
    assert _loaded(PushSchema(), body) == _loaded(ReferencePushSchema(), body)


@settings(max_examples=200)
@given(mutations=st.lists(WELL_FORMED, min_size=1, max_size=4))
def test_well_formed_batches_take_the_fast_path(mutations: list[dict[str, Any]]) -> None:
    """(So the property above compares both paths, not the schema with itself.)"""
    loaded = PushSchema().load({"device_id": "p", "schema_version": 1,
                                "mutations": mutations})
    assert loaded == ReferencePushSchema().load({"device_id": "p", "schema_version": 1,
                                                 "mutations": mutations})


def test_too_large_a_batch_is_refused_either_way() -> None:
    mutation = {"mutation_id": "m", "table": "lead", "op": "create",
                "id": "AbCdEfGh12345678"}
    body = {"device_id": "p", "schema_version": 1, "mutations": [mutation] * (MAX_BATCH + 1)}
    refused = _loaded(PushSchema(), body)
    assert refused[0] == "422"
    assert refused == _loaded(ReferencePushSchema(), body)


JSON_VALUES = st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=2)
                           | st.dictionaries(st.text(max_size=3), inner, max_size=2),
                           max_leaves=5)
RESULTS = st.builds(
    MutationResult, st.text(max_size=5), st.sampled_from(["lead", "visit"]), IDS,
    st.sampled_from(Status), st.none() | st.integers(1, 10**6),
    st.none() | st.text(max_size=5), st.none() | st.text(max_size=5),
    st.lists(st.builds(ConflictNote, st.text(max_size=4), st.none() | st.text(max_size=4),
                       JSON_VALUES, JSON_VALUES), max_size=2).map(tuple),
    st.dictionaries(st.text(max_size=4), st.sampled_from(Rejection) | st.text(max_size=4),
                    max_size=2),
    st.none() | st.dictionaries(st.text(max_size=4), JSON_VALUES, max_size=3))


@settings(max_examples=300)
@given(results=st.lists(RESULTS, max_size=4))
def test_push_results_dump_as_the_schema_dumps_them(results: list[MutationResult]) -> None:
    fast = PushResultSchema().dump({"results": results})
    reference = ReferenceResultSchema().dump({"results": results})
    assert json.dumps(fast, ensure_ascii=False) == json.dumps(reference, ensure_ascii=False)
