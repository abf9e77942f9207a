"""Linkage with other authorities (执行联动, Qijiang report): the units, the court's
requests and their answers; joint punishment notices (联合惩戒) and the red, white and
black lists (Luojiang report).

A notice goes to its units as ``linkage_request`` rows of kind ``joint_punishment``
(one per unit, ``notice_id`` set), so sending, acknowledging and overdue listing are the
linkage requests' machinery."""

from __future__ import annotations

import enum
from datetime import date, datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from enforcement.infrastructure.crypto import EncryptedText
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


class ListColour(enum.StrEnum):
    """红名单 cooperative, 白名单 neutral, 黑名单 obstructive."""

    RED = "red"
    WHITE = "white"
    BLACK = "black"


class PunishmentNotice(TimestampedMixin, table=True):
    """A joint punishment notice about a debtor of a case, issued to linkage units."""

    __tablename__ = "punishment_notice"
    __table_args__ = (
        tenant_fk("case_id", "enforcement_case"),
        tenant_fk("party_id", "party"),
        tenant_fk("issued_by", "user_account"),
        sa.Index("ix_punishment_notice_issued", "court_id", "issued_at"),
    )

    court_id: str = court_field()
    id: str = id_field()
    case_id: str = ref_field(nullable=False)
    party_id: str = ref_field(nullable=False, description="the debtor the notice is about")
    title: str = Field(max_length=200)
    content: str = Field(default="")
    issued_by: str = ref_field(nullable=False)
    issued_at: datetime = time_field(nullable=False)
    due_at: datetime = time_field(nullable=False, description="units acknowledge by")
    version: int = version_field()


class LinkageListEntry(SQLModel, table=True):
    """A unit or a person (party) put on the court's red, white or black list. Setting a
    new colour ends the current entry (``ended_at``), so the history stays."""

    __tablename__ = "linkage_list_entry"
    __table_args__ = (
        tenant_fk("unit_id", "linkage_unit", ondelete="CASCADE"),
        tenant_fk("party_id", "party", ondelete="CASCADE"),
        tenant_fk("set_by", "user_account"),
        sa.CheckConstraint("(unit_id IS NULL) <> (party_id IS NULL)", "one_subject"),
        sa.Index("ix_linkage_list_entry_current_unit", "court_id", "unit_id", unique=True,
                 postgresql_where=sa.text("ended_at IS NULL AND unit_id IS NOT NULL")),
        sa.Index("ix_linkage_list_entry_current_party", "court_id", "party_id", unique=True,
                 postgresql_where=sa.text("ended_at IS NULL AND party_id IS NOT NULL")),
    )

    court_id: str = court_field()
    id: str = id_field()
    unit_id: str | None = ref_field()
    party_id: str | None = ref_field()
    colour: ListColour = Field(sa_type=enum_type(ListColour, "list_colour"))
    reason: str = Field(default="")
    effective_on: date
    set_by: str = ref_field(nullable=False)
    created_at: datetime = created_field()
    ended_at: datetime | None = time_field()
