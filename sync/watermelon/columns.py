"""Raw WatermelonDB records and engine fields: a point as four flat columns, lists and
objects as JSON text, bookkeeping columns dropped."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Mapping
from typing import Any

from sync.spec import SyncSpec

POINT_COLUMNS = ("lon", "lat", "datum", "accuracy_m")
BOOKKEEPING = frozenset({"id", "_status", "_changed", "version"})
Key = tuple[str, str]
"""(synced table, record id)"""


def to_columns(values: Mapping[str, Any]) -> dict[str, Any]:
    """Synced values as Watermelon columns: the point flattened, lists and objects as
    JSON text (Watermelon columns hold strings, numbers and booleans)."""
    out: dict[str, Any] = {}
    for name, value in values.items():
        if name == "point":
            point = value or {}
            out.update({col: point.get(col) for col in POINT_COLUMNS})
        elif isinstance(value, list | dict):
            out[name] = json.dumps(value, ensure_ascii=False, sort_keys=True)
        else:
            out[name] = value
    return out


def from_columns(spec: SyncSpec, raw: Mapping[str, Any],
                 json_fields: frozenset[str] = frozenset()) -> dict[str, Any]:
    """A raw record as engine fields: bookkeeping dropped, the point rebuilt, JSON text
    parsed back for ``json_fields`` (those the server keeps as lists or objects)."""
    fields = {k: v for k, v in raw.items() if k not in BOOKKEEPING and k not in POINT_COLUMNS}
    if "point" in spec.fields and any(col in raw for col in POINT_COLUMNS):
        lon, lat = raw.get("lon"), raw.get("lat")
        fields["point"] = None if lon is None or lat is None else {
            "lon": lon, "lat": lat, "datum": raw.get("datum") or "wgs84",
            "accuracy_m": raw.get("accuracy_m")}
    for name in json_fields & fields.keys():
        if isinstance(fields[name], str):
            with contextlib.suppress(ValueError):  # left as text: the table refuses it
                fields[name] = json.loads(fields[name]) if fields[name] else None
    return fields
