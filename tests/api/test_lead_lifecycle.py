"""The lead lifecycle over HTTP: who may move a lead, illegal steps, history, outcomes."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import pytest
import requests
import sqlalchemy as sa

from enforcement.models import EnforcementCase, Lead, LeadStatus, Outcome
from tests import factories
from tests.api.helpers import assert_problem


def _move(http, world, lead_id, role="judge", **body):
    return http.post(f"/api/v1/leads/{lead_id}/transitions", json=body,
                     headers=world.headers(world.users[role]))


def test_a_lead_from_report_to_recovered_money(http, world, session, engine):
    case, debtor = factories.create_debtor_case(session, world.court, world.village_a)
    case.amount_recovered = Decimal("100.00")
    lead = factories.create_lead(session, world.assistant, world.village_a, case_id=case.id,
                                 party_id=debtor.id)
    session.commit()
    officer = world.users["officer"]
    steps = [
        ("judge", {"to": "under_review"}),
        ("judge", {"to": "accepted", "reason": "线索具体"}),
        ("judge", {"to": "assigned", "officer_id": officer.id}),
        ("officer", {"to": "verified", "reason": "车在院内"}),
        ("officer", {"to": "outcome_recorded", "outcome": {
            "kind": "payment_received", "amount": "1200.50", "occurred_on": "2026-11-20"}}),
        ("officer", {"to": "closed"}),
    ]
    for role, body in steps:
        response = _move(http, world, lead.id, role, **body)
        assert response.status_code == 201, (body, response.text)
        assert response.json()["to_status"] == body["to"]

    current = http.get(f"/api/v1/leads/{lead.id}", headers=world.headers(world.judge_user)).json()
    assert current["status"] == "closed"
    assert current["assigned_officer_id"] == officer.id
    assert current["amount_recovered"] == "1200.50"
    assert current["version"] == 7
    mine = http.get(f"/api/v1/leads/{lead.id}", headers=world.headers(world.assistant)).json()
    assert (mine["status"], mine["amount_recovered"]) == ("closed", None)  # no amounts
    with engine.connect() as conn:
        assert conn.execute(sa.select(EnforcementCase.amount_recovered).where(
            EnforcementCase.id == case.id)).scalar() == Decimal("1300.50")
        outcome = conn.execute(sa.select(Outcome).where(Outcome.lead_id == lead.id)).one()
    assert (outcome.kind, outcome.amount, outcome.case_id) == (
        "payment_received", Decimal("1200.50"), case.id)

    # The author sees every step, who made it and why.
    history = http.get(f"/api/v1/leads/{lead.id}/transitions",
                       headers=world.headers(world.assistant)).json()
    assert [h["to_status"] for h in history] == [
        "under_review", "accepted", "assigned", "verified", "outcome_recorded", "closed"]
    assert history[1]["reason"] == "线索具体"
    assert history[3]["actor_id"] == officer.id


def test_a_submitted_lead_starts_its_history_with_the_submission(http, world):
    lead = http.post("/api/v1/leads", json={"kind": "other"},
                     headers=world.headers(world.assistant)).json()
    history = http.get(f"/api/v1/leads/{lead['id']}/transitions",
                       headers=world.headers(world.assistant)).json()
    assert [(h["from_status"], h["to_status"]) for h in history] == [(None, "submitted")]


@pytest.mark.parametrize(("status", "target"), [
    (LeadStatus.SUBMITTED, "accepted"),
    (LeadStatus.SUBMITTED, "closed"),
    (LeadStatus.REJECTED, "under_review"),
    (LeadStatus.CLOSED, "assigned"),
    (LeadStatus.ASSIGNED, "outcome_recorded"),
])
def test_illegal_steps_are_409_invalid_transition(http, world, session, engine, status, target):
    lead = factories.create_lead(session, world.assistant, world.village_a, status=status)
    session.commit()
    problem = assert_problem(_move(http, world, lead.id, to=target), 409, "invalid_transition")
    assert problem["current_status"] == status.value
    with engine.connect() as conn:
        assert conn.execute(sa.select(Lead.version).where(Lead.id == lead.id)).scalar() == 1


@pytest.mark.parametrize(("language", "title"), [
    ("zh-CN", "线索当前状态不允许此操作"),
    ("en", "The lead cannot move to that status now"),
    (None, "线索当前状态不允许此操作"),
])
def test_invalid_transition_has_a_title_in_the_callers_language(http, world, session,
                                                                language, title):
    lead = factories.create_lead(session, world.assistant, world.village_a)
    session.commit()
    headers = world.headers(world.users["judge"])
    if language:
        headers["Accept-Language"] = language
    response = http.post(f"/api/v1/leads/{lead.id}/transitions", json={"to": "closed"},
                         headers=headers)
    assert assert_problem(response, 409, "invalid_transition")["title"] == title


def test_officers_do_not_triage(http, world, session):
    lead = factories.create_lead(session, world.assistant, world.village_a,
                                 status=LeadStatus.UNDER_REVIEW)
    session.commit()
    assert_problem(_move(http, world, lead.id, "officer", to="accepted"), 403,
                   "transition_forbidden")


@pytest.mark.parametrize(("status", "body", "field"), [
    (LeadStatus.UNDER_REVIEW, {"to": "duplicate"}, "duplicate_of_id"),
    (LeadStatus.ACCEPTED, {"to": "assigned"}, "officer_id"),
    (LeadStatus.VERIFIED, {"to": "outcome_recorded"}, "outcome"),
    (LeadStatus.VERIFIED, {"to": "outcome_recorded", "outcome": {
        "kind": "payment_received", "occurred_on": "2026-11-20"}}, "outcome"),
    (LeadStatus.UNDER_REVIEW, {"to": "accepted", "officer_id": "abcdefgh12345678"},
     "officer_id"),
    (LeadStatus.ACCEPTED, {"to": "assigned", "officer_id": "abcdefgh12345678"}, "officer_id"),
])
def test_steps_missing_details_are_422_naming_the_field(http, world, session, status, body,
                                                        field):
    lead = factories.create_lead(session, world.assistant, world.village_a, status=status)
    session.commit()
    problem = assert_problem(_move(http, world, lead.id, **body), 422, "validation_failed")
    assert field in problem["errors"]["json"]


def test_marking_a_duplicate_links_the_original(http, world, session):
    original = factories.create_lead(session, world.neighbour, world.village_a)
    lead = factories.create_lead(session, world.assistant, world.village_a,
                                 status=LeadStatus.UNDER_REVIEW)
    session.commit()
    step = _move(http, world, lead.id, to="duplicate", duplicate_of_id=original.id,
                 reason="同一辆车")
    assert step.status_code == 201, step.text
    assert step.json()["detail"] == {"duplicate_of_id": original.id}
    got = http.get(f"/api/v1/leads/{lead.id}", headers=world.headers(world.assistant)).json()
    assert (got["status"], got["duplicate_of_id"]) == ("duplicate", original.id)
    assert got["triaged_at"] is not None


def test_a_stale_if_match_on_a_transition_is_412(http, world, session):
    lead = factories.create_lead(session, world.assistant, world.village_a, version=3)
    session.commit()
    response = http.post(f"/api/v1/leads/{lead.id}/transitions", json={"to": "under_review"},
                         headers=world.headers(world.users["judge"], **{"If-Match": '"2"'}))
    assert_problem(response, 412, "precondition_failed")


def test_concurrent_payments_on_one_case_all_add_up(http, world, session, engine):
    case, _ = factories.create_debtor_case(session, world.court, world.village_a)
    leads = [factories.create_lead(session, world.assistant, world.village_a, case_id=case.id,
                                   status=LeadStatus.VERIFIED) for _ in range(6)]
    session.commit()
    headers = world.headers(world.users["officer"])

    def pay(lead):  # one connection per thread: a requests.Session is not thread-safe
        url = f"{http.base_url}/api/v1/leads/{lead.id}/transitions"
        return requests.post(url, headers=headers, timeout=30, json={
            "to": "outcome_recorded",
            "outcome": {"kind": "payment_received", "amount": "10.00",
                        "occurred_on": "2026-11-20"}}).status_code

    with ThreadPoolExecutor(6) as pool:
        assert list(pool.map(pay, leads)) == [201] * 6
    with engine.connect() as conn:
        assert conn.execute(sa.select(EnforcementCase.amount_recovered).where(
            EnforcementCase.id == case.id)).scalar() == Decimal("60.00")
