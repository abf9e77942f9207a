"""sync: scope snapshots (evictions), per-device pull state and the prune mark

``sync_scope_snapshot`` keeps what a device holds after a pull (named by the cursor), so
the next pull can evict records that left the device's scope and deliver those that
entered it. ``sync_device_state`` records how far each device has confirmed the feed (for
pruning). ``sync_prune_mark`` is the newest pruned tombstone's position: cursors behind it
must bootstrap again.

Revision ID: d4b8c3a1e504
Revises: b8f2a6d4e908
Create Date: 2026-11-23 16:00:00.000000

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision: str = "d4b8c3a1e504"
down_revision: str | Sequence[str] | None = "b8f2a6d4e908"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "sync_scope_snapshot",
        sa.Column("court_id", sa.String(length=36), nullable=False),
        sa.Column("digest", sa.String(length=32), nullable=False),
        sa.Column("user_id", sa.String(length=36), nullable=False),
        sa.Column(
            "record_keys",
            postgresql.ARRAY(sa.Text()),
            nullable=False,
            comment="'table:record_id' of every record a device holds after a pull",
        ),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["court_id"], ["court.id"], name=op.f("fk_sync_scope_snapshot_court_id_court")
        ),
        sa.PrimaryKeyConstraint("court_id", "digest", name=op.f("pk_sync_scope_snapshot")),
    )
    op.create_table(
        "sync_device_state",
        sa.Column("court_id", sa.String(length=36), nullable=False),
        sa.Column("device_id", sa.String(length=64), nullable=False),
        sa.Column("acked_xid", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("acked_seq", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("acked_digest", sa.String(length=32), nullable=True),
        sa.Column("issued_digest", sa.String(length=32), nullable=True),
        sa.Column(
            "pulled_at", sa.DateTime(timezone=True), server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["court_id", "device_id"],
            ["device.court_id", "device.id"],
            name=op.f("fk_sync_device_state_court_id_device_id_device"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("court_id", "device_id", name=op.f("pk_sync_device_state")),
    )
    op.create_table(
        "sync_prune_mark",
        sa.Column("court_id", sa.String(length=36), nullable=False),
        sa.Column("xid", sa.BigInteger(), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column(
            "pruned_at", sa.DateTime(timezone=True), server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["court_id"], ["court.id"], name=op.f("fk_sync_prune_mark_court_id_court")
        ),
        sa.PrimaryKeyConstraint("court_id", name=op.f("pk_sync_prune_mark")),
    )


def downgrade() -> None:
    op.drop_table("sync_prune_mark")
    op.drop_table("sync_device_state")
    op.drop_table("sync_scope_snapshot")
