"""DELETE: authors take back what they reported while no one has acted on it. The row is
kept (soft delete), leaves every list, is audited, and phones receive it as deleted."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from enforcement.models import AuditEntry, Lead, MediationOutcome, Role, Sighting, utcnow
from tests import factories
from tests.api.helpers import assert_problem, bearer
from tests.sync.helpers import settle


def _audited(session, court_id, action):
    return session.scalars(sa.select(AuditEntry.subject_id).where(
        AuditEntry.court_id == court_id, AuditEntry.action == action)).all()


def test_an_assistant_withdraws_a_new_lead_and_phones_see_the_tombstone(
        http, world, session, login, engine):
    phone = login(world.assistant)
    created = http.post("/api/v1/leads", headers=bearer(phone), json={
        "kind": "vehicle", "description": "院里有辆新车"}).json()
    headers = bearer(phone)
    assert http.delete(f"/api/v1/leads/{created['id']}", headers=headers).status_code == 204

    assert http.get(f"/api/v1/leads/{created['id']}", headers=headers).status_code == 404
    assert http.get("/api/v1/leads", headers=headers).json()["items"] == []
    assert_problem(http.delete(f"/api/v1/leads/{created['id']}", headers=headers),
                   404, "lead_not_found")
    session.expire_all()
    kept = session.get(Lead, (world.court.id, created["id"]))
    assert kept.deleted_at is not None and kept.description == "院里有辆新车"
    assert _audited(session, world.court.id, "lead.withdraw") == [created["id"]]
    settle(engine)
    pulled = http.get("/api/v1/sync/pull", headers=headers).json()
    assert created["id"] in pulled["changes"]["lead"]["deletes"]


def test_a_lead_the_court_started_on_cannot_be_withdrawn(http, world, session):
    lead = factories.create_lead(session, world.assistant, world.village_a,
                                 status="under_review")
    session.commit()
    problem = assert_problem(http.delete(f"/api/v1/leads/{lead.id}",
                                         headers=world.headers(world.assistant)),
                             409, "lead_not_withdrawable")
    assert problem["current_status"] == "under_review"
    listed = http.get("/api/v1/leads", headers=world.headers(world.assistant)).json()
    assert [item["id"] for item in listed["items"]] == [lead.id]


def test_a_stale_if_match_keeps_the_lead(http, world, session):
    lead = factories.create_lead(session, world.assistant, world.village_a, version=3)
    session.commit()
    headers = world.headers(world.assistant, **{"If-Match": '"2"'})
    assert_problem(http.delete(f"/api/v1/leads/{lead.id}", headers=headers),
                   412, "precondition_failed")
    headers["If-Match"] = '"3"'
    assert http.delete(f"/api/v1/leads/{lead.id}", headers=headers).status_code == 204


def test_sightings_can_be_withdrawn_within_a_day_of_reporting(http, world, session):
    fresh = factories.create_sighting(session, world.assistant, world.village_a, urgent=True)
    old = factories.create_sighting(session, world.assistant, world.village_a,
                                    created_at=utcnow() - timedelta(hours=25))
    session.commit()
    headers = world.headers(world.assistant)
    officer = world.headers(world.users[Role.OFFICER])
    feed = http.get("/api/v1/feed", headers=officer).json()
    assert [item["id"] for item in feed["items"]] == [fresh.id]

    assert http.delete(f"/api/v1/sightings/{fresh.id}", headers=headers).status_code == 204
    assert_problem(http.delete(f"/api/v1/sightings/{old.id}", headers=headers),
                   409, "sighting_not_withdrawable")
    assert http.get("/api/v1/feed", headers=officer).json()["items"] == []
    listed = http.get("/api/v1/sightings", headers=headers).json()
    assert [item["id"] for item in listed["items"]] == [old.id]
    session.expire_all()
    assert session.get(Sighting, (world.court.id, fresh.id)).deleted_at is not None
    assert _audited(session, world.court.id, "sighting.withdraw") == [fresh.id]


def test_a_note_can_be_withdrawn_until_it_is_agreed(http, world, session):
    case, _ = factories.create_debtor_case(session, world.court, world.village_a)
    ongoing = factories.create_mediation_note(session, world.assistant, case)
    agreed = factories.create_mediation_note(session, world.assistant, case,
                                             outcome=MediationOutcome.AGREED)
    session.commit()
    headers = world.headers(world.assistant)
    assert_problem(http.delete(f"/api/v1/mediation-notes/{agreed.id}", headers=headers),
                   409, "mediation_note_settled")
    assert http.delete(f"/api/v1/mediation-notes/{ongoing.id}",
                       headers=headers).status_code == 204
    listed = http.get("/api/v1/mediation-notes", headers=world.headers(world.judge_user))
    assert [item["id"] for item in listed.json()["items"]] == [agreed.id]
    assert _audited(session, world.court.id, "mediation.withdraw") == [ongoing.id]


def test_refusals_have_titles_in_both_languages(http, world, session):
    lead = factories.create_lead(session, world.assistant, world.village_a, status="accepted")
    session.commit()
    url = f"/api/v1/leads/{lead.id}"
    zh = http.delete(url, headers=world.headers(world.assistant, **{"Accept-Language": "zh-CN"}))
    en = http.delete(url, headers=world.headers(world.assistant, **{"Accept-Language": "en"}))
    assert zh.json()["title"] == "法院已开始处理该线索，不能再撤回"
    assert en.json()["title"] == "The court is working on the lead; it can no longer be withdrawn"
