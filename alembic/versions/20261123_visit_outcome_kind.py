"""visits: the outcome a visit recorded beyond its result (sealed, frozen, detained…)

A visit pushed by sync goes through the same use case as the REST one, so a phone needs
to send, and pull back, the ``outcome_kind`` it chose; the visit keeps it.

Revision ID: c9d1e2f3a410
Revises: c3e9a2b7f403
Create Date: 2026-11-23 17:20:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "c9d1e2f3a410"
down_revision: str | Sequence[str] | None = "c3e9a2b7f403"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OUTCOME_KINDS = ("debtor_located", "debtor_detained", "property_found", "property_sealed",
                 "property_frozen", "property_seized", "payment_received",
                 "settlement_reached", "no_result")


def upgrade() -> None:
    op.add_column("visit", sa.Column(
        "outcome_kind", sa.Enum(*OUTCOME_KINDS, name="outcome_kind", native_enum=False,
                                create_constraint=True, length=32), nullable=True))


def downgrade() -> None:
    op.drop_constraint(op.f("ck_visit_outcome_kind"), "visit", type_="check")
    op.drop_column("visit", "outcome_kind")
