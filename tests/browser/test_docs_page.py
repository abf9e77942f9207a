"""The API docs render in a real browser with no internet at all."""

from __future__ import annotations

from tests.browser import chromium


def test_docs_render_every_operation_offline(live_server):
    url = f"{live_server}/api/v1/docs"
    dom = chromium.dump_dom(url)
    try:
        assert "swagger-ui" in dom
        assert "Gridwork API" in dom
        for path in ("/api/v1/auth/login", "/api/v1/me", "/api/v1/devices/{device_id}/revoke"):
            assert path in dom, f"{path} not rendered"
    except AssertionError:
        chromium.screenshot(url, "docs-page")
        raise
