"""Arrays a pull binds in psycopg's binary format (``sync.binary.TextArray``: the page's ids,
the snapshot delta's keys) reach PostgreSQL exactly as the text format sent them: every
element, whatever it holds, and ``= ANY`` matches the same rows."""

from __future__ import annotations

import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from psycopg.adapt import PyFormat
from psycopg.types.array import ListBinaryDumper
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.engine import Engine

from sync.binary import TextArray, _BinaryTexts, binary_arrays

TEXTS = st.lists(st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"),
                         max_size=12), max_size=30)
"""Any text PostgreSQL can hold (no NUL, no lone surrogate), odd ones included: quotes,
braces, commas, backslashes, newlines, ``NULL``, the empty string, non-ASCII."""


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(TEXTS, TEXTS)
def test_a_binary_text_array_arrives_element_for_element(engine: Engine, values: list[str],
                                                         probes: list[str]) -> None:
    odd = ['a"b', "{x,y}", "back\\slash", "line\nbreak", "NULL", "", "中文 ids"]
    values = [*values, *odd]
    unnest = sa.select(sa.func.unnest(sa.bindparam("v", type_=TextArray())))
    member = sa.select(sa.literal_column("p")).select_from(
        sa.func.unnest(sa.bindparam("p", type_=ARRAY(sa.Text))).alias("p")
    ).where(sa.literal_column("p") == sa.any_(sa.bindparam("v", type_=TextArray())))
    with engine.connect() as conn:
        assert conn.execute(unnest, {"v": values}).scalars().all() == values
        assert conn.execute(unnest, {"v": []}).scalars().all() == []
        found = conn.execute(member, {"p": probes + values[:3], "v": values}).scalars().all()
    assert found == [p for p in probes + values[:3] if p in values]


def test_the_apps_connections_send_those_arrays_in_binary(db):
    """The app's engine, made before the sync specs are imported, still sends them in
    binary: SQLAlchemy copies psycopg's adapters when it makes an engine, so each new
    connection registers the dumper itself (the first version relied on the import order
    and, in the app, sent them as text)."""
    assert sa.event.contains(db.engine, "connect", binary_arrays)
    with db.engine.connect() as conn:
        adapters = conn.connection.driver_connection.adapters
        assert adapters.get_dumper(_BinaryTexts, PyFormat.AUTO) is ListBinaryDumper
