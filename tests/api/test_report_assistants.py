"""Assistants' record cards and the reward ledger: earned through the real lead lifecycle,
approved by judges, exported; each assistant sees only their own."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import openpyxl
import sqlalchemy as sa

from enforcement.models import AuditEntry, LeadStatus, OutcomeKind, RewardEntry, Role
from tests import factories
from tests.api.helpers import assert_problem


def _outcome(http, world, lead, kind="payment_received", amount="800.00"):
    """Record an outcome on a verified lead the way an officer does."""
    response = http.post(f"/api/v1/leads/{lead.id}/transitions", json={
        "to": "outcome_recorded",
        "outcome": {"kind": kind, "amount": amount, "occurred_on": "2026-11-20"}},
        headers=world.headers(world.users[Role.OFFICER]))
    assert response.status_code == 201, response.text


def _verified_lead(session, world, author=None, village=None):
    case = factories.create_case(session, world.court)
    return factories.create_lead(session, author or world.assistant, village or world.village_a,
                                 case_id=case.id, status=LeadStatus.VERIFIED)


def test_useful_leads_earn_rewards_priced_by_the_court_rule(http, world, session, engine):
    judge = world.headers(world.judge_user)
    paid, located, nothing = (_verified_lead(session, world) for _ in range(3))
    officer_lead = _verified_lead(session, world, author=world.users[Role.OFFICER])
    session.commit()
    _outcome(http, world, paid)
    _outcome(http, world, located, "debtor_located", "0")
    _outcome(http, world, nothing, "no_result", "0")
    _outcome(http, world, officer_lead)  # officers earn no rewards

    ledger = http.get("/api/v1/reports/rewards", headers=judge).json()["items"]
    assert sorted((e["lead_id"], e["outcome_kind"], e["amount"], e["status"]) for e in ledger) \
        == sorted([(paid.id, "payment_received", "200.00", "pending"),
                   (located.id, "debtor_located", "100.00", "pending")])

    rules = http.put("/api/v1/reports/reward-rules/payment_received", json={"amount": "350"},
                     headers=judge)
    assert rules.status_code == 200, rules.text
    assert {"outcome_kind": "payment_received", "amount": "350.00", "court_rule": True} \
        in rules.json()["items"]
    later = _verified_lead(session, world)
    session.commit()
    _outcome(http, world, later)
    amounts = {e["lead_id"]: e["amount"] for e in
               http.get("/api/v1/reports/rewards", headers=judge).json()["items"]}
    assert amounts[later.id] == "350.00" and amounts[paid.id] == "200.00"

    assert_problem(http.put("/api/v1/reports/reward-rules/no_result", json={"amount": "5"},
                            headers=judge), 404, "reward_kind_not_found")
    assert_problem(http.put("/api/v1/reports/reward-rules/payment_received",
                            json={"amount": "5"}, headers=world.headers(
                                world.users[Role.OFFICER])), 403, "forbidden")
    with engine.connect() as conn:
        actions = conn.execute(sa.select(AuditEntry.action).where(
            AuditEntry.court_id == world.court.id,
            AuditEntry.action == "reward_rule.set")).scalars().all()
    assert actions == ["reward_rule.set"]


def test_judges_decide_once_and_it_is_recorded(http, world, session, engine):
    lead = _verified_lead(session, world)
    session.commit()
    _outcome(http, world, lead)
    judge = world.headers(world.judge_user)
    [entry] = http.get("/api/v1/reports/rewards", headers=judge).json()["items"]
    url = f"/api/v1/reports/rewards/{entry['id']}/decision"

    assert_problem(http.post(url, json={"decision": "approved"},
                             headers=world.headers(world.users[Role.OFFICER])), 403, "forbidden")
    assert_problem(http.post(url, json={"decision": "approved"},
                             headers=world.headers(world.assistant)), 403, "forbidden")
    other_judge = factories.create_user(session, world.other_court, Role.JUDGE)
    session.commit()
    assert_problem(http.post(url, json={"decision": "approved"},
                             headers=world.headers(other_judge)), 404, "reward_not_found")
    assert_problem(http.post(url, json={"decision": "maybe"}, headers=judge), 422,
                   "validation_failed")

    response = http.post(url, json={"decision": "approved", "note": "线索准确"}, headers=judge)
    assert response.status_code == 200, response.text
    assert (response.json()["status"], response.json()["decided_by"]) == (
        "approved", world.judge_user.id)
    assert_problem(http.post(url, json={"decision": "rejected"}, headers=judge), 409,
                   "reward_already_decided")
    with engine.connect() as conn:
        detail = conn.execute(sa.select(AuditEntry.detail).where(
            AuditEntry.court_id == world.court.id, AuditEntry.action == "reward.decide",
            AuditEntry.subject_id == entry["id"])).scalar_one()
        status = conn.execute(sa.select(RewardEntry.status).where(
            RewardEntry.id == entry["id"])).scalar_one()
    assert detail["status"] == "approved" and status == "approved"

    card = http.get(f"/api/v1/reports/assistants/{world.assistant.id}",
                    headers=world.headers(world.assistant)).json()
    assert (card["rewards_approved"], card["rewards_pending"]) == ("200.00", "0.00")


def test_assistants_see_only_their_own_ledger_and_card(http, world, session):
    mine, theirs = _verified_lead(session, world), _verified_lead(
        session, world, author=world.assistant_b, village=world.village_b)
    session.commit()
    _outcome(http, world, mine)
    _outcome(http, world, theirs)
    own = http.get("/api/v1/reports/rewards", headers=world.headers(world.assistant)).json()
    assert [e["lead_id"] for e in own["items"]] == [mine.id]
    filtered = http.get("/api/v1/reports/rewards", params={"assistant_id": world.assistant_b.id},
                        headers=world.headers(world.assistant)).json()
    assert filtered["items"] == []
    assert http.get(f"/api/v1/reports/assistants/{world.assistant.id}",
                    headers=world.headers(world.assistant)).status_code == 200
    assert_problem(http.get(f"/api/v1/reports/assistants/{world.assistant_b.id}",
                            headers=world.headers(world.assistant)), 404, "assistant_not_found")
    listed = http.get("/api/v1/reports/assistants", headers=world.headers(world.assistant))
    assert [c["user_id"] for c in listed.json()["items"]] == [world.assistant.id]
    for role in (Role.DEPUTY, Role.MEDIATOR, Role.ADMIN):
        headers = world.headers(world.users[role])
        assert_problem(http.get("/api/v1/reports/rewards", headers=headers), 403, "forbidden")
        assert_problem(http.get(f"/api/v1/reports/assistants/{world.assistant.id}",
                                headers=headers), 403, "forbidden")
    other_judge = factories.create_user(session, world.other_court, Role.JUDGE)
    session.commit()
    assert_problem(http.get(f"/api/v1/reports/assistants/{world.assistant.id}",
                            headers=world.headers(other_judge)), 404, "assistant_not_found")
    assert http.get("/api/v1/reports/rewards",
                    headers=world.headers(other_judge)).json()["items"] == []


def test_the_record_card_counts_what_the_assistant_did(http, world, session):
    a = world.assistant
    leads = [factories.create_lead(session, a, world.village_a, status=status) for status in (
        LeadStatus.SUBMITTED, LeadStatus.REJECTED, LeadStatus.ACCEPTED, LeadStatus.CLOSED,
        LeadStatus.OUTCOME_RECORDED, LeadStatus.VERIFIED)]
    gone = factories.create_lead(session, a, world.village_a)
    gone.deleted_at = gone.created_at
    factories.create_lead(session, world.neighbour, world.village_a)  # someone else's
    judge = world.judge_user
    factories.create_outcome(session, judge, OutcomeKind.PAYMENT_RECEIVED, lead_id=leads[3].id,
                             amount=Decimal("1500.00"))
    factories.create_outcome(session, judge, OutcomeKind.NO_RESULT, lead_id=leads[4].id)
    factories.create_outcome(session, judge, OutcomeKind.PROPERTY_SEALED, lead_id=leads[4].id)
    task = factories.create_task(session, judge, world.village_a)
    factories.create_task_answer(session, task, a)
    factories.create_task_answer(session, task, a)
    factories.create_task_answer(session, task, world.neighbour)
    factories.create_sighting(session, a, world.village_a)
    session.commit()

    card = http.get(f"/api/v1/reports/assistants/{a.id}",
                    headers=world.headers(world.judge_user)).json()
    alive = leads
    accepted = [lead for lead in alive if lead.status not in (
        LeadStatus.SUBMITTED, LeadStatus.REJECTED, LeadStatus.DUPLICATE,
        LeadStatus.UNDER_REVIEW)]
    assert (card["leads"], card["leads_accepted"], card["useful_leads"]) == (
        len(alive), len(accepted), 2)
    assert (card["task_answers"], card["sightings"]) == (2, 1)
    assert card["amount_through_leads"] == "1500.00"
    assert [g["village_grid_id"] for g in card["grids"]] == [world.village_a.id]
    assert card["last_active_at"] is not None

    own = http.get(f"/api/v1/reports/assistants/{a.id}", headers=world.headers(a)).json()
    assert own["leads"] == len(alive) and own["amount_through_leads"] is None

    listed = http.get("/api/v1/reports/assistants",
                      headers=world.headers(world.users[Role.OFFICER])).json()["items"]
    assert {c["user_id"] for c in listed} == {a.id, world.neighbour.id, world.assistant_b.id}
    assert listed[0]["user_id"] == a.id  # most useful first


def test_ledger_and_cards_as_files(http, world, session, engine):
    lead = _verified_lead(session, world)
    session.commit()
    _outcome(http, world, lead)
    judge = world.headers(world.judge_user)
    response = http.get("/api/v1/reports/rewards", params={"format": "csv"}, headers=judge)
    assert response.status_code == 200, response.text
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:3] == ["记录时间", "网格协执员", "线索编号"]
    assert rows[1][2:7] == [lead.id, "执行到位", "2026-11-20", "200.00", "待审批"]
    response = http.get("/api/v1/reports/rewards", params={"format": "xlsx"},
                        headers=judge | {"Accept-Language": "en"})
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    table = list(sheet.iter_rows(values_only=True))
    assert table[0][1] == "Grid assistant" and table[1][3:7] == (
        "Payment received", "2026-11-20", 200, "pending")
    response = http.get("/api/v1/reports/assistants", params={"format": "csv"}, headers=judge)
    cards = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert cards[0][0] == "网格协执员" and len(cards) == 1 + 3
    with engine.connect() as conn:
        reports = conn.execute(sa.select(AuditEntry.detail["report"].astext).where(
            AuditEntry.court_id == world.court.id, AuditEntry.action == "report.export",
        ).order_by(AuditEntry.seq)).scalars().all()
    assert reports == ["rewards", "rewards", "assistants"]
