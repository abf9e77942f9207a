"""The audit log: a hash chain of every write and every unmasked read."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from enforcement.models.base import (
    court_field,
    created_field,
    id_field,
    json_field,
)


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
