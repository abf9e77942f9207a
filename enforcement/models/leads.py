"""Leads: what grid assistants report from the field, and what the court makes of it."""

from __future__ import annotations

import enum
from datetime import datetime
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
    position_source: str | None = Field(default=None, max_length=10)
    """How the position was taken: ``gps`` (the phone's fix) or ``manual`` (typed or placed
    by hand); null from clients that do not say."""
    position_note: str | None = Field(default=None, max_length=200)
    """Why the position is less than the court asked for (the fix never reached the
    accuracy the court set, no fix at all), in the phone's words."""
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
