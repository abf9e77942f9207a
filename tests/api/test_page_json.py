"""A pull's answer is encoded by orjson where that writes the same bytes as Flask's JSON
provider, and by the provider otherwise (``api.page_json``): a phone receives exactly the
bytes it received before, whatever the page holds."""

from __future__ import annotations

import json
from typing import Any

import sqlalchemy as sa
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


ODD_FLOATS = st.floats() | st.sampled_from([
    1e-05, 0.0001, 9.999999999999999e-05, -0.0001, 1e15, 9999999999999998.0, 1e16, -0.0, 0.0,
    5e-324, 1.7976931348623157e308, 12.0, 108.305, float("inf"), float("-inf"), float("nan")])


def _ok(value: float | None) -> bool:
    """A float both encoders write alike (``api.page_json._plain``'s rule)."""
    return value is None or value == 0.0 or 1e-4 <= abs(value) < 1e16


@settings(max_examples=200, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.none() | ODD_FLOATS, min_size=4, max_size=4))
def test_records_marked_plain_are_the_bytes_flask_writes(app, session, world, floats):
    """A pulled lead is marked plain (``PlainRecord``: the encoder does not look inside it)
    exactly when PostgreSQL found its floats to be ones orjson writes as Flask does: the
    page's bytes never change, whatever a lead's position, accuracy and distance hold
    (``1e-05``, ``1e16``, NaN, infinities, ``-0.0``, the smallest and largest floats)."""
    from enforcement.accounts.principal import Principal
    from enforcement.leads.sync_spec import LEAD_SPEC, LEAD_VALUES
    from enforcement.models import Lead
    from sync.spec import PlainRecord

    lead = session.info.get("plain-lead")
    if lead is None:
        lead = session.info["plain-lead"] = factories.create_lead(
            session, world.assistant, world.village_a, description="第1条\t\"线索\"")
    session.execute(sa.update(Lead).where(Lead.court_id == lead.court_id, Lead.id == lead.id)
                    .values(reported_lon=floats[0], reported_lat=floats[1],
                            accuracy_m=floats[2], nearest_grid_distance_m=floats[3]))
    reader = Principal(user_id=world.assistant.id, court_id=world.assistant.court_id,
                       role=world.assistant.role, device_id="d")
    (record,), _ = LEAD_VALUES.pull(session, reader, [lead.id], LEAD_SPEC.owners(5).keys())
    assert isinstance(record, PlainRecord) == all(_ok(f) for f in floats)
    body = {"changes": {"lead": {"upserts": [record], "deletes": []}}, "evictions": {},
            "next_cursor": "YzI6", "has_more": False}
    as_dicts = {**body, "changes": {"lead": {"upserts": [dict(record)], "deletes": []}}}
    with app.app_context():
        fast = encoded(app, body)
        assert fast is None or fast == app.json.response(as_dicts).get_data()
        # the fast way whenever what is sent allows it (a point without both coordinates
        # is null: its accuracy is not sent)
        sent = [floats[3], *(floats[:3] if None not in floats[:2] else [])]
        assert (fast is not None) == all(_ok(f) for f in sent)
