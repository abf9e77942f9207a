"""Deputies following cases (代表委员跟案监督, Pingtan report): key enforcement nodes,
node events, what deputies witness and evaluate."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from enforcement.models.base import (
    TimestampedMixin,
    court_field,
    created_field,
    id_field,
    json_field,
    ref_field,
    tenant_fk,
    time_field,
    version_field,
)


class CaseFollow(SQLModel, table=True):
    """A people's congress deputy or CPPCC member following a case (代表跟案)."""

    __tablename__ = "case_follow"
    __table_args__ = (
        tenant_fk("deputy_id", "user_account", ondelete="CASCADE"),
        tenant_fk("case_id", "enforcement_case", ondelete="CASCADE"),
        sa.Index("ix_case_follow_active", "court_id", "deputy_id", "case_id", unique=True,
                 postgresql_where=sa.text("ended_at IS NULL")),
    )

    court_id: str = court_field()
    id: str = id_field()
    deputy_id: str = ref_field(nullable=False)
    case_id: str = ref_field(nullable=False)
    started_at: datetime = created_field()
    ended_at: datetime | None = time_field()


class EnforcementNode(SQLModel, table=True):
    """A key enforcement step a deputy may witness; the catalogue is editable per court.

    A node that any event or evaluation uses is retired (``active = false``), never
    deleted, so that what deputies witnessed keeps its name."""

    __tablename__ = "enforcement_node"
    __table_args__ = (
        sa.UniqueConstraint("court_id", "code"),
        sa.CheckConstraint("disclosure IN ('always', 'after', 'never')", "disclosure_known"),
    )

    court_id: str = court_field()
    id: str = id_field()
    code: str = Field(max_length=32)
    name_zh: str = Field(max_length=100)
    name_en: str = Field(max_length=100)
    seq: int
    active: bool = Field(default=True, sa_column_kwargs={"server_default": sa.true()})
    witnessable: bool = Field(default=True, sa_column_kwargs={"server_default": sa.true()},
                              description="deputies may witness it (in their inbox)")
    disclosure: str = Field(
        default="after", max_length=8, sa_column_kwargs={"server_default": "after"},
        description="the parties' page shows its events: always (planned ones too), "
                    "after (once done: a seizure is no surprise otherwise) or never")
    version: int = version_field()


class NodeEvent(TimestampedMixin, table=True):
    """A key node taking place on a case (planned or done), recorded by court staff; the
    deputies following the case see it, and may witness it when its node allows."""

    __tablename__ = "node_event"
    __table_args__ = (
        tenant_fk("case_id", "enforcement_case"),
        tenant_fk("node_id", "enforcement_node"),
        tenant_fk("recorded_by", "user_account"),
        sa.Index("ix_node_event_case", "court_id", "case_id", "occurs_at"),
    )

    court_id: str = court_field()
    id: str = id_field()
    case_id: str = ref_field(nullable=False)
    node_id: str = ref_field(nullable=False)
    occurs_at: datetime = time_field(nullable=False, description="when it happens or happened")
    place: str = Field(default="", max_length=300)
    note: str = Field(default="")
    recorded_by: str = ref_field(nullable=False)
    version: int = version_field()


class NodeEventRead(SQLModel, table=True):
    """A deputy has opened a node event in their inbox (absent: unread)."""

    __tablename__ = "node_event_read"
    __table_args__ = (
        tenant_fk("node_event_id", "node_event", ondelete="CASCADE"),
        tenant_fk("deputy_id", "user_account", ondelete="CASCADE"),
        sa.UniqueConstraint("court_id", "node_event_id", "deputy_id"),
    )

    court_id: str = court_field()
    id: str = id_field()
    node_event_id: str = ref_field(nullable=False)
    deputy_id: str = ref_field(nullable=False)
    read_at: datetime = created_field()


class NodeWitness(SQLModel, table=True):
    """A deputy witnessed a node event (现场见证); once per deputy and event."""

    __tablename__ = "node_witness"
    __table_args__ = (
        tenant_fk("node_event_id", "node_event"),
        tenant_fk("deputy_id", "user_account"),
        sa.UniqueConstraint("court_id", "node_event_id", "deputy_id"),
    )

    court_id: str = court_field()
    id: str = id_field()
    node_event_id: str = ref_field(nullable=False)
    deputy_id: str = ref_field(nullable=False)
    witnessed_at: datetime = time_field(nullable=False)
    note: str = Field(default="")
    created_at: datetime = created_field()


class DeputyEvaluation(TimestampedMixin, table=True):
    """A deputy's evaluation form (监督评议表, ``kind = evaluation``) or opinion card
    (意见建议卡, ``kind = opinion``) on a case, and the responsible judge's reply to a card,
    due by ``due_at``."""

    __tablename__ = "deputy_evaluation"
    __table_args__ = (
        tenant_fk("case_id", "enforcement_case"),
        tenant_fk("deputy_id", "user_account"),
        tenant_fk("node_id", "enforcement_node"),
        tenant_fk("node_event_id", "node_event"),
        tenant_fk("judge_id", "user_account"),
        tenant_fk("replied_by", "user_account"),
        sa.CheckConstraint("rating IS NULL OR rating BETWEEN 1 AND 5", "rating_range"),
        sa.CheckConstraint("kind IN ('evaluation', 'opinion')", "kind_known"),
        sa.Index("ix_deputy_evaluation_open_opinions", "court_id", "due_at",
                 postgresql_where=sa.text("kind = 'opinion' AND replied_at IS NULL")),
    )

    court_id: str = court_field()
    id: str = id_field()
    case_id: str = ref_field(nullable=False)
    deputy_id: str = ref_field(nullable=False)
    node_id: str | None = ref_field()
    node_event_id: str | None = ref_field(description="the witnessed event evaluated")
    kind: str = Field(default="evaluation", max_length=16, description="evaluation or opinion")
    witnessed_at: datetime | None = time_field()
    rating: int | None = None
    scores: dict = json_field(description="evaluation criteria → score 1-5")
    judge_id: str | None = ref_field(description="the judge who must answer an opinion")
    due_at: datetime | None = time_field(description="an opinion's answer is due by")
    opinion: str = Field(default="")
    reply: str | None = None
    replied_by: str | None = ref_field()
    replied_at: datetime | None = time_field()
    version: int = version_field()
