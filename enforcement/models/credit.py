"""Measures against debtors (失信, 限制消费, 限制出境) and credit repair (信用修复).

``party_measure`` holds each measure with the decision that imposed it and, once lifted,
when and why. ``party_measure_event`` is the append-only history of every impose, amend
and lift (a database trigger refuses UPDATE and DELETE); monthly reports count it by
``(court_id, kind, action, effective_on)``. ``credit_repair`` is an application an
officer enters for a debtor who paid or keeps to a settlement, and the judge's decision.
"""

from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from enforcement.models.base import (
    TimestampedMixin,
    court_field,
    created_field,
    enum_type,
    id_field,
    json_field,
    money_field,
    ref_field,
    tenant_fk,
    time_field,
    version_field,
)


class MeasureKind(enum.StrEnum):
    DISHONEST = "dishonest"
    """失信被执行人名单"""
    CONSUMPTION = "consumption_restriction"
    """限制消费"""
    EXIT = "exit_restriction"
    """限制出境"""


class MeasureAction(enum.StrEnum):
    IMPOSE = "impose"
    AMEND = "amend"
    LIFT = "lift"


class RepairGrounds(enum.StrEnum):
    PAID_IN_FULL = "paid_in_full"
    """全部履行"""
    KEEPS_SETTLEMENT = "keeps_settlement"
    """达成和解并正在履行"""


class RepairStatus(enum.StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"


class PartyMeasure(TimestampedMixin, table=True):
    """One measure on a party, from the decision that imposed it until it is lifted.

    At most one measure of a kind is in force per party (``lifted_on`` null).
    """

    __tablename__ = "party_measure"
    __table_args__ = (
        tenant_fk("party_id", "party", ondelete="CASCADE"),
        tenant_fk("case_id", "enforcement_case", ondelete="CASCADE"),
        tenant_fk("imposed_by", "user_account"),
        tenant_fk("lifted_by", "user_account"),
        sa.Index("uq_party_measure_in_force", "court_id", "party_id", "kind", unique=True,
                 postgresql_where=sa.text("lifted_on IS NULL")),
        sa.CheckConstraint("lifted_on IS NULL OR lifted_on >= imposed_on",
                           "lifted_not_before_imposed"),
    )

    court_id: str = court_field()
    id: str = id_field()
    party_id: str = ref_field(nullable=False)
    case_id: str = ref_field(nullable=False)
    kind: MeasureKind = Field(sa_type=enum_type(MeasureKind, "measure_kind"))
    imposed_on: date
    decision_number: str = Field(max_length=64, description="决定书文号")
    decision_text: str = Field(default="", description="决定书正文或摘要")
    imposed_by: str = ref_field(nullable=False)
    lifted_on: date | None = None
    lift_reason: str | None = Field(default=None, max_length=500)
    lifted_by: str | None = ref_field()
    repair_id: str | None = ref_field(description="the credit repair that lifted it")
    version: int = version_field()


class MeasureEvent(SQLModel, table=True):
    """One impose, amend or lift of a measure, as it happened; never changed."""

    __tablename__ = "party_measure_event"
    __table_args__ = (
        tenant_fk("measure_id", "party_measure"),
        tenant_fk("party_id", "party"),
        tenant_fk("actor_id", "user_account"),
        sa.Index("ix_party_measure_event_party", "court_id", "party_id", "at"),
        sa.Index("ix_party_measure_event_month", "court_id", "effective_on"),
    )

    court_id: str = court_field()
    id: str = id_field()
    measure_id: str = ref_field(nullable=False)
    party_id: str = ref_field(nullable=False)
    case_id: str = ref_field(nullable=False)
    kind: MeasureKind = Field(sa_type=enum_type(MeasureKind, "measure_kind"))
    action: MeasureAction = Field(sa_type=enum_type(MeasureAction, "measure_action"))
    effective_on: date
    reason: str | None = Field(default=None, max_length=500)
    changes: dict[str, Any] = json_field(dict, description="amended fields: old and new values")
    repair_id: str | None = ref_field()
    actor_id: str = ref_field(nullable=False)
    at: datetime = created_field()


class CreditRepair(TimestampedMixin, table=True):
    """An application to restore a debtor's credit, and the judge's decision on it."""

    __tablename__ = "credit_repair"
    __table_args__ = (
        tenant_fk("party_id", "party", ondelete="CASCADE"),
        tenant_fk("case_id", "enforcement_case", ondelete="CASCADE"),
        tenant_fk("applied_by", "user_account"),
        tenant_fk("decided_by", "user_account"),
        sa.Index("ix_credit_repair_status", "court_id", "status"),
        sa.Index("ix_credit_repair_party", "court_id", "party_id", "case_id"),
    )

    court_id: str = court_field()
    id: str = id_field()
    party_id: str = ref_field(nullable=False)
    case_id: str = ref_field(nullable=False)
    grounds: RepairGrounds = Field(sa_type=enum_type(RepairGrounds, "repair_grounds"))
    evidence_note: str = Field(default="", max_length=2000)
    measure_kinds: list[str] = json_field(list, description="the measures to lift")
    status: RepairStatus = Field(
        default=RepairStatus.PENDING, sa_type=enum_type(RepairStatus, "repair_status"))
    applied_by: str = ref_field(nullable=False)
    decided_by: str | None = ref_field()
    decided_at: datetime | None = time_field()
    decision_reason: str | None = Field(default=None, max_length=500)
    effective_on: date | None = None
    version: int = version_field()


class AidStatus(enum.StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"


class JudicialAid(TimestampedMixin, table=True):
    """An application for judicial aid by a winning party (applicant of a case) in
    hardship, and the judge's decision on it."""

    __tablename__ = "judicial_aid"
    __table_args__ = (
        tenant_fk("case_id", "enforcement_case"),
        tenant_fk("applicant_id", "party"),
        tenant_fk("entered_by", "user_account"),
        tenant_fk("decided_by", "user_account"),
        sa.CheckConstraint("amount_requested > 0", "requested_positive"),
        sa.CheckConstraint("approved_amount IS NULL OR approved_amount <= amount_requested",
                           "approved_within_requested"),
        sa.Index("ix_judicial_aid_case", "court_id", "case_id"),
    )

    court_id: str = court_field()
    id: str = id_field()
    case_id: str = ref_field(nullable=False)
    applicant_id: str = ref_field(nullable=False, description="the winning party in hardship")
    amount_requested: Decimal = money_field()
    grounds: str = Field(default="")
    applied_on: date
    status: AidStatus = Field(default=AidStatus.PENDING,
                              sa_type=enum_type(AidStatus, "aid_status"))
    approved_amount: Decimal | None = money_field(None)
    decision_reason: str | None = None
    decided_by: str | None = ref_field()
    decided_at: datetime | None = time_field()
    entered_by: str = ref_field(nullable=False)
    version: int = version_field()


class JudicialAidPayment(SQLModel, table=True):
    """Money paid out on an approved application; the total never exceeds the approval."""

    __tablename__ = "judicial_aid_payment"
    __table_args__ = (
        tenant_fk("aid_id", "judicial_aid"),
        tenant_fk("recorded_by", "user_account"),
        sa.CheckConstraint("amount > 0", "amount_positive"),
        sa.Index("ix_judicial_aid_payment_paid_on", "court_id", "paid_on"),
    )

    court_id: str = court_field()
    id: str = id_field()
    aid_id: str = ref_field(nullable=False)
    amount: Decimal = money_field()
    paid_on: date
    note: str = Field(default="")
    recorded_by: str = ref_field(nullable=False)
    created_at: datetime = created_field()
