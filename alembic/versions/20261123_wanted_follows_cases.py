"""wanted list follows case changes: a case's status or number, or a debtor added to or
removed from a case, changes its debtors' party rows

The wanted list on phones is fed by ``party`` rows (each carries the numbers of the
debtor's open cases). Cases come and go through the court's case system, not only through
this API, so the database itself touches the debtors (version + 1): the sync feed then
sends the party again with its current cases, or evicts it when no open case is left.

Revision ID: f3a5c7e9b106
Revises: e7f9a1b3c504
Create Date: 2026-11-23 20:00:00

"""

from collections.abc import Sequence

from alembic import op

revision: str = "f3a5c7e9b106"
down_revision: str | Sequence[str] | None = "e7f9a1b3c504"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

FUNCTIONS = """
CREATE FUNCTION case_touch_debtors() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE party AS p SET version = p.version + 1, updated_at = now()
      FROM case_party AS cp
     WHERE cp.court_id = NEW.court_id AND cp.case_id = NEW.id AND cp.role = 'debtor'
       AND p.court_id = cp.court_id AND p.id = cp.party_id;
    RETURN NULL;
END $$;

CREATE FUNCTION case_party_touch_debtor() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    link case_party;
BEGIN
    IF TG_OP = 'DELETE' THEN link := OLD; ELSE link := NEW; END IF;
    IF link.role = 'debtor' THEN
        UPDATE party SET version = version + 1, updated_at = now()
         WHERE court_id = link.court_id AND id = link.party_id;
    END IF;
    RETURN NULL;
END $$;
"""


def upgrade() -> None:
    op.execute(FUNCTIONS)
    op.execute("""
        CREATE TRIGGER enforcement_case_touch_debtors
        AFTER UPDATE OF status, case_number ON enforcement_case FOR EACH ROW
        WHEN (OLD.status IS DISTINCT FROM NEW.status
              OR OLD.case_number IS DISTINCT FROM NEW.case_number)
        EXECUTE FUNCTION case_touch_debtors()""")
    op.execute("""
        CREATE TRIGGER case_party_touch_debtor
        AFTER INSERT OR DELETE ON case_party FOR EACH ROW
        EXECUTE FUNCTION case_party_touch_debtor()""")


def downgrade() -> None:
    op.execute("DROP TRIGGER case_party_touch_debtor ON case_party")
    op.execute("DROP TRIGGER enforcement_case_touch_debtors ON enforcement_case")
    op.execute("DROP FUNCTION case_party_touch_debtor()")
    op.execute("DROP FUNCTION case_touch_debtors()")
