"""Enforcement cases and the parties (debtors, applicants) in them."""

from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from enforcement.infrastructure.crypto import EncryptedText
from enforcement.models.base import (
    Datum,
    TimestampedMixin,
    court_field,
    created_field,
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


class CaseStatus(enum.StrEnum):
    OPEN = "open"
    IN_PROGRESS = "in_progress"
    TERMINATED = "terminated"
    """终本: closed for lack of property; may resume when property turns up."""
    RESUMED = "resumed"
    SETTLED = "settled"
    CLOSED = "closed"


class PartyKind(enum.StrEnum):
    PERSON = "person"
    ORGANISATION = "organisation"


class PartyRole(enum.StrEnum):
    DEBTOR = "debtor"
    APPLICANT = "applicant"
    GUARANTOR = "guarantor"


class EnforcementCase(TimestampedMixin, table=True):
    """An enforcement case, numbered like ``(2024)甘1025执123号``."""

    __tablename__ = "enforcement_case"
    __table_args__ = (
        sa.UniqueConstraint("court_id", "case_number"),
        tenant_fk("judge_id", "user_account"),
        tenant_fk("officer_id", "user_account"),
        tenant_fk("township_id", "township"),
        tenant_fk("village_grid_id", "village_grid"),
        sa.Index("ix_enforcement_case_status", "court_id", "status"),
        sa.CheckConstraint("amount_owed >= 0 AND amount_recovered >= 0", "amounts_not_negative"),
        sa.CheckConstraint("amount_paid_out BETWEEN 0 AND amount_recovered",
                           "paid_out_within_recovered"),
    )

    court_id: str = court_field()
    id: str = id_field()
    case_number: str = Field(max_length=64)
    cause: str = Field(default="", max_length=200, description="e.g. 民间借贷纠纷")
    source_judgment: str | None = Field(default=None, max_length=64)
    applicant_name: str = Field(max_length=200)
    filed_on: date
    status: CaseStatus = Field(
        default=CaseStatus.OPEN, sa_type=enum_type(CaseStatus, "case_status")
    )
    terminated_on: date | None = None
    closed_on: date | None = None
    amount_owed: Decimal = money_field()
    amount_recovered: Decimal = money_field()
    amount_paid_out: Decimal = money_field()
    """案款发放: of the amount recovered, what the court has paid to the applicant."""
    judge_id: str | None = ref_field()
    officer_id: str | None = ref_field()
    address: str | None = Field(default=None, max_length=300)
    address_point: Any = geometry_field("POINT")
    township_id: str | None = ref_field()
    village_grid_id: str | None = ref_field()
    outside_grid: bool = Field(default=False, sa_column_kwargs={"server_default": sa.false()})
    nearest_grid_distance_m: float | None = None
    version: int = version_field()


class Party(TimestampedMixin, table=True):
    """A person or organisation in a case. Identity and phone are stored encrypted
    (``enforcement.infrastructure.crypto``) and shown masked to roles that only need to
    recognise the person."""

    __table_args__ = (
        tenant_fk("village_grid_id", "village_grid"),
        tenant_fk("township_id", "township"),
        sa.Index("ix_party_grid", "court_id", "village_grid_id"),  # a grid's debtors (sync)
    )

    court_id: str = court_field()
    id: str = id_field()
    kind: PartyKind = Field(default=PartyKind.PERSON, sa_type=enum_type(PartyKind, "party_kind"))
    name: str = Field(max_length=200)
    id_number: str | None = Field(
        default=None, sa_type=EncryptedText, description="身份证号 / 统一社会信用代码"
    )
    phone: str | None = Field(default=None, sa_type=EncryptedText)
    gender: str | None = Field(default=None, max_length=8)
    birth_year: int | None = None
    address: str | None = Field(default=None, max_length=300)
    home_point: Any = geometry_field("POINT")
    township_id: str | None = ref_field()
    village_grid_id: str | None = ref_field()
    is_dishonest: bool = Field(
        default=False, sa_column_kwargs={"server_default": sa.false()}, description="失信被执行人"
    )
    consumption_restricted: bool = Field(
        default=False, sa_column_kwargs={"server_default": sa.false()}, description="限制消费"
    )
    exit_restricted: bool = Field(
        default=False, sa_column_kwargs={"server_default": sa.false()}, description="限制出境"
    )
    dishonest_since: date | None = None
    consumption_restricted_since: date | None = None
    exit_restricted_since: date | None = None
    """The flags and dates mirror the measures in force (``enforcement.credit.measures`` keeps
    them), so a measure change is a change of the party row and reaches phones."""
    aliases: list[str] = json_field(list)
    vehicle_plates: list[str] = json_field(list)
    notes: str | None = None
    version: int = version_field()


class CaseParty(SQLModel, table=True):
    """A party's role in a case; a debtor may owe in several cases."""

    __tablename__ = "case_party"
    __table_args__ = (
        tenant_fk("case_id", "enforcement_case", ondelete="CASCADE"),
        tenant_fk("party_id", "party", ondelete="CASCADE"),
        sa.UniqueConstraint("court_id", "case_id", "party_id", "role"),
        sa.Index("ix_case_party_party", "court_id", "party_id"),  # a debtor's cases (sync)
    )

    court_id: str = court_field()
    id: str = id_field()
    case_id: str = ref_field(nullable=False)
    party_id: str = ref_field(nullable=False)
    role: PartyRole = Field(sa_type=enum_type(PartyRole, "party_role"))


class CaseEvent(SQLModel, table=True):
    """A status change or other milestone of a case (terminate, resume, close)."""

    __tablename__ = "case_event"
    __table_args__ = (
        tenant_fk("case_id", "enforcement_case", ondelete="CASCADE"),
        tenant_fk("actor_id", "user_account"),
    )

    court_id: str = court_field()
    id: str = id_field()
    case_id: str = ref_field(nullable=False)
    kind: str = Field(max_length=32)
    from_status: str | None = Field(default=None, max_length=32)
    to_status: str | None = Field(default=None, max_length=32)
    actor_id: str | None = ref_field()
    reason: str | None = None
    at: datetime = time_field(nullable=False)


class CaseMediator(SQLModel, table=True):
    """A mediator (乡贤) the court put on a case, from ``starts_on`` until ``ends_on``.

    ``ends_on`` is exclusive: an assignment ended today no longer counts today. Rows are
    never deleted, so the court can tell who mediated a case when.
    """

    __tablename__ = "case_mediator"
    __table_args__ = (
        tenant_fk("case_id", "enforcement_case", ondelete="CASCADE"),
        tenant_fk("mediator_id", "user_account", ondelete="CASCADE"),
        tenant_fk("assigned_by", "user_account"),
        tenant_fk("ended_by", "user_account"),
        sa.Index("ix_case_mediator_mediator", "court_id", "mediator_id", "case_id"),
        sa.CheckConstraint("ends_on IS NULL OR ends_on >= starts_on", "ends_not_before_start"),
    )

    court_id: str = court_field()
    id: str = id_field()
    case_id: str = ref_field(nullable=False)
    mediator_id: str = ref_field(nullable=False)
    starts_on: date
    ends_on: date | None = None
    note: str = Field(default="", max_length=500)
    assigned_by: str = ref_field(nullable=False)
    ended_by: str | None = ref_field()
    created_at: datetime = created_field()
    updated_at: datetime = created_field()


class PointReport(SQLModel):
    """Columns of every record with a reported location, assigned to a grid on write.

    ``point`` is WGS-84; the coordinates the device sent and their datum are kept.
    """

    point: Any = geometry_field("POINT")
    reported_lon: float | None = None
    reported_lat: float | None = None
    datum: Datum | None = Field(default=None, sa_type=enum_type(Datum, "datum"))
    accuracy_m: float | None = None
    township_id: str | None = ref_field()
    village_grid_id: str | None = ref_field()
    outside_grid: bool = Field(default=False, sa_column_kwargs={"server_default": sa.false()})
    nearest_grid_distance_m: float | None = None
