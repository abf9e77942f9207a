"""Fixtures for sync tests: a court with a grid, an assistant with two phones, a judge,
and the sync use cases on this worker's real PostGIS database."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy as sa
from sqlmodel import Session

from enforcement.accounts.principal import Principal
from enforcement.infrastructure.db import Database
from enforcement.models import Device, Lead, Role
from sync.protocol import Mutation, Op
from sync.tables import sync_conflict, sync_receipt
from tests import factories
from tests.sync.helpers import settle


@pytest.fixture
def db(database_url: str) -> Iterator[Database]:
    database = Database(database_url)
    yield database
    database.dispose()


class SyncWorld:
    """``phone_a`` and ``phone_b`` are the assistant's two devices; ``bench`` the judge's;
    ``spare`` a third device of the assistant that tests bootstrap to learn the truth."""

    def __init__(self, session: Session) -> None:
        self.court = factories.create_court(session)
        township = factories.create_township(session, self.court)
        self.village = factories.create_village(session, township, 108.30, 35.40)
        self.assistant = factories.create_user(session, self.court, Role.GRID_ASSISTANT)
        self.other = factories.create_user(session, self.court, Role.GRID_ASSISTANT)
        self.judge = factories.create_user(session, self.court, Role.JUDGE)
        for user in (self.assistant, self.other):
            factories.assign_grid(session, user, self.village)
        self.phone_a = self._device(session, self.assistant, "phone-a")
        self.phone_b = self._device(session, self.assistant, "phone-b")
        self.other_phone = self._device(session, self.other, "phone-o")
        self.bench = self._device(session, self.judge, "bench")
        self.spare = self._device(session, self.assistant, "phone-spare")
        self.case = factories.create_case(session, self.court)
        self.case2 = factories.create_case(session, self.court)

    def _device(self, session: Session, user: Any, name: str) -> Principal:
        device_id = f"{name}-{uuid.uuid4().hex[:8]}"
        session.add(Device(court_id=user.court_id, id=device_id, user_id=user.id))
        session.flush()
        return Principal(user_id=user.id, court_id=user.court_id, role=Role(user.role),
                         device_id=device_id, username=user.username)


@pytest.fixture
def world(engine: Any) -> SyncWorld:
    with Session(engine, expire_on_commit=False) as session:
        built = SyncWorld(session)
        session.commit()
    return built


def create(lead_id: str | None = None, **fields: Any) -> Mutation:
    values = {"kind": "vehicle", "description": "三轮车停在院子里",
              "point": {"lon": 108.305, "lat": 35.405, "datum": "wgs84"}, **fields}
    return Mutation(uuid.uuid4().hex, "lead", Op.CREATE, lead_id or str(uuid.uuid4()), values)


def update(lead_id: str, base_version: int | None, base: dict | None = None,
           **fields: Any) -> Mutation:
    return Mutation(uuid.uuid4().hex, "lead", Op.UPDATE, lead_id, fields, base_version, base)


def delete(lead_id: str, base_version: int | None) -> Mutation:
    return Mutation(uuid.uuid4().hex, "lead", Op.DELETE, lead_id, {}, base_version)


def lead(engine: Any, court_id: str, lead_id: str) -> Lead | None:
    with Session(engine, expire_on_commit=False) as session:
        return session.get(Lead, (court_id, lead_id))


def count(engine: Any, table: Any) -> int:
    with engine.connect() as conn:
        return conn.execute(sa.select(sa.func.count()).select_from(table)).scalar_one()


def leads_count(engine: Any) -> int:
    return count(engine, Lead.__table__)


def receipts_count(engine: Any) -> int:
    return count(engine, sync_receipt)


def conflicts_count(engine: Any) -> int:
    return count(engine, sync_conflict)



@pytest.fixture
def records(engine: Any) -> Any:
    """Every kind of record a pull and a push answer (``test_values_wire.Records``),
    committed and below the pull horizon: a pull sees them all even while another suite's
    transaction holds the cluster-wide horizon back."""
    from tests.sync.test_table_specs import Courts
    from tests.sync.test_values_wire import Records

    with Session(engine, expire_on_commit=False) as session:
        built = Records(session, Courts(session))
        session.commit()
    settle(engine)
    return built
