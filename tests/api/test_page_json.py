"""A pull's answer is encoded by orjson where that writes the same bytes as Flask's JSON
provider, and by the provider otherwise (``api.page_json``): a phone receives exactly the
bytes it received before, whatever the page holds."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from api.page_json import encoded
from api.sync.schemas import PullSchema
from tests import factories
from tests.sync.helpers import settle

SCALARS = (st.none() | st.booleans() | st.integers() | st.floats() | st.text()
           | st.sampled_from([1e-05, 1e-07, 0.0001, 0.00012, 1e15, 1e16, -0.0, 12.0, 2**64,
                              -(2**63) - 1, "\x00\x1f\x7f\u2028\"\\/é中", float("nan")]))
VALUES = st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=4)
                      | st.dictionaries(st.text(max_size=4), inner, max_size=4), max_leaves=20)


@settings(max_examples=400, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(VALUES)
def test_any_value_is_encoded_as_flask_encodes_it_or_left_to_flask(app, value):
    with app.app_context():
        expected = app.json.response(value).get_data()
        fast = encoded(app, value)
    assert fast is None or fast == expected


def test_a_page_of_records_takes_the_fast_way(app):
    """Text, integers, booleans, nulls and ordinary floats: the page is orjson's."""
    record = {"id": "a", "version": 3, "description": "三轮车\n停在\"院子\"里", "urgent": False,
              "point": {"lon": 108.305, "lat": 35.405, "datum": "wgs84", "accuracy_m": 12.0},
              "nearest_grid_distance_m": 0.0, "case_id": None, "attachments": []}
    body = {"changes": {"lead": {"upserts": [record] * 3, "deletes": ["b"]}},
            "evictions": {}, "next_cursor": "YzI6", "has_more": False}
    with app.app_context():
        assert encoded(app, body) == app.json.response(body).get_data()


def test_a_pulled_page_is_the_bytes_flask_wrote_odd_numbers_included(http, world, session,
                                                                     app, engine):
    """Over HTTP: leads with ordinary and odd numbers (a tiny accuracy that json writes as
    ``1e-05``); the answer is byte for byte what Flask's provider writes for the same value,
    and the response schema would not have changed it."""
    for n, accuracy in enumerate((12.5, 1e-05, None)):
        factories.create_lead(session, world.assistant, world.village_a, accuracy_m=accuracy,
                              description=f"第{n}条\t\"线索\"", nearest_grid_distance_m=0.0)
    session.commit()
    settle(engine)
    for limit in (1, 2, 500):
        answer = http.get("/api/v1/sync/pull", headers=world.headers(world.assistant),
                          params={"limit": limit, "schema_version": 5})
        assert answer.status_code == 200
        assert answer.headers["Content-Type"] == "application/json"
        body: Any = json.loads(answer.content)
        with app.app_context():
            assert answer.content == app.json.response(body).get_data()
        assert json.dumps(PullSchema().dump(body), ensure_ascii=False) == json.dumps(
            body, ensure_ascii=False)
    accuracies = [r["point"]["accuracy_m"] for r in body["changes"]["lead"]["upserts"]
                  if r["point"]]
    assert 1e-05 in accuracies and b"1e-05" in answer.content
