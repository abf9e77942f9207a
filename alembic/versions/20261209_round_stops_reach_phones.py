"""sync: round stops reach officers' phones (feed on round_target, scope inputs)

The read-only sync table ``round_stop`` (``enforcement.rounds.stop_spec``) is fed by
``round_target``, so it gets the ``sync_record_change`` trigger and its existing rows are
recorded once. Which stops a phone holds depends on the teams (``round_team``) and the
round's status (``enforcement_round``): their writes are logged as scope inputs
(``sync_scope_input_touch``), so a pull notices a team change or a locked round.

Revision ID: e1a3c5f7b902
Revises: c3e5a7b9d120
Create Date: 2026-12-09 08:00:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "e1a3c5f7b902"
down_revision: str | Sequence[str] | None = "c3e5a7b9d120"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

FED = "round_target"
SCOPE_INPUTS = ("round_team", "enforcement_round")

# As the earlier revisions' backfill: only the scope keys are read from the row.
BACKFILL = """
INSERT INTO sync_change (court_id, table_name, record_id, xid, op, version,
                         author_id, village_grid_id, township_id, case_id)
SELECT r ->> 'court_id', 'round_target', r ->> 'id', pg_current_xact_id()::text::bigint,
       'upsert', 1, NULL, r ->> 'village_grid_id', NULL, r ->> 'case_id'
FROM (SELECT to_jsonb(t) - 'point' AS r FROM round_target AS t) AS rows
ON CONFLICT (court_id, table_name, record_id) DO NOTHING
"""


def upgrade() -> None:
    op.execute(f"CREATE TRIGGER sync_change AFTER INSERT OR UPDATE OR DELETE ON {FED} "
               "FOR EACH ROW EXECUTE FUNCTION sync_record_change()")
    op.execute(BACKFILL)
    for table in SCOPE_INPUTS:
        op.execute(f"CREATE TRIGGER sync_scope_input AFTER INSERT OR UPDATE OR DELETE ON "
                   f"{table} FOR EACH ROW EXECUTE FUNCTION sync_scope_input_touch()")


def downgrade() -> None:
    for table in SCOPE_INPUTS:
        op.execute(f"DROP TRIGGER IF EXISTS sync_scope_input ON {table}")
    op.execute(f"DROP TRIGGER IF EXISTS sync_change ON {FED}")
    op.execute(sa.text("DELETE FROM sync_change WHERE table_name = :t").bindparams(t=FED))
