"""A WatermelonDB phone that writes a column the court keeps (a lead's ``status``, a
record's ``author_id``, ``amount_recovered`` …) has the record refused whole, by name, and
kept unsynced on the phone and listed among the refusals: never a 500, never the rest
applied behind the phone's back (``synchronize()`` reads nothing but the refused ids)."""

from __future__ import annotations

import time
from typing import Any

import pytest
import sqlalchemy as sa

from tests import factories
from tests.api.helpers import bearer
from tests.api.test_watermelon import lead_raw, pull, push, wm_id
from tests.sync.helpers import settle

SERVER_COLUMNS = [("status", "accepted"), ("author_id", None), ("amount_recovered", 5000),
                  ("village_grid_id", None), ("triaged_at", 1764000000000)]


def _stored(engine: Any, table: str, record_id: str) -> Any:
    with engine.connect() as conn:
        return conn.execute(sa.text(f"SELECT * FROM {table} WHERE id = :id"),
                            {"id": record_id}).first()


def _refusals(http: Any, tokens: dict[str, Any]) -> dict[str, str]:
    listed = http.get("/api/v1/sync/rejections", headers=bearer(tokens)).json()
    return {r["record_id"]: r["code"] for r in listed}


@pytest.mark.parametrize(("column", "value"), SERVER_COLUMNS)
def test_a_create_carrying_a_server_column_is_refused_whole(http, world, login, engine,
                                                           column, value):
    phone = login(world.assistant)
    t0 = pull(http, phone)["timestamp"]
    value = value if value is not None else (
        world.judge_user.id if column == "author_id" else world.village_b.id)
    refused, fine = wm_id(), wm_id()
    answer = push(http, phone, t0, {"lead": {"created": [
        lead_raw(refused, **{column: value}), lead_raw(fine)]}})
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["experimentalRejectedIds"] == {"lead": [refused]}
    [result] = [r for r in body["results"] if r["id"] == refused]
    assert result["code"] == "field_server_owned" and column in result["detail"]
    assert _stored(engine, "lead", refused) is None
    assert _stored(engine, "lead", fine) is not None
    assert _refusals(http, phone) == {refused: "field_server_owned"}


def test_an_update_of_a_server_column_is_refused_whole(http, world, login, engine):
    phone = login(world.assistant)
    t0 = pull(http, phone)["timestamp"]
    lead_id = wm_id()
    assert push(http, phone, t0, {"lead": {"created": [lead_raw(lead_id)]}}).status_code == 200
    settle(engine)
    t1 = pull(http, phone, t0)["timestamp"]
    answer = push(http, phone, t1, {"lead": {"updated": [lead_raw(
        lead_id, _status="updated", _changed="description,amount_recovered",
        description="车已经开走了", amount_recovered=99999)]}})
    assert answer.status_code == 200, answer.text
    assert answer.json()["experimentalRejectedIds"] == {"lead": [lead_id]}
    stored = _stored(engine, "lead", lead_id)
    assert stored.description == "院里停着一辆新三轮" and stored.version == 1
    assert _refusals(http, phone) == {lead_id: "field_server_owned"}


def test_other_tables_refuse_their_server_columns_too(http, world, login, session, engine):
    case, _ = factories.create_debtor_case(session, world.court, world.village_a)
    task = factories.create_task(session, world.judge_user, world.village_a)
    session.commit()
    settle(engine)
    phone = login(world.assistant)
    t0 = pull(http, phone)["timestamp"]
    stranger_id = world.judge_user.id
    sighting, note, answer_id = wm_id(), wm_id(), wm_id()
    answer = push(http, phone, t0, {
        "sighting": {"created": [{"id": sighting, "seen_at": 1764000000000, "notes": "见到了",
                                  "lon": 108.305, "lat": 35.405, "datum": "wgs84",
                                  "author_id": stranger_id}]},
        "mediation_note": {"created": [{"id": note, "held_at": 1764000000000,
                                        "case_id": case.id, "outcome": "continue",
                                        "author_id": stranger_id}]},
        "task_answer": {"created": [{"id": answer_id, "task_id": task.id, "result": "info",
                                     "answered_at": 1764000000000,
                                     "author_id": stranger_id}]},
    })
    assert answer.status_code == 200, answer.text
    assert answer.json()["experimentalRejectedIds"] == {
        "sighting": [sighting], "mediation_note": [note], "task_answer": [answer_id]}
    assert set(_refusals(http, phone).values()) == {"field_server_owned"}


def test_a_create_as_watermelondb_sends_it_still_applies(http, world, login, engine):
    """WatermelonDB sends every column: ``''`` in a non-optional text column the app never
    set, and its own ``created_at`` / ``updated_at``. Those are not writes."""
    phone = login(world.assistant)
    t0 = pull(http, phone)["timestamp"]
    lead_id = wm_id()
    now = int(time.time() * 1000)
    answer = push(http, phone, t0, {"lead": {"created": [lead_raw(
        lead_id, status="", author_id="", created_at=now, updated_at=now,
        amount_recovered=None)]}})
    assert answer.status_code == 200, answer.text
    assert answer.json()["experimentalRejectedIds"] == {}
    assert _stored(engine, "lead", lead_id).author_id == world.assistant.id
