"""The court assigns deputies to follow cases (跟案) and ends it; a deputy reads only the
cases they follow now (``case.read`` scope ``followed``)."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlmodel import Session

from enforcement import policy
from enforcement.accounts.principal import Principal
from enforcement.errors import Conflict, ValidationFailed
from enforcement.infrastructure.db import Database
from enforcement.infrastructure.filtering import equal
from enforcement.infrastructure.paging import Page, Position, newest_first, page_of
from enforcement.models import CaseFollow, EnforcementCase, Role, User, utcnow
from enforcement.refs import require_refs
from enforcement.supervision import recorded


@dataclass(frozen=True, slots=True)
class FollowFilters:
    deputy_id: str | None = None
    case_id: str | None = None
    active: bool | None = None

    def clauses(self) -> list[sa.ColumnElement[bool]]:
        where = equal((CaseFollow.deputy_id, self.deputy_id), (CaseFollow.case_id, self.case_id))
        if self.active is not None:
            where.append(CaseFollow.ended_at.is_(None) if self.active
                         else CaseFollow.ended_at.is_not(None))
        return where


def assign(db: Database, principal: Principal, deputy_id: str, case_id: str) -> CaseFollow:
    """Have a deputy of the court follow a case of the court (409 if they already do)."""
    policy.require(principal, "follow.manage")
    with db.unit_of_work() as session:
        require_refs(session, principal.court_id, {"case_id": (EnforcementCase, case_id),
                                                   "deputy_id": (User, deputy_id)})
        _require_deputy(session, principal.court_id, deputy_id)
        session.execute(sa.select(sa.func.pg_advisory_xact_lock(
            sa.func.hashtext(f"follow:{principal.court_id}:{deputy_id}:{case_id}"))))
        if session.scalar(sa.select(sa.exists().where(
                CaseFollow.court_id == principal.court_id, CaseFollow.deputy_id == deputy_id,
                CaseFollow.case_id == case_id, CaseFollow.ended_at.is_(None)))):
            raise Conflict("the deputy already follows this case", code="already_following")
        follow = CaseFollow(court_id=principal.court_id, deputy_id=deputy_id, case_id=case_id)
        session.add(follow)
        session.flush()
        recorded(session, principal, "follow.start", "case_follow", follow.id,
                 deputy_id=deputy_id, case_id=case_id)
        session.commit()
        return follow


def end(db: Database, principal: Principal, follow_id: str) -> CaseFollow:
    """Stop a deputy following a case; from then on the case is hidden from them."""
    with db.unit_of_work() as session:
        follow = policy.visible_row(session, principal, "follow.manage", CaseFollow, follow_id,
                                    "follow_not_found", for_update=True)
        if follow.ended_at is not None:
            raise Conflict("this follow has already ended", code="follow_ended")
        follow.ended_at = utcnow()
        recorded(session, principal, "follow.end", "case_follow", follow.id,
                 deputy_id=follow.deputy_id, case_id=follow.case_id)
        session.commit()
        return follow


def list_follows(db: Database, principal: Principal, filters: FollowFilters,
                 after: Position | None, limit: int) -> Page[CaseFollow]:
    """Court staff: every follow of the court; deputies: their own."""
    with db.unit_of_work() as session:
        query = sa.select(CaseFollow).where(
            policy.scope_filter(principal, "follow.read", CaseFollow), *filters.clauses())
        rows = session.scalars(newest_first(query, CaseFollow.started_at, CaseFollow.id, after,
                                            limit)).all()
        return page_of(rows, limit, lambda r: (r.started_at, r.id))


def _require_deputy(session: Session, court_id: str, user_id: str) -> None:
    user = session.get(User, (court_id, user_id))
    if user is None or user.role != Role.DEPUTY or not user.is_active:
        raise ValidationFailed("not a deputy of this court", code="not_a_deputy", errors={
            "json": {"deputy_id": ["must name an active user with the role deputy"]}})
