"""Raw WatermelonDB records and engine fields, by each field's kind (``sync.spec.Kind``):
a point as four flat columns, lists and objects as JSON text, times as milliseconds from
schema 3 (``sync.watermelon.schema``), bookkeeping columns dropped."""

from __future__ import annotations

import contextlib
import json
import math
from collections.abc import Collection, Mapping
from datetime import UTC, datetime
from typing import Any

from sync import json_depth
from sync.merge import Owner
from sync.spec import Kind, SyncSpec
from sync.watermelon.schema import POINT_COLUMNS, TIMES_AS_NUMBERS

POINT_NAMES = tuple(name for name, _ in POINT_COLUMNS)
BOOKKEEPING = frozenset({"id", "_status", "_changed", "version"})
Key = tuple[str, str]
"""(synced table, record id)"""
_EPOCH_MS_RANGE = (-62135596800000, 253402300799999)
"""Milliseconds that a datetime can hold (years 1 to 9999)."""


def to_columns(spec: SyncSpec, values: Mapping[str, Any], version: int) -> dict[str, Any]:
    """Synced values as Watermelon columns."""
    numbers = version >= TIMES_AS_NUMBERS
    out: dict[str, Any] = {}
    for name, value in values.items():
        field = spec.fields.get(name)
        kind = field.kind if field is not None else Kind.TEXT
        if kind is Kind.POINT:
            point = value or {}
            out.update({col: point.get(col) for col in POINT_NAMES})
        elif kind is Kind.TIME and numbers:
            out[name] = to_ms(value)
        elif isinstance(value, list | dict):
            out[name] = json.dumps(value, ensure_ascii=False, sort_keys=True)
        else:
            out[name] = value
    return out


def to_ms(value: Any) -> int | None:
    """ISO text (or a datetime) as milliseconds since the epoch."""
    if value is None:
        return None
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return round(moment.timestamp() * 1000)


def from_ms(value: Any) -> Any:
    """Milliseconds as ISO text in UTC; anything else is left for the table to judge (an
    ISO text from an older app passes, garbage is refused there, never here)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return value
    if not math.isfinite(value) or not _EPOCH_MS_RANGE[0] <= value <= _EPOCH_MS_RANGE[1]:
        return f"not a time: {value}"
    return datetime.fromtimestamp(value / 1000, UTC).isoformat()


def from_columns(spec: SyncSpec, raw: Mapping[str, Any],
                 only: Collection[str] | None = None) -> dict[str, Any]:
    """A raw record as engine fields: the point rebuilt, JSON text parsed back, times from
    milliseconds; bookkeeping and the app's own columns (none of the table's fields)
    dropped. ``only``: the columns the device changed (``_changed``); the others are not
    part of the change."""
    columns = {k: v for k, v in raw.items() if k not in BOOKKEEPING
               and (only is None or k in only)}
    fields: dict[str, Any] = {}
    for name, value in columns.items():
        field = spec.fields.get(name)
        if field is None:
            continue
        if field.kind is Kind.TIME:
            value = from_ms(value)
        elif field.kind is Kind.JSON and isinstance(value, str):
            with contextlib.suppress(ValueError):  # left as text: the table refuses it
                value = json_depth.loads(value) if value else None
        fields[name] = value
    point = next((n for n, f in spec.fields.items() if f.kind is Kind.POINT), None)
    if point is not None and any(col in columns for col in POINT_NAMES):
        lon, lat = raw.get("lon"), raw.get("lat")
        fields[point] = None if lon is None or lat is None else {
            "lon": lon, "lat": lat, "datum": raw.get("datum") or "wgs84",
            "accuracy_m": raw.get("accuracy_m")}
    return fields


def shared_values(spec: SyncSpec, values: Mapping[str, Any], version: int) -> dict[str, Any]:
    """What a device's base needs: its shared fields only (a three-way merge is for them;
    the device's own fields win anyway and the server's are compared with the server)."""
    owners = spec.owners(version)
    return {name: value for name, value in values.items() if owners.get(name) is Owner.SHARED}


def changed_columns(raw: Mapping[str, Any]) -> set[str] | None:
    """The columns WatermelonDB says the device changed (``_changed``), or None when the
    record does not say (then every column counts)."""
    changed = raw.get("_changed")
    if not isinstance(changed, str):
        return None
    return {name for name in changed.split(",") if name}
