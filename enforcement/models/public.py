"""The parties' window (三公开, issue 21): query codes that let an applicant or a debtor
see their case without signing in, and the evaluations they leave.

A code is stored only as its SHA-256 (like a refresh token): the court prints the code on
its notice once, and a stolen dump cannot open any case. ``party_evaluation`` keeps the
case's judge and township at the time of the evaluation, so the satisfaction report
credits the judge who had the case then, whatever happens to the case later.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from enforcement.models.base import (
    court_field,
    created_field,
    enum_type,
    id_field,
    ref_field,
    tenant_fk,
    time_field,
)
from enforcement.models.cases import PartyRole


class QueryCode(SQLModel, table=True):
    """A party's case query code (案件查询码): one active per party and case; re-issuing
    revokes the previous one. ``wrong_digits`` counts wrong last-four answers since the
    last right one; at the limit the code is locked until the judge re-issues it."""

    __tablename__ = "query_code"
    __table_args__ = (
        tenant_fk("case_id", "enforcement_case", ondelete="CASCADE"),
        tenant_fk("party_id", "party", ondelete="CASCADE"),
        tenant_fk("issued_by", "user_account"),
        tenant_fk("revoked_by", "user_account"),
        # by hash first: a party's code names no court, so it is looked up by hash alone
        sa.Index("uq_query_code_code_hash", "code_hash", "court_id", unique=True),
        sa.Index("uq_query_code_active", "court_id", "case_id", "party_id", unique=True,
                 postgresql_where=sa.text("revoked_at IS NULL")),
    )

    court_id: str = court_field()
    id: str = id_field()
    case_id: str = ref_field(nullable=False)
    party_id: str = ref_field(nullable=False)
    role: PartyRole = Field(sa_type=enum_type(PartyRole, "party_role"))
    code_hash: str = Field(max_length=64, description="SHA-256 of the normalised code")
    issued_by: str = ref_field(nullable=False)
    issued_at: datetime = created_field()
    revoked_at: datetime | None = time_field()
    revoked_by: str | None = ref_field()
    wrong_digits: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    locked_at: datetime | None = time_field(description="too many wrong digits: re-issue")
    last_viewed_at: datetime | None = time_field()


class PartyEvaluation(SQLModel, table=True):
    """A party's evaluation of their case (1-5 and a comment), optionally with a
    complaint the judge must answer by ``due_at`` (as a deputy's opinion card)."""

    __tablename__ = "party_evaluation"
    __table_args__ = (
        tenant_fk("case_id", "enforcement_case", ondelete="CASCADE"),
        tenant_fk("query_code_id", "query_code", ondelete="CASCADE"),
        tenant_fk("judge_id", "user_account"),
        tenant_fk("township_id", "township"),
        tenant_fk("replied_by", "user_account"),
        sa.CheckConstraint("rating BETWEEN 1 AND 5", "rating_range"),
        sa.CheckConstraint("(complaint IS NULL) = (due_at IS NULL)", "complaint_has_due"),
        sa.UniqueConstraint("court_id", "query_code_id"),  # one evaluation per code
        sa.Index("ix_party_evaluation_created", "court_id", "created_at"),
        sa.Index("ix_party_evaluation_open_complaints", "court_id", "due_at",
                 postgresql_where=sa.text("complaint IS NOT NULL AND replied_at IS NULL")),
    )

    court_id: str = court_field()
    id: str = id_field()
    case_id: str = ref_field(nullable=False)
    query_code_id: str = ref_field(nullable=False)
    role: PartyRole = Field(sa_type=enum_type(PartyRole, "party_role"))
    rating: int
    comment: str = Field(default="")
    complaint: str | None = None
    judge_id: str | None = ref_field(description="the case's judge when it was written")
    township_id: str | None = ref_field(description="the case's township when it was written")
    created_at: datetime = created_field()
    due_at: datetime | None = time_field(description="a complaint's answer is due by")
    reply: str | None = None
    replied_by: str | None = ref_field()
    replied_at: datetime | None = time_field()
