"""attachments: the file name from tus Upload-Metadata and when an unfinished upload expires

tus clients (tus-js-client, tuspy) send the file's name with the upload and expect an
abandoned upload to expire (the tus ``expiration`` extension): ``file_name`` keeps the
name, ``expires_at`` the moment an unfinished upload left untouched may be deleted.
Existing unfinished uploads get no expiry until their next chunk.

Revision ID: f4b6d8e0a213
Revises: e1a3c5b7d902
Create Date: 2026-12-07 05:40:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "f4b6d8e0a213"
down_revision: str | Sequence[str] | None = "e1a3c5b7d902"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("attachment", sa.Column("file_name", sa.String(255), nullable=True))
    op.add_column("attachment", sa.Column("expires_at", sa.DateTime(timezone=True),
                                          nullable=True))


def downgrade() -> None:
    op.drop_column("attachment", "expires_at")
    op.drop_column("attachment", "file_name")
