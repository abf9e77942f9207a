"""Courts (the tenants), their users, the devices users sign in from, and refresh tokens."""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from enforcement.infrastructure.crypto import EncryptedText
from enforcement.models.base import (
    ID_LENGTH,
    TimestampedMixin,
    court_field,
    created_field,
    enum_type,
    id_field,
    new_id,
    ref_field,
    tenant_fk,
    time_field,
)


class Role(enum.StrEnum):
    GRID_ASSISTANT = "grid_assistant"
    MEDIATOR = "mediator"
    OFFICER = "officer"
    JUDGE = "judge"
    DEPUTY = "deputy"
    LIAISON_UNIT = "liaison_unit"
    ADMIN = "admin"


class Court(TimestampedMixin, table=True):
    """A county court: the tenant every other row belongs to."""

    id: str = Field(default_factory=new_id, primary_key=True, max_length=ID_LENGTH)
    code: str = Field(max_length=32, unique=True, description="e.g. the court's unit code")
    name: str = Field(max_length=200)
    county_name: str = Field(max_length=200)
    region_code: str = Field(max_length=12, description="administrative division code, 621025")
    case_prefix: str = Field(max_length=16, description="abbreviation in case numbers, 甘1025")
    is_demo: bool = Field(default=False, sa_column_kwargs={"server_default": sa.false()})
    reception_days: str = Field(
        default="", max_length=200, sa_column_kwargs={"server_default": ""},
        description="when judges receive parties (接待日), shown on the parties' page")


class User(TimestampedMixin, table=True):
    """A person who signs in. ``username`` is unique across courts so login needs no court."""

    __tablename__ = "user_account"
    __table_args__ = (
        tenant_fk("linkage_unit_id", "linkage_unit"),
        sa.Index("uq_user_account_username_lower", sa.text("lower(username)"), unique=True),
    )

    court_id: str = court_field()
    id: str = id_field()
    username: str = Field(max_length=64)
    display_name: str = Field(max_length=100)
    role: Role = Field(sa_type=enum_type(Role, "user_role"))
    phone: str | None = Field(default=None, sa_type=EncryptedText)
    password_hash: str = Field(max_length=255)
    is_active: bool = Field(default=True, sa_column_kwargs={"server_default": sa.true()})
    locale: str = Field(
        default="zh-CN", max_length=16, sa_column_kwargs={"server_default": "zh-CN"}
    )
    organisation: str | None = Field(
        default=None, max_length=200, description="village committee, congress delegation…"
    )
    linkage_unit_id: str | None = ref_field(description="for liaison_unit users")
    last_login_at: datetime | None = time_field()
    failed_logins: int = Field(
        default=0, sa_column_kwargs={"server_default": "0"},
        description="wrong passwords since the last sign-in (enforcement.accounts.lockout counts)",
    )
    locked_until: datetime | None = time_field()
    new_devices_held: bool = Field(
        default=False, sa_column_kwargs={"server_default": sa.false()},
        description="a device was revoked with all sessions ended: a new device needs an "
                    "admin's unlock before it may sign in",
    )
    version: int = Field(default=1, sa_column_kwargs={"server_default": "1"})


class LoginAttempt(SQLModel, table=True):
    """Wrong passwords, counted per account and source, for typed usernames known or not.

    Not court data: sign-in takes a username without a court, and an unknown username must
    be counted exactly like a known one, so the key is a digest of what was typed. The
    source is ``*`` (the whole account: a slowing delay), ``ip:<address>`` or
    ``device:<digest of a registered device id>`` (a hard lock for that source only).
    """

    __tablename__ = "login_attempt"

    account: str = Field(primary_key=True, max_length=64,
                         description="SHA-256 of the lower-cased username typed")
    source: str = Field(primary_key=True, max_length=80)
    failures: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    last_failed_at: datetime = time_field(nullable=False)
    locked_until: datetime | None = time_field()


class Device(SQLModel, table=True):
    """A phone or computer a user signed in from; revoking it cuts off its tokens and sync."""

    __table_args__ = (
        tenant_fk("user_id", "user_account", ondelete="CASCADE"),
        sa.Index("ix_device_court_id_lower_id", "court_id", sa.text("lower(id)")),
    )

    court_id: str = court_field()
    id: str = Field(primary_key=True, max_length=64,
                    description="chosen by the device; lower case since 2026-12 "
                                "(compared without case, enforcement.infrastructure.ids)")
    user_id: str = ref_field(nullable=False)
    name: str = Field(default="", max_length=200)
    platform: str | None = Field(default=None, max_length=64)
    app_version: str | None = Field(default=None, max_length=32)
    schema_version: int | None = None
    registered_at: datetime = created_field()
    last_seen_at: datetime | None = time_field()
    revoked_at: datetime | None = time_field()
    revoked_by: str | None = Field(default=None, max_length=ID_LENGTH)
    revoke_reason: str | None = Field(default=None, max_length=200)
    wipe_requested: bool = Field(default=False, sa_column_kwargs={"server_default": sa.false()})
    signed_out_at: datetime | None = time_field(
        description="access tokens issued before this are refused (refresh token reuse)"
    )


class RefreshToken(SQLModel, table=True):
    """One refresh token of a rotation family; only its hash is stored.

    A token is used once: refreshing marks it used and issues its successor in the
    same family. Presenting a used token again means it was stolen, so the whole
    device is signed out.
    """

    __tablename__ = "refresh_token"
    __table_args__ = (
        tenant_fk("user_id", "user_account", ondelete="CASCADE"),
        sa.ForeignKeyConstraint(
            ["court_id", "device_id"], ["device.court_id", "device.id"], ondelete="CASCADE"
        ),
        sa.UniqueConstraint("court_id", "token_hash"),
    )

    court_id: str = court_field()
    id: str = id_field()
    user_id: str = ref_field(nullable=False)
    device_id: str = Field(max_length=64)
    family_id: str = Field(max_length=ID_LENGTH)
    token_hash: str = Field(max_length=64)
    issued_at: datetime = created_field()
    expires_at: datetime = time_field(nullable=False)
    used_at: datetime | None = time_field()
    revoked_at: datetime | None = time_field()
