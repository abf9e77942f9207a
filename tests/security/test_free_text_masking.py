"""One masking rule, free text included: a party's name, an identity number or a mobile
number written into a task title, a linkage request's details, a sighting's notes or a
mediation note's statements reaches the roles that see parties masked masked, through
REST and both sync pulls alike; roles that see it unmasked leave an audit entry."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from enforcement.infrastructure.audit import verify_chain
from enforcement.models import AuditEntry, Role
from tests import factories
from tests.api.helpers import bearer
from tests.api.test_watermelon import pull as watermelon_pull
from tests.sync.helpers import settle

DEBTOR = "白巧慧"
ID_NUMBER = "11010519491231002X"  # a valid GB 11643 check digit, no party's
MOBILE = "13987654321"


def _native_pull(http: Any, tokens: dict[str, Any], table: str) -> dict[str, dict[str, Any]]:
    records: dict[str, dict[str, Any]] = {}
    cursor, more = None, True
    while more:
        page = http.get("/api/v1/sync/pull", headers=bearer(tokens),
                        params={"cursor": cursor} if cursor else {})
        assert page.status_code == 200, page.text
        body = page.json()
        records.update({r["id"]: r for r in body["changes"].get(table, {}).get("upserts", [])})
        cursor, more = body["next_cursor"], body["has_more"]
    return records


def _watermelon(http: Any, tokens: dict[str, Any], table: str) -> dict[str, dict[str, Any]]:
    changes = watermelon_pull(http, tokens)["changes"].get(table, {})
    return {r["id"]: r for kind in ("created", "updated") for r in changes.get(kind, [])}


def _free_text_audits(engine: Any, court_id: str, table: str) -> list[tuple[str, str]]:
    with engine.connect() as conn:
        rows = conn.execute(sa.select(AuditEntry.actor_id, AuditEntry.subject_id,
                                      AuditEntry.detail).where(
            AuditEntry.court_id == court_id, AuditEntry.action == "party.read_unmasked",
            AuditEntry.subject_table == table)).all()
    return [(actor, subject) for actor, subject, detail in rows
            if detail.get("via") == "free_text"]


def test_a_task_title_naming_the_debtor_reaches_an_assistant_masked(http, world, login,
                                                                    session, engine):
    """The issue's scenario: "查找被执行人白巧慧下落" on the wanted list shows 白*慧."""
    case, debtor = factories.create_debtor_case(session, world.court, world.village_a)
    debtor.name = DEBTOR
    task = factories.create_task(
        session, world.judge_user, world.village_a, case_id=case.id,
        title=f"查找被执行人{DEBTOR}下落",
        body=f"据说在县城打工，身份证{ID_NUMBER}，电话{MOBILE}，原号码{debtor.phone}")
    session.commit()
    settle(engine)
    phone = login(world.assistant)
    masked_title = "查找被执行人白*慧下落"

    rest = http.get(f"/api/v1/tasks/{task.id}", headers=bearer(phone)).json()
    listed = http.get("/api/v1/tasks", headers=bearer(phone)).json()["items"]
    native = _native_pull(http, phone, "task")[task.id]
    melon = _watermelon(http, phone, "task")[task.id]
    for shown in (rest, listed[0], native, melon):
        assert shown["title"] == masked_title
        assert DEBTOR not in shown["body"] and ID_NUMBER not in shown["body"]
        assert MOBILE not in shown["body"] and debtor.phone not in shown["body"]
        assert "1101**********002X" in shown["body"] and "139****4321" in shown["body"]
    # the stored task is untouched, and the court reads it whole, audited
    judge = http.get(f"/api/v1/tasks/{task.id}", headers=world.headers(world.judge_user))
    assert judge.json()["title"] == task.title
    assert _free_text_audits(engine, world.court.id, "task") == [(world.judge_user.id,
                                                                  task.id)]
    assert verify_chain(session, world.court).ok


def test_a_linkage_detail_with_an_id_number_reaches_a_liaison_masked(http, world, session,
                                                                     engine):
    case, debtor = factories.create_debtor_case(session, world.court, world.village_a)
    unit = factories.create_linkage_unit(session, world.court)
    liaison = factories.create_user(session, world.court, Role.LIAISON_UNIT,
                                    linkage_unit_id=unit.id)
    details = f"请查找{debtor.name}（身份证{ID_NUMBER}，登记号{debtor.id_number}）的下落"
    request = factories.create_linkage_request(session, unit, case, world.judge_user,
                                               details=details)
    session.commit()

    one = http.get(f"/api/v1/linkage/requests/{request.id}",
                   headers=world.headers(liaison)).json()
    listed = http.get("/api/v1/linkage/requests", headers=world.headers(liaison)).json()
    for shown in (one["details"], listed["items"][0]["details"]):
        assert ID_NUMBER not in shown and debtor.id_number not in shown
        assert debtor.name not in shown and "张*明" in shown
        assert "1101**********002X" in shown
    answered = http.post(f"/api/v1/linkage/requests/{request.id}/answer",
                         headers=world.headers(liaison),
                         json={"result": "done", "answer": "已找到"})
    assert answered.status_code == 200, answered.text
    assert ID_NUMBER not in answered.json()["details"]

    court = http.get(f"/api/v1/linkage/requests/{request.id}",
                     headers=world.headers(world.judge_user)).json()
    assert court["details"] == details
    assert (world.judge_user.id, request.id) in _free_text_audits(
        engine, world.court.id, "linkage_request")


def test_a_neighbours_sighting_notes_reach_an_assistant_masked(http, world, login, session,
                                                               engine):
    case, debtor = factories.create_debtor_case(session, world.court, world.village_a)
    notes = f"看见{debtor.name}在村口，手机{MOBILE}"
    theirs = factories.create_sighting(session, world.neighbour, world.village_a,
                                       case_id=case.id, notes=notes)
    mine = factories.create_sighting(session, world.assistant, world.village_a,
                                     case_id=case.id, notes=notes)
    session.commit()
    settle(engine)
    phone = login(world.assistant)
    rest = {s["id"]: s for s in http.get("/api/v1/sightings",
                                         headers=bearer(phone)).json()["items"]}
    one = http.get(f"/api/v1/sightings/{theirs.id}", headers=bearer(phone)).json()
    native = _native_pull(http, phone, "sighting")
    melon = _watermelon(http, phone, "sighting")
    for shown in (rest[theirs.id], one, native[theirs.id], melon[theirs.id]):
        assert shown["notes"] == "看见张*明在村口，手机139****4321"
    # the author's own words come back as written: the phone holds them and must keep them
    for shown in (rest[mine.id], native[mine.id], melon[mine.id]):
        assert shown["notes"] == notes


def test_a_mediation_statement_reaches_a_deputy_masked(http, world, session):
    case, debtor = factories.create_debtor_case(session, world.court, world.village_a)
    deputy = world.users[Role.DEPUTY]
    factories.follow_case(session, deputy, case)
    mediator = world.users[Role.MEDIATOR]
    factories.assign_mediator(session, mediator, case)
    note = factories.create_mediation_note(
        session, mediator, case, debtor_statement=f"{debtor.name}同意分期，电话{MOBILE}",
        applicant_statement=f"{case.applicant_name}要求先还一半")
    session.commit()
    shown = http.get(f"/api/v1/mediation-notes/{note.id}",
                     headers=world.headers(deputy)).json()
    assert shown["debtor_statement"] == "张*明同意分期，电话139****4321"
    assert shown["applicant_statement"] == "李*要求先还一半"
    whole = http.get(f"/api/v1/mediation-notes/{note.id}",
                     headers=world.headers(mediator)).json()
    assert whole["debtor_statement"] == note.debtor_statement


def test_lead_descriptions_stay_whole_for_their_author_and_the_court_audited(
        http, world, login, session, engine):
    """Assistants read only their own leads: their words come back as written. The court
    reads every lead whole, and a description naming the linked debtor is audited, through
    REST and pulls alike."""
    case, debtor = factories.create_debtor_case(session, world.court, world.village_a)
    description = f"{debtor.name}的三轮车停在院里，身份证{ID_NUMBER}"
    lead = factories.create_lead(session, world.assistant, world.village_a, case_id=case.id,
                                 description=description)
    plain = factories.create_lead(session, world.assistant, world.village_a)
    session.commit()
    settle(engine)
    phone = login(world.assistant)
    assert _native_pull(http, phone, "lead")[lead.id]["description"] == description
    assert _watermelon(http, phone, "lead")[lead.id]["description"] == description
    assert _free_text_audits(engine, world.court.id, "lead") == []

    bench = login(world.judge_user)
    assert http.get(f"/api/v1/leads/{lead.id}",
                    headers=bearer(bench)).json()["description"] == description
    assert _native_pull(http, bench, "lead")[lead.id]["description"] == description
    assert _watermelon(http, bench, "lead")[lead.id]["description"] == description
    audits = _free_text_audits(engine, world.court.id, "lead")
    assert audits == [(world.judge_user.id, lead.id)] * 3 and plain.id not in str(audits)
    assert verify_chain(session, world.court).ok
