"""Pieces every sync spec shares: JSON values of times and points, scoped loads, the
write guards, and the scope clause on ``sync_change`` built from ``policy``.

A spec's scope is ``record_id IN (rows the caller may read, per policy.scope_filter)``, so
what a phone pulls is exactly what the REST API would show, with no second copy of the
rules. Soft-deleted rows stay in their table, so their tombstones stay in scope too.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

from enforcement import policy
from enforcement.accounts.principal import Principal
from enforcement.errors import Conflict, Forbidden, ValidationFailed
from enforcement.grids.placement import ReportedPoint, set_point
from enforcement.models import Datum, utcnow
from sync.merge import Owner
from sync.spec import FieldSpec, Kind


def iso(value: datetime | None) -> str | None:
    return value.astimezone(UTC).isoformat() if value is not None else None


def iso_sql(column: Any) -> Any:
    """``iso`` of a timestamptz column, computed by PostgreSQL: the same text (UTC, six
    digits of microseconds unless there are none, ``+00:00``) for a pull to send as is."""
    utc = sa.func.timezone(sa.literal_column("'UTC'"), column)
    text = sa.func.to_char(utc, sa.literal_column("""'YYYY-MM-DD"T"HH24:MI:SS.US'"""))
    whole = sa.func.replace(text, sa.literal_column("'.000000'"), sa.literal_column("''"),
                            type_=sa.Text)
    return whole.op("||")(sa.literal_column("'+00:00'"))


def parse_time(raw: Any) -> str | None:
    """A client time as canonical UTC ISO text (naive means UTC); raises ValueError."""
    if raw is None or raw == "":
        return None
    parsed = datetime.fromisoformat(str(raw).replace("Z", "+00:00"))
    return iso(parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC))


def parse_date(raw: Any) -> str | None:
    if raw is None or raw == "":
        return None
    return date.fromisoformat(str(raw)[:10]).isoformat()


def to_datetime(raw: str | None) -> datetime | None:
    return datetime.fromisoformat(raw) if raw else None


def normalise_point(raw: Any) -> dict[str, Any] | None:
    if raw is None:
        return None
    accuracy = raw.get("accuracy_m")
    point: dict[str, Any] = {"lon": float(raw["lon"]), "lat": float(raw["lat"]),
                             "datum": Datum(raw.get("datum") or "wgs84").value,
                             "accuracy_m": None if accuracy is None else float(accuracy)}
    if not (-180 <= point["lon"] <= 180 and -90 <= point["lat"] <= 90):
        raise ValueError("lon is -180 to 180 and lat -90 to 90")
    if point["accuracy_m"] is not None and not 0 <= point["accuracy_m"] <= 1e6:
        raise ValueError("accuracy_m is 0 to 1000000")
    return point


def reported(raw: dict[str, Any] | None) -> ReportedPoint | None:
    """A normalised point value as the write paths take it."""
    if not raw:
        return None
    return ReportedPoint(raw["lon"], raw["lat"], Datum(raw["datum"]), raw["accuracy_m"])


def domain_values(fields: Mapping[str, FieldSpec], values: Mapping[str, Any]) -> dict[str, Any]:
    """Normalised sync values as the write paths take them, by each field's kind: a time
    as a datetime, a date as a date, the point as a ``ReportedPoint``."""
    out = dict(values)
    for name, value in values.items():
        kind = fields[name].kind if name in fields else None
        if kind is Kind.TIME:
            out[name] = to_datetime(value)
        elif kind is Kind.DATE:
            out[name] = date.fromisoformat(value) if value else None
        elif kind is Kind.POINT:
            out[name] = reported(value)
    return out


def store_point(session: Session, record: Any, raw: dict[str, Any] | None) -> None:
    """Place the record on the grids, as the REST writes do."""
    set_point(session, record, reported(raw))


def checked(table: str, fields: dict[str, Any], convert: dict[str, Any]) -> dict[str, Any]:
    """Apply ``convert[name](value)`` to the fields present; a bad value rejects the
    mutation with ``validation_failed``."""
    out = dict(fields)
    try:
        for name, fn in convert.items():
            if name in out:
                out[name] = fn(out[name])
    except (ValueError, TypeError, KeyError, AttributeError, ArithmeticError) as exc:
        raise ValidationFailed(f"invalid {table} value: {exc}") from exc
    return out


def text(limit: int | None = None, *, nullable: bool = True) -> Any:
    def convert(value: Any) -> str | None:
        if value is None and nullable:
            return None
        if not isinstance(value, str):
            raise ValueError("text expected")
        if limit is not None and len(value) > limit:
            raise ValueError(f"at most {limit} characters")
        return value
    return convert


def load_scoped(session: Session, principal: Principal, model: Any, action: str,
                record_id: str) -> Any:
    """The row locked for a push, tombstones included; None when out of scope."""
    if policy.scope_of(principal.role, action) is None:
        return None
    return session.scalars(sa.select(model).where(
        model.court_id == principal.court_id, model.id == record_id,
        policy.scope_filter(principal, action, model)).with_for_update(of=model)).first()


def feed_scope(model: Any, action: str) -> Any:
    """Scope of a table on ``sync_change``: the rows ``policy`` lets the caller read."""

    def scope(principal: Principal, change: sa.Table) -> sa.ColumnElement[bool]:
        if policy.scope_of(principal.role, action) is None:
            return sa.false()
        return change.c.record_id.in_(sa.select(model.id).where(
            policy.scope_filter(principal, action, model)))

    return scope


def bump(row: Any) -> None:
    row.version += 1
    row.updated_at = utcnow()


def soft_delete(session: Session, row: Any) -> None:
    """A tombstone that phones learn about, never a hard delete."""
    row.deleted_at = utcnow()
    bump(row)
    session.flush()


def restore(principal: Principal, row: Any, author_field: str = "author_id") -> None:
    if principal.role not in policy.COURT_ROLES and getattr(row, author_field) != principal.user_id:
        raise Forbidden("only the author or the court may restore this record")
    row.deleted_at = None
    bump(row)


C, S, H = FieldSpec(Owner.CLIENT), FieldSpec(Owner.SERVER), FieldSpec(Owner.SHARED)
"""Field owners: client, server, shared (``sync.merge``); text unless ``.of(kind)``."""
CR, SR = C.of(Kind.TEXT, required=True), S.of(Kind.TEXT, required=True)
"""Text that is never empty: a create must give it (client) or the server always sets it."""
TIMESTAMPS = {"created_at": S.of(Kind.TIME, required=True),
              "updated_at": S.of(Kind.TIME, required=True)}
"""Every record's; schema 3 made them the numbers WatermelonDB requires."""
PLACED = {"township_id": S, "village_grid_id": S, "outside_grid": S.of(Kind.BOOLEAN),
          "nearest_grid_distance_m": S.of(Kind.NUMBER), **TIMESTAMPS}
POINT = C.of(Kind.POINT)


def require_serving(session: Session, principal: Principal, action: str) -> None:
    if policy.require(principal, action) == "own_grid" and not session.execute(
            policy.active_grid_ids(principal).limit(1)).first():
        raise Forbidden("you serve no village grid", code="no_grid_assignment")


def require_new(session: Session, model: Any, principal: Principal, record_id: str,
                code: str) -> None:
    if session.get(model, (principal.court_id, record_id)) is not None:
        raise Conflict(f"a {model.__tablename__} with this id exists", code=code)


def require_fields(values: dict[str, Any], *names: str) -> None:
    missing = [n for n in names if values.get(n) in (None, "")]
    if missing:
        raise ValidationFailed("required fields are missing",
                               errors={n: ["required"] for n in missing})


def assign(row: Any, values: dict[str, Any], names: tuple[str, ...]) -> None:
    for name in names:
        if name in values:
            setattr(row, name, values[name])


def restore_hook(session: Session, principal: Principal, row: Any) -> None:
    restore(principal, row)
    session.flush()
