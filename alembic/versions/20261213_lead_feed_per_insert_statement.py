"""sync: new leads reach the feed with one INSERT per statement, not one per row

A push inserts its new leads with one statement (``sync.bulk``); the row-level trigger
then ran ``sync_lead_change`` once per lead, a plpgsql call and a one-row INSERT … ON
CONFLICT each. An INSERT on ``lead`` now fires a statement-level trigger that writes the
feed rows of all the statement's new rows at once from its transition table: the same
rows (``sync_lead_change``'s columns and conflict rule, in insertion order, each with its
own ``clock_timestamp()``). Updates and deletes keep the row trigger. Measured in a
transaction, alternating (bench/profile-findings.md, finding 32): an INSERT of 100 leads
149 → 98 µs a lead, of 1,000 112 → 86 µs; a one-row INSERT 692 → 748 µs.

Revision ID: a7c9e1b3d525
Revises: f2c4e6a8b013
Create Date: 2026-12-07 14:20:00

"""

from collections.abc import Sequence

from alembic import op

revision: str = "a7c9e1b3d525"
down_revision: str | Sequence[str] | None = "f2c4e6a8b013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

LEAD_INSERTED_FUNCTION = """
CREATE FUNCTION sync_lead_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO sync_change AS c (court_id, table_name, record_id, xid, op, version,
                                  changed_at, author_id, village_grid_id, township_id, case_id)
    SELECT r.court_id, TG_TABLE_NAME, r.id, pg_current_xact_id()::text::bigint,
           CASE WHEN r.deleted_at IS NULL THEN 'upsert' ELSE 'delete' END,
           coalesce(r.version, 1), clock_timestamp(),
           r.author_id, r.village_grid_id, r.township_id, r.case_id
    FROM inserted AS r
    ON CONFLICT (court_id, table_name, record_id) DO UPDATE SET
        seq = DEFAULT, xid = EXCLUDED.xid, op = EXCLUDED.op, version = EXCLUDED.version,
        changed_at = EXCLUDED.changed_at, author_id = EXCLUDED.author_id,
        village_grid_id = EXCLUDED.village_grid_id, township_id = EXCLUDED.township_id,
        case_id = EXCLUDED.case_id;
    RETURN NULL;
END
$$
"""


def upgrade() -> None:
    op.execute(LEAD_INSERTED_FUNCTION)
    op.execute("DROP TRIGGER sync_change ON lead")
    op.execute("CREATE TRIGGER sync_change AFTER UPDATE OR DELETE ON lead "
               "FOR EACH ROW EXECUTE FUNCTION sync_lead_change()")
    op.execute("CREATE TRIGGER sync_change_inserted AFTER INSERT ON lead "
               "REFERENCING NEW TABLE AS inserted "
               "FOR EACH STATEMENT EXECUTE FUNCTION sync_lead_inserted()")


def downgrade() -> None:
    op.execute("DROP TRIGGER sync_change_inserted ON lead")
    op.execute("DROP TRIGGER sync_change ON lead")
    op.execute("CREATE TRIGGER sync_change AFTER INSERT OR UPDATE OR DELETE ON lead "
               "FOR EACH ROW EXECUTE FUNCTION sync_lead_change()")
    op.execute("DROP FUNCTION sync_lead_inserted()")
