"""``FIELD_APP_MANUAL_POSITION`` is enforced, not only shown to the app: when a court turns it
off, a lead pushed through the WatermelonDB sync with ``position_source = "manual"`` (an
older build, a phone that kept the setting from before) is refused, kept for its author with
the reason in Chinese or English, and taken once it is sent again with a GPS position; the
rest of the push goes through.

Every door that writes a lead's position obeys the setting of the app it reaches, built with
it: REST ``POST /leads`` and ``PATCH /leads/{id}``, the native and the WatermelonDB pushes,
and taking a phone's edit of a deleted lead when settling the conflict. Off, a hand-typed
position is refused with ``manual_position_not_allowed`` and nothing of it is written; on,
it is stored as sent."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import sqlalchemy as sa

from tests import factories
from tests.api.helpers import assert_problem, bearer
from tests.api.test_watermelon import lead_raw, wm_id
from tests.conftest import LiveSession, serving

URL = "/api/v1/sync/watermelon"
VERSION = 5
"""The schema version with ``position_source`` (docs/app.md, "Positions a court can trust")."""


def _pull(http: Any, tokens: Any) -> int:
    response = http.get(URL, headers=bearer(tokens), params={
        "last_pulled_at": "null", "schema_version": VERSION, "migration": "null"})
    assert response.status_code == 200, response.text
    return int(response.json()["timestamp"])


def _push(http: Any, tokens: Any, last_pulled_at: int, leads: list[dict[str, Any]]) -> Any:
    response = http.post(URL, headers=bearer(tokens), params={
        "last_pulled_at": last_pulled_at, "schema_version": VERSION},
        json={"changes": {"lead": {"created": leads, "updated": [], "deleted": []}}})
    assert response.status_code == 200, response.text
    return response.json()


def _typed(record_id: str) -> dict[str, Any]:
    return lead_raw(record_id, description="位置是手动输入的", accuracy_m=None,
                    position_source="manual", position_note="位置为手动输入")


def test_a_manual_position_is_refused_when_the_court_turned_it_off_and_taken_once_fixed(
        http: Any, world: Any, login: Any, app: Any, monkeypatch: Any) -> None:
    monkeypatch.setitem(app.config, "FIELD_APP_MANUAL_POSITION", False)
    tokens = login(world.assistant)
    typed, located = wm_id(), wm_id()
    body = _push(http, tokens, _pull(http, tokens), [
        _typed(typed), lead_raw(located, accuracy_m=12.0, position_source="gps")])
    assert body["experimentalRejectedIds"] == {"lead": [typed]}

    headers = {**bearer(tokens), "Accept-Language": "zh-CN"}
    (refusal,) = http.get("/api/v1/sync/rejections", headers=headers).json()
    assert (refusal["record_id"], refusal["code"]) == (typed, "manual_position_not_allowed")
    assert "手动输入的位置" in refusal["message"]
    english = http.get("/api/v1/sync/rejections",
                       headers={**bearer(tokens), "Accept-Language": "en"}).json()
    assert "typed by hand" in english[0]["message"]

    leads = http.get("/api/v1/leads", headers=bearer(tokens)).json()
    rows = leads["items"] if isinstance(leads, dict) else leads
    assert [row["id"] for row in rows] == [located]

    # Fixed on the phone (a GPS position) and sent again: taken, the refusal closed.
    fixed = lead_raw(typed, description="位置是手动输入的", accuracy_m=20.0,
                     position_source="gps")
    assert _push(http, tokens, _pull(http, tokens), [fixed])["experimentalRejectedIds"] == {}
    assert http.get("/api/v1/sync/rejections", headers=bearer(tokens)).json() == []
    closed = http.get("/api/v1/sync/rejections?status=fixed", headers=bearer(tokens)).json()
    assert [(r["record_id"], r["status"]) for r in closed] == [(typed, "fixed")]


def test_a_manual_position_is_taken_where_the_court_allows_it(
        http: Any, world: Any, login: Any, app: Any) -> None:
    assert app.config["FIELD_APP_MANUAL_POSITION"] is True
    tokens = login(world.assistant)
    typed = wm_id()
    assert _push(http, tokens, _pull(http, tokens), [_typed(typed)])[
        "experimentalRejectedIds"] == {}
    assert http.get("/api/v1/sync/rejections", headers=bearer(tokens)).json() == []


TYPED = {"lon": 108.3051, "lat": 35.4052, "datum": "wgs84", "accuracy_m": None}
"""A position typed by hand: no accuracy (docs/app.md)."""
FIXED = {"lon": 108.305, "lat": 35.405, "datum": "wgs84", "accuracy_m": 12.0}


@dataclass
class Court:
    """An app built with ``FIELD_APP_MANUAL_POSITION = allowed``, served over HTTP."""

    allowed: bool
    http: LiveSession

    def login(self, user: Any) -> dict[str, Any]:
        response = self.http.post("/api/v1/auth/login", json={
            "username": user.username, "password": factories.PASSWORD,
            "device_id": f"dev-{uuid.uuid4().hex[:12]}"})
        assert response.status_code == 200, response.text
        return response.json()

    def push(self, tokens: dict[str, Any], *mutations: dict[str, Any]) -> list[dict[str, Any]]:
        """A native push at the schema version with ``position_source``; its results."""
        response = self.http.post("/api/v1/sync/push", headers=bearer(tokens), json={
            "device_id": tokens["device_id"], "schema_version": VERSION,
            "mutations": list(mutations)})
        assert response.status_code == 200, response.text
        return response.json()["results"]


@pytest.fixture(params=[False, True], ids=["manual off", "manual on"])
def court(request: Any, make_app: Any, world: Any) -> Iterator[Court]:
    app = make_app(FIELD_APP_MANUAL_POSITION=request.param)
    with serving(app) as url, LiveSession(url) as http:
        yield Court(request.param, http)


def _refused_in_both_languages(court: Court, response: Any) -> None:
    """422 ``manual_position_not_allowed``, its title in Chinese by default and in English."""
    assert "手动输入的位置" in assert_problem(response, 422, "manual_position_not_allowed")[
        "title"]
    again = court.http.request(response.request.method, response.request.url,
                               data=response.request.body,
                               headers={**response.request.headers, "Accept-Language": "en"})
    assert "typed by hand" in assert_problem(again, 422, "manual_position_not_allowed")["title"]


def _stored(engine: Any, lead_id: str) -> dict[str, Any] | None:
    with engine.connect() as conn:
        row = conn.execute(sa.text(
            "SELECT position_source, position_note, accuracy_m, description, version, "
            "deleted_at IS NOT NULL AS deleted FROM lead WHERE id = :id"),
            {"id": lead_id}).mappings().first()
    return dict(row) if row else None


def _create(lead_id: str, point: dict[str, Any], source: str) -> dict[str, Any]:
    return {"mutation_id": uuid.uuid4().hex, "table": "lead", "op": "create", "id": lead_id,
            "fields": {"kind": "vehicle", "description": "院里停着一辆新三轮", "point": point,
                       "position_source": source}}


def _update(lead_id: str, base_version: int, **fields: Any) -> dict[str, Any]:
    return {"mutation_id": uuid.uuid4().hex, "table": "lead", "op": "update", "id": lead_id,
            "base_version": base_version, "fields": fields}


def test_rest_submit_takes_a_typed_position_only_where_the_court_allows_it(
        court: Court, world: Any, engine: Any) -> None:
    tokens = court.login(world.assistant)
    lead_id = str(uuid.uuid4())
    response = court.http.post("/api/v1/leads", headers=bearer(tokens), json={
        "id": lead_id, "kind": "vehicle", "description": "地图上找不到的院子", "point": TYPED,
        "position_source": "manual", "position_note": "位置为手动输入"})
    if not court.allowed:
        _refused_in_both_languages(court, response)
        assert _stored(engine, lead_id) is None
        return
    assert response.status_code == 201, response.text
    assert (response.json()["position_source"], response.json()["position_note"]) == (
        "manual", "位置为手动输入")
    assert _stored(engine, lead_id)["position_source"] == "manual"


def test_rest_edit_takes_a_typed_position_only_where_the_court_allows_it(
        court: Court, world: Any, engine: Any) -> None:
    tokens = court.login(world.assistant)
    made = court.http.post("/api/v1/leads", headers=bearer(tokens), json={
        "kind": "vehicle", "description": "院里停着一辆新三轮", "point": FIXED,
        "position_source": "gps"})
    assert made.status_code == 201, made.text
    lead_id = made.json()["id"]
    response = court.http.patch(
        f"/api/v1/leads/{lead_id}", headers={**bearer(tokens), "If-Match": made.headers["ETag"]},
        json={"point": TYPED, "position_source": "manual", "description": "改在村东头"})
    stored = _stored(engine, lead_id)
    if not court.allowed:
        _refused_in_both_languages(court, response)
        assert (stored["position_source"], stored["accuracy_m"], stored["description"],
                stored["version"]) == ("gps", 12.0, "院里停着一辆新三轮", 1)
        return
    assert response.status_code == 200, response.text
    assert response.json()["position_source"] == "manual"
    assert (stored["position_source"], stored["accuracy_m"], stored["version"]) == (
        "manual", None, 2)


def test_a_lead_typed_by_hand_before_the_court_turned_it_off_stays_editable(
        make_app: Any, world: Any, session: Any, engine: Any) -> None:
    """Only a new hand-typed position is refused: the text of a lead whose typed position was
    taken earlier can still be corrected, its point not moved by hand."""
    lead = factories.create_lead(session, world.assistant, world.village_a,
                                 position_source="manual")
    session.commit()
    with serving(make_app(FIELD_APP_MANUAL_POSITION=False)) as url, LiveSession(url) as http:
        tokens = Court(False, http).login(world.assistant)
        url = f"/api/v1/leads/{lead.id}"
        text = http.patch(url, headers={**bearer(tokens), "If-Match": '"1"'},
                          json={"description": "补充：车还在"})
        assert text.status_code == 200, text.text
        moved = http.patch(url, headers={**bearer(tokens), "If-Match": '"2"'},
                           json={"point": TYPED})
        assert_problem(moved, 422, "manual_position_not_allowed")
    assert (_stored(engine, lead.id)["description"], _stored(engine, lead.id)["version"]) == (
        "补充：车还在", 2)


def test_native_push_takes_a_typed_position_only_where_the_court_allows_it(
        court: Court, world: Any, engine: Any) -> None:
    tokens = court.login(world.assistant)
    typed, located = str(uuid.uuid4()), str(uuid.uuid4())
    results = court.push(tokens, _create(typed, TYPED, "manual"),
                         _create(located, FIXED, "gps"),
                         _update(located, 1, point=TYPED, position_source="manual"))
    if not court.allowed:
        assert [(r["status"], r.get("code")) for r in results] == [
            ("rejected", "manual_position_not_allowed"), ("applied", None),
            ("rejected", "manual_position_not_allowed")]
        assert _stored(engine, typed) is None
        assert (_stored(engine, located)["position_source"],
                _stored(engine, located)["version"]) == ("gps", 1)
        return
    assert [r["status"] for r in results] == ["applied"] * 3
    assert _stored(engine, typed)["position_source"] == "manual"
    assert (_stored(engine, located)["position_source"],
            _stored(engine, located)["version"]) == ("manual", 2)


def test_watermelon_push_takes_a_typed_position_only_where_the_court_allows_it(
        court: Court, world: Any, engine: Any) -> None:
    tokens = court.login(world.assistant)
    typed = wm_id()
    body = _push(court.http, tokens, _pull(court.http, tokens), [_typed(typed)])
    if not court.allowed:
        assert body["experimentalRejectedIds"] == {"lead": [typed]}
        (refusal,) = court.http.get("/api/v1/sync/rejections", headers=bearer(tokens)).json()
        assert refusal["code"] == "manual_position_not_allowed"
        assert _stored(engine, typed) is None
        return
    assert body["experimentalRejectedIds"] == {}
    assert _stored(engine, typed)["position_source"] == "manual"


def test_settling_a_conflict_takes_a_typed_position_only_where_the_court_allows_it(
        court: Court, world: Any, engine: Any) -> None:
    """A phone moved a lead by hand after the court deleted it: the edit is kept as a
    conflict, and taking it writes the typed position."""
    phone, bench = court.login(world.assistant), court.login(world.judge_user)
    lead_id = str(uuid.uuid4())
    assert court.push(phone, _create(lead_id, FIXED, "gps"))[0]["status"] == "applied"
    deleted = {"mutation_id": uuid.uuid4().hex, "table": "lead", "op": "delete",
               "id": lead_id, "base_version": 1}
    assert court.push(bench, deleted)[0]["status"] == "applied"
    (edit,) = court.push(phone, _update(lead_id, 1, point=TYPED, position_source="manual"))
    assert edit["status"] == "conflict", edit
    url = f"/api/v1/sync/conflicts/{edit['conflicts'][0]['conflict_id']}/resolve"
    response = court.http.post(url, headers=bearer(phone), json={"resolution": "take_client"})
    stored = _stored(engine, lead_id)
    if not court.allowed:
        assert_problem(response, 422, "manual_position_not_allowed")
        assert (stored["deleted"], stored["position_source"]) == (True, "gps")
        open_conflicts = court.http.get("/api/v1/sync/conflicts", headers=bearer(phone)).json()
        assert [c["id"] for c in open_conflicts] == [edit["conflicts"][0]["conflict_id"]]
        return
    assert response.status_code == 200, response.text
    assert (stored["deleted"], stored["position_source"]) == (False, "manual")
