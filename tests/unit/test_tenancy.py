"""Every tenant row is keyed by its court, so no join can cross courts and every table
can be distributed by ``court_id`` (Citus) without changing a key."""

from __future__ import annotations

import pytest

from enforcement.models import metadata

# Tables that are not court data. Keep this list short and say why for each.
GLOBAL_TABLES = {
    "court": "the tenants themselves (a Citus reference table)",
    "login_attempt": "wrong passwords by typed username, known or not, before any court is known",
}
# Uniqueness that deliberately spans courts. On Citus each becomes a small reference
# table (see docs/deploy.md).
GLOBAL_UNIQUE_INDEXES = {
    "uq_user_account_username_lower": "sign-in takes a username without a court",
}


def tenant_tables():
    return [t for name, t in sorted(metadata.tables.items()) if name not in GLOBAL_TABLES]


@pytest.mark.parametrize("table", tenant_tables(), ids=lambda t: t.name)
def test_tenant_table_has_court_id_in_its_primary_key(table):
    assert "court_id" in table.c, f"{table.name} has no court_id"
    assert "court_id" in table.primary_key.columns, f"{table.name}: court_id not in the key"
    assert not table.c.court_id.nullable


@pytest.mark.parametrize("table", tenant_tables(), ids=lambda t: t.name)
def test_foreign_keys_between_tenant_tables_go_through_court_id(table):
    for fk in table.foreign_key_constraints:
        target = fk.referred_table.name
        if target in GLOBAL_TABLES:
            continue
        local = [c.name for c in fk.columns]
        remote = [e.column.name for e in fk.elements]
        assert "court_id" in local, f"{table.name} -> {target} skips court_id"
        assert local.index("court_id") == remote.index("court_id"), (
            f"{table.name} -> {target}: court_id must match court_id"
        )


@pytest.mark.parametrize("table", tenant_tables(), ids=lambda t: t.name)
def test_unique_constraints_include_court_id(table):
    """Citus can only enforce uniqueness that includes the distribution column."""
    for constraint in table.constraints:
        columns = getattr(constraint, "columns", None)
        if constraint.__class__.__name__ != "UniqueConstraint" or columns is None:
            continue
        assert "court_id" in [c.name for c in columns], (
            f"{table.name}: unique {[c.name for c in columns]} without court_id")
    for index in table.indexes:
        if index.unique and index.name not in GLOBAL_UNIQUE_INDEXES:
            names = [getattr(e, "name", None) for e in index.expressions]
            assert "court_id" in names, f"{table.name}: unique index {index.name}"
