"""auth: count wrong passwords per account and source, for known and unknown usernames

Five wrong passwords from one address used to lock an account for everyone, the right
password included, and only known usernames were ever locked (which told which accounts
exist). ``login_attempt`` counts failures per (digest of the typed username, source): a hard
lock for that source only, and a slowing delay for the whole account.

Revision ID: a7c9e1f3b508
Revises: f4b6d8e0a213
Create Date: 2026-12-07 06:00:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "a7c9e1f3b508"
down_revision: str | Sequence[str] | None = "f4b6d8e0a213"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "login_attempt",
        sa.Column("account", sa.String(64), nullable=False),
        sa.Column("source", sa.String(80), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("last_failed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("locked_until", sa.DateTime(timezone=True)),
        sa.PrimaryKeyConstraint("account", "source", name="pk_login_attempt"),
    )
    # Locks held on user accounts under the old rule (any address) are lifted: the new rule
    # starts counting afresh.
    op.execute("UPDATE user_account SET failed_logins = 0, locked_until = NULL "
               "WHERE failed_logins <> 0 OR locked_until IS NOT NULL")


def downgrade() -> None:
    op.drop_table("login_attempt")
