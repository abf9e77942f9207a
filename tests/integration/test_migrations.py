"""The migrations build exactly the schema the models describe, and they run both ways.

Alembic is the only way the schema changes; a model edited without a
migration (or a migration edited by hand into something the models do not
say) fails here rather than in production.
"""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory

from enforcement.infrastructure.db_migrations import alembic_config, include_name, include_object
from enforcement.models import metadata

HINT = "generate a migration: DATABASE_URL=... .venv/bin/alembic revision --autogenerate -m '...'"


def _gridwork_tables(url: str) -> set[str]:
    engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
    try:
        with engine.connect() as conn:
            names = sa.inspect(conn).get_table_names(schema="public")
    finally:
        engine.dispose()
    return set(names) - {"alembic_version", "spatial_ref_sys"}


def _describe(change: Any) -> str:
    """One readable line per difference (the raw tuples print whole Table objects)."""
    if isinstance(change, list):
        return "; ".join(_describe(c) for c in change)
    op = change[0]
    if op.startswith("modify_"):
        _, _schema, table, column, _existing, old, new = change
        return f"{op} {table}.{column}: {old!r} -> {new!r}"
    obj = change[1] if len(change) > 1 else None
    if op.endswith("_column"):
        return f"{op} {change[2]}.{change[3].name}"
    table = getattr(obj, "table", None)
    name = getattr(obj, "name", obj)
    return f"{op} {table.name + '.' if table is not None else ''}{name}"


def _model_tables() -> set[str]:
    return {table.name for table in metadata.sorted_tables if table.schema in (None, "public")}


def test_there_is_one_head() -> None:
    """Two engineers' revisions on the same parent need a merge revision."""
    heads = ScriptDirectory.from_config(alembic_config()).get_heads()
    assert len(heads) <= 1, f"several alembic heads {heads}: run `alembic merge heads`"


def test_models_match_migrations(engine: sa.Engine) -> None:
    """``alembic revision --autogenerate`` on the migrated database would find nothing to do."""
    with engine.connect() as conn:
        context = MigrationContext.configure(
            conn,
            opts={
                "compare_type": True,
                "include_name": include_name,
                "include_object": include_object,
                "target_metadata": metadata,
            },
        )
        diff = compare_metadata(context, metadata)
    assert not diff, f"models and migrations differ; {HINT}\n" + "\n".join(map(_describe, diff))


@pytest.mark.timeout(120)
def test_downgrade_to_base_and_upgrade_again(make_database) -> None:
    """Every downgrade() runs, and the chain rebuilds the schema after it."""
    url = make_database()  # a copy of the template, i.e. at head
    cfg = alembic_config(url=url)
    head = ScriptDirectory.from_config(cfg).get_current_head()
    assert head is not None, f"no migration revisions yet; {HINT}"

    command.downgrade(cfg, "base")
    assert _gridwork_tables(url) == set(), "downgrade to base left tables behind"

    command.upgrade(cfg, "head")
    assert _gridwork_tables(url) == _model_tables()
    engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
    try:
        with engine.connect() as conn:
            assert MigrationContext.configure(conn).get_current_revision() == head
    finally:
        engine.dispose()
