"""Opening a case with a query code and the last four characters of the party's identity
number, without signing in.

The identity number is stored encrypted with a random nonce (``EncryptedText``), so it
cannot be compared in SQL: the code (a hash lookup) finds the one party, whose number is
decrypted and its last four compared in constant time, case-insensitively (an ``X``).

Guessing the four characters is held back twice over, in the lock-out's own way
(``enforcement.accounts.lockout``, counted under the code's hash): five wrong answers from
one address lock that address out of the code for 15 minutes (429 ``query_code_slowed``),
while the party typing from elsewhere goes on. And the code itself counts wrong answers
from everywhere since the last right one: at ``MAX_WRONG_DIGITS`` it is locked for good
(403 ``query_code_locked``) until the judge re-issues it, so that the 10,000 possible
endings are never all tried. That lock takes the place of the lock-out's account-wide
slowing down, which is therefore not applied. Every opening, right or wrong, is in the audit log.

A right answer returns a view token (a JWT signed like access tokens, 15 minutes) for the
page's next calls (the view again, the evaluation); each call re-checks that the code is
still neither revoked nor locked, so revoking cuts a party off at once.
"""

from __future__ import annotations

import hmac
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

import jwt
import sqlalchemy as sa
from sqlmodel import Session

from enforcement.accounts import lockout
from enforcement.errors import Forbidden, TooManyRequests, Unauthorized
from enforcement.infrastructure import audit
from enforcement.infrastructure.db import Database
from enforcement.infrastructure.tokens import ALGORITHM, ISSUER, TokenSettings
from enforcement.models import Party, QueryCode, utcnow
from enforcement.public import codes
from enforcement.public.view import CaseView, case_view

MAX_WRONG_DIGITS = 10
"""Wrong last-four answers (from anywhere, since the last right one) that lock a code."""
VIEW_TTL = timedelta(minutes=15)
TOKEN_TYPE = "public_view"


@dataclass(frozen=True, slots=True)
class Opened:
    token: str
    expires_at: datetime
    view: CaseView
    code_id: str


def open_case(db: Database, tokens: TokenSettings, typed_code: str, last_four: str,
              ip: str | None) -> Opened:
    """The case behind the code, if ``last_four`` ends the party's identity number."""
    code = codes.normalised(typed_code)
    if code is None:
        raise codes.not_found()
    digest = codes.code_hash(code)
    now = utcnow()
    with db.unit_of_work() as session:
        record = session.scalars(sa.select(QueryCode).where(QueryCode.code_hash == digest)
                                 .with_for_update()).first()
        if record is None or record.revoked_at is not None:
            raise codes.not_found()
        _require_unlocked(record)
        account = lockout.account_key("query-code:" + digest)  # never a username's digest
        source = lockout.address_source(ip)
        try:
            # own_device: no account-wide delay; the code's own lock below is stricter
            lockout.check(session, account, source, now, own_device=True)
        except TooManyRequests as error:
            raise TooManyRequests("too many wrong answers for this code; wait and try again",
                                  code="query_code_slowed",
                                  retry_after=error.retry_after) from None
        party = session.get(Party, (record.court_id, record.party_id))
        if party is None or not _ends_with(party.id_number, last_four):
            _wrong(session, record, account, source, now, ip)
        lockout.forget_source(session, account, source)
        record.wrong_digits, record.last_viewed_at = 0, now
        _viewed(session, record, ip, "public.case_open")
        view = case_view(session, record)
        session.commit()
    token, expires_at = issue_view_token(tokens, record, now)
    return Opened(token, expires_at, view, record.id)


def view_case(db: Database, tokens: TokenSettings, token: str, ip: str | None) -> CaseView:
    """The case again, for a page that opened it less than 15 minutes ago."""
    with db.unit_of_work() as session:
        record = code_of_token(session, tokens, token)
        record.last_viewed_at = utcnow()
        _viewed(session, record, ip, "public.case_view")
        view = case_view(session, record)
        session.commit()
        return view


def issue_view_token(tokens: TokenSettings, record: QueryCode,
                     now: datetime) -> tuple[str, datetime]:
    expires_at = now + VIEW_TTL
    payload = {"iss": ISSUER, "typ": TOKEN_TYPE, "sub": record.id, "court": record.court_id,
               "iat": int(now.timestamp()), "exp": int(expires_at.timestamp()),
               "jti": uuid.uuid4().hex}
    token = jwt.encode(payload, tokens.secret, algorithm=ALGORITHM,
                       headers={"kid": tokens.key_id})
    return token, expires_at


def code_of_token(session: Session, tokens: TokenSettings, token: str,
                  for_update: bool = False) -> QueryCode:
    """The live code a view token was issued for: 401 for a bad or expired token, 404 for
    a code revoked since, 403 for one locked since."""
    try:
        key = tokens.verifying_key(jwt.get_unverified_header(token).get("kid"))
        if key is None:
            raise jwt.InvalidTokenError("unknown key")
        payload = jwt.decode(token, key, algorithms=[ALGORITHM], issuer=ISSUER,
                             options={"require": ["exp", "sub", "iss"]})
        if payload.get("typ") != TOKEN_TYPE:
            raise jwt.InvalidTokenError("not a view token")
        court_id, code_id = str(payload["court"]), str(payload["sub"])
    except jwt.ExpiredSignatureError as error:
        raise Unauthorized("the page was open too long; enter the code again",
                           code="view_token_expired") from error
    except (jwt.PyJWTError, KeyError) as error:
        raise Unauthorized("enter the query code again", code="view_token_invalid") from error
    query = sa.select(QueryCode).where(QueryCode.court_id == court_id, QueryCode.id == code_id)
    record = session.scalars(query.with_for_update() if for_update else query).first()
    if record is None or record.revoked_at is not None:
        raise codes.not_found()
    _require_unlocked(record)
    return record


def _ends_with(id_number: str | None, last_four: str) -> bool:
    if not id_number or len(id_number) < 4:
        return False
    return hmac.compare_digest(id_number[-4:].upper().encode(),
                               last_four.strip().upper().encode())


def _wrong(session: Session, record: QueryCode, account: str, source: str, now: datetime,
           ip: str | None) -> None:
    """Count the wrong answer, lock the code at the limit, keep both, then refuse."""
    lockout.record_failure(session, account, source, now)
    record.wrong_digits += 1
    locked = record.wrong_digits >= MAX_WRONG_DIGITS
    if locked:
        record.locked_at = now
    audit.record(session, court_id=record.court_id, action="public.digits_wrong",
                 subject_table="query_code", subject_id=record.id, ip=ip,
                 detail={"case_id": record.case_id, "wrong_digits": record.wrong_digits,
                         "locked": locked})
    session.commit()
    if locked:
        _require_unlocked(record)
    raise Forbidden("the last four characters do not match the party's identity number",
                    code="query_digits_wrong",
                    tries_left=MAX_WRONG_DIGITS - record.wrong_digits)


def _require_unlocked(record: QueryCode) -> None:
    if record.locked_at is not None:
        raise Forbidden("too many wrong answers: this code is locked; ask the court for a "
                        "new one", code="query_code_locked")


def _viewed(session: Session, record: QueryCode, ip: str | None, action: str) -> None:
    audit.record(session, court_id=record.court_id, action=action, subject_table="query_code",
                 subject_id=record.id, ip=ip,
                 detail={"case_id": record.case_id, "role": record.role.value})
