"""Township grids, village grids and which assistants serve which village grid."""

from __future__ import annotations

from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from enforcement.models.base import (
    TimestampedMixin,
    court_field,
    created_field,
    geometry_field,
    id_field,
    ref_field,
    tenant_fk,
    version_field,
)


class Township(TimestampedMixin, table=True):
    """A township (乡镇) grid area, one per township as in the Zhengning report."""

    __table_args__ = (sa.UniqueConstraint("court_id", "code"),)

    court_id: str = court_field()
    id: str = id_field()
    code: str = Field(max_length=32)
    name: str = Field(max_length=100)
    geom: Any = geometry_field("MULTIPOLYGON", nullable=False)
    area_m2: float | None = None
    version: int = version_field()


class VillageGrid(TimestampedMixin, table=True):
    """A village grid (村网格): the smallest area an assistant reports from."""

    __tablename__ = "village_grid"
    __table_args__ = (
        sa.UniqueConstraint("court_id", "code"),
        tenant_fk("township_id", "township"),
    )

    court_id: str = court_field()
    id: str = id_field()
    township_id: str | None = ref_field()
    code: str = Field(max_length=32)
    name: str = Field(max_length=100)
    geom: Any = geometry_field("MULTIPOLYGON", nullable=False)
    area_m2: float | None = None
    households: int | None = None
    committee_phone: str | None = Field(default=None, max_length=32)
    version: int = version_field()


class GridAssignment(SQLModel, table=True):
    """An assistant (or mediator) assigned to a village grid, over a period."""

    __tablename__ = "grid_assignment"
    __table_args__ = (
        tenant_fk("user_id", "user_account", ondelete="CASCADE"),
        tenant_fk("village_grid_id", "village_grid", ondelete="CASCADE"),
        sa.Index("ix_grid_assignment_active", "court_id", "user_id", "village_grid_id",
                 unique=True, postgresql_where=sa.text("ended_on IS NULL")),
    )

    court_id: str = court_field()
    id: str = id_field()
    user_id: str = ref_field(nullable=False)
    village_grid_id: str = ref_field(nullable=False)
    started_on: date = Field(default_factory=date.today)
    ended_on: date | None = None
    created_at: Any = created_field()
