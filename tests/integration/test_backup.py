"""A backup comes back whole: same rows, same attachments, audit chains intact."""

from __future__ import annotations

import tarfile

import sqlalchemy as sa
from sqlmodel import Session

from enforcement.infrastructure import audit
from enforcement.models import Party
from tests import factories


def _some_court_data(engine) -> str:
    with Session(engine, expire_on_commit=False) as session:
        court = factories.create_court(session)
        township = factories.create_township(session, court)
        factories.create_village(session, township)
        user = factories.create_user(session, court)
        factories.create_party(session, court)  # identity and phone encrypted at rest
        for action in ("auth.login", "party.read_unmasked"):
            audit.record(session, court_id=court.id, action=action, actor_id=user.id)
        session.commit()
        return court.code


def test_backup_then_restore_into_a_fresh_database(engine, make_app, make_database, tmp_path):
    court_code = _some_court_data(engine)
    attachments = tmp_path / "attachments"
    (attachments / "ab").mkdir(parents=True)
    (attachments / "ab" / "abcdef").write_bytes(b"photo bytes")
    archive = tmp_path / "court.tar"

    made = make_app(ATTACHMENTS_DIR=str(attachments)).test_cli_runner().invoke(
        args=["backup", str(archive)])
    assert made.exit_code == 0, made.output
    assert "1 attachments" in made.output

    restored_attachments = tmp_path / "restored"
    target = make_app(DATABASE_URL=make_database(template="template0"),
                      ATTACHMENTS_DIR=str(restored_attachments))
    result = target.test_cli_runner().invoke(args=["restore", str(archive)])
    assert result.exit_code == 0, result.output
    assert "counts match" in result.output
    assert (restored_attachments / "ab" / "abcdef").read_bytes() == b"photo bytes"
    with target.extensions["gridwork"].db.engine.connect() as conn:
        codes = conn.execute(sa.text("SELECT code FROM court")).scalars().all()
        entries = conn.execute(sa.text("SELECT count(*) FROM audit_log")).scalar()
        numbers = conn.execute(sa.select(Party.id_number, Party.phone)).all()
    assert codes == [court_code]
    assert entries == 2
    assert [tuple(n) for n in numbers] == [("620102199001011234", "13812345678")]
    verify = target.test_cli_runner().invoke(args=["audit", "verify"])
    assert verify.exit_code == 0 and "2 entries\tok" in verify.output

    again = target.test_cli_runner().invoke(args=["restore", str(archive)])
    assert again.exit_code == 1
    assert "already holds courts" in again.output


def test_a_damaged_backup_is_refused_and_writes_nothing(engine, make_app, make_database,
                                                         tmp_path):
    _some_court_data(engine)
    archive = tmp_path / "court.tar"
    assert make_app().test_cli_runner().invoke(args=["backup", str(archive)]).exit_code == 0
    with tarfile.open(archive) as tar:
        dump = tar.getmember("database.dump")
    data = bytearray(archive.read_bytes())
    data[dump.offset_data + dump.size // 2] ^= 0xFF  # one flipped bit-pattern inside the dump
    archive.write_bytes(bytes(data))

    target = make_app(DATABASE_URL=make_database(template="template0"))
    result = target.test_cli_runner().invoke(args=["restore", str(archive)])
    assert result.exit_code == 1
    assert "does not match its manifest" in result.output
    with target.extensions["gridwork"].db.engine.connect() as conn:
        assert conn.execute(sa.text("SELECT to_regclass('public.court')")).scalar() is None
