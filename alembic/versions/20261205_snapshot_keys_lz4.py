"""sync: scope snapshots compress their keys with lz4

A pull that brings records writes the device's next snapshot (``sync.scope``): an array
of every key the device holds, about 430 kB at 10,000 records. PostgreSQL's default
compression (pglz) took ~10 ms to compress that array on every such pull, ten times per
10,000-record bootstrap, for 16 % saved; lz4 compresses it in well under a millisecond
(to 87 %) and reads it back faster too (bench/profile-findings.md, finding 2). Only new
values are written with lz4; old ones stay readable. A server built without lz4 keeps
pglz (the ALTER is skipped with a notice): slower, never wrong.

Revision ID: a8c0e2f4b615
Revises: d6e8f0a2b403
Create Date: 2026-12-05 01:00:00

"""

from collections.abc import Sequence

from alembic import op

revision: str = "a8c0e2f4b615"
down_revision: str | Sequence[str] | None = "d6e8f0a2b403"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _compression(method: str) -> str:
    return f"""
    DO $$
    BEGIN
        ALTER TABLE sync_scope_snapshot ALTER COLUMN record_keys SET COMPRESSION {method};
    EXCEPTION WHEN feature_not_supported THEN
        RAISE NOTICE 'this PostgreSQL has no {method}: snapshots keep their compression';
    END $$;
    """


def upgrade() -> None:
    op.execute(_compression("lz4"))


def downgrade() -> None:
    op.execute(_compression("default"))
