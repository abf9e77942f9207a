"""``GET /api/v1/field-app/settings``: the phone learns the court's photo size and the upload
limits it must check a photo against before storing it, when it locks itself and what it asks
of a position; signed-in users only. Defaults hold when the court sets nothing."""

from __future__ import annotations

from typing import Any


def test_the_field_app_reads_the_courts_photo_size_and_upload_limits(
        http: Any, world: Any, app: Any, monkeypatch: Any) -> None:
    settings = http.get("/api/v1/field-app/settings", headers=world.headers(world.assistant))
    assert settings.status_code == 200
    body = settings.json()
    assert body["photo_max_side_px"] == 2048
    assert body["attachment_max_bytes"] == app.config["ATTACHMENT_MAX_BYTES"]
    assert body["request_max_bytes"] == app.config["MAX_CONTENT_LENGTH"]
    assert "image/jpeg" in body["attachment_content_types"]

    monkeypatch.setitem(app.config, "FIELD_APP_PHOTO_MAX_SIDE", 1280)
    again = http.get("/api/v1/field-app/settings", headers=world.headers(world.assistant))
    assert again.json()["photo_max_side_px"] == 1280


def test_the_phones_get_the_courts_lock_and_position_settings(
        http: Any, world: Any, app: Any, monkeypatch: Any) -> None:
    defaults = http.get("/api/v1/field-app/settings", headers=world.headers(world.assistant))
    assert {k: defaults.json()[k] for k in ("lock_after_minutes", "position_accuracy_m",
                                            "position_wait_s", "position_max_age_s",
                                            "manual_position")} == {
        "lock_after_minutes": 5, "position_accuracy_m": 50, "position_wait_s": 30,
        "position_max_age_s": 120, "manual_position": True}
    for name, value in (("FIELD_APP_LOCK_MINUTES", 2), ("FIELD_APP_POSITION_ACCURACY_M", 20),
                        ("FIELD_APP_MANUAL_POSITION", False)):
        monkeypatch.setitem(app.config, name, value)
    court = http.get("/api/v1/field-app/settings", headers=world.headers(world.assistant)).json()
    assert court["lock_after_minutes"] == 2 and court["position_accuracy_m"] == 20
    assert court["manual_position"] is False


def test_the_settings_need_a_signed_in_user(http: Any) -> None:
    response = http.get("/api/v1/field-app/settings")
    assert response.status_code == 401
    assert response.headers["Content-Type"].startswith("application/problem+json")
