"""Random input to the lead endpoints never gets a 500 or a non-problem error.

A small stand-in until the schemathesis run over the whole OpenAPI document lands.
"""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from enforcement.models import LeadStatus
from tests import factories

SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(-10**20, 10**20),
    st.floats(allow_nan=False, allow_infinity=False), st.text(max_size=40),
    st.sampled_from(["wgs84", "gcj02", "bd09", "vehicle", "payment_received", "2026-11-20",
                     "2026-11-20T10:00:00Z", "abcdefgh12345678", "\x00", "1e400", "NaN"]),
)
JSON = st.recursive(SCALARS, lambda inner: st.one_of(
    st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=12), inner, max_size=4)),
    max_leaves=8)
LEAD_FIELDS = ["id", "kind", "case_id", "party_id", "debtor_text", "description", "point",
               "observed_at", "urgency", "status"]
POINT = st.fixed_dictionaries({}, optional={"lon": JSON, "lat": JSON, "datum": JSON,
                                            "accuracy_m": JSON})
BODY = st.dictionaries(st.sampled_from(LEAD_FIELDS), st.one_of(JSON, POINT), max_size=6)
OUTCOME = st.fixed_dictionaries({}, optional={"kind": JSON, "amount": JSON,
                                              "occurred_on": JSON})
STATUS = st.sampled_from([s.value for s in LeadStatus])
TRANSITION = st.dictionaries(
    st.sampled_from(["to", "reason", "duplicate_of_id", "officer_id", "round_id", "outcome"]),
    st.one_of(JSON, STATUS, OUTCOME), max_size=4)
QUERY = st.dictionaries(
    st.sampled_from(["status", "kind", "from", "to", "bbox", "limit", "cursor", "case_id"]),
    st.text(max_size=30), max_size=4)

FUZZ = settings(max_examples=60, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture])


def _no_server_error(response) -> None:
    assert response.status_code < 500, response.text
    if response.status_code >= 400:
        assert response.headers["Content-Type"].startswith("application/problem+json")


@FUZZ
@given(body=BODY)
def test_create_and_patch(http, world, body):
    headers = world.headers(world.assistant)
    _no_server_error(http.post("/api/v1/leads", json=body, headers=headers))
    lead = http.post("/api/v1/leads", json={"kind": "other"}, headers=headers).json()
    _no_server_error(http.patch(f"/api/v1/leads/{lead['id']}", json=body,
                                headers={**headers, "If-Match": '"1"'}))


@FUZZ
@given(body=TRANSITION)
def test_transitions(http, world, session, body):
    lead = factories.create_lead(session, world.assistant, world.village_a,
                                 status=LeadStatus.VERIFIED)
    session.commit()
    _no_server_error(http.post(f"/api/v1/leads/{lead.id}/transitions", json=body,
                               headers=world.headers(world.judge_user)))


@FUZZ
@given(query=QUERY, lead_id=st.text(max_size=50))
def test_lists_and_reads(http, world, query, lead_id):
    headers = world.headers(world.judge_user)
    _no_server_error(http.get("/api/v1/leads", params=query, headers=headers))
    _no_server_error(http.get("/api/v1/cases", params=query, headers=headers))
    safe = lead_id.replace("/", "").replace("?", "").replace("#", "") or "x"
    _no_server_error(http.get(f"/api/v1/leads/{safe}", headers=headers))
    _no_server_error(http.get(f"/api/v1/cases/{safe}", headers=headers))
