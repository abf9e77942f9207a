"""The native sync protocol over HTTP: push, pull, conflicts, revoked devices."""

from __future__ import annotations

import uuid

from tests import factories
from tests.api.helpers import assert_problem, bearer
from tests.sync.helpers import settle


def _create(lead_id=None, **fields):
    return {"mutation_id": uuid.uuid4().hex, "table": "lead", "op": "create",
            "id": lead_id or str(uuid.uuid4()),
            "fields": {"kind": "vehicle", "description": "院里有辆新车",
                       "point": {"lon": 108.305, "lat": 35.405}, **fields}}


def _push(http, tokens, mutations, schema_version=1):
    return http.post("/api/v1/sync/push", headers=bearer(tokens), json={
        "device_id": tokens["device_id"], "schema_version": schema_version,
        "mutations": mutations})


def test_push_replay_and_pull_round_trip(http, world, login, engine):
    phone = login(world.assistant)
    batch = [_create(), _create(urgency="high")]
    first = _push(http, phone, batch)
    assert first.status_code == 200, first.text
    assert [r["status"] for r in first.json()["results"]] == ["applied", "applied"]
    assert _push(http, phone, batch).json() == first.json()

    settle(engine)
    page = http.get("/api/v1/sync/pull", headers=bearer(phone), params={"limit": 1})
    assert page.status_code == 200, page.text
    body = page.json()
    assert body["has_more"] is True
    leads = list(body["changes"]["lead"]["upserts"])
    while body["has_more"]:  # the grid's reference data comes too, one record a page
        body = http.get("/api/v1/sync/pull", headers=bearer(phone),
                        params={"cursor": body["next_cursor"], "limit": 1}).json()
        assert sum(len(c["upserts"]) + len(c["deletes"]) for c in body["changes"].values()) <= 1
        leads += body["changes"]["lead"]["upserts"]
    assert {row["id"] for row in leads} == {m["id"] for m in batch}
    row = leads[0]
    assert row["village_grid_id"] == world.village_a.id and row["status"] == "submitted"


def test_conflict_is_listed_and_resolved_over_http(http, world, login, session):
    phone, bench = login(world.assistant), login(world.judge_user)
    made = _create()
    _push(http, phone, [made])
    case_id = factories.create_case(session, world.court).id
    case2 = factories.create_case(session, world.court).id
    session.commit()
    edit = {"mutation_id": uuid.uuid4().hex, "table": "lead", "op": "update",
            "id": made["id"], "base_version": 1}
    court = _push(http, bench, [{**edit, "fields": {"case_id": case_id}}]).json()
    assert court["results"][0]["status"] == "applied"
    clash = _push(http, phone, [{**edit, "mutation_id": uuid.uuid4().hex,
                                 "base": {"case_id": None}, "fields": {"case_id": case2}}])
    result = clash.json()["results"][0]
    assert result["status"] == "conflict", clash.text
    assert result["server_values"]["case_id"] == case_id

    listed = http.get("/api/v1/sync/conflicts", headers=bearer(bench)).json()
    assert [c["id"] for c in listed] == [result["conflicts"][0]["conflict_id"]]
    assert listed[0]["client_value"] == case2 and listed[0]["table"] == "lead"
    url = f"/api/v1/sync/conflicts/{listed[0]['id']}/resolve"
    done = http.post(url, headers=bearer(bench), json={"resolution": "merged",
                                                        "value": case_id})
    assert done.status_code == 200, done.text
    assert done.json()["resolution"] == "merged"
    assert_problem(http.post(url, headers=bearer(bench), json={"resolution": "take_server"}),
                   409, "conflict_already_resolved")
    assert http.get("/api/v1/sync/conflicts", headers=bearer(phone)).json() == []


def test_revoked_device_is_refused_and_told_to_wipe(http, world, login):
    phone = login(world.assistant)
    revoke = http.post(f"/api/v1/devices/{phone['device_id']}/revoke", headers=bearer(phone),
                       json={"reason": "lost"})
    assert revoke.status_code == 200, revoke.text
    for response in (_push(http, phone, [_create()]),
                     http.get("/api/v1/sync/pull", headers=bearer(phone))):
        assert assert_problem(response, 403, "device_revoked")["wipe"] is True


def test_bad_cursor_foreign_device_and_bad_batches(http, world, login):
    phone = login(world.assistant)
    assert_problem(http.get("/api/v1/sync/pull", headers=bearer(phone),
                            params={"cursor": "garbage"}), 422, "invalid_cursor")
    other = http.post("/api/v1/sync/push", headers=bearer(phone), json={
        "device_id": "someone-elses", "schema_version": 1, "mutations": []})
    assert_problem(other, 403, "device_mismatch")
    bad = _push(http, phone, [{**_create(), "op": "upsert"}])
    assert_problem(bad, 422, "validation_failed")
    unknown = _push(http, phone, [{**_create(), "table": "settlement"}]).json()["results"][0]
    assert (unknown["status"], unknown["code"]) == ("rejected", "unknown_table")
    read_only = _push(http, phone, [{**_create(), "table": "case"}]).json()["results"][0]
    assert (read_only["status"], read_only["code"]) == ("rejected", "sync_read_only")


def test_rest_edits_and_triage_reach_the_phone_and_lock_its_edits(http, world, login, engine):
    """A REST edit and a triage step are the same writes as a push: the phone pulls them,
    and once the court has started on the lead the author's sync edit is refused."""
    phone, bench = login(world.assistant), login(world.judge_user)
    made = _create()
    _push(http, phone, [made])
    settle(engine)
    cursor = http.get("/api/v1/sync/pull", headers=bearer(phone)).json()["next_cursor"]

    edited = http.patch(f"/api/v1/leads/{made['id']}", json={"description": "网页上改的"},
                        headers={**bearer(phone), "If-Match": '"1"'})
    assert edited.status_code == 200, edited.text
    moved = http.post(f"/api/v1/leads/{made['id']}/transitions", json={"to": "under_review"},
                      headers=bearer(bench))
    assert moved.status_code == 201, moved.text
    settle(engine)
    page = http.get("/api/v1/sync/pull", headers=bearer(phone), params={"cursor": cursor})
    (row,) = page.json()["changes"]["lead"]["upserts"]
    assert (row["description"], row["status"], row["version"]) == (
        "网页上改的", "under_review", 3)

    late = _push(http, phone, [{"mutation_id": uuid.uuid4().hex, "table": "lead",
                                "op": "update", "id": made["id"], "base_version": 3,
                                "fields": {"description": "再改"}}]).json()["results"][0]
    assert (late["status"], late["code"]) == ("rejected", "lead_not_editable")
