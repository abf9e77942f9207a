"""What a WatermelonDB app sends, column by column: every table and every column of the
app schema (``/sync/watermelon/schema``), as a real app fills them (the app's values,
``null`` for what it never set, ``''`` and ``0`` where a column is not optional) and as a
broken one does (wrong types, unknown columns, times out of range). Never a 500, never a
partial write; a record refused whole is answered in ``experimentalRejectedIds`` and listed
for its author."""

from __future__ import annotations

import random
import string
import time
from typing import Any

import sqlalchemy as sa
from hypothesis import given, settings
from hypothesis import strategies as st

from enforcement.syncing import watermelon as syncing_watermelon
from enforcement.syncing.registry import REGISTRY
from sync.merge import Owner
from tests.api.helpers import bearer
from tests.api.test_lead_fuzz import FUZZ, _no_server_error
from tests.sync.conftest import settle

SCHEMA = syncing_watermelon.app_schema(None)
TABLES = {table["name"]: table["columns"] for table in SCHEMA["tables"]}
ODD = st.sampled_from([None, "", 0, -1, 2**53, 1e308, -0.0, True, False, "0", "null",
                       "\x00", "ü" * 300, "2026-13-45T25:61:00Z", [], {}, [1, "a"],
                       {"lon": 1}])


def _typed(column: dict[str, Any]) -> st.SearchStrategy[Any]:
    """Values of the column's own type, as an app would store them."""
    kind = column["type"]
    if kind == "number":
        return st.one_of(st.integers(-10**13, 10**13), st.floats(allow_nan=False,
                                                                 allow_infinity=False))
    if kind == "boolean":
        return st.booleans()
    return st.text(max_size=40)


VALID = {"lead": {"kind": "vehicle"}, "sighting": {"seen_at": int(time.time() * 1000)}}
"""What makes a record of these tables acceptable, so that the random rest also reaches
the writes, not only the refusals."""
FREE_TEXT = {"lead": ("description", "debtor_text"),
             "sighting": ("notes", "debtor_text", "vehicle_plate", "companions")}


def _server_owned(table: str) -> set[str]:
    owners = REGISTRY.specs[table].owners(SCHEMA["version"])
    return {name for name, owner in owners.items() if owner is Owner.SERVER}


def _record(table: str) -> st.SearchStrategy[dict[str, Any]]:
    """A hostile record (any column, any value), or a plausible one: what the table needs,
    free text, and the server's columns echoed or changed (refused per field)."""
    columns = {c["name"]: st.one_of(_typed(c), ODD) for c in TABLES[table]}
    columns["_surprise"] = st.one_of(st.text(max_size=8), ODD)  # the app's own column
    hostile = st.fixed_dictionaries({}, optional=columns)
    if table not in VALID:
        return hostile
    loose = {c["name"]: st.one_of(st.none(), _typed(c)) for c in TABLES[table]
             if c["name"] in FREE_TEXT[table] or c["name"] in _server_owned(table)}
    plausible = st.fixed_dictionaries({k: st.just(v) for k, v in VALID[table].items()},
                                      optional=loose)
    return st.one_of(hostile, plausible)

WM_ID = st.text(string.ascii_letters + string.digits, min_size=16, max_size=16)
def _table_changes(table: str) -> st.SearchStrategy[dict[str, Any]]:
    changed = st.lists(st.sampled_from([c["name"] for c in TABLES[table]]), max_size=4)
    return st.fixed_dictionaries({}, optional={
        "created": st.lists(st.tuples(WM_ID, _record(table)), max_size=3),
        "updated": st.lists(st.tuples(WM_ID, _record(table), changed), max_size=2)})


CHANGES = st.lists(st.sampled_from(sorted(TABLES)), unique=True, max_size=3).flatmap(
    lambda names: st.fixed_dictionaries({name: _table_changes(name) for name in names}))


def _raw(changes: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for table, kinds in changes.items():
        out[table] = {
            "created": [{**values, "id": record_id, "_status": "created", "_changed": ""}
                        for record_id, values in kinds.get("created", [])],
            "updated": [{**values, "id": record_id, "_status": "updated",
                         "_changed": ",".join(changed)}
                        for record_id, values, changed in kinds.get("updated", [])],
            "deleted": [],
        }
    return out


def _writes(engine) -> tuple[int, ...]:
    with engine.connect() as conn:
        return tuple(conn.execute(sa.text(f"SELECT count(*) FROM {t}")).scalar_one()
                     for t in ("sync_receipt", "sync_change", "sync_rejection", "lead"))


@settings(FUZZ, max_examples=40)
@given(changes=CHANGES)
def test_every_column_of_every_table_is_answered_without_a_server_error(
        http, world, login, engine, changes):
    phone = login(world.assistant)
    pulled = http.get("/api/v1/sync/watermelon", headers=bearer(phone),
                      params={"last_pulled_at": "null", "schema_version": SCHEMA["version"]})
    assert pulled.status_code == 200
    before = _writes(engine)
    response = http.post("/api/v1/sync/watermelon", headers=bearer(phone),
                         params={"last_pulled_at": pulled.json()["timestamp"],
                                 "schema_version": SCHEMA["version"]},
                         json={"changes": _raw(changes)})
    _no_server_error(response)
    if response.status_code >= 400:
        assert _writes(engine) == before, "a refused push wrote something"
        return
    body = response.json()
    refused = {(r["table"], r["id"]) for r in body["results"] if r["status"] == "rejected"}
    assert refused == {(table, record_id) for table, ids in
                       body["experimentalRejectedIds"].items() for record_id in ids}
    listed = http.get("/api/v1/sync/rejections", headers=bearer(phone)).json()
    assert refused <= {(r["table"], r["record_id"]) for r in listed}


def test_a_null_on_create_is_not_set_and_an_update_changes_only_its_changed_columns(
        http, world, login, engine):
    """The app sends every column. On a create, ``null`` takes the REST default; on an
    update, a column not in ``_changed`` is no change, even when its value differs."""
    phone = login(world.assistant)
    version = SCHEMA["version"]
    t0 = http.get("/api/v1/sync/watermelon", headers=bearer(phone), params={
        "last_pulled_at": "null", "schema_version": version}).json()["timestamp"]
    everything_null = {c["name"]: None for c in TABLES["lead"]}
    record_id = "".join(random.choices(string.ascii_letters, k=16))
    created = http.post("/api/v1/sync/watermelon", headers=bearer(phone), params={
        "last_pulled_at": t0, "schema_version": version}, json={"changes": {"lead": {
            "created": [{**everything_null, "id": record_id, "_status": "created",
                         "_changed": "", "kind": "vehicle", "description": "车在院里"}],
            "updated": [], "deleted": []}}})
    assert created.status_code == 200, created.text
    assert created.json()["experimentalRejectedIds"] == {}
    settle(engine)
    t1 = http.get("/api/v1/sync/watermelon", headers=bearer(phone), params={
        "last_pulled_at": t0, "schema_version": version}).json()
    row = t1["changes"]["lead"]["updated"][0]
    assert row["urgency"] == "normal" and row["status"] == "submitted"
    assert isinstance(row["created_at"], int) and isinstance(row["updated_at"], int)
    stale = {**row, "_status": "updated", "_changed": "debtor_text", "debtor_text": "张三",
             "description": "phone's stale copy", "urgency": None, "status": "closed"}
    edited = http.post("/api/v1/sync/watermelon", headers=bearer(phone), params={
        "last_pulled_at": t1["timestamp"], "schema_version": version},
        json={"changes": {"lead": {"created": [], "updated": [stale], "deleted": []}}})
    assert edited.status_code == 200, edited.text
    assert edited.json()["counts"]["applied"] == 1 and edited.json()["results"] == []
    with engine.connect() as conn:
        stored = conn.execute(sa.text(
            "SELECT debtor_text, description, urgency::text, status::text FROM lead "
            "WHERE id = :id"), {"id": record_id}).one()
    assert tuple(stored) == ("张三", "车在院里", "normal", "submitted")


def test_the_app_schema_follows_watermelons_column_rules():
    """What WatermelonDB's ``tableSchema`` demands of the served schema (it refuses
    anything else), and what each version adds."""
    latest = syncing_watermelon.app_schema(None)
    assert latest["version"] == 5
    for table in latest["tables"]:
        names = [c["name"] for c in table["columns"]]
        assert len(names) == len(set(names)), table["name"]
        assert not {"id", "_status", "_changed"} & set(names)
        stamps = {c["name"]: c for c in table["columns"] if c["name"] in ("created_at",
                                                                            "updated_at")}
        assert set(stamps) == {"created_at", "updated_at"}, table["name"]
        assert all(c["type"] == "number" and not c["isOptional"] for c in stamps.values())
        for column in table["columns"]:
            assert column["type"] in ("string", "number", "boolean")
            assert column["isIndexed"] == column["name"].endswith("_id")
    by_version = {v: {t["name"]: {c["name"]: c for c in t["columns"]}
                      for t in syncing_watermelon.app_schema(v)["tables"]} for v in (1, 2, 3, 4)}
    assert "attachments" not in by_version[1]["lead"] and "attachments" in by_version[2]["lead"]
    assert "created_at" not in by_version[2]["lead"]  # WatermelonDB refuses it as text
    assert by_version[2]["lead"]["observed_at"]["type"] == "string"
    assert by_version[3]["lead"]["observed_at"]["type"] == "number"
    # An unset optional column stays null on the phone; only what a create needs is not
    # optional (else WatermelonDB would fill in '' and the server refuse it).
    assert by_version[3]["lead"]["urgency"]["isOptional"] is True
    assert by_version[3]["lead"]["kind"]["isOptional"] is False
    steps = {m["toVersion"]: m["steps"] for m in latest["migrations"]}
    assert sorted(steps) == [2, 3, 4, 5]
    assert {(s["table"], tuple(c["name"] for c in s["columns"])) for s in steps[2]} == {
        ("lead", ("attachments",)), ("visit", ("attachments",))}
    assert {s["table"] for s in steps[3]} == set(by_version[3])
    # 4: an officer's stops (a new table) and the grids' outlines (new columns).
    assert "round_stop" not in by_version[3] and "outline" not in by_version[3]["township"]
    assert {(s["type"], s.get("table") or s["name"]) for s in steps[4]} == {
        ("create_table", "round_stop"), ("add_columns", "township"),
        ("add_columns", "village_grid")}
    # 5: how a lead's position was taken, and why it is less than the court asked for.
    assert [(s["type"], s["table"], [c["name"] for c in s["columns"]]) for s in steps[5]] == [
        ("add_columns", "lead", ["position_source", "position_note"])]


def test_the_schema_endpoint_serves_each_version_and_refuses_others(http):
    newest = http.get("/api/v1/sync/watermelon/schema")
    assert newest.status_code == 200 and newest.json()["version"] == 5
    old = http.get("/api/v1/sync/watermelon/schema", params={"schema_version": 2}).json()
    assert old["version"] == 2 and [m["toVersion"] for m in old["migrations"]] == [2]
    unknown = http.get("/api/v1/sync/watermelon/schema", params={"schema_version": 6})
    assert unknown.status_code == 404 and unknown.json()["code"] == "schema_version_unknown"
