"""``/console``: the built web console is served as static files that need no token, with
a Content-Security-Policy that keeps every script and style on this server; without a
build, a 503 problem that says how to build it."""

from __future__ import annotations

import pytest

from tests.browser.console_bundle import console_built  # noqa: F401 (a fixture)


@pytest.mark.usefixtures("console_built")
def test_the_console_page_and_its_files_are_served_without_a_token(http):
    page = http.get("/console/")
    assert page.status_code == 200
    assert page.headers["Content-Type"].startswith("text/html")
    csp = page.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "connect-src 'self'" in csp
    assert 'src="console.js"' in page.text and "<!--gridwork-config-->" not in page.text
    script = http.get("/console/console.js")
    assert script.status_code == 200 and "javascript" in script.headers["Content-Type"]
    assert http.get("/console/no-such-file.js").status_code == 404
    moved = http.get("/console", allow_redirects=False)
    assert moved.status_code == 308 and moved.headers["Location"].endswith("/console/")


@pytest.mark.usefixtures("console_built")
def test_a_configured_tile_server_is_handed_to_the_page_and_allowed(make_app):
    client = make_app(CONSOLE_TILE_URL="https://tiles.court.example/{z}/{x}/{y}.png"
                      ).test_client()
    page = client.get("/console/")
    assert ('<meta name="gridwork-tile-url" content="https://tiles.court.example/{z}/{x}/{y}'
            '.png">') in page.get_data(as_text=True)
    assert "img-src 'self' data: blob: https://tiles.court.example;" in (
        page.headers["Content-Security-Policy"])


def test_an_unbuilt_console_answers_503_with_how_to_build_it(make_app, tmp_path):
    client = make_app(CONSOLE_DIST=str(tmp_path)).test_client()
    for path in ("/console/", "/console/console.js"):
        response = client.get(path, headers={"Accept-Language": "en"})
        assert response.status_code == 503
        assert response.headers["Content-Type"].startswith("application/problem+json")
        assert response.json["code"] == "console_not_built"
        assert "make console" in response.json["title"]
