"""`make typecheck` reads a SQLModel table's fields on the class as the SQL columns they are.

scripts/mypy_sqlmodel.py makes ``Lead.status == x`` a column expression for mypy, so the
query code type-checks as written; these run mypy as `make typecheck` does (same settings
and cache) on a snippet, to show the plugin still catches the mistakes it should.
"""

from __future__ import annotations

from pathlib import Path

from mypy import api

ROOT = Path(__file__).resolve().parents[2]


def _mypy(tmp_path: Path, source: str) -> str:
    snippet = tmp_path / "snippet.py"
    snippet.write_text(source)
    out, err, _ = api.run(["--config-file", str(ROOT / "pyproject.toml"),
                           "--cache-dir", str(ROOT / ".mypy_cache"), str(snippet)])
    assert not err, err
    return out


def test_table_fields_on_the_class_are_columns_and_on_a_row_values(tmp_path: Path) -> None:
    out = _mypy(tmp_path, """
import sqlalchemy as sa
from enforcement.models import Lead, LeadStatus

query = sa.select(Lead.id, Lead.kind).where(Lead.status.in_([LeadStatus.CLOSED]),
                                           Lead.deleted_at.is_(None))
reveal_type(Lead.status)

def status(lead: Lead) -> LeadStatus:
    reveal_type(lead.status)
    return lead.status
""")
    assert 'Revealed type is "sqlalchemy.orm.attributes.InstrumentedAttribute[' \
           'enforcement.models.leads.LeadStatus]"' in out
    assert 'Revealed type is "enforcement.models.leads.LeadStatus"' in out
    assert "error" not in out, out


def test_misspelt_columns_and_wrong_operands_are_errors(tmp_path: Path) -> None:
    out = _mypy(tmp_path, """
import sqlalchemy as sa
from enforcement.models import Lead

sa.select(Lead).where(Lead.statuss == "closed")
sa.select(Lead).where(Lead.status.in_(1))
""")
    assert '"type[Lead]" has no attribute "statuss"' in out
    assert 'Argument 1 to "in_"' in out
