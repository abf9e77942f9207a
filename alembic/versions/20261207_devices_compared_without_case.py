"""auth: device ids compared without case; revocation can hold new devices for an admin

After ``sr-rot-1`` was revoked, signing in as ``SR-ROT-1`` registered a new device. New ids
are now stored in lower case and looked up by ``lower(id)``, so rows made before keep their
ids (tokens, receipts and the append-only audit log name them) and are still found by any
spelling; this index serves that lookup. ``new_devices_held`` is set when a revocation ends
all of a user's sessions: a device not yet registered may not sign in until an admin unlocks.

Revision ID: b8d0f2a4c619
Revises: a7c9e1f3b508
Create Date: 2026-12-07 06:30:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "b8d0f2a4c619"
down_revision: str | Sequence[str] | None = "a7c9e1f3b508"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_device_court_id_lower_id", "device", ["court_id", sa.text("lower(id)")])
    op.add_column("user_account", sa.Column("new_devices_held", sa.Boolean(), nullable=False,
                                            server_default=sa.false()))


def downgrade() -> None:
    op.drop_column("user_account", "new_devices_held")
    op.drop_index("ix_device_court_id_lower_id", table_name="device")
