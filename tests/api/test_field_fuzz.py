"""Random input to the sighting, feed, mediation, settlement and task endpoints never
gets a 500 or a non-problem error (the same stand-in for schemathesis as the leads')."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from enforcement.models import Role
from tests import factories
from tests.api.test_lead_fuzz import FUZZ, JSON, _no_server_error

POINT = st.fixed_dictionaries({}, optional={"lon": JSON, "lat": JSON, "datum": JSON})
MONEY = st.one_of(JSON, st.sampled_from(["1.00", "0.001", "-5", "99999999999", "1e3"]))
PAYMENT = st.fixed_dictionaries({}, optional={"due_on": JSON, "amount": MONEY})
PROPOSAL = st.fixed_dictionaries({}, optional={
    "kind": st.one_of(JSON, st.sampled_from(["lump_sum", "instalments"])), "total": MONEY,
    "due_on": JSON, "instalments": st.one_of(JSON, st.lists(PAYMENT, max_size=3))})
SIGHTING = st.dictionaries(st.sampled_from(
    ["id", "case_id", "party_id", "debtor_text", "point", "seen_at", "vehicle_plate",
     "companions", "confidence", "urgent", "notes", "township_id"]),
    st.one_of(JSON, POINT), max_size=6)
NOTE = st.dictionaries(st.sampled_from(
    ["id", "held_at", "place", "present", "applicant_statement", "debtor_statement",
     "proposal", "outcome", "next_visit_on", "settlement_id"]),
    st.one_of(JSON, PROPOSAL, st.sampled_from(["agreed", "refused", "continue"])), max_size=5)
TASK = st.dictionaries(st.sampled_from(
    ["kind", "title", "body", "case_id", "party_id", "due_at", "village_grid_ids", "status"]),
    JSON, max_size=5)
ANSWER = st.dictionaries(st.sampled_from(["id", "result", "answer", "answered_at", "point"]),
                         st.one_of(JSON, POINT), max_size=4)
SOME = settings(FUZZ, max_examples=25)
"""Fewer examples than the leads' fuzz: these endpoints share its field types."""

QUERY = st.dictionaries(st.sampled_from(
    ["urgent", "outcome", "status", "kind", "from", "to", "held_from", "bbox", "limit",
     "cursor", "case_id", "township_id", "village_grid_id"]), st.text(max_size=30), max_size=4)


@SOME
@given(body=SIGHTING)
def test_sightings(http, world, body):
    headers = world.headers(world.assistant)
    _no_server_error(http.post("/api/v1/sightings", json=body, headers=headers))
    sighting = http.post("/api/v1/sightings", json={
        "seen_at": "2026-11-20T10:00:00Z", "point": {"lon": 108.305, "lat": 35.405}},
        headers=headers).json()
    _no_server_error(http.patch(f"/api/v1/sightings/{sighting['id']}", json=body,
                                headers={**headers, "If-Match": '"1"'}))


@SOME
@given(body=NOTE, payment=st.fixed_dictionaries({}, optional={"amount": MONEY,
                                                              "paid_on": JSON}))
def test_mediation_and_payments(http, world, session, body, payment):
    case, _ = factories.create_debtor_case(session, world.court, world.village_a)
    settlement = factories.create_settlement(session, case, ("10.00",),
                                             total_amount=Decimal("10.00"))
    session.commit()
    headers = world.headers(world.assistant)
    _no_server_error(http.post("/api/v1/mediation-notes", json={"case_id": case.id, **body},
                               headers=headers))
    note = http.post("/api/v1/mediation-notes", json={
        "case_id": case.id, "held_at": "2026-11-20T10:00:00Z", "outcome": "continue"},
        headers=headers).json()
    _no_server_error(http.patch(f"/api/v1/mediation-notes/{note['id']}", json=body,
                                headers={**headers, "If-Match": '"1"'}))
    _no_server_error(http.post(f"/api/v1/settlements/{settlement.id}/instalments/1/payments",
                               json=payment, headers=world.headers(world.judge_user)))


@SOME
@given(body=TASK, answer=ANSWER)
def test_tasks(http, world, session, body, answer):
    task = factories.create_task(session, world.judge_user, world.village_a)
    session.commit()
    _no_server_error(http.post("/api/v1/tasks", json=body,
                               headers=world.headers(world.users[Role.OFFICER])))
    _no_server_error(http.post(f"/api/v1/tasks/{task.id}/answers", json=answer,
                               headers=world.headers(world.assistant)))


@SOME
@given(query=QUERY, record_id=st.text(max_size=50))
def test_lists_and_reads(http, world, query, record_id):
    headers = world.headers(world.judge_user)
    safe = record_id.replace("/", "").replace("?", "").replace("#", "") or "x"
    for path in ("sightings", "mediation-notes", "settlements", "tasks"):
        _no_server_error(http.get(f"/api/v1/{path}", params=query, headers=headers))
        _no_server_error(http.get(f"/api/v1/{path}/{safe}", headers=headers))
    _no_server_error(http.get("/api/v1/feed", params=query, headers=headers))
    _no_server_error(http.get(f"/api/v1/tasks/{safe}/answers", headers=headers))
