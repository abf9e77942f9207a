"""``sync.bulk.insert_rows`` (a push's leads, transitions and receipts in one statement
each) stores exactly what SQLAlchemy's own INSERT of the same rows stores: every column
type a pushed lead has, values that vary, that are the same object in every row, or null
in every row (a JSON column's None is SQL NULL); floats at their edges (NaN, infinities,
-0.0, subnormals), text with quotes, backslashes and any script, times in any offset,
JSON of any shape."""

from __future__ import annotations

import enum
import math
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import sqlalchemy as sa
from geoalchemy2 import Geometry
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Session

from sync.bulk import insert_rows


class Colour(enum.Enum):
    RED = "red"
    DEEP_BLUE = "deep_blue"


def _table(metadata: sa.MetaData, name: str) -> sa.Table:
    return sa.Table(
        name, metadata,
        sa.Column("k", sa.Integer),
        sa.Column("s", sa.String(64)), sa.Column("t", sa.Text),
        sa.Column("f", sa.Float), sa.Column("i", sa.BigInteger), sa.Column("b", sa.Boolean),
        sa.Column("n", sa.Numeric(12, 2)), sa.Column("ts", sa.DateTime(timezone=True)),
        sa.Column("j", JSONB(none_as_null=True)), sa.Column("g", Geometry("POINT", srid=4326)),
        sa.Column("e", sa.Enum(Colour, native_enum=False, length=16)),
        sa.Column("d", sa.String(36), server_default="made by default"),
        prefixes=["TEMPORARY"],
    )


TEXT = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"),
               max_size=40) | st.sampled_from(['"', "\\", "'", "{a,b}", "NULL", " ", "é白"])
JSON = st.recursive(
    st.none() | st.booleans() | st.integers(-2**60, 2**60) | TEXT
    | st.floats(allow_nan=False, allow_infinity=False),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(TEXT, inner, max_size=3),
    max_leaves=8)
VALUES: dict[str, st.SearchStrategy[Any]] = {
    "s": TEXT.map(lambda s: s[:64]), "t": TEXT,
    "f": st.floats() | st.sampled_from([0.0, -0.0, 5e-324, 1e308, 113.10001, 1e-05]),
    "i": st.integers(-2**63, 2**63 - 1), "b": st.booleans(),
    "n": st.decimals(min_value=-10**9, max_value=10**9, places=2, allow_nan=False),
    "ts": st.datetimes(min_value=datetime(1900, 1, 1), max_value=datetime(2200, 1, 1),
                       timezones=st.sampled_from([UTC, timezone(timedelta(hours=8)),
                                                  timezone(-timedelta(hours=5, minutes=30))])),
    "j": JSON,
    "g": st.tuples(st.floats(-180, 180), st.floats(-90, 90)).map(
        lambda p: f"SRID=4326;POINT({p[0]!r} {p[1]!r})"),
    "e": st.sampled_from(Colour),
}


@st.composite
def batches(draw: st.DrawFn) -> list[dict[str, Any]]:
    """Rows whose columns each vary, hold one object in every row, or are all null."""
    n = draw(st.integers(1, 12))
    columns: dict[str, list[Any]] = {}
    for name, values in VALUES.items():
        how = draw(st.sampled_from(["vary", "same", "null", "some null"]))
        if how == "same":
            columns[name] = [draw(values)] * n
        elif how == "null":
            columns[name] = [None] * n
        else:
            columns[name] = [None if how == "some null" and draw(st.booleans())
                             else draw(values) for _ in range(n)]
    return [{"k": k, **{name: column[k] for name, column in columns.items()}}
            for k in range(n)]


def _stored(session: Session, table: sa.Table) -> list[tuple[Any, ...]]:
    c = table.c
    rows = session.execute(sa.select(
        c.k, c.s, c.t, c.f, sa.func.float8send(c.f), c.i, c.b, c.n, c.ts,
        sa.cast(c.j, sa.Text), sa.func.ST_AsEWKT(c.g), c.e, c.d).order_by(c.k)).all()
    # float8send tells -0.0 from 0.0; any NaN is NaN (its payload bits are not kept)
    return [(*row[:3], "nan", "nan", *row[5:]) if row.f is not None and math.isnan(row.f)
            else tuple(row) for row in rows]


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(rows=batches())
def test_bulk_insert_stores_what_sqlalchemy_stores(engine: sa.Engine,
                                                   rows: list[dict[str, Any]]) -> None:
    metadata = sa.MetaData()
    bulk, plain = _table(metadata, "bulk_rows"), _table(metadata, "plain_rows")
    with Session(engine) as session:
        metadata.create_all(session.connection())
        insert_rows(session, bulk, rows)
        session.execute(sa.insert(plain), rows)
        assert _stored(session, bulk) == _stored(session, plain)
        session.rollback()


def test_bulk_insert_of_identical_rows_and_defaults(engine: sa.Engine) -> None:
    """No column varies (a generated series gives the rows); a column left out of the rows
    gets its default, as in a plain INSERT."""
    metadata = sa.MetaData()
    bulk, plain = _table(metadata, "bulk_same"), _table(metadata, "plain_same")
    same = {"s": "x", "f": 1.5, "j": {"a": [1, 2.0]}}
    with Session(engine) as session:
        metadata.create_all(session.connection())
        insert_rows(session, bulk, [same] * 3)
        session.execute(sa.insert(plain), [same] * 3)
        counts = [session.execute(sa.select(sa.func.count()).select_from(t).where(
            t.c.d == "made by default", t.c.s == "x")).scalar_one() for t in (bulk, plain)]
        assert counts == [3, 3]
        session.rollback()
