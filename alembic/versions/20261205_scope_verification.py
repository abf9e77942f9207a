"""sync: remember when a device's snapshot was verified against its scope; log writes to the
tables scopes read

An up-to-date pull used to prove that the device's snapshot still equals its scope by
hashing the whole scope (13 of its 22 ms in PostgreSQL, bench/profile-findings.md,
finding 3). The pull that verifies a snapshot now stores with it the cursor position, the
transaction snapshot and the scope clock it held for; the next pull only has to look at
what was written since (``sync.scope.still_verified``). Scopes read tables that have feed
rows (their writes are in ``sync_change``) and these others, whose writes the trigger
``sync_scope_input_touch`` logs, one row per transaction and table. Snapshot keys are stored
uncompressed: they barely compress, and compressing them was most of writing a snapshot.

Revision ID: c2e4a6b8d105
Revises: d6e8f0a2b403
Create Date: 2026-12-05 00:40:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "c2e4a6b8d105"
down_revision: str | Sequence[str] | None = "d6e8f0a2b403"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SCOPE_INPUT_TABLES = ("grid_assignment", "case_party", "credit_repair", "task_grid",
                      "case_mediator", "case_follow")

TOUCH_FUNCTION = """
CREATE FUNCTION sync_scope_input_touch() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'DELETE' THEN
        INSERT INTO sync_scope_input_change (court_id, xid, table_name)
        VALUES (NEW.court_id, pg_current_xact_id()::text::bigint, TG_TABLE_NAME)
        ON CONFLICT DO NOTHING;
    END IF;
    IF TG_OP = 'DELETE' OR (TG_OP = 'UPDATE' AND OLD.court_id IS DISTINCT FROM NEW.court_id)
    THEN
        INSERT INTO sync_scope_input_change (court_id, xid, table_name)
        VALUES (OLD.court_id, pg_current_xact_id()::text::bigint, TG_TABLE_NAME)
        ON CONFLICT DO NOTHING;
    END IF;
    RETURN NULL;
END $$;
"""


def upgrade() -> None:
    op.add_column("sync_scope_snapshot", sa.Column("verified_xid", sa.BigInteger(),
                                                   nullable=True))
    op.add_column("sync_scope_snapshot", sa.Column(
        "verified_seq", sa.BigInteger(), nullable=True,
        comment="with verified_xid: the cursor position the verification holds for"))
    op.add_column("sync_scope_snapshot", sa.Column(
        "verified_snapshot", sa.Text(), nullable=True,
        comment="pg_snapshot of the pull that verified these keys against the scope"))
    op.add_column("sync_scope_snapshot", sa.Column(
        "verified_clock", sa.Text(), nullable=True,
        comment="the registry's scope clock then (time-dependent scope rules)"))
    op.add_column("sync_scope_snapshot", sa.Column(
        "verified_at", sa.DateTime(timezone=True), nullable=True))
    # Snapshot keys are ids that barely compress (pglz saved 15 % of a 10,000-key array)
    # while compressing took 15 of the 35 ms of writing the next snapshot of a pull.
    op.execute("ALTER TABLE sync_scope_snapshot ALTER COLUMN record_keys SET STORAGE EXTERNAL")
    op.create_table(
        "sync_scope_input_change",
        sa.Column("court_id", sa.String(36), nullable=False),
        sa.Column("xid", sa.BigInteger(), nullable=False,
                  comment="pg_current_xact_id() of the writing transaction, as bigint"),
        sa.Column("table_name", sa.String(64), nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False,
                  server_default=sa.func.now()),
        sa.PrimaryKeyConstraint("court_id", "xid", "table_name",
                                name="pk_sync_scope_input_change"),
    )
    op.execute(TOUCH_FUNCTION)
    for table in SCOPE_INPUT_TABLES:
        op.execute(f"CREATE TRIGGER sync_scope_input AFTER INSERT OR UPDATE OR DELETE ON "
                   f"{table} FOR EACH ROW EXECUTE FUNCTION sync_scope_input_touch()")


def downgrade() -> None:
    for table in SCOPE_INPUT_TABLES:
        op.execute(f"DROP TRIGGER IF EXISTS sync_scope_input ON {table}")
    op.execute("DROP FUNCTION IF EXISTS sync_scope_input_touch()")
    op.drop_table("sync_scope_input_change")
    op.execute("ALTER TABLE sync_scope_snapshot ALTER COLUMN record_keys SET STORAGE EXTENDED")
    for name in ("verified_at", "verified_clock", "verified_snapshot", "verified_seq",
                 "verified_xid"):
        op.drop_column("sync_scope_snapshot", name)
