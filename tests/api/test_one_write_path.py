"""A lead written through either door is the same write: a REST submit, edit or
withdrawal and a phone's push of the same input leave the same row, the same change-feed
entry, the same transitions and audit entries, or the same refusal (``leads.writes``)."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
import sqlalchemy as sa

from tests import factories
from tests.api.helpers import bearer

SAME = ("kind", "description", "debtor_text", "urgency", "case_id", "party_id", "status",
        "author_id", "township_id", "village_grid_id", "outside_grid",
        "nearest_grid_distance_m", "reported_lon", "reported_lat", "datum", "accuracy_m",
        "possible_duplicate_of_id", "observed_at", "version", "deleted_at_set")
POINT = {"lon": 108.3055, "lat": 35.4052, "datum": "gcj02", "accuracy_m": 8.0}
CREATES = {
    "minimal": {"kind": "vehicle", "description": "院里停着一辆新三轮"},
    "everything": {"kind": "real_estate", "description": "新盖了两层楼", "debtor_text": "张三明",
                   "urgency": "high", "observed_at": "2026-11-30T08:00:00+00:00",
                   "point": POINT},
    "outside every grid": {"kind": "other", "description": "在邻县看见",
                           "point": {"lon": 108.9, "lat": 35.9, "datum": "wgs84"}},
    "unset columns as null": {"kind": "vehicle", "description": "x", "urgency": None,
                              "debtor_text": None, "point": None, "observed_at": None},
}
REFUSED = {
    "unknown case": {"kind": "vehicle", "description": "x", "case_id": str(uuid.uuid4())},
    "no kind": {"description": "x"},
}


def _row(engine: Any, lead_id: str) -> dict[str, Any]:
    with engine.connect() as conn:
        row = conn.execute(sa.text(
            "SELECT *, deleted_at IS NOT NULL AS deleted_at_set FROM lead WHERE id = :id"),
            {"id": lead_id}).mappings().one()
        feed = conn.execute(sa.text(
            "SELECT op, version, author_id, village_grid_id FROM sync_change "
            "WHERE table_name = 'lead' AND record_id = :id"), {"id": lead_id}).mappings().one()
        steps = conn.execute(sa.text(
            "SELECT from_status, to_status FROM lead_transition WHERE lead_id = :id "
            "ORDER BY at"), {"id": lead_id}).all()
        audits = conn.execute(sa.text(
            "SELECT action, detail FROM audit_log WHERE subject_id = :id ORDER BY seq"),
            {"id": lead_id}).all()
    return {"row": {k: row[k] for k in SAME}, "feed": dict(feed), "steps": steps,
            "audits": audits}


def _sync(http: Any, token: dict[str, Any], op: str, record_id: str, fields: dict[str, Any],
          base_version: int | None = None, table: str = "lead") -> dict[str, Any]:
    """One mutation pushed from the phone ``token`` signed in with; its result."""
    answer = http.post("/api/v1/sync/push", headers=bearer(token), json={
        "device_id": token["device_id"], "schema_version": 3, "mutations": [{
            "mutation_id": uuid.uuid4().hex, "table": table, "op": op, "id": record_id,
            "base_version": base_version, "fields": fields}]})
    assert answer.status_code == 200, answer.text
    return answer.json()["results"][0]


def _rest_create(http: Any, token: dict[str, Any], lead_id: str,
                 body: dict[str, Any]) -> Any:
    return http.post("/api/v1/leads", headers=bearer(token),
                     json={**{k: v for k, v in body.items() if v is not None}, "id": lead_id})


@pytest.mark.parametrize("case", sorted(CREATES))
def test_a_lead_submitted_either_way_is_the_same_write(http, world, login, engine, case):
    token = login(world.assistant)
    body = CREATES[case]
    by_rest, by_push = uuid.uuid4().hex[:16], uuid.uuid4().hex[:16]
    made = _rest_create(http, token, by_rest, body)
    assert made.status_code == 201, made.text
    pushed = _sync(http, token, "create", by_push, body)
    assert pushed["status"] == "applied", pushed
    rest, push = _row(engine, by_rest), _row(engine, by_push)
    assert rest == push


@pytest.mark.parametrize("case", sorted(REFUSED))
def test_a_lead_refused_either_way_is_refused_alike(http, world, login, engine, case):
    token = login(world.assistant)
    by_rest, by_push = uuid.uuid4().hex[:16], uuid.uuid4().hex[:16]
    refused = _rest_create(http, token, by_rest, REFUSED[case])
    pushed = _sync(http, token, "create", by_push, REFUSED[case])
    assert refused.status_code == 422 and pushed["status"] == "rejected"
    assert refused.json()["code"] == pushed["code"]
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM lead WHERE id IN (:a, :b)"),
                            {"a": by_rest, "b": by_push}).scalar_one() == 0


def test_an_edit_and_a_withdrawal_either_way_are_the_same_write(http, world, login, engine,
                                                                 session):
    token = login(world.assistant)
    case, _ = factories.create_debtor_case(session, world.court, world.village_a)
    session.commit()
    ids = uuid.uuid4().hex[:16], uuid.uuid4().hex[:16]
    for lead_id in ids:
        assert _rest_create(http, token, lead_id, CREATES["minimal"]).status_code == 201
    change = {"description": "三轮车是蓝色的", "case_id": case.id, "point": POINT,
              "urgency": "low"}
    edited = http.patch(f"/api/v1/leads/{ids[0]}", json=change,
                        headers={**bearer(token), "If-Match": '"1"'})
    assert edited.status_code == 200, edited.text
    assert _sync(http, token, "update", ids[1], change, base_version=1)["status"] == "applied"
    assert _row(engine, ids[0]) == _row(engine, ids[1])
    gone = http.delete(f"/api/v1/leads/{ids[0]}", headers={**bearer(token), "If-Match": '"2"'})
    assert gone.status_code == 204, gone.text
    assert _sync(http, token, "delete", ids[1], {}, base_version=2)["status"] == "applied"
    rest, push = _row(engine, ids[0]), _row(engine, ids[1])
    assert rest["row"]["deleted_at_set"] and rest == push
    assert [action for action, _ in rest["audits"]] == ["lead.withdraw"]


SIGHTING_SAME = ("debtor_text", "seen_at", "vehicle_plate", "companions", "confidence",
                 "urgent", "notes", "case_id", "party_id", "author_id", "township_id",
                 "village_grid_id", "outside_grid", "reported_lon", "reported_lat", "datum",
                 "version", "deleted_at_set")


def _sighting(engine: Any, sighting_id: str) -> dict[str, Any]:
    with engine.connect() as conn:
        row = conn.execute(sa.text(
            "SELECT *, deleted_at IS NOT NULL AS deleted_at_set FROM sighting WHERE id = :id"),
            {"id": sighting_id}).mappings().one()
        audits = conn.execute(sa.text(
            "SELECT action, detail FROM audit_log WHERE subject_id = :id ORDER BY seq"),
            {"id": sighting_id}).all()
    return {"row": {k: row[k] for k in SIGHTING_SAME}, "audits": audits}


def test_a_sighting_reported_and_withdrawn_either_way_is_the_same_write(http, world, login,
                                                                        engine):
    """A push's withdrawal used to skip the REST rules: no audit entry, no 24-hour window."""
    token = login(world.assistant)
    body = {"seen_at": "2026-12-01T07:30:00+00:00", "confidence": 4, "urgent": True,
            "notes": "在村口小卖部", "vehicle_plate": "甘M12345", "point": POINT}
    by_rest, by_push = str(uuid.uuid4()), str(uuid.uuid4())
    made = http.post("/api/v1/sightings", headers=bearer(token), json={**body, "id": by_rest})
    assert made.status_code == 201, made.text
    pushed = _sync(http, token, "create", by_push, body, table="sighting")
    assert pushed["status"] == "applied", pushed
    assert _sighting(engine, by_rest) == _sighting(engine, by_push)
    gone = http.delete(f"/api/v1/sightings/{by_rest}", headers=bearer(token))
    assert gone.status_code == 204, gone.text
    withdrawn = _sync(http, token, "delete", by_push, {}, base_version=1, table="sighting")
    assert withdrawn["status"] == "applied", withdrawn
    rest, push = _sighting(engine, by_rest), _sighting(engine, by_push)
    assert rest["row"]["deleted_at_set"] and rest == push
    assert [action for action, _ in push["audits"]] == ["sighting.withdraw"]


def test_a_mediation_note_recorded_and_withdrawn_either_way_is_the_same_write(
        http, world, login, engine, session):
    """A push's withdrawal of a note used to leave no audit entry; the REST one does."""
    case, _ = factories.create_debtor_case(session, world.court, world.village_a,
                                           village_grid_id=world.village_a.id)
    session.commit()
    token = login(world.assistant)
    body = {"case_id": case.id, "held_at": "2026-12-01T09:00:00+00:00", "place": "村委会",
            "present": ["张三明", "李四"], "applicant_statement": "要求一次付清",
            "debtor_statement": "分三期", "outcome": "continue",
            "next_visit_on": "2026-12-15"}
    by_rest, by_push = str(uuid.uuid4()), str(uuid.uuid4())
    made = http.post("/api/v1/mediation-notes", headers=bearer(token),
                     json={**body, "id": by_rest})
    assert made.status_code == 201, made.text
    pushed = _sync(http, token, "create", by_push, body, table="mediation_note")
    assert pushed["status"] == "applied", pushed
    columns = ("case_id", "held_at", "place", "present", "applicant_statement",
               "debtor_statement", "outcome", "next_visit_on", "author_id", "version",
               "proposal", "deleted_at IS NOT NULL AS gone")

    def note(note_id: str) -> Any:
        with engine.connect() as conn:
            row = conn.execute(sa.text(f"SELECT {', '.join(columns)} FROM mediation_note "
                                       "WHERE id = :id"), {"id": note_id}).one()
            audits = conn.execute(sa.text("SELECT action FROM audit_log WHERE subject_id = :id"),
                                  {"id": note_id}).scalars().all()
        return tuple(row), audits

    assert note(by_rest) == note(by_push)
    assert http.delete(f"/api/v1/mediation-notes/{by_rest}",
                       headers=bearer(token)).status_code == 204
    withdrawn = _sync(http, token, "delete", by_push, {}, base_version=1,
                      table="mediation_note")
    assert withdrawn["status"] == "applied", withdrawn
    assert note(by_rest) == note(by_push)
    assert note(by_push)[1] == ["mediation.withdraw"]


def test_an_answer_given_and_corrected_either_way_is_the_same_write(http, world, login,
                                                                    engine, session):
    """A pushed correction used to change an answer after its task was closed; like the
    REST one it is now refused with task_not_open."""
    task = factories.create_task(session, world.judge_user, world.village_a)
    session.commit()
    token = login(world.assistant)
    body = {"result": "done", "answer": "人在家", "answered_at": "2026-12-01T10:00:00+00:00",
            "point": POINT}
    by_rest, by_push = str(uuid.uuid4()), str(uuid.uuid4())
    made = http.post(f"/api/v1/tasks/{task.id}/answers", headers=bearer(token),
                     json={**body, "id": by_rest})
    assert made.status_code == 201, made.text
    pushed = _sync(http, token, "create", by_push, {**body, "task_id": task.id},
                   table="task_answer")
    assert pushed["status"] == "applied", pushed
    columns = "task_id, result, answer, answered_at, author_id, village_grid_id, version"

    def answer(answer_id: str) -> Any:
        with engine.connect() as conn:
            return tuple(conn.execute(sa.text(f"SELECT {columns} FROM task_answer "
                                              "WHERE id = :id"), {"id": answer_id}).one())

    assert answer(by_rest) == answer(by_push)
    closed = http.post(f"/api/v1/tasks/{task.id}/transitions", json={
        "to": "closed", "reason": "人已找到"}, headers=bearer(login(world.judge_user)))
    assert closed.status_code == 201, closed.text
    late = http.patch(f"/api/v1/tasks/{task.id}/answers/{by_rest}", json={"answer": "不在家"},
                      headers={**bearer(token), "If-Match": '"1"'})
    late_push = _sync(http, token, "update", by_push, {"answer": "不在家"}, base_version=1,
                      table="task_answer")
    assert late.status_code == 409 and late.json()["code"] == "task_not_open"
    assert (late_push["status"], late_push["code"]) == ("rejected", "task_not_open")
    assert answer(by_rest) == answer(by_push)
