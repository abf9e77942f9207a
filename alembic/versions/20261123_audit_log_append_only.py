"""audit log: append-only trigger and the per-court chain head

UPDATE and DELETE on ``audit_log`` raise, whoever the database user is (superusers
can still switch triggers off with ``session_replication_role``; the hash chain and
``flask audit verify`` catch what they change). ``audit_head`` holds each court's last
entry so that cutting entries off the end is detected too.

Revision ID: 5a0d1c7e2b44
Revises: d3b58ec099bc
Create Date: 2026-11-23 14:00:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "5a0d1c7e2b44"
down_revision: str | Sequence[str] | None = "d3b58ec099bc"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "audit_head",
        sa.Column("court_id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["court_id"], ["court.id"], name=op.f("fk_audit_head_court_id_court")
        ),
        sa.PrimaryKeyConstraint("court_id", name=op.f("pk_audit_head")),
    )
    # Chains written before this revision get their head from their last entry.
    op.execute("""
        INSERT INTO audit_head (court_id, seq, hash)
        SELECT DISTINCT ON (court_id) court_id, seq, hash
        FROM audit_log ORDER BY court_id, seq DESC
    """)
    op.execute("""
        CREATE FUNCTION audit_log_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            RAISE EXCEPTION 'audit_log is append-only: % refused', TG_OP
                USING ERRCODE = 'insufficient_privilege';
        END
        $$
    """)
    op.execute("""
        CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
        FOR EACH ROW EXECUTE FUNCTION audit_log_refuse_change()
    """)


def downgrade() -> None:
    op.execute("DROP TRIGGER audit_log_append_only ON audit_log")
    op.execute("DROP FUNCTION audit_log_refuse_change()")
    op.drop_table("audit_head")
