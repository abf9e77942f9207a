"""sync: the lead table's feed trigger reads its columns directly, not through to_jsonb

``sync_record_change`` serves every synced table, so it turns the whole row into JSON
(``to_jsonb``, the point geometry included) to read six columns that some tables lack.
Leads have them all, and a push now inserts them by the hundred: ``sync_lead_change``
writes the same feed row from ``NEW``/``OLD`` directly. Measured in psql, alternating,
on 1,000 leads: the INSERT took 123–243 ms with the generic trigger, 65–115 ms with this
one, 32–42 ms with none (bench/profile-findings.md, push). Still a row trigger: a
statement-level one made single-row writes twice as slow.

Revision ID: d6e8f0a2b403
Revises: f3a5c7e9b106
Create Date: 2026-11-23 19:45:00

"""

from collections.abc import Sequence

from alembic import op

revision: str = "d6e8f0a2b403"
down_revision: str | Sequence[str] | None = "f3a5c7e9b106"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The feed row of ``sync_record_change`` (same columns, same conflict rule), for leads.
LEAD_CHANGE_FUNCTION = """
CREATE FUNCTION sync_lead_change() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    r lead;
    change_op text;
BEGIN
    IF TG_OP = 'DELETE' THEN
        r := OLD;
        change_op := 'delete';
    ELSE
        r := NEW;
        change_op := CASE WHEN r.deleted_at IS NULL THEN 'upsert' ELSE 'delete' END;
    END IF;
    INSERT INTO sync_change AS c (court_id, table_name, record_id, xid, op, version,
                                  changed_at, author_id, village_grid_id, township_id, case_id)
    VALUES (r.court_id, TG_TABLE_NAME, r.id, pg_current_xact_id()::text::bigint,
            change_op, coalesce(r.version, 1), clock_timestamp(),
            r.author_id, r.village_grid_id, r.township_id, r.case_id)
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
    op.execute(LEAD_CHANGE_FUNCTION)
    op.execute("DROP TRIGGER sync_change ON lead")
    op.execute("CREATE TRIGGER sync_change AFTER INSERT OR UPDATE OR DELETE ON lead "
               "FOR EACH ROW EXECUTE FUNCTION sync_lead_change()")


def downgrade() -> None:
    op.execute("DROP TRIGGER sync_change ON lead")
    op.execute("CREATE TRIGGER sync_change AFTER INSERT OR UPDATE OR DELETE ON lead "
               "FOR EACH ROW EXECUTE FUNCTION sync_record_change()")
    op.execute("DROP FUNCTION sync_lead_change()")
