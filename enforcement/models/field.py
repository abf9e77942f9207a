"""What the grid network reports from the field: leads, sightings, mediation notes,
settlements, and the tasks the court sends to assistants."""

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
    json_field,
    money_field,
    ref_field,
    tenant_fk,
    time_field,
    version_field,
)
from enforcement.models.cases import PointReport


class LeadKind(enum.StrEnum):
    DEBTOR_WHEREABOUTS = "debtor_whereabouts"
    REAL_ESTATE = "real_estate"
    VEHICLE = "vehicle"
    LIVESTOCK_OR_CROPS = "livestock_or_crops"
    WAGES_OR_INCOME = "wages_or_income"
    HIGH_CONSUMPTION = "high_consumption"
    HIDDEN_TRANSFER = "hidden_transfer"
    OTHER = "other"


class LeadStatus(enum.StrEnum):
    SUBMITTED = "submitted"
    UNDER_REVIEW = "under_review"
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    DUPLICATE = "duplicate"
    ASSIGNED = "assigned"
    VERIFIED = "verified"
    NOT_FOUND = "not_found"
    OUTCOME_RECORDED = "outcome_recorded"
    CLOSED = "closed"


class Urgency(enum.StrEnum):
    LOW = "low"
    NORMAL = "normal"
    HIGH = "high"
    URGENT = "urgent"


class MediationOutcome(enum.StrEnum):
    AGREED = "agreed"
    REFUSED = "refused"
    CONTINUE = "continue"


class SettlementKind(enum.StrEnum):
    LUMP_SUM = "lump_sum"
    INSTALMENTS = "instalments"


class TaskKind(enum.StrEnum):
    VERIFY_ADDRESS = "verify_address"
    FIND_DEBTOR = "find_debtor"
    DELIVER_NOTICE = "deliver_notice"
    CHECK_PROPERTY = "check_property"
    OTHER = "other"


class TaskStatus(enum.StrEnum):
    OPEN = "open"
    CLOSED = "closed"
    CANCELLED = "cancelled"


class Lead(PointReport, TimestampedMixin, table=True):
    """Something a grid assistant found that may help enforce a case."""

    __table_args__ = (
        tenant_fk("author_id", "user_account"),
        tenant_fk("case_id", "enforcement_case"),
        tenant_fk("party_id", "party"),
        tenant_fk("township_id", "township"),
        tenant_fk("village_grid_id", "village_grid"),
        tenant_fk("duplicate_of_id", "lead"),
        tenant_fk("possible_duplicate_of_id", "lead"),
        tenant_fk("assigned_officer_id", "user_account"),
        tenant_fk("round_id", "enforcement_round"),
        sa.Index("ix_lead_status", "court_id", "status", "created_at"),
        sa.Index("ix_lead_grid", "court_id", "village_grid_id"),
        sa.Index("ix_lead_author", "court_id", "author_id"),
    )

    court_id: str = court_field()
    id: str = id_field()
    author_id: str = ref_field(nullable=False)
    device_id: str | None = Field(default=None, max_length=64)
    kind: LeadKind = Field(sa_type=enum_type(LeadKind, "lead_kind"))
    case_id: str | None = ref_field()
    party_id: str | None = ref_field()
    debtor_text: str | None = Field(default=None, max_length=200)
    description: str = Field(default="")
    observed_at: datetime | None = time_field()
    urgency: Urgency = Field(default=Urgency.NORMAL, sa_type=enum_type(Urgency, "urgency"))
    status: LeadStatus = Field(
        default=LeadStatus.SUBMITTED, sa_type=enum_type(LeadStatus, "lead_status")
    )
    duplicate_of_id: str | None = ref_field()
    possible_duplicate_of_id: str | None = ref_field()
    assigned_officer_id: str | None = ref_field()
    round_id: str | None = ref_field()
    triaged_at: datetime | None = time_field()
    amount_recovered: Decimal = money_field()
    deleted_at: datetime | None = time_field()
    version: int = version_field()


class LeadTransition(SQLModel, table=True):
    """Every step of a lead's lifecycle, with who made it and why; the author sees these."""

    __tablename__ = "lead_transition"
    __table_args__ = (
        tenant_fk("lead_id", "lead", ondelete="CASCADE"),
        tenant_fk("actor_id", "user_account"),
    )

    court_id: str = court_field()
    id: str = id_field()
    lead_id: str = ref_field(nullable=False)
    from_status: LeadStatus | None = Field(
        default=None, sa_type=enum_type(LeadStatus, "from_status")
    )
    to_status: LeadStatus = Field(sa_type=enum_type(LeadStatus, "to_status"))
    actor_id: str | None = ref_field()
    reason: str | None = None
    detail: dict = json_field()
    at: datetime = created_field()


class Sighting(PointReport, TimestampedMixin, table=True):
    """A debtor was seen somewhere. Urgent sightings go straight to the township's officers."""

    __table_args__ = (
        tenant_fk("author_id", "user_account"),
        tenant_fk("case_id", "enforcement_case"),
        tenant_fk("party_id", "party"),
        tenant_fk("township_id", "township"),
        tenant_fk("village_grid_id", "village_grid"),
        sa.CheckConstraint("confidence BETWEEN 1 AND 5", "confidence_range"),
        sa.Index("ix_sighting_feed", "court_id", "township_id", "seen_at"),
    )

    court_id: str = court_field()
    id: str = id_field()
    author_id: str = ref_field(nullable=False)
    device_id: str | None = Field(default=None, max_length=64)
    case_id: str | None = ref_field()
    party_id: str | None = ref_field()
    debtor_text: str | None = Field(default=None, max_length=200)
    seen_at: datetime = time_field(nullable=False)
    vehicle_plate: str | None = Field(default=None, max_length=16)
    companions: str | None = Field(default=None, max_length=300)
    confidence: int = Field(default=3, description="1 (unsure) to 5 (certain)")
    urgent: bool = Field(default=False, sa_column_kwargs={"server_default": sa.false()})
    notes: str = Field(default="")
    deleted_at: datetime | None = time_field()
    version: int = version_field()


class MediationNote(TimestampedMixin, table=True):
    """A mediation session on a case, held by a local sage (乡贤) or an assistant."""

    __tablename__ = "mediation_note"
    __table_args__ = (
        tenant_fk("case_id", "enforcement_case"),
        tenant_fk("author_id", "user_account"),
    )

    court_id: str = court_field()
    id: str = id_field()
    case_id: str = ref_field(nullable=False)
    author_id: str = ref_field(nullable=False)
    device_id: str | None = Field(default=None, max_length=64)
    held_at: datetime = time_field(nullable=False)
    place: str | None = Field(default=None, max_length=200)
    present: list[str] = json_field(list)
    applicant_statement: str = Field(default="")
    debtor_statement: str = Field(default="")
    proposal: dict = json_field(description="{kind, total, instalments: [{due_on, amount}]}")
    outcome: MediationOutcome = Field(
        sa_type=enum_type(MediationOutcome, "mediation_outcome")
    )
    next_visit_on: date | None = None
    deleted_at: datetime | None = time_field()
    version: int = version_field()


class Settlement(TimestampedMixin, table=True):
    """An agreed settlement (执行和解) and the money it promises."""

    __table_args__ = (
        tenant_fk("case_id", "enforcement_case"),
        tenant_fk("mediation_note_id", "mediation_note"),
    )

    court_id: str = court_field()
    id: str = id_field()
    case_id: str = ref_field(nullable=False)
    mediation_note_id: str | None = ref_field()
    kind: SettlementKind = Field(sa_type=enum_type(SettlementKind, "settlement_kind"))
    total_amount: Decimal = money_field()
    agreed_on: date
    status: str = Field(default="active", max_length=16, description="active, fulfilled, broken")
    version: int = version_field()


class Instalment(SQLModel, table=True):
    """One promised payment of a settlement, and what was actually paid."""

    __table_args__ = (
        tenant_fk("settlement_id", "settlement", ondelete="CASCADE"),
        tenant_fk("recorded_by", "user_account"),
        sa.UniqueConstraint("court_id", "settlement_id", "seq"),
    )

    court_id: str = court_field()
    id: str = id_field()
    settlement_id: str = ref_field(nullable=False)
    seq: int
    due_on: date
    amount: Decimal = money_field()
    paid_amount: Decimal = money_field()
    paid_on: date | None = None
    recorded_by: str | None = ref_field()


class Task(TimestampedMixin, table=True):
    """Something the court asks the assistants of some grids to do."""

    __table_args__ = (
        tenant_fk("created_by", "user_account"),
        tenant_fk("case_id", "enforcement_case"),
        tenant_fk("party_id", "party"),
    )

    court_id: str = court_field()
    id: str = id_field()
    created_by: str = ref_field(nullable=False)
    kind: TaskKind = Field(sa_type=enum_type(TaskKind, "task_kind"))
    title: str = Field(max_length=200)
    body: str = Field(default="")
    case_id: str | None = ref_field()
    party_id: str | None = ref_field()
    due_at: datetime | None = time_field()
    status: TaskStatus = Field(
        default=TaskStatus.OPEN, sa_type=enum_type(TaskStatus, "task_status")
    )
    version: int = version_field()


class TaskGrid(SQLModel, table=True):
    """A village grid a task is addressed to."""

    __tablename__ = "task_grid"
    __table_args__ = (
        tenant_fk("task_id", "task", ondelete="CASCADE"),
        tenant_fk("village_grid_id", "village_grid", ondelete="CASCADE"),
    )

    court_id: str = court_field()
    task_id: str = Field(primary_key=True, max_length=36)
    village_grid_id: str = Field(primary_key=True, max_length=36)


class TaskAnswer(PointReport, TimestampedMixin, table=True):
    """An assistant's answer to a task."""

    __tablename__ = "task_answer"
    __table_args__ = (
        tenant_fk("task_id", "task", ondelete="CASCADE"),
        tenant_fk("author_id", "user_account"),
        tenant_fk("township_id", "township"),
        tenant_fk("village_grid_id", "village_grid"),
    )

    court_id: str = court_field()
    id: str = id_field()
    task_id: str = ref_field(nullable=False)
    author_id: str = ref_field(nullable=False)
    device_id: str | None = Field(default=None, max_length=64)
    result: str = Field(max_length=32, description="done, not_found, unable, info")
    answer: str = Field(default="")
    answered_at: datetime = time_field(nullable=False)
    deleted_at: datetime | None = time_field()
    version: int = version_field()


class TaskTransition(SQLModel, table=True):
    """A task closed or cancelled by the court: who, when and why (the assistants see it)."""

    __tablename__ = "task_transition"
    __table_args__ = (
        tenant_fk("task_id", "task", ondelete="CASCADE"),
        tenant_fk("actor_id", "user_account"),
    )

    court_id: str = court_field()
    id: str = id_field()
    task_id: str = ref_field(nullable=False)
    from_status: TaskStatus = Field(sa_type=enum_type(TaskStatus, "from_status"))
    to_status: TaskStatus = Field(sa_type=enum_type(TaskStatus, "to_status"))
    actor_id: str = ref_field(nullable=False)
    reason: str = Field(max_length=2000)
    at: datetime = created_field()
