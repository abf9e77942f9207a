"""Fixtures for API tests: real HTTP against the live server on a real PostGIS."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from sqlmodel import Session

from enforcement.models import Role
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


class GridWorld:
    """One court with a township of two adjoining village grids (A west of B, sharing the
    meridian 108.31), a user of every role, and a second court. ``headers(user)`` signs a
    user in once and returns their Authorization header."""

    def __init__(self, session: Session, login: Callable[..., dict[str, Any]]) -> None:
        from enforcement.models import Role

        self._login = login
        self._tokens: dict[str, dict[str, Any]] = {}
        self.court = factories.create_court(session)
        self.township = factories.create_township(session, self.court)
        self.village_a = factories.create_village(session, self.township, 108.30, 35.40,
                                                  code="V-A", name="东关村")
        self.village_b = factories.create_village(session, self.township, 108.31, 35.40,
                                                  code="V-B", name="西坡村")
        self.users = {role: factories.create_user(session, self.court, role) for role in Role}
        self.assistant = self.users[Role.GRID_ASSISTANT]
        self.judge_user = self.users[Role.JUDGE]
        self.neighbour = factories.create_user(session, self.court, Role.GRID_ASSISTANT)
        self.assistant_b = factories.create_user(session, self.court, Role.GRID_ASSISTANT)
        factories.assign_grid(session, self.assistant, self.village_a)
        factories.assign_grid(session, self.neighbour, self.village_a)
        factories.assign_grid(session, self.assistant_b, self.village_b)
        self.other_court = factories.create_court(session)
        other_township = factories.create_township(session, self.other_court)
        self.other_village = factories.create_village(session, other_township, 108.30, 35.40)
        self.stranger = factories.create_user(session, self.other_court, Role.GRID_ASSISTANT)
        factories.assign_grid(session, self.stranger, self.other_village)

    def headers(self, user: Any, **extra: str) -> dict[str, str]:
        if user.id not in self._tokens:
            self._tokens[user.id] = self._login(user)
        return {"Authorization": f"Bearer {self._tokens[user.id]['access_token']}", **extra}


@pytest.fixture
def world(session: Session, login: Callable[..., dict[str, Any]]) -> GridWorld:
    """A committed ``GridWorld``; add rows with ``session`` and commit again."""
    built = GridWorld(session, login)
    session.commit()
    return built


class RoundWork:
    """For visit tests: a locked round of the world's court led by its officer, four stops; a second
    officer of the court who is on no team of it."""

    def __init__(self, session: Any, world: Any) -> None:
        self.leader = world.users[Role.OFFICER]
        self.rnd, self.stops = factories.create_visitable_round(session, self.leader, stops=4)
        self.bystander = factories.create_user(session, world.court, Role.OFFICER)
        self.outsider = factories.create_user(session, world.other_court, Role.OFFICER)


@pytest.fixture
def round_work(world: Any, session: Any) -> RoundWork:
    built = RoundWork(session, world)
    session.commit()
    return built
