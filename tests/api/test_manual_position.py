"""``FIELD_APP_MANUAL_POSITION`` is enforced, not only shown to the app: when a court turns it
off, a lead pushed through the WatermelonDB sync with ``position_source = "manual"`` (an
older build, a phone that kept the setting from before) is refused, kept for its author with
the reason in Chinese or English, and taken once it is sent again with a GPS position; the
rest of the push goes through."""

from __future__ import annotations

from typing import Any

from tests.api.helpers import bearer
from tests.api.test_watermelon import lead_raw, wm_id

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
