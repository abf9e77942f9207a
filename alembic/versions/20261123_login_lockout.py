"""accounts: count wrong passwords and lock the account after too many

Revision ID: 7c2e4f9a1d30
Revises: 5a0d1c7e2b44
Create Date: 2026-11-23 14:10:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "7c2e4f9a1d30"
down_revision: str | Sequence[str] | None = "5a0d1c7e2b44"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("user_account", sa.Column("failed_logins", sa.Integer(),
                                            server_default="0", nullable=False))
    op.add_column("user_account", sa.Column("locked_until", sa.DateTime(timezone=True),
                                            nullable=True))


def downgrade() -> None:
    op.drop_column("user_account", "locked_until")
    op.drop_column("user_account", "failed_logins")
