"""The terminated-case library (终本库): candidates to resume, and resuming one."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import sqlalchemy as sa

from enforcement.models import AuditEntry, CaseEvent, CaseStatus, EnforcementCase, Role
from tests import factories
from tests.api.helpers import assert_problem

TERMINATED_AT = datetime(2025, 6, 10, 3, 0, tzinfo=UTC)


def _terminated(session, world, village, **overrides):
    case, debtor = factories.create_debtor_case(
        session, world.court, village, status=CaseStatus.TERMINATED,
        terminated_on=date(2025, 6, 10), township_id=village.township_id,
        village_grid_id=village.id, **overrides)
    factories.create_case_event(session, case, "terminated", "terminated",
                                from_status="in_progress", at=TERMINATED_AT)
    return case, debtor


def _after(days):
    return TERMINATED_AT + timedelta(days=days)


def test_candidates_are_terminated_cases_with_news_since(http, world, session):
    a = world.assistant
    by_lead, _ = _terminated(session, world, world.village_a)
    old = factories.create_lead(session, a, world.village_a, case_id=by_lead.id,
                                created_at=_after(3))
    newest = factories.create_lead(session, a, world.village_a, case_id=by_lead.id,
                                   created_at=_after(9), description="他回村了")
    by_sighting, debtor = _terminated(session, world, world.village_b)
    factories.create_sighting(session, world.assistant_b, world.village_b, party_id=debtor.id,
                              seen_at=_after(1))
    quiet, _ = _terminated(session, world, world.village_a)
    factories.create_lead(session, a, world.village_a, case_id=quiet.id, created_at=_after(-5))
    gone = factories.create_lead(session, a, world.village_a, case_id=quiet.id,
                                 created_at=_after(5))
    gone.deleted_at = _after(6)
    active, _ = factories.create_debtor_case(session, world.court, world.village_a,
                                             status=CaseStatus.IN_PROGRESS,
                                             township_id=world.township.id)
    factories.create_lead(session, a, world.village_a, case_id=active.id, created_at=_after(2))
    other_case, _ = factories.create_debtor_case(session, world.other_court,
                                                 status=CaseStatus.TERMINATED,
                                                 terminated_on=date(2025, 6, 1))
    factories.create_lead(session, world.stranger, world.other_village, case_id=other_case.id,
                          created_at=_after(2))
    session.commit()

    response = http.get("/api/v1/reports/resume-candidates",
                        headers=world.headers(world.judge_user))
    assert response.status_code == 200, response.text
    [township] = response.json()["items"]
    assert township["township_id"] == world.township.id and township["township_name"] == "山河镇"
    cases = {c["case_id"]: c for c in township["cases"]}
    assert set(cases) == {by_lead.id, by_sighting.id}
    assert (cases[by_lead.id]["new_leads"], cases[by_lead.id]["new_sightings"]) == (2, 0)
    assert cases[by_lead.id]["newest_lead"]["id"] == newest.id != old.id
    assert cases[by_lead.id]["newest_lead"]["description"] == "他回村了"
    assert (cases[by_sighting.id]["new_leads"], cases[by_sighting.id]["new_sightings"]) == (0, 1)
    assert cases[by_sighting.id]["newest_lead"] is None

    other = factories.create_township(session, world.court, name="永和镇")
    session.commit()
    filtered = http.get("/api/v1/reports/resume-candidates", params={"township_id": other.id},
                        headers=world.headers(world.users[Role.OFFICER]))
    assert filtered.json() == {"items": []}
    for role in (Role.GRID_ASSISTANT, Role.DEPUTY, Role.MEDIATOR, Role.ADMIN):
        assert_problem(http.get("/api/v1/reports/resume-candidates",
                                headers=world.headers(world.users[role])), 403, "forbidden")
    assert_problem(http.get("/api/v1/reports/resume-candidates",
                            params={"township_id": "not an id"},
                            headers=world.headers(world.judge_user)), 422, "validation_failed")


def test_without_an_event_the_termination_day_counts(http, world, session):
    case, _ = factories.create_debtor_case(
        session, world.court, world.village_a, status=CaseStatus.TERMINATED,
        terminated_on=date(2025, 6, 10), township_id=world.township.id)
    # 23:00 in Shanghai on the day of termination: not after it.
    factories.create_lead(session, world.assistant, world.village_a, case_id=case.id,
                          created_at=datetime(2025, 6, 10, 15, 0, tzinfo=UTC))
    session.commit()
    judge = world.headers(world.judge_user)
    assert http.get("/api/v1/reports/resume-candidates", headers=judge).json()["items"] == []
    factories.create_lead(session, world.assistant, world.village_a, case_id=case.id,
                          created_at=datetime(2025, 6, 10, 16, 30, tzinfo=UTC))
    session.commit()
    [township] = http.get("/api/v1/reports/resume-candidates", headers=judge).json()["items"]
    assert [c["new_leads"] for c in township["cases"]] == [1]


def test_resuming_is_a_recorded_transition(http, world, session, engine):
    case, _ = _terminated(session, world, world.village_a)
    factories.create_lead(session, world.assistant, world.village_a, case_id=case.id,
                          created_at=_after(2))
    other_case, _ = factories.create_debtor_case(session, world.other_court,
                                                 status=CaseStatus.TERMINATED)
    session.commit()
    url = f"/api/v1/cases/{case.id}/resume"
    for role in (Role.OFFICER, Role.GRID_ASSISTANT, Role.DEPUTY, Role.ADMIN):
        assert_problem(http.post(url, json={}, headers=world.headers(world.users[role])),
                       403, "forbidden")
    judge = world.headers(world.judge_user)
    assert_problem(http.post(f"/api/v1/cases/{other_case.id}/resume", json={}, headers=judge),
                   404, "case_not_found")
    assert_problem(http.post(url, json={"reason": "x" * 501}, headers=judge), 422,
                   "validation_failed")

    response = http.post(url, json={"reason": "协执员发现被执行人新购车辆"}, headers=judge)
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["status"], body["case_id"]) == ("resumed", case.id)
    assert_problem(http.post(url, json={}, headers=judge), 409, "case_not_terminated")

    with engine.connect() as conn:
        status = conn.execute(sa.select(EnforcementCase.status).where(
            EnforcementCase.id == case.id)).scalar_one()
        event = conn.execute(sa.select(CaseEvent).where(
            CaseEvent.case_id == case.id, CaseEvent.kind == "resumed")).one()
        audit = conn.execute(sa.select(AuditEntry.detail).where(
            AuditEntry.action == "case.resume", AuditEntry.subject_id == case.id)).scalar_one()
    assert status == "resumed"
    assert (event.from_status, event.to_status, event.actor_id, event.reason) == (
        "terminated", "resumed", world.judge_user.id, "协执员发现被执行人新购车辆")
    assert audit["reason"] == "协执员发现被执行人新购车辆"
    assert http.get("/api/v1/reports/resume-candidates", headers=judge).json()["items"] == []
    assert http.get(f"/api/v1/cases/{case.id}", headers=judge).json()["status"] == "resumed"
