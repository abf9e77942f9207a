"""Random pushes, native and WatermelonDB, never get a 500, and a push that is refused as a
whole writes nothing: the parsers in front of the sync engine hold against what a broken
or hostile phone may send."""

from __future__ import annotations

import uuid

import sqlalchemy as sa
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.api.helpers import bearer
from tests.api.test_lead_fuzz import FUZZ, JSON, _no_server_error

TABLES = st.sampled_from(["lead", "sighting", "mediation_note", "task_answer", "visit", "case",
                          "wanted", "township", "party", "audit_log", "", "LEAD"])
IDS = st.one_of(st.uuids().map(str), st.text(max_size=40),
                st.sampled_from(["abcdefgh12345678", "x" * 37, "../lead", "\x00"]))
LEAD_VALUES = st.dictionaries(
    st.sampled_from(["kind", "description", "point", "observed_at", "urgency", "case_id",
                     "status", "author_id", "attachments", "_status", "_changed", "id"]),
    JSON, max_size=6)
MUTATION = st.fixed_dictionaries({}, optional={
    "mutation_id": st.one_of(IDS, JSON), "table": st.one_of(TABLES, JSON),
    "op": st.one_of(st.sampled_from(["create", "update", "delete", "upsert"]), JSON),
    "id": st.one_of(IDS, JSON), "base_version": st.one_of(st.integers(-3, 10**12), JSON),
    "fields": st.one_of(LEAD_VALUES, JSON),
})
RECORD = st.one_of(LEAD_VALUES.map(lambda values: {"id": str(uuid.uuid4()), **values}), JSON)
WATERMELON_CHANGES = st.one_of(JSON, st.dictionaries(TABLES, st.fixed_dictionaries({}, optional={
    "created": st.lists(RECORD, max_size=3), "updated": st.lists(RECORD, max_size=3),
    "deleted": st.one_of(st.lists(IDS, max_size=3), JSON)}), max_size=3))


PUSH_FUZZ = settings(FUZZ, max_examples=30)  # each example signs a phone in: keep it short


def _writes(engine) -> tuple[int, int]:
    """Receipts and change-feed rows: what any applied mutation leaves behind."""
    with engine.connect() as conn:
        return (conn.execute(sa.text("SELECT count(*) FROM sync_receipt")).scalar_one(),
                conn.execute(sa.text("SELECT count(*) FROM sync_change")).scalar_one())


@PUSH_FUZZ
@given(mutations=st.one_of(st.lists(MUTATION, max_size=4), JSON),
       schema_version=st.one_of(st.integers(-1, 5), JSON), device=st.booleans())
def test_native_push_never_fails_the_server(http, world, login, engine, mutations,
                                            schema_version, device):
    phone = login(world.assistant)
    before = _writes(engine)
    response = http.post("/api/v1/sync/push", headers=bearer(phone), json={
        "device_id": phone["device_id"] if device else "someone-else",
        "schema_version": schema_version, "mutations": mutations})
    _no_server_error(response)
    if response.status_code >= 400:
        assert _writes(engine) == before, "a refused push wrote something"
    else:
        results = response.json()["results"]
        assert len(results) == len(mutations)
        assert {r["status"] for r in results} <= {"applied", "merged", "conflict", "rejected"}


@PUSH_FUZZ
@given(changes=WATERMELON_CHANGES, last_pulled_at=st.one_of(
    st.integers(-5, 2**63), st.text(max_size=12)))
def test_watermelon_push_never_fails_the_server(http, world, login, engine, changes,
                                                last_pulled_at):
    phone = login(world.assistant)
    before = _writes(engine)
    response = http.post("/api/v1/sync/watermelon", headers=bearer(phone),
                         params={"last_pulled_at": last_pulled_at},
                         json={"changes": changes})
    _no_server_error(response)
    if response.status_code >= 400:
        assert _writes(engine) == before, "a refused push wrote something"
