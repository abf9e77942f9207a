"""``/app/settings.json``: what the court sets for its phones (idle lock, positions), served
beside the app so it applies offline once fetched; defaults when the court sets nothing."""

from __future__ import annotations


def test_the_phones_get_the_courts_lock_and_position_settings(make_app):
    defaults = make_app().test_client().get("/app/settings.json")
    assert defaults.status_code == 200 and defaults.headers["Cache-Control"] == "no-cache"
    assert defaults.json == {"lock_after_minutes": 5, "position_accuracy_m": 50,
                             "position_wait_s": 30, "position_max_age_s": 120,
                             "manual_position": True}
    court = make_app(FIELD_APP_LOCK_MINUTES=2, FIELD_APP_POSITION_ACCURACY_M=20,
                     FIELD_APP_MANUAL_POSITION=False).test_client()
    settings = court.get("/app/settings.json").json
    assert settings["lock_after_minutes"] == 2 and settings["position_accuracy_m"] == 20
    assert settings["manual_position"] is False
