"""The security suite (issue #29) uses the API tests' fixtures: real HTTP, real PostGIS."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from enforcement import crypto
from tests.api.conftest import login, session, world  # noqa: F401  (fixtures)


@pytest.fixture
def keep_keyring() -> Iterator[None]:
    """Apps built in a test configure the process's personal-data key: put it back."""
    before = crypto.keyring()
    yield
    crypto.configure(before.key, before.old)
