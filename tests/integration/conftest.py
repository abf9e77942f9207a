"""Fixtures shared by the integration tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlmodel import Session

from enforcement.infrastructure.db import Database
from enforcement.models import Court
from tests import factories


@pytest.fixture
def db(database_url: str) -> Iterator[Database]:
    """A Database on this worker's test database, for calling use cases directly."""
    database = Database(database_url, pool_size=1)
    yield database
    database.dispose()


@pytest.fixture
def court(engine) -> Court:
    with Session(engine, expire_on_commit=False) as session:
        court = factories.create_court(session)
        session.commit()
        return court
