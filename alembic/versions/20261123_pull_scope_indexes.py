"""sync pull: indexes for the wanted list's and cases' scope (parties by grid, case parties
by party)

Every pull reads a device's scope; for an assistant that includes the debtors living in
their grids and the cases of those debtors. Without these two indexes PostgreSQL scanned
every party and every case party of the court for it, on every pull (about 20 ms of an
up-to-date pull's 50, bench/profile-findings.md, finding 3); with them it reads the few
dozen rows of the assistant's grids.

Revision ID: e7f9a1b3c504
Revises: a7c1e0d2f301
Create Date: 2026-11-23 18:50:00

"""

from collections.abc import Sequence

from alembic import op

revision: str = "e7f9a1b3c504"
down_revision: str | Sequence[str] | None = "a7c1e0d2f301"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_party_grid", "party", ["court_id", "village_grid_id"])
    op.create_index("ix_case_party_party", "case_party", ["court_id", "party_id"])


def downgrade() -> None:
    op.drop_index("ix_case_party_party", table_name="case_party")
    op.drop_index("ix_party_grid", table_name="party")
