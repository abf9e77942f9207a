"""sync: remember when a WatermelonDB device's holdings were last verified against its scope

An incremental WatermelonDB pull compared what the device holds (``sync_device_base``) with
its whole scope, table by table, on every pull (``_arrived``/``_evicted``). Like the native
protocol's scope snapshots (``sync_scope_snapshot.verified_*``), a pull now notes the
timestamp it handed out, its transaction snapshot and the scope clock; the next pull from
that timestamp skips the comparison when nothing its scope reads was written since
(``sync.scope.check``). One row per device; it goes with the device.

Revision ID: c3e5a7b9d120
Revises: b8d0f2a4c619
Create Date: 2026-12-08 06:00:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "c3e5a7b9d120"
down_revision: str | Sequence[str] | None = "b8d0f2a4c619"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "sync_watermelon_verified",
        sa.Column("court_id", sa.String(36), nullable=False),
        sa.Column("device_id", sa.String(64), nullable=False),
        sa.Column("pulled_at_xid", sa.BigInteger(), nullable=False,
                  comment="the timestamp handed out: the verification holds for a pull "
                  "from it"),
        sa.Column("verified_snapshot", sa.Text(), nullable=False,
                  comment="pg_snapshot of the pull that verified the device's bases"),
        sa.Column("verified_clock", sa.Text(),
                  comment="the registry's scope clock then (time-dependent scope rules)"),
        sa.Column("verified_at", sa.DateTime(timezone=True), nullable=False,
                  server_default=sa.func.now()),
        sa.PrimaryKeyConstraint("court_id", "device_id", name="pk_sync_watermelon_verified"),
        sa.ForeignKeyConstraint(["court_id", "device_id"], ["device.court_id", "device.id"],
                                ondelete="CASCADE",
                                name="fk_sync_watermelon_verified_court_id_device_id_device"),
    )


def downgrade() -> None:
    op.drop_table("sync_watermelon_verified")
