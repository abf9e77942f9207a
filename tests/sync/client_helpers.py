"""Reference clients for tests: over real HTTP, or over the Flask test client behind a
network that drops, duplicates and delays requests."""

from __future__ import annotations

import random
import uuid
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from sync.client import Backoff, HttpTransport, LocalStore, NetworkError, Reply, SyncClient
from tests import factories

NO_WAIT = Backoff(attempts=60, base=0.0, cap=0.0)


class FlaskTransport:
    """The app in-process (no sockets): fast enough for a stateful test."""

    def __init__(self, app: Any) -> None:
        self.client = app.test_client()

    def request(self, method: str, path: str, *, json: Any = None,
                params: Mapping[str, Any] | None = None,
                headers: Mapping[str, str] | None = None) -> Reply:
        response = self.client.open(path, method=method, json=json,
                                    query_string=dict(params or {}), headers=dict(headers or {}))
        return Reply(response.status_code, response.get_json(silent=True),
                     dict(response.headers))


class LossyNetwork:
    """Between a client and the server: each request may be dropped before it arrives,
    have its answer dropped, arrive twice, or be held back and delivered later, after
    requests sent after it (its answer never reaches the client, which retries)."""

    def __init__(self, inner: Any, rng: random.Random, rate: float = 0.25) -> None:
        self.inner, self.rng, self.rate = inner, rng, rate
        self.held: list[tuple[str, str, dict[str, Any]]] = []
        self.faults: dict[str, int] = {}

    def request(self, method: str, path: str, **kwargs: Any) -> Reply:
        fault = (self.rng.choice(["drop_request", "drop_answer", "duplicate", "hold"])
                 if self.rng.random() < self.rate else None)
        if fault:
            self.faults[fault] = self.faults.get(fault, 0) + 1
        if fault == "drop_request":
            raise NetworkError("request lost")
        if fault == "hold":
            self.held.append((method, path, kwargs))
            raise NetworkError("request delayed")
        reply = self.inner.request(method, path, **kwargs)
        if fault == "duplicate":
            reply = self.inner.request(method, path, **kwargs)
        if fault == "drop_answer":
            raise NetworkError("answer lost")
        return reply

    def deliver_held(self) -> None:
        """The delayed requests finally arrive, in random order; nobody hears back."""
        self.rng.shuffle(self.held)
        while self.held:
            method, path, kwargs = self.held.pop()
            self.inner.request(method, path, **kwargs)


def http_client(base_url: str, user: Any, tmp_path: Path, device_id: str | None = None,
                **options: Any) -> SyncClient:
    device_id = device_id or f"ref-{uuid.uuid4().hex[:10]}"
    store = LocalStore(tmp_path / f"{device_id}.sqlite3")
    return SyncClient(store, HttpTransport(base_url), username=user.username,
                      password=factories.PASSWORD, device_id=device_id,
                      **({"backoff": NO_WAIT} | options))


def records(client: SyncClient, table: str = "lead") -> dict[str, dict[str, Any]]:
    return client.store.records(table).get(table, {})
