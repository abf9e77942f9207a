"""Outcome review: the reward ledger for useful leads and the per-court rule that prices it."""

from __future__ import annotations

import enum
from datetime import datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from enforcement.models.base import (
    court_field,
    created_field,
    enum_type,
    id_field,
    money_field,
    ref_field,
    tenant_fk,
    time_field,
    version_field,
)
from enforcement.models.rounds import OutcomeKind


class RewardStatus(enum.StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"


class RewardRule(SQLModel, table=True):
    """What a court pays an assistant for a lead that led to an outcome of one kind.

    A kind without a row pays ``enforcement.reports.rewards.DEFAULT_AMOUNTS``.
    """

    __tablename__ = "reward_rule"
    __table_args__ = (
        tenant_fk("updated_by", "user_account"),
        sa.UniqueConstraint("court_id", "outcome_kind"),
        sa.CheckConstraint("amount >= 0", "amount_not_negative"),
    )

    court_id: str = court_field()
    id: str = id_field()
    outcome_kind: OutcomeKind = Field(sa_type=enum_type(OutcomeKind, "reward_outcome_kind"))
    amount: Decimal = money_field()
    updated_by: str | None = ref_field()
    updated_at: datetime = created_field()


class RewardEntry(SQLModel, table=True):
    """One reward earned by an assistant's lead: one per outcome, priced when earned
    (a later rule change does not reprice it), approved or rejected by a judge."""

    __tablename__ = "reward_entry"
    __table_args__ = (
        tenant_fk("assistant_id", "user_account"),
        tenant_fk("lead_id", "lead"),
        tenant_fk("outcome_id", "outcome"),
        tenant_fk("decided_by", "user_account"),
        sa.UniqueConstraint("court_id", "outcome_id"),
        sa.Index("ix_reward_entry_assistant", "court_id", "assistant_id", "created_at"),
        sa.CheckConstraint("amount >= 0", "amount_not_negative"),
    )

    court_id: str = court_field()
    id: str = id_field()
    assistant_id: str = ref_field(nullable=False)
    lead_id: str = ref_field(nullable=False)
    outcome_id: str = ref_field(nullable=False)
    outcome_kind: OutcomeKind = Field(sa_type=enum_type(OutcomeKind, "reward_entry_kind"))
    amount: Decimal = money_field()
    status: RewardStatus = Field(
        default=RewardStatus.PENDING, sa_type=enum_type(RewardStatus, "reward_status"))
    decided_by: str | None = ref_field()
    decided_at: datetime | None = time_field()
    decision_note: str | None = Field(default=None, max_length=500)
    created_at: datetime = created_field()
    version: int = version_field()
