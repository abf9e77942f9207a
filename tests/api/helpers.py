from __future__ import annotations

from typing import Any


def bearer(tokens: dict[str, Any]) -> dict[str, str]:
    return {"Authorization": f"Bearer {tokens['access_token']}"}


def assert_problem(response: Any, status: int, code: str) -> dict[str, Any]:
    """The response is an RFC 9457 problem with this status and stable code."""
    assert response.status_code == status, response.text
    assert response.headers["Content-Type"].startswith("application/problem+json")
    body = response.json()
    assert body["status"] == status
    assert body["code"] == code
    assert body["title"]
    assert "Traceback" not in response.text
    return body


def upload_file(http: Any, headers: dict[str, str], content: bytes,
                content_type: str = "image/jpeg", chunk: int = 64 * 1024) -> dict[str, Any]:
    """Declare ``content`` and send it in chunks of ``chunk`` bytes, as a phone does;
    returns the last answer (``complete`` is true)."""
    import hashlib

    declared = http.post("/api/v1/attachments", headers=headers, json={
        "sha256": hashlib.sha256(content).hexdigest(), "size": len(content),
        "content_type": content_type})
    assert declared.status_code in (200, 201), declared.text
    state = declared.json()
    while not state["complete"]:
        offset = state["offset"]
        sent = http.patch(state["upload_url"], data=content[offset:offset + chunk], headers={
            **headers, "Upload-Offset": str(offset),
            "Content-Type": "application/octet-stream"})
        assert sent.status_code == 200, sent.text
        state = sent.json()
    return state
