"""A request's authentication and its use case share one pooled connection (finding 3 of
bench/profile-findings.md: a checkout and a pre-ping per unit of work were a measurable
part of an up-to-date pull), while each unit of work stays its own transaction."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy import event

from enforcement.infrastructure.db import Database
from enforcement.models import Court
from tests.api.helpers import bearer
from tests.sync.helpers import settle


@pytest.fixture
def checkouts(app: Any) -> Iterator[list[int]]:
    """Counts connections the live server takes from its pool."""
    engine = app.extensions["gridwork"].db.engine
    taken: list[int] = []

    def count(*_: Any) -> None:
        taken.append(1)

    event.listen(engine, "checkout", count)
    yield taken
    event.remove(engine, "checkout", count)


def test_a_pull_takes_one_connection_for_sign_in_check_and_pull(http, world, engine,
                                                                checkouts):
    phone = world.headers(world.assistant)
    settle(engine)
    checkouts.clear()
    answer = http.get("/api/v1/sync/pull", headers=phone, params={"limit": 5})
    assert answer.status_code == 200, answer.text
    assert len(checkouts) == 1


def test_a_refused_token_still_gives_its_connection_back(http, world, app, checkouts):
    pool = app.extensions["gridwork"].db.engine.pool
    before = pool.checkedout()
    for _ in range(3):
        answer = http.get("/api/v1/sync/pull", headers=bearer({"access_token": "nonsense"}))
        assert answer.status_code == 401
    assert pool.checkedout() == before


def test_units_of_work_in_turn_share_a_connection_and_still_commit(database_url):
    db = Database(database_url)
    try:
        with db.one_connection():
            with db.unit_of_work() as first:
                first_connection = first.connection().connection.dbapi_connection
                first.add(_court("OC1"))
                first.commit()
            with db.unit_of_work() as second:
                assert second.connection().connection.dbapi_connection is first_connection
                second.add(_court("OC2"))
                # not committed: rolled back when the unit of work ends
            with db.unit_of_work() as third, db.unit_of_work() as inner:
                # a unit of work opened inside another gets its own connection
                assert (inner.connection().connection.dbapi_connection
                        is not third.connection().connection.dbapi_connection)
        with db.engine.connect() as conn:
            codes = set(conn.execute(sa.select(Court.code).where(
                Court.code.in_(["OC1", "OC2"]))).scalars())
        assert codes == {"OC1"}
        assert db.engine.pool.checkedout() == 0
    finally:
        db.dispose()


def _court(code: str) -> Court:
    return Court(code=code, name=f"{code}法院", county_name="某县", region_code="621025",
                 case_prefix="甘1025")
