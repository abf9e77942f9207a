"""The demo county as WatermelonDB phones receive it: every record of every table has each
column the app schema declares, of the declared type, so ``tableSchema``'s sanitiser never
has to turn a value into ``0`` or ``''`` (what it silently does with a wrong type)."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session

from enforcement.accounts.principal import Principal
from enforcement.infrastructure.db import Database
from enforcement.models import Role, User
from enforcement.syncing import watermelon as syncing_watermelon
from seed.load import load_demo
from tests import factories

PY_TYPES = {"string": (str,), "number": (int, float), "boolean": (bool,)}


def _principal(engine: Engine, role: Role) -> Principal:
    with Session(engine, expire_on_commit=False) as session:
        user = session.scalars(sa.select(User).where(User.role == role).order_by(User.username)
                               ).first()
        assert user is not None
        device = factories.create_device(session, user)
        session.commit()
    return Principal(user_id=user.id, court_id=user.court_id, role=role, device_id=device.id,
                     username=user.username)


def _check(answer: dict[str, Any], version: int) -> dict[str, int]:
    schema = {t["name"]: t["columns"] for t in syncing_watermelon.app_schema(version)["tables"]}
    seen: dict[str, int] = {}
    for table, changes in answer["changes"].items():
        columns = schema[table]
        for raw in changes["created"] + changes["updated"]:
            seen[table] = seen.get(table, 0) + 1
            for column in columns:
                value = raw.get(column["name"])
                if value is None:
                    assert column["isOptional"], (table, column["name"], raw["id"])
                    continue
                assert isinstance(value, PY_TYPES[column["type"]]), (table, column, value)
                if column["type"] == "number":  # (a bool is an int to Python)
                    assert not isinstance(value, bool), (table, column, value)
    return seen


@pytest.mark.parametrize("version", [1, 3])
def test_every_demo_record_fits_the_app_schema(engine: Engine, database_url: str,
                                               version: int) -> None:
    load_demo(engine, progress=False)
    db = Database(database_url)
    try:
        seen: dict[str, int] = {}
        for role in (Role.JUDGE, Role.GRID_ASSISTANT, Role.MEDIATOR):
            answer = syncing_watermelon.pull(db, _principal(engine, role), None, version)
            for table, count in _check(answer, version).items():
                seen[table] = seen.get(table, 0) + count
    finally:
        db.dispose()
    assert set(seen) == {t["name"] for t in syncing_watermelon.app_schema(version)["tables"]}
