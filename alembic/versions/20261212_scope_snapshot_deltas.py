"""sync: a scope snapshot may be a delta on the previous one

A page's snapshot used to be the device's whole holdings, rewritten (sorted, hashed and
stored) on every page: a bootstrap of 100,000 records spent half its time there, growing
with what the device already held (bench/profile-findings.md, finding 10). A snapshot can
now be stored as the keys a page adds and removes on top of its base snapshot
(``base_digest``), with its chain's length and sizes to decide when to write one whole
again (``sync.scope``). Existing snapshots are whole: they stay readable as they are, and
``root_keys`` is filled in from their keys.

Revision ID: f2c4e6a8b013
Revises: d4f6a8c0e231
Create Date: 2026-12-12 10:00:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "f2c4e6a8b013"
down_revision: str | Sequence[str] | None = "d4f6a8c0e231"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLE = "sync_scope_snapshot"


def upgrade() -> None:
    op.alter_column(TABLE, "record_keys", comment=(
        "'table:record_id' of every record a device holds after a pull; "
        "of a delta (base_digest set): the keys it adds to its base"))
    op.add_column(TABLE, sa.Column(
        "removed_keys", postgresql.ARRAY(sa.Text()), nullable=False, server_default="{}",
        comment="of a delta: the keys it takes from its base (before adding)"))
    op.add_column(TABLE, sa.Column(
        "base_digest", sa.String(32), nullable=True,
        comment="the snapshot this one is a delta on; NULL: record_keys is whole"))
    op.add_column(TABLE, sa.Column(
        "depth", sa.Integer(), nullable=False, server_default="0",
        comment="deltas between this snapshot and the whole one its chain starts at"))
    op.add_column(TABLE, sa.Column(
        "chain_keys", sa.Integer(), nullable=False, server_default="0",
        comment="keys added and removed by the deltas of the chain up to this one"))
    op.add_column(TABLE, sa.Column(
        "root_keys", sa.Integer(), nullable=False, server_default="0",
        comment="keys of the whole snapshot the chain starts at"))
    # Every existing snapshot is whole: its own root. (The keys stay in their TOAST
    # storage: updating other columns reuses it.)
    op.execute(f"UPDATE {TABLE} SET root_keys = cardinality(record_keys)")
    op.execute(f"ALTER TABLE {TABLE} ALTER COLUMN removed_keys SET STORAGE EXTERNAL")
    op.create_index("ix_sync_scope_snapshot_base", TABLE, ["court_id", "base_digest"])


def downgrade() -> None:
    # Deltas cannot be read without their chain: make every snapshot whole again first.
    op.execute(f"""
        WITH RECURSIVE chain AS (
            SELECT s.court_id, s.digest AS tip, s.digest, s.base_digest, s.depth
            FROM {TABLE} AS s WHERE s.base_digest IS NOT NULL
            UNION ALL
            SELECT c.court_id, c.tip, b.digest, b.base_digest, b.depth
            FROM chain AS c JOIN {TABLE} AS b
              ON b.court_id = c.court_id AND b.digest = c.base_digest
        ), mentions AS (
            SELECT c.court_id, c.tip, k, c.depth * 2 + 1 AS rank
            FROM chain AS c JOIN {TABLE} AS s
              ON s.court_id = c.court_id AND s.digest = c.digest,
              unnest(s.record_keys) AS k
            UNION ALL
            SELECT c.court_id, c.tip, k, c.depth * 2
            FROM chain AS c JOIN {TABLE} AS s
              ON s.court_id = c.court_id AND s.digest = c.digest,
              unnest(s.removed_keys) AS k
        ), held AS (
            SELECT court_id, tip, k FROM mentions
            GROUP BY court_id, tip, k HAVING max(rank) % 2 = 1
        ), whole AS (
            SELECT court_id, tip,
                   array_agg(k ORDER BY k COLLATE "C") AS record_keys
            FROM held GROUP BY court_id, tip
        )
        UPDATE {TABLE} AS s
        SET record_keys = coalesce(w.record_keys, '{{}}')
        FROM {TABLE} AS t LEFT JOIN whole AS w ON w.court_id = t.court_id AND w.tip = t.digest
        WHERE t.base_digest IS NOT NULL
          AND s.court_id = t.court_id AND s.digest = t.digest
    """)
    op.drop_index("ix_sync_scope_snapshot_base", table_name=TABLE)
    for name in ("root_keys", "chain_keys", "depth", "base_digest", "removed_keys"):
        op.drop_column(TABLE, name)
    op.alter_column(TABLE, "record_keys", comment=(
        "'table:record_id' of every record a device holds after a pull"))
