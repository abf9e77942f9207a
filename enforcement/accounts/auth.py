"""Signing in, refreshing tokens, revoking devices, and recognising the caller.

Refresh tokens rotate: each is good for one use and is replaced by a successor.
If a used token comes back, someone kept a copy, so every session of that device
is ended (tokens revoked, access tokens issued before now refused).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

import sqlalchemy as sa
from sqlmodel import Session, select

from enforcement.accounts import lockout
from enforcement.accounts.passwords import verify_password
from enforcement.accounts.principal import Principal
from enforcement.errors import Forbidden, NotFound, Unauthorized
from enforcement.infrastructure import audit
from enforcement.infrastructure.db import Database
from enforcement.infrastructure.ids import canonical_device_id
from enforcement.infrastructure.tokens import (
    AccessClaims,
    TokenSettings,
    hash_refresh_token,
    issue_access_token,
    new_refresh_token,
    parse_refresh_token,
    read_access_token,
)
from enforcement.models import Device, RefreshToken, Role, User, new_id, utcnow

MAX_FAILED_LOGINS = lockout.MAX_FAILED_LOGINS
LOCKOUT = lockout.LOCKOUT


@dataclass(frozen=True, slots=True)
class TokenPair:
    access_token: str
    refresh_token: str
    expires_in: int
    user: User
    device: Device


@dataclass(frozen=True, slots=True)
class DeviceInfo:
    device_id: str
    name: str = ""
    platform: str | None = None
    app_version: str | None = None


def login(db: Database, settings: TokenSettings, username: str, password: str,
          device: DeviceInfo, ip: str | None = None) -> TokenPair:
    """Sign in; wrong passwords are counted as ``enforcement.accounts.lockout`` describes, for known
    and unknown usernames alike."""
    device = dataclasses.replace(device, device_id=canonical_device_id(device.device_id))
    with db.unit_of_work() as session:
        user = session.exec(
            select(User).where(sa.func.lower(User.username) == username.strip().lower())
            .with_for_update()
        ).first()
        now = utcnow()
        account = lockout.account_key(username)
        own = _own_device(session, user, device.device_id)
        source = (lockout.device_source(own.id) if own is not None
                  else lockout.address_source(ip))
        lockout.check(session, account, source, now, own_device=own is not None)
        if not verify_password(user.password_hash if user else None, password) or user is None:
            locked_until = lockout.record_failure(session, account, source, now)
            if user is not None:
                _note_failure(session, user, locked_until, ip)
            session.commit()
            raise Unauthorized("wrong username or password", code="invalid_credentials")
        if not user.is_active:
            raise Forbidden("account disabled", code="account_disabled")
        registered = _register_device(session, user, device, own)
        lockout.forget_source(session, account, source)
        user.last_login_at = now
        user.failed_logins = 0
        pair = _issue(session, settings, user, registered, family_id=new_id(), now=now)
        audit.record(session, court_id=user.court_id, action="auth.login", actor_id=user.id,
                     device_id=registered.id, ip=ip)
        session.commit()
        return pair


def refresh(db: Database, settings: TokenSettings, refresh_token: str) -> TokenPair:
    with db.unit_of_work() as session:
        court_id, token_hash = parse_refresh_token(refresh_token)
        stored = session.exec(
            select(RefreshToken)
            .where(RefreshToken.court_id == court_id, RefreshToken.token_hash == token_hash)
            .with_for_update()
        ).first()
        if stored is None:
            raise Unauthorized("refresh token unknown", code="refresh_token_invalid")
        now = utcnow()
        if stored.used_at is not None or stored.revoked_at is not None:
            _end_device_sessions(session, stored.court_id, stored.device_id, now)
            audit.record(session, court_id=stored.court_id, action="auth.refresh_reused",
                         actor_id=stored.user_id, device_id=stored.device_id)
            session.commit()
            raise Unauthorized("refresh token already used; the device was signed out",
                               code="refresh_token_reused")
        if stored.expires_at <= now:
            raise Unauthorized("refresh token expired", code="refresh_token_expired")
        user = session.get(User, (stored.court_id, stored.user_id))
        device = session.get(Device, (stored.court_id, stored.device_id))
        if user is None or not user.is_active:
            raise Forbidden("account disabled", code="account_disabled")
        device = _require_usable(device)
        stored.used_at = now
        pair = _issue(session, settings, user, device, family_id=stored.family_id, now=now)
        session.commit()
        return pair


def revoke_device(db: Database, principal: Principal, device_id: str,
                  reason: str | None = None, end_all_sessions: bool = False) -> Device:
    """Revoke a lost or retired device: its tokens stop working and it is told to wipe.

    With ``end_all_sessions`` (a phone lost while signed in, its password perhaps seen) every
    session of the device's owner ends too, and no new device may sign in to the account
    until an admin unlocks it; the owner's other registered devices sign in again with the
    password."""
    with db.unit_of_work() as session:
        named = [d for d in _devices_named(session, principal.court_id, device_id)
                 if principal.role == Role.ADMIN or d.user_id == principal.user_id]
        if not named:
            raise NotFound("no such device", code="device_not_found")
        now = utcnow()
        for device in named:
            if device.revoked_at is None:
                device.revoked_at = now
                device.revoked_by = principal.user_id
                device.revoke_reason = reason
                device.wipe_requested = True
                _end_device_sessions(session, device.court_id, device.id, now)
                audit.record(session, court_id=device.court_id, action="device.revoke",
                             actor_id=principal.user_id, device_id=principal.device_id,
                             subject_table="device", subject_id=device.id,
                             detail={"reason": reason, "owner": device.user_id})
        if end_all_sessions:
            _end_user_sessions(session, principal, named[0].user_id, now)
        session.commit()
        return named[0]


def _end_user_sessions(session: Session, principal: Principal, user_id: str,
                       now: datetime) -> None:
    owner = session.get(User, (principal.court_id, user_id), with_for_update=True)
    if owner is None:
        return
    for device in session.exec(select(Device).where(Device.court_id == owner.court_id,
                                                    Device.user_id == owner.id)):
        _end_device_sessions(session, owner.court_id, device.id, now)
    owner.new_devices_held = True
    audit.record(session, court_id=owner.court_id, action="auth.sessions_ended",
                 actor_id=principal.user_id, device_id=principal.device_id,
                 subject_table="user_account", subject_id=owner.id,
                 detail={"new_devices_held": True})


def authenticate(db: Database, settings: TokenSettings, token: str) -> Principal:
    """The caller behind an access token, provided user and device are still in good standing.

    Its read-only transaction ends with COMMIT, not the ROLLBACK of a unit of work left
    uncommitted: on a ROLLBACK psycopg forgets every statement it prepared on the
    connection (and sends DEALLOCATE ALL), so a pull after a push on the same connection
    planned its statements afresh, ``PLAN_ONCE`` or not (bench/profile-findings.md, 40)."""
    claims = read_access_token(settings, token)
    with db.unit_of_work() as session:
        principal = _in_good_standing(session, claims)
        session.commit()
        return principal


@dataclass(frozen=True, slots=True)
class Credentials:
    """An access token whose signature and expiry were checked, but not yet whether its user
    and device are still in good standing: a use case checks that (``signed_in``) as the
    first statement of its own transaction, so that a request that polls costs one
    transaction, not two (bench/profile-findings.md, finding 15). ``on_signed_in`` learns
    the principal once known (the request's log)."""

    claims: AccessClaims
    on_signed_in: Callable[[Principal], None] | None = None

    def claimed(self) -> Principal:
        """Who the token says the caller is, before the sign-in check (``admit``) says
        whether that still stands, and with which role."""
        c = self.claims
        try:
            role = Role(c.role)
        except ValueError:
            raise Unauthorized("access token no longer valid", code="token_invalid") from None
        return Principal(user_id=c.user_id, court_id=c.court_id, role=role,
                         device_id=c.device_id)

    def admit(self, row: Any) -> Principal:
        """``admitted`` for this token's row of ``standing``, told to ``on_signed_in``."""
        principal = admitted(self.claims, row)
        if self.on_signed_in is not None:
            self.on_signed_in(principal)
        return principal


def read_credentials(settings: TokenSettings, token: str,
                     on_signed_in: Callable[[Principal], None] | None = None) -> Credentials:
    """``authenticate`` without the database: 401 for a token that is not ours or expired."""
    return Credentials(read_access_token(settings, token), on_signed_in)


def signed_in(session: Session, caller: Principal | Credentials) -> Principal:
    """The caller as ``authenticate`` finds it, inside ``session``'s transaction: the same
    read, as fresh (a revoked device or a token signed out is refused on its next request)
    and refused the same way; a ``Principal`` is already checked."""
    if isinstance(caller, Principal):
        return caller
    c = caller.claims
    return caller.admit(session.execute(standing(c.court_id, c.user_id, c.device_id)).first())


def _in_good_standing(session: Session, claims: AccessClaims) -> Principal:
    row = session.execute(standing(claims.court_id, claims.user_id, claims.device_id)).first()
    return admitted(claims, row)


def standing(court_id: str, user_id: str, device_id: str) -> sa.Select[Any]:
    """The row that tells whether a token's user and device are still in good standing
    (none: no such user and device), for ``admitted``; a pull reads it in its own first
    statement (``sync.opening.Admission``), with when the device was last seen (the native
    pull notes that at most once a minute: it need not ask again)."""
    return cast(sa.Select[Any], sa.select(
        User.username, User.role, User.is_active, Device.revoked_at, Device.signed_out_at,
        Device.last_seen_at,
    ).join(Device, sa.and_(Device.court_id == User.court_id, Device.user_id == User.id),
           ).where(User.court_id == court_id, User.id == user_id, Device.id == device_id))


def admitted(claims: AccessClaims, row: Any) -> Principal:
    """The caller, if ``standing``'s row (None, or NULLs: no such user and device) admits
    the token; else the problem to answer: 401 for a token no longer valid or signed out,
    403 with ``wipe`` for a revoked device."""
    if row is None or not row.is_active:
        raise Unauthorized("access token no longer valid", code="token_invalid")
    if row.revoked_at is not None:
        raise Forbidden("this device was revoked; wipe local data", code="device_revoked",
                        wipe=True)
    if row.signed_out_at is not None and claims.issued_at <= row.signed_out_at:
        raise Unauthorized("this session was ended; sign in again", code="token_revoked")
    return Principal(user_id=claims.user_id, court_id=claims.court_id, role=Role(row.role),
                     device_id=claims.device_id, username=row.username)


def unlock_user(db: Database, principal: Principal, user_id: str) -> User:
    """An admin lifts a user's lock-outs (every address and device) before they expire, and
    a hold on new devices after a revocation (after checking who is asking)."""
    with db.unit_of_work() as session:
        user = session.get(User, (principal.court_id, user_id), with_for_update=True)
        if user is None:
            raise NotFound("no such user", code="user_not_found")
        lockout.forget_account(session, lockout.account_key(user.username))
        user.failed_logins = 0
        user.locked_until = None
        user.new_devices_held = False
        audit.record(session, court_id=user.court_id, action="auth.unlock",
                     actor_id=principal.user_id, device_id=principal.device_id,
                     subject_table="user_account", subject_id=user.id)
        session.commit()
        return user


def _note_failure(session: Session, user: User, locked_until: datetime | None,
                  ip: str | None) -> None:
    """Audit a wrong password for a known user; admins see the latest lock-out on the user."""
    user.failed_logins += 1
    if locked_until is not None:
        user.locked_until = locked_until
    audit.record(session, court_id=user.court_id, action="auth.login_failed", actor_id=user.id,
                 ip=ip, detail={"locked": locked_until is not None})


def _devices_named(session: Session, court_id: str, device_id: str) -> list[Device]:
    """The court's devices whose id is ``device_id`` in any case (older rows kept theirs)."""
    return list(session.exec(
        select(Device).where(Device.court_id == court_id,
                             sa.func.lower(Device.id) == canonical_device_id(device_id))
        .order_by(Device.registered_at).with_for_update()))


def _own_device(session: Session, user: User | None, device_id: str) -> Device | None:
    """The user's own registered device of that id, in good standing, if it is one."""
    if user is None:
        return None
    named = _devices_named(session, user.court_id, device_id)
    if not named or any(d.user_id != user.id or d.revoked_at is not None for d in named):
        return None
    return named[0]


def _register_device(session: Session, user: User, info: DeviceInfo,
                     device: Device | None) -> Device:
    if device is None:
        named = _devices_named(session, user.court_id, info.device_id)
        if any(d.user_id != user.id for d in named):
            raise Forbidden("this device is registered to another user; an admin must revoke it",
                            code="device_registered_to_other_user")
        for revoked in named:
            _require_usable(revoked)
        if user.new_devices_held:
            raise Forbidden("a device of this account was revoked; an admin must approve a new "
                            "device", code="device_approval_required")
        device = Device(court_id=user.court_id, id=info.device_id, user_id=user.id)
        session.add(device)
    device.name = info.name or device.name
    device.platform = info.platform or device.platform
    device.app_version = info.app_version or device.app_version
    device.last_seen_at = utcnow()
    return device


def _require_usable(device: Device | None) -> Device:
    if device is None:
        raise Unauthorized("unknown device", code="refresh_token_invalid")
    if device.revoked_at is not None:
        raise Forbidden("this device was revoked; wipe local data", code="device_revoked",
                        wipe=True)
    return device


def _issue(session: Session, settings: TokenSettings, user: User, device: Device,
           family_id: str, now: datetime) -> TokenPair:
    refresh_token = new_refresh_token(user.court_id)
    session.add(RefreshToken(
        court_id=user.court_id, user_id=user.id, device_id=device.id, family_id=family_id,
        token_hash=hash_refresh_token(refresh_token), issued_at=now,
        expires_at=now + settings.refresh_ttl,
    ))
    access = issue_access_token(
        settings, AccessClaims(user.id, user.court_id, user.role.value, device.id, now), now
    )
    return TokenPair(access, refresh_token, int(settings.access_ttl.total_seconds()), user, device)


def _end_device_sessions(session: Session, court_id: str, device_id: str, now: datetime) -> None:
    session.execute(
        sa.update(RefreshToken)
        .where(RefreshToken.court_id == court_id, RefreshToken.device_id == device_id,
               RefreshToken.revoked_at.is_(None))
        .values(revoked_at=now)
    )
    session.execute(
        sa.update(Device).where(Device.court_id == court_id, Device.id == device_id)
        .values(signed_out_at=now)
    )


def list_devices(db: Database, principal: Principal) -> list[Device]:
    with db.unit_of_work() as session:
        query = select(Device).where(Device.court_id == principal.court_id)
        if principal.role != Role.ADMIN:
            query = query.where(Device.user_id == principal.user_id)
        return list(session.exec(query.order_by(Device.registered_at)))
