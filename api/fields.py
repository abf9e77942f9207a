"""Wire fields shared by resource schemas: ids, text, times, points' neighbours, money.

One definition each, so that every resource validates and documents them alike.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import marshmallow as ma
from marshmallow import validate as ma_validate

from enforcement.grids.placement import ReportedPoint, lonlat
from enforcement.infrastructure.times import CLOCK_SKEW as CLOCK_SKEW  # re-exported for schemas
from enforcement.infrastructure.times import EARLIEST as EARLIEST
from enforcement.infrastructure.times import plausible
from enforcement.models import Datum

RECORD_ID = ma_validate.Regexp(
    r"^([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
    r"|[A-Za-z0-9]{16})$",
    error="a UUID or a 16-character alphanumeric id",
)
"""Ids that phones generate: UUIDs, or the 16 characters WatermelonDB uses."""

MAX_MONEY = Decimal("10000000000")


def text(max_length: int, validate: Any = None, **kwargs: Any) -> ma.fields.String:
    """A string of at most ``max_length`` characters; ``validate`` adds validators (one or
    a list). NUL characters never get this far (``api.input_guard``)."""
    extra = [] if validate is None else validate if isinstance(validate, list) else [validate]
    return ma.fields.String(validate=[ma_validate.Length(max=max_length), *extra], **kwargs)


def ref(description: str) -> ma.fields.String:
    """An optional id of another record."""
    return ma.fields.String(allow_none=True, validate=RECORD_ID,
                            metadata={"description": description})


def aware(**kwargs: Any) -> ma.fields.AwareDateTime:
    """A UTC ISO 8601 time; one without an offset is taken as UTC."""
    return ma.fields.AwareDateTime(default_timezone=UTC, **kwargs)


def plausible_time(value: datetime | None) -> None:
    """A phone clock far off would break the 48-hour duplicate window; refuse it."""
    if value is not None and not plausible(value):
        raise ma.ValidationError("must be after 2000 and not in the future")


def money_range(value: Decimal | None) -> None:
    """A ``validate.Range`` on a Decimal would put strings into the OpenAPI document."""
    if value is not None and not Decimal("0") <= value < MAX_MONEY:
        raise ma.ValidationError("must be between 0 and 9999999999.99")


def money(**kwargs: Any) -> ma.fields.Decimal:
    """An amount in yuan a client sends: a number or, to keep every cent exact, a string
    like ``"1500.00"``; 0 to 9999999999.99."""
    metadata = {"description": "yuan, 0 to 9999999999.99, as a number or a string like "
                               "\"1500.00\"", **kwargs.pop("metadata", {})}
    return ma.fields.Decimal(places=2, validate=money_range, metadata=metadata, **kwargs)


def money_string(**kwargs: Any) -> ma.fields.Decimal:
    """An amount in yuan the server sends, as a string (``"1500.00"``) so no cent is lost
    to floats; documented as a string, which is what the client receives."""
    metadata = {"type": "string", "pattern": r"^-?\d+\.\d{2}$", "example": "1500.00",
                **kwargs.pop("metadata", {})}
    return ma.fields.Decimal(as_string=True, places=2, metadata=metadata, **kwargs)


class PointSchema(ma.Schema):
    """A position as the phone reported it."""

    lon = ma.fields.Float(required=True, validate=ma_validate.Range(-180, 180))
    lat = ma.fields.Float(required=True, validate=ma_validate.Range(-90, 90))
    datum = ma.fields.Enum(Datum, by_value=True, load_default=Datum.WGS84,
                           metadata={"description": "wgs84 (GPS), gcj02 (AMap, Tencent), "
                                                    "bd09 (Baidu)"})
    accuracy_m = ma.fields.Float(load_default=None, allow_none=True,
                                 validate=ma_validate.Range(0, 100_000))

    @ma.post_load
    def make(self, data: dict[str, Any], **_: Any) -> ReportedPoint:
        return ReportedPoint(**data)


class Bbox(ma.fields.String):
    """``minlon,minlat,maxlon,maxlat`` in WGS-84."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        text = super()._deserialize(value, attr, data, **kwargs)
        try:
            box = tuple(float(part) for part in text.split(","))
        except ValueError:
            box = ()
        if (len(box) != 4 or not (-180 <= box[0] <= box[2] <= 180)
                or not (-90 <= box[1] <= box[3] <= 90)):
            raise ma.ValidationError("minlon,minlat,maxlon,maxlat with min ≤ max")
        return box


class LocatedSchema(ma.Schema):
    """The location fields of every record placed on the grids (leads, sightings, task
    answers): the stored WGS-84 point, the point as the phone sent it, and its grid."""

    point = ma.fields.Method("wgs84_point", allow_none=True,
                             metadata={"description": "WGS-84 position the server stored"})
    reported = ma.fields.Method("reported_point", allow_none=True,
                                metadata={"description": "The position as the phone sent it"})
    township_id = ma.fields.String(allow_none=True)
    village_grid_id = ma.fields.String(allow_none=True, metadata={
        "description": "Grid the point is in; the nearest grid when outside_grid"})
    outside_grid = ma.fields.Boolean()
    nearest_grid_distance_m = ma.fields.Float(allow_none=True)

    def wgs84_point(self, record: Any) -> dict[str, float] | None:
        position = lonlat(record.point)
        return None if position is None else {"lon": position[0], "lat": position[1]}

    def reported_point(self, record: Any) -> dict[str, Any] | None:
        if record.reported_lon is None:
            return None
        return {"lon": record.reported_lon, "lat": record.reported_lat,
                "datum": record.datum.value if record.datum else None,
                "accuracy_m": record.accuracy_m}
