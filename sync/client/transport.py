"""How the client reaches the server: one method, so that tests can put a lossy network
(or the Flask test client) in the place of real HTTP."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

import requests


class NetworkError(Exception):
    """The request or its answer was lost: retry (mutation ids make that safe)."""


@dataclass(frozen=True, slots=True)
class Reply:
    status: int
    body: Any = None
    headers: Mapping[str, str] = field(default_factory=dict)

    @property
    def code(self) -> str | None:
        """The problem+json ``code``, if any."""
        return self.body.get("code") if isinstance(self.body, dict) else None


class Transport(Protocol):
    def request(self, method: str, path: str, *, json: Any = None,
                params: Mapping[str, Any] | None = None,
                headers: Mapping[str, str] | None = None) -> Reply:
        """Send one request; raise ``NetworkError`` when no answer arrives."""
        ...


class HttpTransport:
    """Real HTTP with ``requests`` against ``base_url`` (e.g. ``http://127.0.0.1:8000``)."""

    def __init__(self, base_url: str, timeout: float = 60) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.session = requests.Session()

    def request(self, method: str, path: str, *, json: Any = None,
                params: Mapping[str, Any] | None = None,
                headers: Mapping[str, str] | None = None) -> Reply:
        try:
            response = self.session.request(method, self.base_url + path, json=json,
                                            params=params, headers=headers,
                                            timeout=self.timeout)
        except (requests.ConnectionError, requests.Timeout) as exc:
            raise NetworkError(str(exc)) from exc
        try:
            body = response.json() if response.content else None
        except ValueError:
            body = None
        return Reply(response.status_code, body, dict(response.headers))

    def close(self) -> None:
        self.session.close()
