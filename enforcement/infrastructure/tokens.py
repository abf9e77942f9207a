"""Access tokens (short-lived JWTs) and refresh tokens (opaque, stored hashed).

An access token names the user, court, role and device; every request still checks
that the device has not been revoked, so a lost phone is cut off at once rather than
when its token expires.

Its header names the key that signed it (``kid``, a short public digest of the key), so
the signing key can be rotated: the new key signs, the previous ones listed in
``SECRET_KEY_PREVIOUS`` still verify tokens they signed until those expire. A token
without a ``kid``, or naming a key not listed, is refused.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache

import jwt

from enforcement.errors import Unauthorized

ALGORITHM = "HS256"
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
ISSUER = "gridwork"
VERIFIED_TOKENS = 4096
"""Access tokens a process remembers as verified (``read_access_token``): ~1 KiB each."""


@dataclass(frozen=True, slots=True)
class TokenSettings:
    secret: str
    access_ttl: timedelta = timedelta(minutes=15)
    refresh_ttl: timedelta = timedelta(days=30)
    previous: tuple[str, ...] = ()
    """Keys that signed before a rotation: they verify, never sign."""

    @property
    def key_id(self) -> str:
        return signing_key_id(self.secret)

    def verifying_key(self, kid: object) -> str | None:
        """The listed key a token's ``kid`` names, or None."""
        return next((k for k in (self.secret, *self.previous) if signing_key_id(k) == kid), None)


def signing_key_id(secret: str) -> str:
    """A short public name for a signing key (not the key): goes in each token's header."""
    return hmac.new(secret.encode(), b"gridwork token key id", hashlib.sha256).hexdigest()[:12]


@dataclass(frozen=True, slots=True)
class AccessClaims:
    user_id: str
    court_id: str
    role: str
    device_id: str
    issued_at: datetime | None = None


def issue_access_token(settings: TokenSettings, claims: AccessClaims, now: datetime) -> str:
    payload = {
        "iss": ISSUER,
        "typ": "access",
        "sub": claims.user_id,
        "court": claims.court_id,
        "role": claims.role,
        "dev": claims.device_id,
        "iat": int(now.timestamp()),
        "exp": int((now + settings.access_ttl).timestamp()),
        "iat_us": (now - _EPOCH) // timedelta(microseconds=1),
        "jti": uuid.uuid4().hex,
    }
    return jwt.encode(payload, settings.secret, algorithm=ALGORITHM,
                      headers={"kid": settings.key_id})


def read_access_token(settings: TokenSettings, token: str) -> AccessClaims:
    """The claims of a valid, unexpired access token; ``Unauthorized`` otherwise.

    A token whose signature checked once is remembered (``_verified``): a phone polls with
    the same token for its whole life, and checking it again was a tenth of a poll's CPU
    (bench/profile-findings.md, finding 36). Its expiry is checked on every use."""
    claims, expires = _verified(settings, token)
    if expires <= time.time():
        raise Unauthorized("access token expired", code="token_expired")
    return claims


@lru_cache(maxsize=VERIFIED_TOKENS)
def _verified(settings: TokenSettings, token: str) -> tuple[AccessClaims, int]:
    """The claims and expiry (seconds since the epoch) of a token whose key, signature,
    issuer and type check; raises for one that does not (a refusal is never remembered)."""
    try:
        key = settings.verifying_key(jwt.get_unverified_header(token).get("kid"))
        if key is None:
            raise Unauthorized("access token signed with an unknown key", code="token_invalid")
        payload = jwt.decode(
            token,
            key,
            algorithms=[ALGORITHM],
            issuer=ISSUER,
            options={"require": ["exp", "sub", "iss"]},
        )
    except jwt.ExpiredSignatureError as exc:
        raise Unauthorized("access token expired", code="token_expired") from exc
    except jwt.PyJWTError as exc:
        raise Unauthorized("access token invalid", code="token_invalid") from exc
    if payload.get("typ") != "access":
        raise Unauthorized("not an access token", code="token_invalid")
    try:
        issued_at = _EPOCH + timedelta(microseconds=int(payload["iat_us"]))
        return AccessClaims(
            payload["sub"], payload["court"], payload["role"], payload["dev"], issued_at
        ), int(payload["exp"])
    except (KeyError, TypeError, ValueError, OverflowError) as exc:
        raise Unauthorized("access token invalid", code="token_invalid") from exc


def new_refresh_token(court_id: str) -> str:
    """``<court id>.<secret>``: the court part lets the lookup go straight to the court's
    rows (one shard, once distributed by court); the secret is what is hashed and checked."""
    return f"{court_id}.{secrets.token_urlsafe(32)}"


def parse_refresh_token(token: str) -> tuple[str, str]:
    """The court id and the hash to look up; raises Unauthorized for a malformed token."""
    court_id, dot, secret = token.partition(".")
    if not dot or not court_id or not secret:
        raise Unauthorized("refresh token unknown", code="refresh_token_invalid")
    return court_id, hash_refresh_token(token)


def hash_refresh_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
