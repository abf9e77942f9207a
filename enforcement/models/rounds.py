"""Concentrated on-site enforcement rounds (驻村连片集中执行): teams, targets, visits,
and the outcomes that leads and visits lead to."""

from __future__ import annotations

import enum
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from enforcement.models.base import (
    TimestampedMixin,
    court_field,
    enum_type,
    geometry_field,
    id_field,
    json_field,
    money_field,
    ref_field,
    tenant_fk,
    time_field,
    version_field,
)
from enforcement.models.cases import PointReport


class RoundStatus(enum.StrEnum):
    DRAFT = "draft"
    PLANNED = "planned"
    LOCKED = "locked"
    RUNNING = "running"
    DONE = "done"
    CANCELLED = "cancelled"


class VisitResult(enum.StrEnum):
    DEBTOR_MET = "debtor_met"
    DEBTOR_ABSENT = "debtor_absent"
    PAID = "paid"
    SETTLED = "settled"
    PROPERTY_FOUND = "property_found"
    REFUSED = "refused"
    ADDRESS_WRONG = "address_wrong"
    OTHER = "other"


class OutcomeKind(enum.StrEnum):
    DEBTOR_LOCATED = "debtor_located"
    DEBTOR_DETAINED = "debtor_detained"
    PROPERTY_FOUND = "property_found"
    PROPERTY_SEALED = "property_sealed"
    PROPERTY_FROZEN = "property_frozen"
    PROPERTY_SEIZED = "property_seized"
    PAYMENT_RECEIVED = "payment_received"
    SETTLEMENT_REACHED = "settlement_reached"
    NO_RESULT = "no_result"


class EnforcementRound(TimestampedMixin, table=True):
    """One round of concentrated village enforcement over an area and a few days."""

    __tablename__ = "enforcement_round"
    __table_args__ = (
        tenant_fk("created_by", "user_account"),
        tenant_fk("township_id", "township"),
    )

    court_id: str = court_field()
    id: str = id_field()
    name: str = Field(max_length=200)
    seq: int | None = Field(default=None, description="1st, 2nd… round of the year")
    status: RoundStatus = Field(
        default=RoundStatus.DRAFT, sa_type=enum_type(RoundStatus, "round_status")
    )
    starts_on: date
    ends_on: date
    township_id: str | None = ref_field()
    area: Any = geometry_field("MULTIPOLYGON")
    team_count: int = 1
    depot_point: Any = geometry_field("POINT")
    plan: dict = json_field(description="the planner's last answer, kept for the record")
    created_by: str = ref_field(nullable=False)
    locked_at: datetime | None = time_field()
    version: int = version_field()


class TargetStatus(enum.StrEnum):
    """Where a round's stop stands: planned, visited (done), or to visit again."""

    PLANNED = "planned"
    VISITED = "visited"
    REVISIT = "revisit"
    """Visited, but the debtor was not home or the address was wrong: go again."""
    SKIPPED = "skipped"


class RoundTeam(SQLModel, table=True):
    """A field team of a round: who is in it, what it drives, where and when it works.

    The planner reads its base, shift and stops per day from here; before revision
    b8f2a6d4e908 they lived in ``EnforcementRound.plan["teams"]``.
    """

    __tablename__ = "round_team"
    __table_args__ = (
        tenant_fk("round_id", "enforcement_round", ondelete="CASCADE"),
        tenant_fk("leader_id", "user_account"),
        sa.CheckConstraint("shift_end > shift_start", "shift_ordered"),
        sa.CheckConstraint("max_stops BETWEEN 1 AND 60", "max_stops_range"),
        sa.CheckConstraint("capacity IS NULL OR capacity BETWEEN 1 AND 60", "capacity_range"),
    )

    court_id: str = court_field()
    id: str = id_field()
    round_id: str = ref_field(nullable=False)
    name: str = Field(max_length=100)
    leader_id: str | None = ref_field()
    member_ids: list[str] = json_field(list)
    vehicle: str | None = Field(default=None, max_length=32)
    start_point: Any = geometry_field("POINT")
    """Where the team leaves from and returns to each day."""
    shift_start: time = Field(default=time(8), sa_type=sa.Time(),
                              sa_column_kwargs={"server_default": "08:00"})
    shift_end: time = Field(default=time(18), sa_type=sa.Time(),
                            sa_column_kwargs={"server_default": "18:00"})
    max_stops: int = Field(default=12, sa_column_kwargs={"server_default": "12"},
                           description="visits the team can make a day")
    capacity: int | None = Field(default=None, description="vehicle load units; null: any")


class RoundTarget(SQLModel, table=True):
    """A stop on a round: a case, debtor or lead to visit, in a team's order for a day."""

    __tablename__ = "round_target"
    __table_args__ = (
        tenant_fk("round_id", "enforcement_round", ondelete="CASCADE"),
        tenant_fk("team_id", "round_team"),
        tenant_fk("case_id", "enforcement_case"),
        tenant_fk("party_id", "party"),
        tenant_fk("lead_id", "lead"),
        tenant_fk("village_grid_id", "village_grid"),
    )

    court_id: str = court_field()
    id: str = id_field()
    round_id: str = ref_field(nullable=False)
    team_id: str | None = ref_field()
    case_id: str | None = ref_field()
    party_id: str | None = ref_field()
    lead_id: str | None = ref_field()
    village_grid_id: str | None = ref_field()
    point: Any = geometry_field("POINT")
    day: date | None = None
    seq: int | None = None
    eta_minutes: int | None = None
    status: str = Field(default="planned", max_length=16,
                        description="planned, visited, revisit, skipped (TargetStatus)")
    last_result: VisitResult | None = Field(
        default=None, sa_type=enum_type(VisitResult, "last_result"))
    visited_at: datetime | None = time_field()


class Visit(PointReport, TimestampedMixin, table=True):
    """A field team's visit to a target, recorded on the spot."""

    __table_args__ = (
        tenant_fk("round_id", "enforcement_round"),
        tenant_fk("target_id", "round_target"),
        tenant_fk("case_id", "enforcement_case"),
        tenant_fk("officer_id", "user_account"),
        tenant_fk("township_id", "township"),
        tenant_fk("village_grid_id", "village_grid"),
    )

    court_id: str = court_field()
    id: str = id_field()
    round_id: str | None = ref_field()
    target_id: str | None = ref_field()
    case_id: str | None = ref_field()
    officer_id: str = ref_field(nullable=False)
    device_id: str | None = Field(default=None, max_length=64)
    visited_at: datetime = time_field(nullable=False)
    result: VisitResult = Field(sa_type=enum_type(VisitResult, "visit_result"))
    amount_collected: Decimal = money_field()
    outcome_kind: OutcomeKind | None = Field(
        default=None, sa_type=enum_type(OutcomeKind, "outcome_kind"), nullable=True)
    """What else came of it beyond a payment or the result's own outcome (e.g. sealed)."""
    notes: str = Field(default="")
    deleted_at: datetime | None = time_field()
    version: int = version_field()


class Outcome(SQLModel, table=True):
    """What enforcement achieved, linked to the lead, round or visit that led to it.

    Amounts roll up to the case; reports attribute recovered money to leads through here.
    """

    __table_args__ = (
        tenant_fk("case_id", "enforcement_case"),
        tenant_fk("lead_id", "lead"),
        tenant_fk("round_id", "enforcement_round"),
        tenant_fk("visit_id", "visit"),
        tenant_fk("recorded_by", "user_account"),
        sa.CheckConstraint("amount >= 0", "amount_not_negative"),
        sa.Index("ix_outcome_case", "court_id", "case_id"),
    )

    court_id: str = court_field()
    id: str = id_field()
    kind: OutcomeKind = Field(sa_type=enum_type(OutcomeKind, "outcome_kind"))
    case_id: str | None = ref_field()
    lead_id: str | None = ref_field()
    round_id: str | None = ref_field()
    visit_id: str | None = ref_field()
    amount: Decimal = money_field()
    occurred_on: date
    notes: str = Field(default="")
    recorded_by: str = ref_field(nullable=False)
    recorded_at: datetime = time_field(nullable=False)
