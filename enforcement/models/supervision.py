"""Deputies following cases (Pingtan report), linkage units (Qijiang report),
attachments and the audit log."""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from enforcement.crypto import EncryptedText
from enforcement.models.base import (
    TimestampedMixin,
    court_field,
    created_field,
    enum_type,
    id_field,
    json_field,
    ref_field,
    tenant_fk,
    time_field,
    version_field,
)


class LinkageKind(enum.StrEnum):
    POLICE = "police"
    VEHICLE_REGISTRY = "vehicle_registry"
    BANK = "bank"
    REAL_ESTATE_REGISTRY = "real_estate_registry"
    MARKET_REGULATOR = "market_regulator"
    SOCIAL_SECURITY = "social_security"
    TOWNSHIP_GOVERNMENT = "township_government"
    OTHER = "other"


class LinkageRequestKind(enum.StrEnum):
    FIND_PERSON = "find_person"
    SEIZE_VEHICLE = "seize_vehicle"
    SEARCH_RECORDS = "search_records"
    FREEZE_AND_DEDUCT = "freeze_and_deduct"
    APPRAISE = "appraise"
    OTHER = "other"
    JOINT_PUNISHMENT = "joint_punishment"
    """A joint punishment notice to the unit (``notice_id``): acknowledged, not answered."""


class LinkageRequestStatus(enum.StrEnum):
    SENT = "sent"
    ACKNOWLEDGED = "acknowledged"
    ANSWERED = "answered"
    OVERDUE = "overdue"
    CANCELLED = "cancelled"


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
    __table_args__ = (sa.UniqueConstraint("court_id", "code"),)

    court_id: str = court_field()
    id: str = id_field()
    code: str = Field(max_length=32)
    name_zh: str = Field(max_length=100)
    name_en: str = Field(max_length=100)
    seq: int
    active: bool = Field(default=True, sa_column_kwargs={"server_default": sa.true()})
    witnessable: bool = Field(default=True, sa_column_kwargs={"server_default": sa.true()},
                              description="deputies may witness it (in their inbox)")
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


class LinkageUnit(TimestampedMixin, table=True):
    """An outside body the court works with: police station, vehicle registry, bank…"""

    __tablename__ = "linkage_unit"
    __table_args__ = (sa.UniqueConstraint("court_id", "name"),)

    court_id: str = court_field()
    id: str = id_field()
    name: str = Field(max_length=200)
    kind: LinkageKind = Field(sa_type=enum_type(LinkageKind, "linkage_kind"))
    duties: list[str] = json_field(list)
    contact_name: str | None = Field(default=None, max_length=100)
    contact_phone: str | None = Field(default=None, sa_type=EncryptedText)
    answer_days: int = Field(default=7, description="days the unit has to answer a request")
    version: int = version_field()


class LinkageRequest(TimestampedMixin, table=True):
    """A request from the court to a linkage unit, and the unit's answer."""

    __tablename__ = "linkage_request"
    __table_args__ = (
        tenant_fk("unit_id", "linkage_unit"),
        tenant_fk("case_id", "enforcement_case"),
        tenant_fk("party_id", "party"),
        tenant_fk("requested_by", "user_account"),
        tenant_fk("answered_by", "user_account"),
        tenant_fk("notice_id", "punishment_notice"),
        sa.Index("ix_linkage_request_unit", "court_id", "unit_id", "status"),
        sa.Index("ix_linkage_request_notice", "court_id", "notice_id", "unit_id", unique=True,
                 postgresql_where=sa.text("notice_id IS NOT NULL")),
        sa.CheckConstraint(
            "result IS NULL OR result IN ('done', 'partly_done', 'not_found', 'unable', "
            "'acknowledged')", "result_known"),
    )

    court_id: str = court_field()
    id: str = id_field()
    unit_id: str = ref_field(nullable=False)
    case_id: str | None = ref_field()
    party_id: str | None = ref_field()
    kind: LinkageRequestKind = Field(sa_type=enum_type(LinkageRequestKind, "linkage_request_kind"))
    details: str = Field(default="")
    status: LinkageRequestStatus = Field(
        default=LinkageRequestStatus.SENT,
        sa_type=enum_type(LinkageRequestStatus, "linkage_request_status"),
    )
    requested_by: str = ref_field(nullable=False)
    due_at: datetime | None = time_field()
    answer: str | None = None
    result: str | None = Field(default=None, max_length=16,
                               description="done, partly_done, not_found, unable")
    answered_by: str | None = ref_field()
    answered_at: datetime | None = time_field()
    notice_id: str | None = ref_field(description="the joint punishment notice it delivers")
    version: int = version_field()


class Attachment(SQLModel, table=True):
    """A photo, recording or signed form, stored once per court by its SHA-256."""

    __table_args__ = (
        tenant_fk("uploaded_by", "user_account"),
        sa.CheckConstraint("received_bytes <= size_bytes", "received_within_size"),
    )

    court_id: str = court_field()
    sha256: str = Field(primary_key=True, max_length=64)
    size_bytes: int = Field(sa_type=sa.BigInteger)
    content_type: str = Field(max_length=100)
    received_bytes: int = Field(default=0, sa_type=sa.BigInteger)
    complete: bool = Field(default=False, sa_column_kwargs={"server_default": sa.false()})
    uploaded_by: str = ref_field(nullable=False)
    created_at: datetime = created_field()
    completed_at: datetime | None = time_field()
    file_name: str | None = Field(default=None, max_length=255)
    """The name the first uploader's file had (tus ``Upload-Metadata`` ``filename``)."""
    expires_at: datetime | None = time_field()
    """An unfinished upload untouched until then is abandoned and may be deleted; none
    once complete."""


class AttachmentRef(SQLModel, table=True):
    """Which record refers to which attachment."""

    __tablename__ = "attachment_ref"
    __table_args__ = (
        sa.ForeignKeyConstraint(
            ["court_id", "sha256"], ["attachment.court_id", "attachment.sha256"]
        ),
        sa.Index("ix_attachment_ref_record", "court_id", "record_table", "record_id"),
    )

    court_id: str = court_field()
    id: str = id_field()
    sha256: str = Field(max_length=64)
    record_table: str = Field(max_length=32)
    record_id: str = Field(max_length=36)
    caption: str | None = Field(default=None, max_length=200)


class AuditEntry(SQLModel, table=True):
    """Who did or read what. Each entry carries the hash of the one before it in its
    court, so a removed or edited entry breaks the chain."""

    __tablename__ = "audit_log"
    __table_args__ = (
        sa.Index("ix_audit_log_subject", "court_id", "subject_table", "subject_id"),
        sa.Index("ix_audit_log_seq", "court_id", "seq", unique=True),
    )

    court_id: str = court_field()
    id: str = id_field()
    seq: int = Field(sa_type=sa.BigInteger, description="position in the court's chain")
    at: datetime = created_field()
    actor_id: str | None = Field(default=None, max_length=36)
    device_id: str | None = Field(default=None, max_length=64)
    action: str = Field(max_length=64, description="e.g. party.read_unmasked, auth.login")
    subject_table: str | None = Field(default=None, max_length=32)
    subject_id: str | None = Field(default=None, max_length=64)
    detail: dict = json_field()
    ip: str | None = Field(default=None, max_length=64)
    prev_hash: str = Field(max_length=64)
    hash: str = Field(max_length=64)


class AuditHead(SQLModel, table=True):
    """The last entry of a court's audit chain. Appending locks this row, and verifying
    compares against it, so cutting entries off the end of the chain is detected too."""

    __tablename__ = "audit_head"

    court_id: str = court_field()
    seq: int = Field(sa_type=sa.BigInteger)
    hash: str = Field(max_length=64)
