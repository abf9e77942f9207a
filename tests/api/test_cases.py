"""Cases and the wanted list: masking by role, no amounts for assistants, audited reads."""

from __future__ import annotations

import sqlalchemy as sa

from enforcement.models import AuditEntry, CaseStatus, PartyKind, PartyRole, Role
from tests import factories


def _audit(engine, court_id):
    with engine.connect() as conn:
        return conn.execute(
            sa.select(AuditEntry.action, AuditEntry.actor_id, AuditEntry.subject_id)
            .where(AuditEntry.court_id == court_id, AuditEntry.action == "party.read_unmasked")
            .order_by(AuditEntry.seq)
        ).all()


def test_the_wanted_list_shows_grid_debtors_masked_without_amounts(http, world, session):
    case, debtor = factories.create_debtor_case(session, world.court, world.village_a)
    factories.create_debtor_case(session, world.court, world.village_b)  # other grid
    factories.create_debtor_case(session, world.court, world.village_a,
                                 status=CaseStatus.CLOSED)
    session.commit()
    response = http.get("/api/v1/wanted", headers=world.headers(world.assistant))
    assert response.status_code == 200, response.text
    [item] = response.json()["items"]
    assert item["case_numbers"] == [case.case_number]
    party = item["party"]
    assert party["id"] == debtor.id
    assert (party["name"], party["id_number"], party["phone"]) == (
        "张*明", "6201**********1234", "138****5678")
    assert party["masked"] is True
    assert "13812345678" not in response.text and "amount" not in response.text


def test_the_wanted_list_is_for_assistants(http, world):
    assert http.get("/api/v1/wanted", headers=world.headers(world.judge_user)).status_code == 403


def test_assistants_see_their_grid_cases_masked_and_without_amounts(http, world, session,
                                                                     engine):
    case, _ = factories.create_debtor_case(session, world.court, world.village_a)
    company = factories.create_party(session, world.court, world.village_a,
                                     kind=PartyKind.ORGANISATION, name="某某农业开发有限公司",
                                     id_number="91621025MA71234567")
    factories.add_party(session, case, company, PartyRole.GUARANTOR)
    session.commit()
    response = http.get(f"/api/v1/cases/{case.id}", headers=world.headers(world.assistant))
    body = response.json()
    assert body["amount_owed"] is None and body["amount_recovered"] is None
    assert body["applicant_name"] == "李*"
    names = {p["role"]: p["name"] for p in body["parties"]}
    assert names == {"debtor": "张*明", "guarantor": "某某农业开发有限公司"}
    assert "620102199001011234" not in response.text
    assert _audit(engine, world.court.id) == []


def test_unmasked_reads_by_officers_are_audited_per_party(http, world, session, engine):
    case, debtor = factories.create_debtor_case(session, world.court, world.village_a)
    session.commit()
    officer = world.users[Role.OFFICER]
    one = http.get(f"/api/v1/cases/{case.id}", headers=world.headers(officer)).json()
    assert one["parties"][0]["id_number"] == "620102199001011234"
    assert one["parties"][0]["masked"] is False
    assert one["amount_owed"] == "50000.00"
    listed = http.get("/api/v1/cases", headers=world.headers(world.judge_user)).json()
    assert listed["items"][0]["parties"][0]["name"] == "张三明"
    assert _audit(engine, world.court.id) == [
        ("party.read_unmasked", officer.id, debtor.id),
        ("party.read_unmasked", world.judge_user.id, debtor.id),
    ]


def test_deputies_see_followed_cases_masked_with_amounts(http, world, session, engine):
    deputy = world.users[Role.DEPUTY]
    case, _ = factories.create_debtor_case(session, world.court, world.village_a)
    factories.follow_case(session, deputy, case)
    session.commit()
    body = http.get(f"/api/v1/cases/{case.id}", headers=world.headers(deputy)).json()
    assert body["amount_owed"] == "50000.00"
    assert body["parties"][0]["name"] == "张*明"
    assert _audit(engine, world.court.id) == []


def test_case_pages_walk_every_case_once(http, world, session):
    made = {factories.create_debtor_case(session, world.court, world.village_a)[0].id
            for _ in range(7)}
    session.commit()
    seen, cursor = [], ""
    while True:
        body = http.get(f"/api/v1/cases?limit=3{cursor}",
                        headers=world.headers(world.assistant)).json()
        seen += [item["id"] for item in body["items"]]
        if not body["next_cursor"]:
            break
        cursor = f"&cursor={body['next_cursor']}"
    assert sorted(seen) == sorted(made)
