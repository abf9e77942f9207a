"""``/app``: the built field app is served without a token, with a Content-Security-Policy
that keeps everything on this server, the phone's position allowed, a web app manifest and
a service worker that lists the shell; without a build, a 503 problem that says how."""

from __future__ import annotations

import pytest

from tests.browser.app_bundle import app_built  # noqa: F401 (a fixture)


@pytest.mark.usefixtures("app_built")
def test_the_field_app_its_manifest_and_service_worker_are_served(http):
    page = http.get("/app/")
    assert page.status_code == 200 and page.headers["Content-Type"].startswith("text/html")
    csp = page.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "script-src 'self';" in csp
    assert "unsafe-inline" not in csp and "connect-src 'self'" in csp
    assert "geolocation=(self)" in page.headers["Permissions-Policy"]
    assert 'src="app.js"' in page.text and 'href="manifest.webmanifest"' in page.text
    manifest = http.get("/app/manifest.webmanifest")
    assert manifest.headers["Content-Type"].startswith("application/manifest+json")
    assert manifest.json()["start_url"] == "/app/" and manifest.json()["lang"] == "zh-CN"
    worker = http.get("/app/sw.js")
    assert worker.status_code == 200 and "javascript" in worker.headers["Content-Type"]
    assert worker.headers["Cache-Control"] == "no-cache"
    assert '"app.js"' in worker.text and "__SHELL__" not in worker.text
    assert http.get("/app/no-such-file.js").status_code == 404
    moved = http.get("/app", allow_redirects=False)
    assert moved.status_code == 308 and moved.headers["Location"].endswith("/app/")


def test_an_unbuilt_field_app_answers_503_with_how_to_build_it(make_app, tmp_path):
    client = make_app(APP_DIST=str(tmp_path)).test_client()
    for path, language, words in (("/app/", "en", "make app"),
                                  ("/app/app.js", "zh-CN", "外勤应用")):
        response = client.get(path, headers={"Accept-Language": language})
        assert response.status_code == 503
        assert response.headers["Content-Type"].startswith("application/problem+json")
        assert response.json["code"] == "app_not_built"
        assert words in response.json["title"]
