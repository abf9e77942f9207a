"""Security headers and CORS as a browser sees them."""

from __future__ import annotations


def test_every_response_has_security_headers(http):
    for path in ("/healthz", "/api/v1/me", "/api/v1/nothing"):
        response = http.get(path)
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["X-Frame-Options"] == "DENY"
        assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]


def test_docs_page_may_run_its_own_scripts_only(http):
    csp = http.get("/api/v1/docs").headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp
    assert "http" not in csp  # no third-party origins


def test_cors_is_closed_by_default(http):
    response = http.get("/healthz", headers={"Origin": "https://evil.example"})
    assert "Access-Control-Allow-Origin" not in response.headers


def test_cors_opens_for_configured_origins_only(make_app):
    client = make_app(CORS_ORIGINS="https://console.court.example").test_client()
    allowed = client.options("/api/v1/auth/login", headers={
        "Origin": "https://console.court.example", "Access-Control-Request-Method": "POST"})
    assert allowed.headers["Access-Control-Allow-Origin"] == "https://console.court.example"
    assert "Authorization" in allowed.headers["Access-Control-Allow-Headers"]
    other = client.options("/api/v1/auth/login", headers={"Origin": "https://evil.example"})
    assert "Access-Control-Allow-Origin" not in other.headers
