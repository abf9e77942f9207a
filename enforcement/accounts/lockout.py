"""A lock-out that guessing cannot turn against the account's owner.

Locking an account after five wrong passwords from anywhere let one address keep a judge or
the admin out indefinitely, and told which usernames exist (unknown ones were never locked).
Instead, wrong passwords are counted per typed username, known or not (by its digest), and:

* per **source** — the client's address, or for a device already registered to the user, that
  device — five in a row lock that source out for 15 minutes (429 ``account_locked``). The
  owner signing in from elsewhere, or from their own registered phone, is not affected;
* per **account** — every source together — past ``SLOW_AFTER`` failures each further try
  must wait a delay that doubles up to ``MAX_DELAY`` (429 ``login_slowed`` with
  ``Retry-After``): guessing from many addresses is slowed, never stopped dead, and the
  user's own registered devices are not slowed at all.

Unknown and known usernames go through exactly the same counting, so they answer alike.
Counts idle for ``FORGET_AFTER`` start again; an admin's unlock clears them all.
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlmodel import Session

from enforcement.errors import TooManyRequests
from enforcement.models import LoginAttempt
from enforcement.models.base import table_of

MAX_FAILED_LOGINS = 5
"""Wrong passwords in a row from one source before that source is locked out."""
LOCKOUT = timedelta(minutes=15)
SLOW_AFTER = 10
"""Wrong passwords for one account, from all sources, before each try must wait."""
MAX_DELAY = timedelta(minutes=1)
FORGET_AFTER = timedelta(minutes=15)
WHOLE_ACCOUNT = "*"
_T = table_of(LoginAttempt)


def account_key(username: str) -> str:
    """The digest a typed username is counted under (the name itself is never stored: it
    may be a password typed into the wrong field)."""
    return hashlib.sha256(username.strip().lower().encode()).hexdigest()


def address_source(ip: str | None) -> str:
    return f"ip:{ip or 'unknown'}"


def device_source(device_id: str) -> str:
    return "device:" + hashlib.sha256(device_id.encode()).hexdigest()


def delay(failures: int) -> timedelta:
    """How long the next try must wait after ``failures`` wrong passwords for an account."""
    if failures < SLOW_AFTER:
        return timedelta(0)
    return min(timedelta(seconds=2 ** min(failures - SLOW_AFTER, 16)), MAX_DELAY)


def check(session: Session, account: str, source: str, now: datetime, *,
          own_device: bool) -> None:
    """Refuse the attempt before any password is checked when its source is locked out, or
    the account is being slowed down and the attempt is not from one of the owner's devices."""
    rows = {row.source: row for row in session.execute(
        sa.select(_T).where(_T.c.account == account,
                            _T.c.source.in_((source, WHOLE_ACCOUNT))))}
    pair = rows.get(source)
    if pair is not None and pair.locked_until is not None and pair.locked_until > now:
        raise TooManyRequests("too many wrong passwords from here; try later or ask an admin",
                              code="account_locked", retry_after=_seconds(pair.locked_until, now))
    whole = rows.get(WHOLE_ACCOUNT)
    if (not own_device and whole is not None and whole.locked_until is not None
            and whole.locked_until > now):
        raise TooManyRequests("too many wrong passwords for this account; wait a moment",
                              code="login_slowed", retry_after=_seconds(whole.locked_until, now))


def record_failure(session: Session, account: str, source: str,
                   now: datetime) -> datetime | None:
    """Count a wrong password; the end of the source's lock-out if this one locked it."""
    failures = _bump(session, account, source, now)
    locked_until = None
    if failures >= MAX_FAILED_LOGINS:
        locked_until = now + LOCKOUT
        session.execute(sa.update(_T).where(_T.c.account == account, _T.c.source == source)
                        .values(failures=0, locked_until=locked_until))
    overall = _bump(session, account, WHOLE_ACCOUNT, now)
    if overall >= SLOW_AFTER:
        session.execute(sa.update(_T).where(_T.c.account == account,
                                            _T.c.source == WHOLE_ACCOUNT)
                        .values(locked_until=now + delay(overall)))
    if locked_until is not None:  # now and then: forget what nobody has tried for a day
        session.execute(sa.delete(_T).where(_T.c.last_failed_at < now - timedelta(days=1)))
    return locked_until


def forget_source(session: Session, account: str, source: str) -> None:
    """A right password from this source: its count starts again (the account's does not,
    so that signing in between guesses does not speed the guessing up)."""
    session.execute(sa.delete(_T).where(_T.c.account == account, _T.c.source == source))


def forget_account(session: Session, account: str) -> None:
    """An admin's unlock: every lock-out and delay of the account is lifted."""
    session.execute(sa.delete(_T).where(_T.c.account == account))


def _bump(session: Session, account: str, source: str, now: datetime) -> int:
    stale = _T.c.last_failed_at < now - FORGET_AFTER
    first = insert(_T).values(account=account, source=source, failures=1,
                              last_failed_at=now)
    statement = first.on_conflict_do_update(
        index_elements=[_T.c.account, _T.c.source],
        set_={"failures": sa.case((stale, 1), else_=_T.c.failures + 1),
              "last_failed_at": now,
              "locked_until": sa.case((stale, None), else_=_T.c.locked_until)},
    ).returning(_T.c.failures)
    return int(session.execute(statement).scalar_one())


def _seconds(until: datetime, now: datetime) -> int:
    return int((until - now).total_seconds()) + 1
