"""Uploaded files by SHA-256 and the records that refer to them."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from enforcement.models.base import (
    court_field,
    created_field,
    id_field,
    ref_field,
    tenant_fk,
    time_field,
)


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
