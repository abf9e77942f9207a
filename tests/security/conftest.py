"""The security suite (issue #29) uses the API tests' fixtures: real HTTP, real PostGIS."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from requests.adapters import HTTPAdapter

from enforcement.infrastructure import crypto
from tests.api.conftest import login, session, world  # noqa: F401  (fixtures)
from tests.conftest import LiveSession


@pytest.fixture
def keep_keyring() -> Iterator[None]:
    """Apps built in a test configure the process's personal-data key: put it back."""
    before = crypto.keyring()
    yield
    crypto.configure(before.key, before.old)


class _FromAddress(HTTPAdapter):
    """Connect from a chosen loopback address (Linux answers the whole of 127.0.0.0/8)."""

    def __init__(self, address: str) -> None:
        self.address = address
        super().__init__()

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        kwargs["source_address"] = (self.address, 0)
        super().init_poolmanager(*args, **kwargs)


def client_at(base_url: str, address: str) -> LiveSession:
    """An HTTP client of ``base_url`` whose requests really come from ``address``."""
    client = LiveSession(base_url)
    adapter = _FromAddress(address)
    client.mount("http://", adapter)
    return client


@pytest.fixture
def from_address(live_server: str) -> Iterator[Callable[[str], LiveSession]]:
    """``from_address("127.0.0.2")``: a client of the live server at that address."""
    made: list[LiveSession] = []

    def _make(address: str) -> LiveSession:
        made.append(client_at(live_server, address))
        return made[-1]

    yield _make
    for client in made:
        client.close()
