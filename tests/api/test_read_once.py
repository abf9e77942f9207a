"""``Database.read_once`` hands a statement it compiled once straight to the driver
(finding 45 of bench/profile-findings.md): its rows must be the ones SQLAlchemy's own
execution gives, names and types included, and its failures the errors the API already
turns into problems."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY

from enforcement.infrastructure.db import Database
from enforcement.models import User
from enforcement.models.accounts import Role


@pytest.fixture
def db(database_url: str) -> Iterator[Database]:
    database = Database(database_url)
    yield database
    database.dispose()


def _as_sqlalchemy_reads(db: Database, statement: sa.Select, values: dict) -> sa.Row:
    with db.reads.connect() as connection:
        return connection.execute(statement, values).one()


def test_a_read_gives_the_row_sqlalchemy_gives(db, world):
    """Enum columns come back as the enum, arrays as lists, times as aware datetimes; a
    constant list in the statement (expanded into the text once) and the caller's
    values (converted on every read) select the same row as SQLAlchemy's execution."""
    statement = sa.select(
        User.username, User.role, User.is_active,
        sa.bindparam("since", type_=sa.DateTime(timezone=True)).label("then"),
        sa.cast(sa.func.array_remove(sa.literal_column("ARRAY['a', NULL, 'b']"), None),
                ARRAY(sa.String)).label("written"),
    ).where(User.id == sa.bindparam("user_id"),
            User.role.in_([Role.GRID_ASSISTANT, Role.OFFICER, Role.MEDIATOR]))
    since = datetime(2026, 12, 7, 8, 30, tzinfo=UTC)
    for user in (world.assistant, world.users[Role.OFFICER]):
        values = {"user_id": user.id, "since": since}
        theirs = _as_sqlalchemy_reads(db, statement, values)
        for _ in range(2):  # compiled on the first read, reused on the second
            ours = db.read_once(statement, values)
            assert tuple(ours) == tuple(theirs)
            assert ours._fields == tuple(theirs._fields)
        assert ours.role is user.role and isinstance(ours.role, Role)
        assert ours.then == since and ours.written == ["a", "b"]
        assert ours.username == user.username


def test_a_caller_list_is_read_afresh_each_time(db, world):
    """A list of the caller's, which SQLAlchemy writes into the text per call, is never
    frozen at its first value."""
    statement = sa.select(sa.func.count().label("found")).select_from(User).where(
        User.id.in_(sa.bindparam("ids", expanding=True)))
    assert db.read_once(statement, {"ids": [world.assistant.id]}).found == 1
    both = [world.assistant.id, world.users[Role.OFFICER].id]
    assert db.read_once(statement, {"ids": both}).found == 2
    assert db.read_once(statement, {"ids": ["nobody"]}).found == 0


def test_no_row_and_a_failing_read_raise_what_sqlalchemy_raises(db):
    """No row is NoResultFound; an error in the statement is SQLAlchemy's DBAPIError
    (what the API's problem handlers know), and the connection goes on serving."""
    nothing = sa.select(User.username).where(User.id == sa.bindparam("user_id"))
    with pytest.raises(sa.exc.NoResultFound):
        db.read_once(nothing, {"user_id": "nobody"})
    dividing = sa.select((sa.literal(1) / sa.bindparam("by", type_=sa.Integer)).label("q"))
    with pytest.raises(sa.exc.DataError) as refused:
        db.read_once(dividing, {"by": 0})
    assert not refused.value.connection_invalidated
    assert db.read_once(dividing, {"by": 1}).q == 1
    assert db.reads.pool.checkedout() == 0


def test_a_read_on_a_dropped_connection_is_sent_again(db, world):
    """The server dropped every read connection (a restart, a failover): the read
    notices, throws the pool's connections away and is answered on a new one, however
    many the pool held."""
    statement = sa.select(User.username).where(User.id == sa.bindparam("user_id"))
    values = {"user_id": world.assistant.id}
    assert db.read_once(statement, values).username == world.assistant.username
    with db.reads.connect() as one, db.reads.connect() as two, db.reads.connect() as three:
        for held in (one, two, three):  # three idle connections in the pool after this
            held.execute(sa.text("SELECT 1"))
    with db.engine.connect() as admin:
        dropped = admin.execute(sa.text(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE datname = current_database() AND application_name = 'gridwork reads'"
        )).scalar_one()
    assert dropped >= 3
    assert db.read_once(statement, values).username == world.assistant.username
    assert db.reads.pool.checkedout() == 0


def test_a_statement_sent_directly_reads_inside_its_transaction(db, world):
    """``sync.direct.rows`` on a unit of work's connection sees what that transaction wrote
    and nothing survives its rollback; columns without names come back by position."""
    from sync import direct

    statement = sa.select(User.username, sa.func.upper(User.username)).where(
        User.id == sa.bindparam("user_id"))
    values = {"user_id": world.assistant.id}
    with db.unit_of_work() as session:
        session.execute(sa.update(User).where(User.id == world.assistant.id)
                        .values(username="renamed-in-transaction"))
        for _ in range(2):
            (row,) = direct.rows(session.connection(), statement, values)
            assert row == ("renamed-in-transaction", "RENAMED-IN-TRANSACTION")
        # not committed: rolled back when the unit of work ends
    with db.unit_of_work() as session:
        (row,) = direct.rows(session.connection(), statement, values)
        assert row[0] == world.assistant.username


def test_a_value_left_to_its_default_at_first_can_be_set_later(db, world):
    """A value the first read left to the statement's default was kept with the text; a
    later read that sets it gets its own value, not the first read's."""
    statement = sa.select(User.username).where(
        User.id == sa.bindparam("user_id", value=world.assistant.id))
    assert db.read_once(statement, {}).username == world.assistant.username
    other = world.users[Role.OFFICER]
    assert db.read_once(statement, {"user_id": other.id}).username == other.username
