"""Mediation: the notes mediators write, settlements and their instalments."""

from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from enforcement.models.base import (
    TimestampedMixin,
    court_field,
    enum_type,
    id_field,
    json_field,
    money_field,
    ref_field,
    tenant_fk,
    time_field,
    version_field,
)


class MediationOutcome(enum.StrEnum):
    AGREED = "agreed"
    REFUSED = "refused"
    CONTINUE = "continue"


class SettlementKind(enum.StrEnum):
    LUMP_SUM = "lump_sum"
    INSTALMENTS = "instalments"


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
