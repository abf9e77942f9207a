"""The audit log is append-only and any tampering is found by ``flask audit verify``."""

from __future__ import annotations

from collections.abc import Callable

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session

from enforcement.infrastructure import audit
from enforcement.models import Court
from tests import factories


@pytest.fixture
def court_with_chain(engine) -> Court:
    with Session(engine, expire_on_commit=False) as session:
        court = factories.create_court(session)
        user = factories.create_user(session, court)
        for action in ("auth.login", "party.read_unmasked", "lead.create", "auth.login"):
            audit.record(session, court_id=court.id, action=action, actor_id=user.id,
                         detail={"note": "测试"})
        session.commit()
    return court


def verify(engine, court: Court) -> audit.ChainReport:
    with Session(engine) as session:
        return audit.verify_chain(session, court)


def tamper(engine, sql: str, court: Court) -> None:
    """Change rows behind the application's back, as a superuser switching triggers off."""
    with engine.begin() as conn:
        conn.execute(sa.text("SET LOCAL session_replication_role = replica"))
        conn.execute(sa.text(sql), {"court": court.id})


def test_an_untouched_chain_verifies(engine, court_with_chain):
    report = verify(engine, court_with_chain)
    assert report.ok, report.problem
    assert report.entries == 4


@pytest.mark.parametrize("statement", [
    "UPDATE audit_log SET action = 'nothing' WHERE court_id = :court",
    "DELETE FROM audit_log WHERE court_id = :court",
])
def test_the_database_refuses_to_change_audit_rows(engine, court_with_chain, statement):
    with pytest.raises(DBAPIError, match="append-only"), engine.begin() as conn:
        conn.execute(sa.text(statement), {"court": court_with_chain.id})
    assert verify(engine, court_with_chain).entries == 4


@pytest.mark.parametrize(("sql", "broken_at", "words"), [
    ("UPDATE audit_log SET detail = '{\"note\": \"改过\"}' WHERE court_id = :court AND seq = 2",
     2, "altered"),
    ("UPDATE audit_log SET actor_id = NULL WHERE court_id = :court AND seq = 3", 3, "altered"),
    ("DELETE FROM audit_log WHERE court_id = :court AND seq = 2", 2, "missing"),
    ("DELETE FROM audit_log WHERE court_id = :court AND seq = 4", 4, "head"),
    ("INSERT INTO audit_log (court_id, id, seq, at, action, detail, prev_hash, hash) "
     "SELECT court_id, 'forged', 5, now(), 'auth.login', '{}', hash, repeat('f', 64) "
     "FROM audit_log WHERE court_id = :court AND seq = 4", 5, "altered"),
])
def test_tampering_is_found_at_the_first_broken_entry(engine, court_with_chain, sql,
                                                        broken_at, words):
    tamper(engine, sql, court_with_chain)
    report = verify(engine, court_with_chain)
    assert not report.ok
    assert report.broken_at == broken_at
    assert words in report.problem


def test_cli_reports_each_court_and_fails_on_a_broken_chain(
        engine, court_with_chain, make_app: Callable):
    runner = make_app().test_cli_runner()
    ok = runner.invoke(args=["audit", "verify"])
    assert ok.exit_code == 0, ok.output
    assert f"{court_with_chain.code}\t4 entries\tok" in ok.output

    tamper(engine, "DELETE FROM audit_log WHERE court_id = :court AND seq = 1", court_with_chain)
    broken = runner.invoke(args=["audit", "verify", "--court", court_with_chain.code])
    assert broken.exit_code == 1
    assert "BROKEN" in broken.output and "#1" in broken.output
    unknown = runner.invoke(args=["audit", "verify", "--court", "no-such-court"])
    assert unknown.exit_code == 1
