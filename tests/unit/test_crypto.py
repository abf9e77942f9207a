"""The personal-data key: refused when missing in production or malformed, and values
sealed with it open only with it."""

from __future__ import annotations

import base64

import pytest

from api.config import Config, SettingsError
from enforcement.infrastructure import crypto

PRODUCTION = {"GRIDWORK_ENV": "production", "SECRET_KEY": "s" * 40}
A_KEY = base64.b64encode(bytes(range(32))).decode()


def test_production_refuses_to_start_without_the_key() -> None:
    with pytest.raises(RuntimeError, match="PERSONAL_DATA_KEY must be set"):
        Config.load(environ=PRODUCTION)
    loaded = Config.load(environ={**PRODUCTION, "PERSONAL_DATA_KEY": A_KEY})
    assert crypto.resolve_key(loaded["PERSONAL_DATA_KEY"], "production") == bytes(range(32))


@pytest.mark.parametrize("bad", ["not base64!", base64.b64encode(b"too short").decode()])
def test_a_malformed_key_is_refused_at_start_up_anywhere(bad: str) -> None:
    with pytest.raises(SettingsError, match="PERSONAL_DATA_KEY"):
        Config.load(environ={"SECRET_KEY": "s" * 40, "PERSONAL_DATA_KEY": bad})


def test_development_without_a_key_uses_the_installations_own_key(tmp_path) -> None:
    made = crypto.resolve_key("", "development", str(tmp_path))
    assert len(made) == 32
    assert crypto.resolve_key("", "development", str(tmp_path)) == made
    assert crypto.resolve_key("", "development", str(tmp_path / "elsewhere")) != made


def test_old_keys_still_open_what_they_sealed_while_the_new_key_seals() -> None:
    old, new = bytes(range(32)), bytes(range(1, 33))
    sealed = crypto.Keyring(old).encrypt("620102199001011234")
    rotated = crypto.Keyring(new, (old,))
    assert rotated.decrypt(sealed) == "620102199001011234"
    assert rotated.encrypt("x").startswith(f"gw1:{crypto.key_id(new)}:")
    with pytest.raises(crypto.PersonalDataKeyError, match="PERSONAL_DATA_OLD_KEYS"):
        crypto.Keyring(new).decrypt(sealed)


def test_values_round_trip_under_a_fresh_nonce_and_name_their_key() -> None:
    ring = crypto.Keyring(bytes(range(32)))
    one, two = ring.encrypt("620102199001011234"), ring.encrypt("620102199001011234")
    assert one != two and one.startswith(f"gw1:{ring.key_id}:")
    assert "620102199001011234" not in one
    assert ring.decrypt(one) == ring.decrypt(two) == "620102199001011234"
    assert ring.decrypt(ring.encrypt("")) == ""


def test_another_key_refuses_even_when_given_the_same_key_id() -> None:
    """A value whose key id was rewritten still fails authentication, not decrypts."""
    ring, other = crypto.Keyring(bytes(range(32))), crypto.Keyring(bytes(32))
    sealed = ring.encrypt("13812345678")
    with pytest.raises(crypto.PersonalDataKeyError, match=f"encrypted with key {ring.key_id}"):
        other.decrypt(sealed)
    forged = sealed.replace(ring.key_id, other.key_id, 1)
    with pytest.raises(crypto.PersonalDataKeyError, match="altered or damaged"):
        other.decrypt(forged)
