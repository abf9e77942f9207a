"""No existence oracles: an id outside the caller's scope gets exactly the answer of an id
that names nothing, on the REST and both sync doors, and a reference a caller writes
(``case_id``, ``party_id``) must lie in their scope, not merely in their court.

The one answer that cannot be the same is a *create* with an id that is taken: a new id is
created, a taken one cannot be. Ids are random (UUIDs, or WatermelonDB's 16 characters),
so that answer tells nothing to whoever does not already hold the id."""

from __future__ import annotations

import uuid
from typing import Any

import sqlalchemy as sa

from tests import factories
from tests.api.helpers import bearer
from tests.api.test_one_write_path import _rest_create, _sync
from tests.api.test_watermelon import lead_raw, pull, push, wm_id
from tests.sync.helpers import settle


def _blank(value: Any, *ids: str) -> str:
    """What a caller learns from an answer, with the asked-for id and the request's own id
    blanked."""
    if isinstance(value, dict):
        value = {k: v for k, v in value.items() if k not in ("request_id", "instance")}
    text = repr(value)
    for record_id in ids:
        text = text.replace(record_id, "<id>")
    return text


def _version(engine: Any, table: str, record_id: str) -> tuple[int, Any]:
    with engine.connect() as conn:
        return conn.execute(sa.text(
            f"SELECT version, deleted_at FROM {table} WHERE id = :id"),
            {"id": record_id}).one()


def _feed_seq(engine: Any, record_id: str) -> int:
    with engine.connect() as conn:
        return conn.execute(sa.text("SELECT seq FROM sync_change WHERE record_id = :id"),
                            {"id": record_id}).scalar_one()


def _results(response: Any) -> Any:
    body = response.json()
    return body["experimentalRejectedIds"], body["counts"], body["results"]


def test_watermelon_delete_of_anothers_lead_is_answered_as_a_missing_one(
        http, world, login, session, engine):
    """The issue's case: deleting another assistant's lead answered 409 sync_pull_first
    (the court-wide change feed was read) where a missing id is ignored."""
    theirs = factories.create_lead(session, world.neighbour, world.village_a)
    session.commit()
    settle(engine)
    phone = login(world.assistant)
    t0 = pull(http, phone)["timestamp"]
    before = (_version(engine, "lead", theirs.id), _feed_seq(engine, theirs.id))
    # the other lead changes after this phone's pull: the old check saw it "move"
    edit = http.patch(f"/api/v1/leads/{theirs.id}", headers=world.headers(world.neighbour),
                      json={"description": "车换了位置"})
    settle(engine)
    assert edit.status_code in (200, 428), edit.text
    before = (_version(engine, "lead", theirs.id), _feed_seq(engine, theirs.id))

    outside = push(http, phone, t0, {"lead": {"deleted": [theirs.id]}})
    missing = push(http, phone, t0, {"lead": {"deleted": [wm_id()]}})
    assert outside.status_code == missing.status_code == 200, outside.text
    assert _results(outside) == _results(missing) == ({}, {
        "applied": 0, "merged": 0, "conflict": 0, "rejected": 0}, [])
    assert (_version(engine, "lead", theirs.id), _feed_seq(engine, theirs.id)) == before


def test_native_push_answers_an_out_of_scope_id_as_a_missing_one(http, world, login,
                                                                 session, engine):
    theirs = factories.create_lead(session, world.neighbour, world.village_a)
    session.commit()
    phone = login(world.assistant)
    nowhere = uuid.uuid4().hex[:16]
    for op, fields in (("update", {"description": "改一改"}), ("delete", {})):
        outside = _sync(http, phone, op, theirs.id, fields, base_version=1)
        missing = _sync(http, phone, op, nowhere, fields, base_version=1)
        assert (outside["status"], outside["code"], outside["detail"]) == (
            missing["status"], missing["code"], missing["detail"]) == (
            "rejected", "not_found", "no such record")
    assert _version(engine, "lead", theirs.id) == (1, None)


def test_rest_answers_an_out_of_scope_lead_as_a_missing_one(http, world, session):
    theirs = factories.create_lead(session, world.neighbour, world.village_a)
    session.commit()
    headers = world.headers(world.assistant, **{"If-Match": '"1"'})
    nowhere = str(uuid.uuid4())
    for method, body in (("GET", None), ("PATCH", {"description": "改"}), ("DELETE", None)):
        outside = http.request(method, f"/api/v1/leads/{theirs.id}", headers=headers,
                               json=body)
        missing = http.request(method, f"/api/v1/leads/{nowhere}", headers=headers,
                               json=body)
        assert outside.status_code == missing.status_code == 404, (method, outside.text)
        assert _blank(outside.json(), theirs.id) == _blank(missing.json(), nowhere)


def _other_grids_case(session: Any, world: Any) -> tuple[Any, Any]:
    """A case of the court whose debtor lives in grid B, outside the assistant's grid A."""
    return factories.create_debtor_case(session, world.court, world.village_b)


def test_a_lead_cannot_reference_a_case_outside_the_callers_grid(http, world, login,
                                                                session, engine):
    case, debtor = _other_grids_case(session, world)
    mine, _ = factories.create_debtor_case(session, world.court, world.village_a)
    session.commit()
    token = login(world.assistant)
    nowhere = str(uuid.uuid4())
    for field, outside_id in (("case_id", case.id), ("party_id", debtor.id)):
        body = {"kind": "vehicle", "description": "院里停着一辆新三轮"}
        outside = _rest_create(http, token, uuid.uuid4().hex[:16], {**body, field: outside_id})
        missing = _rest_create(http, token, uuid.uuid4().hex[:16], {**body, field: nowhere})
        assert outside.status_code == missing.status_code == 422, outside.text
        assert _blank(outside.json(), outside_id) == _blank(missing.json(), nowhere)
        pushed = _sync(http, token, "create", uuid.uuid4().hex[:16], {**body, field: outside_id})
        absent = _sync(http, token, "create", uuid.uuid4().hex[:16], {**body, field: nowhere})
        assert pushed["status"] == absent["status"] == "rejected"
        assert (pushed["code"], _blank(pushed["detail"], outside_id)) == (
            absent["code"], _blank(absent["detail"], nowhere))
    # a case of the caller's own grid is still fine, and the court links anything
    ok = _rest_create(http, token, uuid.uuid4().hex[:16],
                      {"kind": "vehicle", "description": "x", "case_id": mine.id})
    assert ok.status_code == 201, ok.text
    court = _rest_create(http, login(world.judge_user), uuid.uuid4().hex[:16],
                         {"kind": "vehicle", "description": "x", "case_id": case.id})
    assert court.status_code == 201, court.text


def test_an_edit_cannot_move_a_lead_to_a_case_outside_the_grid(http, world, login, session):
    case, _ = _other_grids_case(session, world)
    lead = factories.create_lead(session, world.assistant, world.village_a)
    session.commit()
    token = login(world.assistant)
    patched = http.patch(f"/api/v1/leads/{lead.id}",
                         headers={**bearer(token), "If-Match": '"1"'},
                         json={"case_id": case.id})
    assert patched.status_code == 422, patched.text
    pushed = _sync(http, token, "update", lead.id, {"case_id": case.id}, base_version=1)
    assert (pushed["status"], pushed["code"]) == ("rejected", "validation_failed")


def test_a_watermelon_lead_cannot_reference_a_case_outside_the_grid(http, world, login,
                                                                   session, engine):
    case, _ = _other_grids_case(session, world)
    session.commit()
    settle(engine)
    phone = login(world.assistant)
    t0 = pull(http, phone)["timestamp"]
    outside, missing = wm_id(), wm_id()
    answer = push(http, phone, t0, {"lead": {"created": [
        lead_raw(outside, case_id=case.id), lead_raw(missing, case_id=str(uuid.uuid4()))]}})
    assert answer.status_code == 200, answer.text
    assert sorted(answer.json()["experimentalRejectedIds"]["lead"]) == sorted(
        [outside, missing])
    codes = {r["id"]: r["code"] for r in answer.json()["results"]}
    assert codes[outside] == codes[missing] == "validation_failed"


def test_a_sighting_cannot_reference_a_case_outside_the_grid(http, world, session):
    case, _ = _other_grids_case(session, world)
    session.commit()
    body = {"seen_at": "2026-11-20T08:00:00Z", "notes": "在村口",
            "point": {"lon": 108.305, "lat": 35.405, "datum": "wgs84"}}
    nowhere = str(uuid.uuid4())
    outside = http.post("/api/v1/sightings", headers=world.headers(world.assistant),
                        json={**body, "case_id": case.id})
    missing = http.post("/api/v1/sightings", headers=world.headers(world.assistant),
                        json={**body, "case_id": nowhere})
    assert outside.status_code == missing.status_code == 422, outside.text
    assert _blank(outside.json(), case.id) == _blank(missing.json(), nowhere)
