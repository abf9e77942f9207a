"""``GET /api/v1/field-app/settings``: the phone learns the court's photo size and the
upload limits it must check a photo against before storing it; signed-in users only."""

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


def test_the_settings_need_a_signed_in_user(http: Any) -> None:
    response = http.get("/api/v1/field-app/settings")
    assert response.status_code == 401
    assert response.headers["Content-Type"].startswith("application/problem+json")
