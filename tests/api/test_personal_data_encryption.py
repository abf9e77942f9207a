"""Identity and phone numbers are ciphertext in PostgreSQL; the API still shows them (masked
or whole, by role); a wrong key or altered data fails loudly instead of showing garbage."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
import sqlalchemy as sa
from sqlmodel import Session

from enforcement.infrastructure import crypto
from enforcement.models import LinkageUnit, Party, Role, User
from tests import factories

ID_NUMBER = "620102199001011234"
PHONE = "13812345678"
LIAISON_PHONE = "13912345678"
USER_PHONE = "13700001111"


def _raw_text(engine: sa.Engine, table: str) -> str:
    """Every row of ``table`` as PostgreSQL prints it: what a dump or a DBA would see."""
    with engine.connect() as conn:
        return "\n".join(conn.execute(sa.text(f"SELECT t::text FROM {table} AS t")).scalars())


@pytest.fixture
def use_key() -> Iterator[Callable[[bytes], crypto.Keyring]]:
    """Switch the process's personal-data key; the test's key is put back afterwards."""
    before = crypto.keyring()
    yield crypto.configure
    crypto.configure(before.key)


def test_numbers_are_ciphertext_in_the_database_and_shown_by_role(http, world, session,
                                                                   engine):
    case, debtor = factories.create_debtor_case(session, world.court, world.village_a)
    twin = factories.create_party(session, world.court, world.village_a)  # same numbers
    factories.create_linkage_unit(session, world.court, contact_phone=LIAISON_PHONE)
    officer = world.users[Role.OFFICER]
    officer.phone = USER_PHONE
    session.commit()

    masked = http.get(f"/api/v1/cases/{case.id}", headers=world.headers(world.assistant))
    assert masked.status_code == 200, masked.text
    [shown] = masked.json()["parties"]
    assert (shown["id_number"], shown["phone"]) == ("6201**********1234", "138****5678")
    whole = http.get(f"/api/v1/cases/{case.id}", headers=world.headers(world.judge_user))
    [shown] = whole.json()["parties"]
    assert (shown["id_number"], shown["phone"], shown["masked"]) == (ID_NUMBER, PHONE, False)
    units = http.get("/api/v1/linkage/units", headers=world.headers(world.judge_user))
    assert units.status_code == 200, units.text
    assert LIAISON_PHONE in units.text

    with engine.connect() as conn:
        stored = dict(conn.execute(sa.text(
            "SELECT id, id_number FROM party WHERE court_id = :c"), {"c": world.court.id}).all())
    assert stored[debtor.id].startswith(f"gw1:{crypto.keyring().key_id}:")
    assert stored[debtor.id] != stored[twin.id], "a fresh nonce per value"
    everything = "\n".join(_raw_text(engine, t) for t in (
        "party", "linkage_unit", "user_account", "sync_change", "audit_log"))
    for clear in (ID_NUMBER, PHONE, LIAISON_PHONE, USER_PHONE):
        assert clear not in everything
    # The unmasked read above was audited, which the raw text proves reached these tables.
    assert "party.read_unmasked" in everything


def test_a_wrong_key_fails_loudly(http, world, session, engine, use_key):
    case, party = factories.create_debtor_case(session, world.court, world.village_a)
    session.commit()
    written_with = crypto.keyring().key_id
    wrong = use_key(bytes(range(32)))
    with Session(engine) as reader, pytest.raises(crypto.PersonalDataKeyError) as refused:
        reader.get(Party, (world.court.id, party.id))
    message = str(refused.value)
    assert f"encrypted with key {written_with}" in message and wrong.key_id in message
    assert ID_NUMBER not in message
    # Over HTTP the same refusal is a server error, never a made-up or empty number.
    response = http.get(f"/api/v1/cases/{case.id}", headers=world.headers(world.judge_user))
    assert response.status_code == 500
    assert response.headers["Content-Type"] == "application/problem+json"
    assert response.json()["code"] == "internal_error" and ID_NUMBER not in response.text


def test_altered_ciphertext_or_clear_text_in_the_column_is_refused(world, session, engine):
    party = factories.create_party(session, world.court)
    unit = factories.create_linkage_unit(session, world.court)
    session.commit()
    with engine.begin() as conn:
        stored = conn.execute(sa.text("SELECT phone FROM party WHERE id = :i"),
                              {"i": party.id}).scalar_one()
        flipped = stored[:-3] + ("A" if stored[-3] != "A" else "B") + stored[-2:]
        conn.execute(sa.text("UPDATE party SET phone = :p WHERE id = :i"),
                     {"p": flipped, "i": party.id})
        conn.execute(sa.text("UPDATE linkage_unit SET contact_phone = '13912345678' "
                             "WHERE id = :i"), {"i": unit.id})
    with Session(engine) as reader:
        with pytest.raises(crypto.PersonalDataKeyError, match="altered or damaged"):
            reader.get(Party, (world.court.id, party.id))
        with pytest.raises(crypto.PersonalDataKeyError, match="not encrypted"):
            reader.get(LinkageUnit, (world.court.id, unit.id))


def test_core_inserts_and_reads_are_transparent_too(world, engine):
    """The demo seed writes with Core bulk inserts; those are encrypted the same way."""
    table = User.__table__
    with engine.begin() as conn:
        conn.execute(sa.update(table).where(table.c.id == world.assistant.id)
                     .values(phone=USER_PHONE))
        assert conn.execute(sa.select(table.c.phone).where(
            table.c.id == world.assistant.id)).scalar_one() == USER_PHONE
        raw = conn.execute(sa.text("SELECT phone FROM user_account WHERE id = :i"),
                           {"i": world.assistant.id}).scalar_one()
    assert raw.startswith("gw1:") and USER_PHONE not in raw
