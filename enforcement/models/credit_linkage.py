"""Joint punishment notices (联合惩戒), red/white/black lists of units and persons and
judicial aid (司法救助), from the Luojiang report.

A notice goes to its units as ``linkage_request`` rows of kind ``joint_punishment``
(one per unit, ``notice_id`` set), so sending, acknowledging and overdue listing are the
linkage requests' machinery."""

from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from enforcement.models.base import (
    TimestampedMixin,
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


class ListColour(enum.StrEnum):
    """红名单 cooperative, 白名单 neutral, 黑名单 obstructive."""

    RED = "red"
    WHITE = "white"
    BLACK = "black"


class AidStatus(enum.StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"


class PunishmentNotice(TimestampedMixin, table=True):
    """A joint punishment notice about a debtor of a case, issued to linkage units."""

    __tablename__ = "punishment_notice"
    __table_args__ = (
        tenant_fk("case_id", "enforcement_case"),
        tenant_fk("party_id", "party"),
        tenant_fk("issued_by", "user_account"),
        sa.Index("ix_punishment_notice_issued", "court_id", "issued_at"),
    )

    court_id: str = court_field()
    id: str = id_field()
    case_id: str = ref_field(nullable=False)
    party_id: str = ref_field(nullable=False, description="the debtor the notice is about")
    title: str = Field(max_length=200)
    content: str = Field(default="")
    issued_by: str = ref_field(nullable=False)
    issued_at: datetime = time_field(nullable=False)
    due_at: datetime = time_field(nullable=False, description="units acknowledge by")
    version: int = version_field()


class LinkageListEntry(SQLModel, table=True):
    """A unit or a person (party) put on the court's red, white or black list. Setting a
    new colour ends the current entry (``ended_at``), so the history stays."""

    __tablename__ = "linkage_list_entry"
    __table_args__ = (
        tenant_fk("unit_id", "linkage_unit", ondelete="CASCADE"),
        tenant_fk("party_id", "party", ondelete="CASCADE"),
        tenant_fk("set_by", "user_account"),
        sa.CheckConstraint("(unit_id IS NULL) <> (party_id IS NULL)", "one_subject"),
        sa.Index("ix_linkage_list_entry_current_unit", "court_id", "unit_id", unique=True,
                 postgresql_where=sa.text("ended_at IS NULL AND unit_id IS NOT NULL")),
        sa.Index("ix_linkage_list_entry_current_party", "court_id", "party_id", unique=True,
                 postgresql_where=sa.text("ended_at IS NULL AND party_id IS NOT NULL")),
    )

    court_id: str = court_field()
    id: str = id_field()
    unit_id: str | None = ref_field()
    party_id: str | None = ref_field()
    colour: ListColour = Field(sa_type=enum_type(ListColour, "list_colour"))
    reason: str = Field(default="")
    effective_on: date
    set_by: str = ref_field(nullable=False)
    created_at: datetime = created_field()
    ended_at: datetime | None = time_field()


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
