"""Sightings: an assistant saw a debtor, where and when."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field

from enforcement.models.base import (
    TimestampedMixin,
    court_field,
    id_field,
    ref_field,
    tenant_fk,
    time_field,
    version_field,
)
from enforcement.models.cases import PointReport


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
