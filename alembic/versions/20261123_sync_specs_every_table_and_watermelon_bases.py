"""sync: change-feed triggers on visits and the reference tables; WatermelonDB device bases

Visits, townships, village grids, tasks, cases and parties (the wanted list) now reach
phones through the change feed, so they get the same ``sync_record_change`` trigger as
leads, and a backfill records their existing rows once. ``sync_device_base`` keeps, per
WatermelonDB device and record, the values its next edit is based on.

Revision ID: c3e9a2b7f403
Revises: d4b8c3a1e504
Create Date: 2026-11-23 15:55:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision: str = "c3e9a2b7f403"
down_revision: str | Sequence[str] | None = "d4b8c3a1e504"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

NEWLY_SYNCED = ("visit", "township", "village_grid", "task", "enforcement_case", "party")

# The feed row of a record, as the previous revision's trigger writes it. Only the scope
# keys are read from the row (a geometry is never copied), so boundaries cost nothing.
BACKFILL = """
INSERT INTO sync_change (court_id, table_name, record_id, xid, op, version,
                         author_id, village_grid_id, township_id, case_id)
SELECT r ->> 'court_id', '{table}', r ->> 'id', pg_current_xact_id()::text::bigint,
       CASE WHEN r ->> 'deleted_at' IS NULL THEN 'upsert' ELSE 'delete' END,
       coalesce((r ->> 'version')::int, 1),
       r ->> 'author_id', r ->> 'village_grid_id', r ->> 'township_id', r ->> 'case_id'
FROM (SELECT to_jsonb(t) - 'geom' AS r FROM {table} AS t) AS rows
ON CONFLICT (court_id, table_name, record_id) DO NOTHING
"""


def upgrade() -> None:
    op.create_table(
        "sync_device_base",
        sa.Column("court_id", sa.String(length=36), nullable=False),
        sa.Column("device_id", sa.String(length=64), nullable=False),
        sa.Column("table_name", sa.String(length=64), nullable=False),
        sa.Column("record_id", sa.String(length=36), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column(
            "base",
            postgresql.JSONB(astext_type=sa.Text()),
            nullable=False,
            comment="values the device last held unchanged: the base of its next edit",
        ),
        sa.Column("pending_version", sa.Integer(), nullable=True),
        sa.Column(
            "pending",
            postgresql.JSONB(astext_type=sa.Text()),
            nullable=True,
            comment="values sent by a later pull, not yet known to be the device's base "
            "(it may have had local edits when they arrived)",
        ),
        sa.ForeignKeyConstraint(
            ["court_id", "device_id"],
            ["device.court_id", "device.id"],
            name=op.f("fk_sync_device_base_court_id_device_id_device"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "court_id", "device_id", "table_name", "record_id", name=op.f("pk_sync_device_base")
        ),
    )
    for table in NEWLY_SYNCED:
        op.execute(
            f"CREATE TRIGGER sync_change AFTER INSERT OR UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION sync_record_change()"
        )
        op.execute(BACKFILL.format(table=table))


def downgrade() -> None:
    for table in NEWLY_SYNCED:
        op.execute(f"DROP TRIGGER IF EXISTS sync_change ON {table}")
        op.execute(sa.text("DELETE FROM sync_change WHERE table_name = :t").bindparams(t=table))
    op.drop_table("sync_device_base")
