"""The privacy migration encrypts the numbers already stored, in batches, and its downgrade
gives them back in clear; the sync change feed is left alone (phones see no change)."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from alembic import command
from sqlmodel import Session

from enforcement.infrastructure.db_migrations import alembic_config
from enforcement.models import Party, User
from tests import factories

BEFORE = "c3e9a2b7f403"
PARTIES = 1205  # more than one batch of the migration


def _raw(conn: sa.Connection, sql: str) -> list[tuple]:
    return [tuple(row) for row in conn.execute(sa.text(sql))]


@pytest.mark.timeout(180)
def test_numbers_are_encrypted_by_the_upgrade_and_decrypted_by_the_downgrade(make_database):
    url = make_database()
    engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
    try:
        with Session(engine, expire_on_commit=False) as session:
            court = factories.create_court(session)
            user = factories.create_user(session, court, phone="13700001111")
            factories.create_linkage_unit(session, court, contact_phone="13912345678")
            session.add_all(Party(court_id=court.id, name=f"张{n}",
                                  id_number=f"62010219900101{n:04d}",
                                  phone=None if n % 2 else f"138{n:08d}")
                            for n in range(PARTIES))
            session.commit()
        with engine.connect() as conn:
            feed = _raw(conn, "SELECT table_name, record_id, seq FROM sync_change ORDER BY 1, 2")

        cfg = alembic_config(url=url)
        command.downgrade(cfg, BEFORE)
        with engine.connect() as conn:
            clear = _raw(conn, "SELECT id_number, phone FROM party ORDER BY id_number")
            assert clear[0] == ("620102199001010000", "13800000000")
            assert clear[1] == ("620102199001010001", None)
            assert len(clear) == PARTIES
            assert _raw(conn, "SELECT contact_phone FROM linkage_unit") == [("13912345678",)]
            assert _raw(conn, f"SELECT phone FROM user_account WHERE id = '{user.id}'") == [
                ("13700001111",)]

        command.upgrade(cfg, "head")
        with engine.connect() as conn:
            stored = _raw(conn, "SELECT id_number, phone FROM party")
            assert all(i.startswith("gw1:") and (p is None or p.startswith("gw1:"))
                       for i, p in stored)
            assert sum(p is None for _, p in stored) == PARTIES // 2
            assert not any("62010219900101" in i for i, _ in stored)
            assert _raw(conn, "SELECT table_name, record_id, seq FROM sync_change "
                              "ORDER BY 1, 2") == feed
        with Session(engine) as session:
            ids = session.scalars(sa.select(Party.id_number).order_by(Party.name)).all()
            assert sorted(ids) == [f"62010219900101{n:04d}" for n in range(PARTIES)]
            assert session.get(User, (court.id, user.id)).phone == "13700001111"
    finally:
        engine.dispose()
