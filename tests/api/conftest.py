"""Fixtures for API tests: real HTTP against the live server on a real PostGIS."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from sqlmodel import Session

from tests import factories


@pytest.fixture
def session(engine: Any) -> Iterator[Session]:
    with Session(engine, expire_on_commit=False) as session:
        yield session


@pytest.fixture
def login(http: Any) -> Callable[..., dict[str, Any]]:
    """Sign a user in from a fresh (or given) device; returns the token response."""

    def _login(user: Any, device_id: str | None = None, **extra: Any) -> dict[str, Any]:
        response = http.post("/api/v1/auth/login", json={
            "username": user.username, "password": factories.PASSWORD,
            "device_id": device_id or f"dev-{uuid.uuid4().hex[:12]}", **extra,
        })
        assert response.status_code == 200, response.text
        return response.json()

    return _login
