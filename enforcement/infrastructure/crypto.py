"""Identity and phone numbers encrypted at rest, transparently for ORM and Core.

A stolen database dump, a backup copied to the wrong disk or a curious DBA must not yield
debtors' identity numbers and phones. ``EncryptedText`` encrypts a value on its way into
PostgreSQL and decrypts it on its way out, so the use cases, masking and audit work on
clear values exactly as before. AES-256-GCM (the ``cryptography`` package's vetted AEAD)
with a random 96-bit nonce per value; the stored text names the key that sealed it::

    gw1:<key id>:<base64 of nonce + ciphertext + tag>

so keys can be rotated later (old ids stay readable while a new key seals). A value that
cannot be opened (another key, damaged text, clear text where ciphertext belongs) raises
``PersonalDataKeyError`` — never garbage, never a silent ``None``.

The key is ``PERSONAL_DATA_KEY`` (base64 of 32 bytes). Outside production, when it is
unset, a key generated once into the private data folder is used
(``enforcement.infrastructure.local_keys``); production refuses to start without it.
``PERSONAL_DATA_OLD_KEYS`` lists keys that only open values sealed before a rotation
(docs/security.md says how to rotate).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from enforcement.infrastructure import local_keys

KEY_SETTING = "PERSONAL_DATA_KEY"
OLD_KEYS_SETTING = "PERSONAL_DATA_OLD_KEYS"
FORMAT = "gw1"
"""Version of the stored layout; also bound into each value as associated data."""
NONCE_BYTES = 12


class PersonalDataKeyError(RuntimeError):
    """The personal-data key is missing, malformed, or does not open a stored value."""


def parse_key(value: str) -> bytes:
    """``PERSONAL_DATA_KEY`` as 32 raw bytes; anything else is refused at start-up."""
    try:
        key = base64.b64decode(value.strip(), validate=True)
    except (binascii.Error, ValueError) as exc:
        raise PersonalDataKeyError(f"{KEY_SETTING} is not valid base64") from exc
    if len(key) != 32:
        raise PersonalDataKeyError(
            f"{KEY_SETTING} must be base64 of 32 bytes (AES-256), got {len(key)} bytes")
    return key


def resolve_key(configured: str | None, environment: str,
                folder: str = local_keys.DEFAULT_FOLDER) -> bytes:
    """The configured key; anywhere but production, the installation's own generated key
    (kept in ``folder``) when none is configured."""
    if configured:
        return parse_key(configured)
    if environment == "production":
        raise PersonalDataKeyError(f"{KEY_SETTING} must be set when GRIDWORK_ENV=production")
    return parse_key(local_keys.personal_data_key(folder))


def parse_old_keys(value: str | None) -> tuple[bytes, ...]:
    """``PERSONAL_DATA_OLD_KEYS``: comma- or space-separated keys kept for reading only."""
    return tuple(parse_key(k) for k in (value or "").replace(",", " ").split())


def key_id(key: bytes) -> str:
    """A short public name for a key (not the key): tells which key sealed a value."""
    return hmac.new(key, b"gridwork personal data key id", hashlib.sha256).hexdigest()[:8]


@dataclass(frozen=True)
class Keyring:
    """The key that seals new values, by id, so a stored value names the key it needs;
    ``old`` keys (from before a rotation) still open the values they sealed."""

    key: bytes
    old: tuple[bytes, ...] = field(default=())

    @property
    def key_id(self) -> str:
        return key_id(self.key)

    def _opening(self, kid: str) -> bytes | None:
        return next((k for k in (self.key, *self.old) if key_id(k) == kid), None)

    def encrypt(self, text: str) -> str:
        header = f"{FORMAT}:{self.key_id}"
        nonce = os.urandom(NONCE_BYTES)
        sealed = AESGCM(self.key).encrypt(nonce, text.encode(), header.encode())
        return f"{header}:{base64.b64encode(nonce + sealed).decode()}"

    def decrypt(self, stored: str) -> str:
        parts = stored.split(":")
        if len(parts) != 3 or parts[0] != FORMAT:
            raise PersonalDataKeyError(
                "a personal-data column holds a value that is not encrypted "
                f"(expected {FORMAT}:<key id>:…); was it written around the application?")
        _, kid, body = parts
        key = self._opening(kid)
        if key is None:
            raise PersonalDataKeyError(
                f"a stored value was encrypted with key {kid}, but {KEY_SETTING} is key "
                f"{self.key_id}: configure the key the data was written with (or list it "
                f"in {OLD_KEYS_SETTING})")
        try:
            raw = base64.b64decode(body, validate=True)
            return AESGCM(key).decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:],
                                            f"{FORMAT}:{kid}".encode()).decode()
        except (InvalidTag, binascii.Error, ValueError) as exc:
            raise PersonalDataKeyError(
                f"a stored value under key {kid} does not decrypt: it was altered or damaged"
            ) from exc


_keyring: Keyring | None = None


def configure(key: bytes, old: Iterable[bytes] = ()) -> Keyring:
    """Make ``key`` the process's personal-data key (the app does this at start-up)."""
    global _keyring
    _keyring = Keyring(key, tuple(old))
    return _keyring


def keyring() -> Keyring:
    """The configured keyring; scripts and migrations that build no app read the env."""
    if _keyring is None:
        return configure(
            resolve_key(os.environ.get(KEY_SETTING), os.environ.get("GRIDWORK_ENV", "development"),
                        os.environ.get("PRIVATE_DATA_DIR") or local_keys.DEFAULT_FOLDER),
            parse_old_keys(os.environ.get(OLD_KEYS_SETTING)))
    return _keyring


class EncryptedText(sa.types.TypeDecorator[str]):
    """A text column stored AES-256-GCM encrypted; reads and writes see clear text.

    Only equality with ``None`` is meaningful in SQL: the same value encrypts differently
    each time, so nothing can be searched, sorted or compared by it in the database.
    """

    impl = sa.Text
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: sa.Dialect) -> str | None:
        if value is None:
            return None
        return keyring().encrypt(str(value))

    def process_result_value(self, value: Any, dialect: sa.Dialect) -> str | None:
        if value is None:
            return None
        return keyring().decrypt(value)
