"""leads: how the position was taken (gps / manual) and why it is less than asked

Issue 27, positions a court can trust: every lead's position carries its accuracy (already
``accuracy_m``) and now its source, and when the phone could not reach the accuracy the court
set (``FIELD_APP_POSITION_ACCURACY_M``) it says why. Both are nullable: older phones and REST
clients that do not say leave them empty.

Revision ID: d4f6a8c0e231
Revises: 9b923f33845b
Create Date: 2026-12-09 06:00:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "d4f6a8c0e231"
down_revision: str | Sequence[str] | None = "9b923f33845b"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("lead", sa.Column("position_source", sa.String(length=10), nullable=True))
    op.add_column("lead", sa.Column("position_note", sa.String(length=200), nullable=True))


def downgrade() -> None:
    op.drop_column("lead", "position_note")
    op.drop_column("lead", "position_source")
