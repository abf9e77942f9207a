"""The reward ledger: a lead by a grid assistant that led to an outcome earns an entry.

The amount comes from the court's rule for the outcome's kind (``RewardRule``, else
``DEFAULT_AMOUNTS``) when the entry is earned and is stored on it, so changing a rule
never reprices what was already earned. ``no_result`` earns nothing. Judges approve or
reject each pending entry once; decisions and rule changes are audited.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.engine import Connection
from sqlmodel import Session

from enforcement import policy
from enforcement.accounts.principal import Principal
from enforcement.errors import Conflict, NotFound
from enforcement.infrastructure import audit
from enforcement.infrastructure.db import Database
from enforcement.infrastructure.paging import Page, Position, newest_first, page_of
from enforcement.models import (
    Lead,
    Outcome,
    OutcomeKind,
    RewardEntry,
    RewardRule,
    RewardStatus,
    Role,
    User,
    new_id,
    utcnow,
)
from enforcement.models.base import table_of
from enforcement.reports.common import Period, local_date, record_export

DEFAULT_AMOUNTS: dict[OutcomeKind, Decimal] = {
    OutcomeKind.PAYMENT_RECEIVED: Decimal("200.00"),
    OutcomeKind.SETTLEMENT_REACHED: Decimal("150.00"),
    OutcomeKind.PROPERTY_SEALED: Decimal("150.00"),
    OutcomeKind.PROPERTY_FROZEN: Decimal("150.00"),
    OutcomeKind.PROPERTY_SEIZED: Decimal("150.00"),
    OutcomeKind.PROPERTY_FOUND: Decimal("100.00"),
    OutcomeKind.DEBTOR_LOCATED: Decimal("100.00"),
    OutcomeKind.DEBTOR_DETAINED: Decimal("100.00"),
}
"""Yuan per useful lead, by outcome kind, for a court that has set no rule of its own."""
REWARDED_KINDS = tuple(DEFAULT_AMOUNTS)


# ---------------------------------------------------------------- earning


def earn(session: Session, outcome: Outcome, lead: Lead) -> RewardEntry | None:
    """The entry an outcome earns the lead's author, in the caller's transaction; None when
    the author is not a grid assistant or the outcome kind earns nothing."""
    if outcome.kind not in DEFAULT_AMOUNTS:
        return None
    author = session.get(User, (lead.court_id, lead.author_id))
    if author is None or author.role != Role.GRID_ASSISTANT:
        return None
    entry = RewardEntry(court_id=lead.court_id, assistant_id=lead.author_id, lead_id=lead.id,
                        outcome_id=outcome.id, outcome_kind=outcome.kind,
                        amount=_amount_of(session, lead.court_id, outcome.kind),
                        created_at=outcome.recorded_at or utcnow())
    session.add(entry)
    return entry


def earn_missing(session: Session | Connection, court_id: str) -> int:
    """Entries for every useful lead outcome of the court that has none yet (outcomes
    loaded in bulk, e.g. the demo county); returns how many were added."""
    amount = sa.func.coalesce(RewardRule.amount, sa.case(
        {kind.value: value for kind, value in DEFAULT_AMOUNTS.items()}, value=Outcome.kind))
    rows = (
        sa.select(Outcome.court_id, sa.cast(sa.func.gen_random_uuid(), sa.String),
                  Lead.author_id, Lead.id, Outcome.id, Outcome.kind, amount,
                  sa.literal(RewardStatus.PENDING.value), Outcome.recorded_at)
        .select_from(Outcome)
        .join(Lead, sa.and_(Lead.court_id == Outcome.court_id, Lead.id == Outcome.lead_id))
        .join(User, sa.and_(User.court_id == Lead.court_id, User.id == Lead.author_id))
        .outerjoin(RewardRule, sa.and_(RewardRule.court_id == Outcome.court_id,
                                       RewardRule.outcome_kind == Outcome.kind))
        .where(Outcome.court_id == court_id, Outcome.kind.in_(REWARDED_KINDS),
               User.role == Role.GRID_ASSISTANT)
    )
    table = table_of(RewardEntry)
    added = session.execute(
        insert(table).from_select(["court_id", "id", "assistant_id", "lead_id", "outcome_id",
                                   "outcome_kind", "amount", "status", "created_at"], rows)
        .on_conflict_do_nothing(index_elements=["court_id", "outcome_id"])
        .returning(table.c.id)).all()
    return len(added)


def rewarded_kind(value: str) -> OutcomeKind:
    """The outcome kind named in a path; 404 ``reward_kind_not_found`` for one that does
    not exist or earns nothing."""
    kind = next((k for k in REWARDED_KINDS if k.value == value), None)
    if kind is None:
        raise NotFound(f"no reward for {value!r}", code="reward_kind_not_found")
    return kind


def _amount_of(session: Session, court_id: str, kind: OutcomeKind) -> Decimal:
    rule = session.scalars(sa.select(RewardRule.amount).where(
        RewardRule.court_id == court_id, RewardRule.outcome_kind == kind)).first()
    return rule if rule is not None else DEFAULT_AMOUNTS[kind]


# ---------------------------------------------------------------- rules


@dataclass(frozen=True, slots=True)
class RuleView:
    outcome_kind: str
    amount: Decimal
    court_rule: bool


def list_rules(db: Database, principal: Principal) -> list[RuleView]:
    """What each outcome kind pays now in the caller's court."""
    policy.require(principal, "reward.read")
    with db.unit_of_work() as session:
        return _rules(session, principal.court_id)


def set_rule(db: Database, principal: Principal, outcome_kind: str,
             amount: Decimal) -> list[RuleView]:
    """Set what ``outcome_kind`` pays from now on (entries already earned keep their
    amount). Who may is checked first: a role with no right is 403 for any kind."""
    policy.require(principal, "reward_rule.set")
    kind = rewarded_kind(outcome_kind)
    with db.unit_of_work() as session:
        table = table_of(RewardRule)
        session.execute(insert(table).values(
            court_id=principal.court_id, id=new_id(),
            outcome_kind=kind.value, amount=amount, updated_by=principal.user_id,
        ).on_conflict_do_update(
            index_elements=["court_id", "outcome_kind"],
            set_={"amount": amount, "updated_by": principal.user_id, "updated_at": utcnow()}))
        audit.record(session, court_id=principal.court_id, action="reward_rule.set",
                     actor_id=principal.user_id, device_id=principal.device_id,
                     subject_table="reward_rule", subject_id=kind.value,
                     detail={"outcome_kind": kind.value, "amount": str(amount)})
        session.commit()
        return _rules(session, principal.court_id)


def _rules(session: Session, court_id: str) -> list[RuleView]:
    own = dict(session.execute(sa.select(RewardRule.outcome_kind, RewardRule.amount).where(
        RewardRule.court_id == court_id)).all())
    return [RuleView(kind.value, own.get(kind, default), kind in own)
            for kind, default in DEFAULT_AMOUNTS.items()]


# ---------------------------------------------------------------- the ledger


@dataclass(frozen=True, slots=True)
class RewardView:
    id: str
    assistant_id: str
    assistant_name: str
    lead_id: str
    outcome_id: str
    outcome_kind: str
    occurred_on: date
    amount: Decimal
    status: str
    decided_by: str | None
    decided_at: datetime | None
    decision_note: str | None
    created_at: datetime
    version: int


@dataclass(frozen=True, slots=True)
class RewardFilters:
    assistant_id: str | None = None
    status: tuple[RewardStatus, ...] = ()
    period: Period = field(default_factory=Period)

    def clauses(self) -> list[sa.ColumnElement[bool]]:
        where = self.period.covers(local_date(RewardEntry.created_at))
        if self.assistant_id:
            where.append(RewardEntry.assistant_id == self.assistant_id)
        if self.status:
            where.append(RewardEntry.status.in_(self.status))
        return where


def _ledger_query(principal: Principal, filters: RewardFilters) -> Any:
    return (
        sa.select(RewardEntry, User.display_name, Outcome.occurred_on)
        .join(User, sa.and_(User.court_id == RewardEntry.court_id,
                            User.id == RewardEntry.assistant_id))
        .join(Outcome, sa.and_(Outcome.court_id == RewardEntry.court_id,
                               Outcome.id == RewardEntry.outcome_id))
        .where(policy.scope_filter(principal, "reward.read", RewardEntry), *filters.clauses())
    )


def list_rewards(db: Database, principal: Principal, filters: RewardFilters,
                 after: Position | None, limit: int) -> Page[RewardView]:
    """Entries the caller may see, newest first (an assistant sees only their own)."""
    with db.unit_of_work() as session:
        query = newest_first(_ledger_query(principal, filters), RewardEntry.created_at,
                             RewardEntry.id, after, limit)
        page = page_of(session.execute(query).all(), limit,
                       position=lambda r: (r[0].created_at, r[0].id))
        return Page([_view(*row) for row in page.items], page.next_position)


def export_rewards(db: Database, principal: Principal, filters: RewardFilters,
                   fmt: str) -> list[RewardView]:
    """Every matching entry, oldest first, for a file; the export is audited."""
    with db.unit_of_work() as session:
        rows = session.execute(_ledger_query(principal, filters).order_by(
            RewardEntry.created_at, RewardEntry.id)).all()
        record_export(session, principal, "rewards", fmt, {
            "assistant_id": filters.assistant_id or "", "rows": len(rows),
            "status": [s.value for s in filters.status],
            "from": str(filters.period.start or ""), "to": str(filters.period.end or "")})
        session.commit()
        return [_view(*row) for row in rows]


def decide(db: Database, principal: Principal, entry_id: str, approve: bool,
           note: str | None) -> RewardView:
    """Approve or reject a pending entry; 409 ``reward_already_decided`` after that."""
    policy.require(principal, "reward.decide")
    with db.unit_of_work() as session:
        entry = policy.visible_row(session, principal, "reward.decide", RewardEntry, entry_id,
                                   "reward_not_found", for_update=True)
        if entry.status != RewardStatus.PENDING:
            raise Conflict(f"the entry was already {entry.status.value}",
                           code="reward_already_decided", current_status=entry.status.value)
        entry.status = RewardStatus.APPROVED if approve else RewardStatus.REJECTED
        entry.decided_by, entry.decided_at = principal.user_id, utcnow()
        entry.decision_note = note
        entry.version += 1
        audit.record(session, court_id=entry.court_id, action="reward.decide",
                     actor_id=principal.user_id, device_id=principal.device_id,
                     subject_table="reward_entry", subject_id=entry.id,
                     detail={"status": entry.status.value, "amount": str(entry.amount),
                             "assistant_id": entry.assistant_id, "note": note or ""})
        session.commit()
        row = session.execute(_ledger_query(principal, RewardFilters()).where(
            RewardEntry.id == entry.id)).one()
        return _view(*row)


def _view(entry: RewardEntry, assistant_name: str, occurred_on: date) -> RewardView:
    return RewardView(
        id=entry.id, assistant_id=entry.assistant_id, assistant_name=assistant_name,
        lead_id=entry.lead_id, outcome_id=entry.outcome_id,
        outcome_kind=entry.outcome_kind.value, occurred_on=occurred_on, amount=entry.amount,
        status=entry.status.value, decided_by=entry.decided_by, decided_at=entry.decided_at,
        decision_note=entry.decision_note, created_at=entry.created_at, version=entry.version)
