"""Tasks the court sends to assistants, and their answers."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlmodel import Field, SQLModel

from enforcement.models.base import (
    TimestampedMixin,
    court_field,
    created_field,
    enum_type,
    id_field,
    ref_field,
    tenant_fk,
    time_field,
    version_field,
)
from enforcement.models.cases import PointReport


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
