"""Shared column types and conventions for every Gridwork table.

Every tenant table has the composite primary key ``(court_id, id)`` and every
foreign key between tenant tables goes through ``court_id`` too, so that a
query can never join rows of two courts and the schema can later be
distributed by ``court_id`` (Citus) without rewriting keys.
"""

from __future__ import annotations

import enum
import secrets
import uuid
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from geoalchemy2 import Geometry
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, SQLModel

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_N_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
SQLModel.metadata.naming_convention = NAMING_CONVENTION
metadata = SQLModel.metadata

ID_LENGTH = 36
"""Record ids are UUIDs or WatermelonDB's 16-character ids; both fit."""

MONEY = sa.Numeric(14, 2)


def new_id() -> str:
    """A fresh record id for rows the server creates."""
    return str(uuid.uuid4())


def new_short_id() -> str:
    """A 16-character id of the shape WatermelonDB generates on phones."""
    alphabet = "abcdefghijklmnopqrstuvwxyz0123456789"
    return "".join(secrets.choice(alphabet) for _ in range(16))


def utcnow() -> datetime:
    return datetime.now(UTC)


def enum_type(enum_cls: type[enum.Enum], name: str) -> sa.Enum:
    """A VARCHAR column guarded by a CHECK constraint, not a PostgreSQL ENUM.

    Adding a value later is then a constraint swap in a migration rather than
    an ``ALTER TYPE`` that cannot run inside a transaction.
    """
    return sa.Enum(
        enum_cls,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=32,
        values_callable=lambda members: [m.value for m in members],
        validate_strings=True,
    )


def id_field(**kwargs: Any) -> Any:
    return Field(default_factory=new_id, primary_key=True, max_length=ID_LENGTH, **kwargs)


def court_field() -> Any:
    return Field(primary_key=True, foreign_key="court.id", max_length=ID_LENGTH)


def ref_field(nullable: bool = True, **kwargs: Any) -> Any:
    """An id that refers to another tenant row; the composite FK is in ``__table_args__``."""
    default = None if nullable else ...
    return Field(default=default, max_length=ID_LENGTH, nullable=nullable, **kwargs)


def tenant_fk(column: str, table: str, ondelete: str | None = None) -> sa.ForeignKeyConstraint:
    """Composite foreign key ``(court_id, column) -> table(court_id, id)``."""
    return sa.ForeignKeyConstraint(
        ["court_id", column],
        [f"{table}.court_id", f"{table}.id"],
        ondelete=ondelete,
    )


def table_of(model: type[SQLModel]) -> sa.Table:
    """The ``Table`` of a table model, for Core statements (bulk inserts, column lists)."""
    return model.__table__  # type: ignore[attr-defined]  # SQLModel sets it, never declares it


def created_field() -> Any:
    return Field(
        default_factory=utcnow,
        sa_type=sa.DateTime(timezone=True),
        sa_column_kwargs={"server_default": sa.func.now()},
        nullable=False,
    )


def time_field(nullable: bool = True, **kwargs: Any) -> Any:
    default = None if nullable else ...
    return Field(
        default=default, sa_type=sa.DateTime(timezone=True), nullable=nullable, **kwargs
    )


def money_field(default: Decimal | None = Decimal("0")) -> Any:
    nullable = default is None
    return Field(
        default=default,
        sa_type=MONEY,
        nullable=nullable,
        sa_column_kwargs={} if nullable else {"server_default": "0"},
    )


def json_field(default_factory: Any = dict, **kwargs: Any) -> Any:
    return Field(
        default_factory=default_factory,
        **kwargs,
        sa_type=JSONB,
        nullable=False,
        sa_column_kwargs={"server_default": "[]" if default_factory is list else "{}"},
    )


def geometry_field(kind: str, nullable: bool = True) -> Any:
    """An EPSG:4326 geometry column with a GiST index (GeoAlchemy2 adds it)."""
    return Field(
        default=None,
        sa_type=Geometry(kind, srid=4326, spatial_index=True),
        nullable=nullable,
    )


def version_field() -> Any:
    """Optimistic-concurrency counter; the ETag of a record and sync's base version."""
    return Field(default=1, nullable=False, sa_column_kwargs={"server_default": "1"})


class Datum(enum.StrEnum):
    """Coordinate datum a device reported a point in."""

    WGS84 = "wgs84"
    GCJ02 = "gcj02"
    BD09 = "bd09"


class TimestampedMixin(SQLModel):
    created_at: datetime = created_field()
    updated_at: datetime = created_field()
