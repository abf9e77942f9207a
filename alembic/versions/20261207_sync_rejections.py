"""sync: keep every record a device sent that the server refused, for a person to see

A refused mutation used to live only in its receipt (pruned after 30 days) and in a push
answer that WatermelonDB's ``synchronize()`` ignores. ``sync_rejection`` keeps the latest
refusal per device and record, listed for the author and the court until a later push of the
record applies or a person discards it (``GET /api/v1/sync/rejections``).

Revision ID: e1a3c5b7d902
Revises: c2e4a6b8d105
Create Date: 2026-12-07 03:00:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision: str = "e1a3c5b7d902"
down_revision: str | Sequence[str] | None = "c2e4a6b8d105"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "sync_rejection",
        sa.Column("court_id", sa.String(36), nullable=False),
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("device_id", sa.String(64), nullable=False),
        sa.Column("table_name", sa.String(64), nullable=False),
        sa.Column("record_id", sa.String(36), nullable=False),
        sa.Column("author_id", sa.String(36), nullable=False),
        sa.Column("op", sa.String(16), nullable=False),
        sa.Column("mutation", JSONB, nullable=False,
                  comment="the latest refused mutation, as sent"),
        sa.Column("code", sa.String(64), nullable=False),
        sa.Column("detail", sa.Text()),
        sa.Column("attempts", sa.Integer(), nullable=False, server_default="1"),
        sa.Column("status", sa.String(16), nullable=False, server_default="open"),
        sa.Column("first_refused_at", sa.DateTime(timezone=True), nullable=False,
                  server_default=sa.func.now()),
        sa.Column("last_refused_at", sa.DateTime(timezone=True), nullable=False,
                  server_default=sa.func.now()),
        sa.Column("resolved_by", sa.String(36)),
        sa.Column("resolved_at", sa.DateTime(timezone=True)),
        sa.Column("discard_sent_in", sa.BigInteger(),
                  comment="WatermelonDB: the pull timestamp that first told the device to "
                  "drop the discarded record; sent again until the device pulls past it"),
        sa.PrimaryKeyConstraint("court_id", "id", name="pk_sync_rejection"),
        sa.UniqueConstraint("court_id", "device_id", "table_name", "record_id",
                            name="uq_sync_rejection_court_id_device_id_table_name_record_id"),
        sa.ForeignKeyConstraint(["court_id"], ["court.id"],
                                name="fk_sync_rejection_court_id_court"),
        sa.CheckConstraint("status IN ('open', 'fixed', 'discarded')",
                           name="ck_sync_rejection_status"),
    )
    op.create_index("ix_sync_rejection_status", "sync_rejection", ["court_id", "status"])


def downgrade() -> None:
    op.drop_index("ix_sync_rejection_status", table_name="sync_rejection")
    op.drop_table("sync_rejection")
