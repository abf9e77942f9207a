"""Mediation notes, the settlements agreed ones create, and payments against them."""

from __future__ import annotations

from decimal import Decimal

import pytest
import sqlalchemy as sa

from enforcement.models import EnforcementCase, Instalment, Outcome, Role, Settlement, utcnow
from tests import factories
from tests.api.helpers import assert_problem

SCHEDULE = {"kind": "instalments", "total": "3000.00", "instalments": [
    {"due_on": "2027-01-15", "amount": "1000.00"},
    {"due_on": "2027-02-15", "amount": "2000.00"},
]}


@pytest.fixture
def case(world, session):
    """A case whose debtor lives in village A: the assistant may mediate on it."""
    case, _ = factories.create_debtor_case(session, world.court, world.village_a,
                                           amount_owed=Decimal("5000.00"))
    session.commit()
    return case


def _note(http, world, case, user=None, **body):
    payload = {"case_id": case.id, "held_at": utcnow().isoformat(),
               "present": ["申请人李四", "被执行人张三明", "村支书"],
               "applicant_statement": "希望一次付清", "debtor_statement": "只能分期",
               "outcome": "continue", "next_visit_on": "2027-01-05"} | body
    return http.post("/api/v1/mediation-notes", json=payload,
                     headers=world.headers(user or world.assistant))


def test_an_agreed_note_creates_the_settlement_and_its_instalments(http, world, session, case):
    response = _note(http, world, case, outcome="agreed", proposal=SCHEDULE)
    assert response.status_code == 201, response.text
    note = response.json()
    assert note["proposal"]["instalments"][1] == {"seq": 2, "due_on": "2027-02-15",
                                                  "amount": "2000.00"}
    settlement = session.get(Settlement, (world.court.id, note["settlement_id"]))
    assert (settlement.case_id, settlement.mediation_note_id) == (case.id, note["id"])
    assert (settlement.kind, settlement.total_amount, settlement.status) == (
        "instalments", Decimal("3000.00"), "active")
    rows = session.scalars(sa.select(Instalment).where(
        Instalment.settlement_id == settlement.id).order_by(Instalment.seq)).all()
    assert [(i.seq, str(i.due_on), i.amount) for i in rows] == [
        (1, "2027-01-15", Decimal("1000.00")), (2, "2027-02-15", Decimal("2000.00"))]
    shown = http.get(f"/api/v1/settlements/{settlement.id}",
                     headers=world.headers(world.users[Role.OFFICER])).json()
    assert [i["amount"] for i in shown["instalments"]] == ["1000.00", "2000.00"]


def test_a_lump_sum_is_one_instalment(http, world, session, case):
    note = _note(http, world, case, outcome="agreed", proposal={
        "kind": "lump_sum", "total": "800.00", "due_on": "2027-03-01"}).json()
    settlement = http.get(f"/api/v1/settlements/{note['settlement_id']}",
                          headers=world.headers(world.judge_user)).json()
    assert settlement["kind"] == "lump_sum"
    assert [(i["seq"], i["due_on"], i["amount"]) for i in settlement["instalments"]] == [
        (1, "2027-03-01", "800.00")]


@pytest.mark.parametrize("proposal", [
    {**SCHEDULE, "total": "3500.00"},
    {**SCHEDULE, "instalments": [{"due_on": "2027-01-15", "amount": "3000.00"},
                                 {"due_on": "2027-02-15", "amount": "0.00"}]},
    {**SCHEDULE, "instalments": list(reversed(SCHEDULE["instalments"]))},
])
def test_instalments_must_add_up_in_order(http, world, session, case, proposal):
    response = _note(http, world, case, outcome="agreed", proposal=proposal)
    body = assert_problem(response, 422, "instalments_do_not_add_up")
    assert "proposal" in body["errors"]["json"]
    assert session.scalar(sa.select(sa.func.count()).select_from(Settlement)) == 0


@pytest.mark.parametrize(("body", "field"), [
    ({"outcome": "agreed"}, "proposal"),
    ({"proposal": {"kind": "lump_sum", "total": "10.00"}}, "proposal"),
    ({"proposal": {"kind": "instalments", "total": "10.00"}}, "proposal"),
    ({"case_id": "0b7e4c1e-8a1b-4bde-a1f5-3c2d0e9f7a55"}, "case_id"),
    ({"outcome": "maybe"}, "outcome"),
])
def test_bad_notes_are_a_422_naming_the_field(http, world, case, body, field):
    problem = assert_problem(_note(http, world, case, **body), 422, "validation_failed")
    assert field in problem["errors"]["json"]


def test_one_cannot_mediate_on_a_case_outside_ones_scope(http, world, session):
    elsewhere, _ = factories.create_debtor_case(session, world.court, world.village_b)
    session.commit()
    problem = assert_problem(_note(http, world, elsewhere), 422, "validation_failed")
    assert "case_id" in problem["errors"]["json"]


@pytest.mark.parametrize("field", ["author_id", "court_id", "settlement_id", "version",
                                   "created_at"])
def test_server_owned_fields_are_refused_by_name(http, world, case, field):
    body = assert_problem(_note(http, world, case, **{field: "x"}), 422, "unknown_field")
    assert field in body["errors"]["json"]


def test_agreeing_on_edit_settles_and_then_the_note_is_closed(http, world, session, case):
    note = _note(http, world, case, proposal=SCHEDULE).json()
    assert note["settlement_id"] is None
    url = f"/api/v1/mediation-notes/{note['id']}"
    headers = world.headers(world.assistant)
    assert_problem(http.patch(url, json={"outcome": "agreed"}, headers=headers),
                   428, "precondition_required")
    agreed = http.patch(url, json={"outcome": "agreed"}, headers={**headers, "If-Match": '"1"'})
    assert agreed.status_code == 200, agreed.text
    assert agreed.json()["settlement_id"] and agreed.headers["ETag"] == '"2"'
    again = http.patch(url, json={"place": "村委会"}, headers={**headers, "If-Match": '"2"'})
    assert_problem(again, 409, "mediation_note_settled")
    stale = http.patch(url, json={"place": "村委会"}, headers={**headers, "If-Match": '"1"'})
    assert_problem(stale, 412, "precondition_failed")


def test_lists_filter_by_outcome_and_case(http, world, session, case):
    other, _ = factories.create_debtor_case(session, world.court, world.village_a)
    session.commit()
    agreed = _note(http, world, case, outcome="agreed", proposal=SCHEDULE).json()
    refused = _note(http, world, other, outcome="refused").json()
    headers = world.headers(world.judge_user)

    def ids(query):
        response = http.get(f"/api/v1/mediation-notes?{query}", headers=headers)
        assert response.status_code == 200, response.text
        return [item["id"] for item in response.json()["items"]]

    assert ids("") == [refused["id"], agreed["id"]]
    assert ids("outcome=agreed") == [agreed["id"]]
    assert ids(f"case_id={other.id}") == [refused["id"]]
    assert ids(f"author_id={world.assistant.id}&limit=1") == [refused["id"]]


# --------------------------------------------------------------------------- payments


def _pay(http, world, settlement_id, seq, amount, user=None):
    return http.post(f"/api/v1/settlements/{settlement_id}/instalments/{seq}/payments",
                     json={"amount": amount, "paid_on": "2027-01-14"},
                     headers=world.headers(user or world.users[Role.OFFICER]))


def _recovered(session, case):
    session.expire_all()
    return session.get(EnforcementCase, (case.court_id, case.id)).amount_recovered


def test_payments_raise_the_case_and_fulfil_the_settlement(http, world, session, case):
    settlement = factories.create_settlement(session, case, ("1000.00", "2000.00"))
    session.commit()
    partly = _pay(http, world, settlement.id, 1, "400.00")
    assert partly.status_code == 201, partly.text
    assert partly.json()["instalments"][0]["paid_amount"] == "400.00"
    assert _recovered(session, case) == Decimal("400.00")
    assert _pay(http, world, settlement.id, 1, "600.00").status_code == 201
    last = _pay(http, world, settlement.id, 2, "2000.00", user=world.judge_user).json()
    assert last["status"] == "fulfilled"
    assert [i["paid_amount"] for i in last["instalments"]] == ["1000.00", "2000.00"]
    assert _recovered(session, case) == Decimal("3000.00")
    assert session.scalar(sa.select(sa.func.sum(Outcome.amount)).where(
        Outcome.case_id == case.id, Outcome.kind == "payment_received")) == Decimal("3000.00")
    assert_problem(_pay(http, world, settlement.id, 2, "1.00"), 409, "settlement_not_active")


def test_overpaying_an_instalment_is_a_422(http, world, session, case):
    settlement = factories.create_settlement(session, case, ("1000.00", "2000.00"))
    session.commit()
    assert _pay(http, world, settlement.id, 1, "900.00").status_code == 201
    body = assert_problem(_pay(http, world, settlement.id, 1, "100.01"), 422,
                          "instalment_overpaid")
    assert "amount" in body["errors"]["json"]
    assert _recovered(session, case) == Decimal("900.00")
    assert_problem(_pay(http, world, settlement.id, 3, "1.00"), 404, "instalment_not_found")


def test_the_case_never_recovers_more_than_it_owes(http, world, session, case):
    case.amount_recovered = Decimal("4500.00")  # owes 5000; 500 left
    session.add(case)
    settlement = factories.create_settlement(session, case, ("1000.00",))
    session.commit()
    body = assert_problem(_pay(http, world, settlement.id, 1, "600.00"), 409,
                          "amount_owed_exceeded")
    assert body["amount_owed"] == "5000.00"
    assert _recovered(session, case) == Decimal("4500.00")
    assert _pay(http, world, settlement.id, 1, "500.00").status_code == 201
    assert _recovered(session, case) == Decimal("5000.00")


def test_concurrent_payments_cannot_together_exceed_what_is_owed(http, world, session, case):
    """Two settlements of one case paid at the same moment: the case row lock lets only
    the first through when both together would pass ``amount_owed``."""
    from concurrent.futures import ThreadPoolExecutor

    case.amount_recovered = Decimal("4000.00")  # 1000 left
    session.add(case)
    first = factories.create_settlement(session, case, ("600.00",))
    second = factories.create_settlement(session, case, ("600.00",))
    session.commit()
    headers = world.headers(world.users[Role.OFFICER])  # sign in before the race
    with ThreadPoolExecutor(2) as pool:
        statuses = sorted(pool.map(
            lambda s: _pay(http, world, s.id, 1, "600.00").status_code, [first, second]))
    assert headers and statuses == [201, 409]
    assert _recovered(session, case) == Decimal("4600.00")


def test_who_may_record_a_note_on_which_case(http, world, session, case):
    """Mediators mediate on the cases the court assigned them; assistants on the cases of
    their grids; the court and deputies do not write notes."""
    mediator = world.users[Role.MEDIATOR]
    factories.assign_grid(session, mediator, world.village_b)
    assigned, _ = factories.create_debtor_case(session, world.court, world.village_b)
    factories.assign_mediator(session, mediator, assigned)
    in_township, _ = factories.create_debtor_case(session, world.court, world.village_b,
                                                  township_id=world.township.id)
    session.commit()
    assert _note(http, world, assigned, user=mediator).status_code == 201
    for unassigned in (case, in_township):  # serving the grid gives no case
        problem = assert_problem(_note(http, world, unassigned, user=mediator), 422,
                                 "validation_failed")
        assert "case_id" in problem["errors"]["json"]
    for role in (Role.OFFICER, Role.JUDGE, Role.DEPUTY, Role.ADMIN):
        assert_problem(_note(http, world, case, user=world.users[role]), 403, "forbidden")


def test_settlement_lists_filter_by_case_and_status(http, world, session, case):
    other, _ = factories.create_debtor_case(session, world.court, world.village_a)
    active = factories.create_settlement(session, case)
    done = factories.create_settlement(session, other, status="fulfilled")
    session.commit()
    headers = world.headers(world.judge_user)

    def ids(query):
        response = http.get(f"/api/v1/settlements?{query}", headers=headers)
        assert response.status_code == 200, response.text
        return [item["id"] for item in response.json()["items"]]

    assert ids("") == [done.id, active.id]
    assert ids("status=active") == [active.id]
    assert ids(f"case_id={other.id}") == [done.id]
    listed = http.get("/api/v1/settlements?limit=1", headers=headers)
    assert listed.json()["items"][0]["instalments"][0]["seq"] == 1
    assert 'rel="next"' in listed.headers["Link"]
    assert_problem(http.get("/api/v1/settlements?status=lost", headers=headers),
                   422, "validation_failed")
