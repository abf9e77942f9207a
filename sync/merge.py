"""Field-level three-way merge of one client change into the server's record.

Pure functions, no database: the engine loads the rows, this module decides which value
each field ends up with. The rules (DESIGN "Sync: what must hold", point 4):

``client``  the device's value wins (a lead's text is the assistant's words).
``server``  the device may not write it. A differing value is *rejected* and listed as such,
            never silently dropped. Echoing the value it already had (unchanged since its
            base, or equal to the server's) is not a write and passes quietly, because
            phones often send whole records.
``shared``  three-way: if only one side changed the field, that side wins; if both changed it
            to different values the server's value stays and a conflict carries both, so a
            person can decide.

A field missing from ``base`` has an unknown base: a shared field that differs from the
server's is then a conflict (we cannot tell who changed it, so nobody's value is lost).
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


class Owner(enum.StrEnum):
    CLIENT = "client"
    SERVER = "server"
    SHARED = "shared"


class Rejection(enum.StrEnum):
    SERVER_OWNED = "field_server_owned"
    UNKNOWN_FIELD = "unknown_field"


_MISSING: Any = object()


@dataclass(frozen=True, slots=True)
class FieldConflict:
    """Both sides changed a shared field to different values; the server's value was kept."""

    base: Any
    server: Any
    client: Any
    base_known: bool = True


@dataclass(frozen=True, slots=True)
class MergeResult:
    """What to write and what to tell the device.

    ``updates`` are the values to write (a subset of the client's fields). ``applied`` names
    client fields whose value is now the record's; ``merged`` names fields the server had
    changed since the client's base and that were kept alongside the client's changes.
    """

    updates: dict[str, Any] = field(default_factory=dict)
    applied: tuple[str, ...] = ()
    merged: tuple[str, ...] = ()
    conflicts: dict[str, FieldConflict] = field(default_factory=dict)
    rejected: dict[str, Rejection] = field(default_factory=dict)

    @property
    def server_changed(self) -> bool:
        return bool(self.merged)


def merge(
    *,
    base: Mapping[str, Any] | None,
    server: Mapping[str, Any],
    changes: Mapping[str, Any],
    owners: Mapping[str, Owner],
) -> MergeResult:
    """Merge ``changes`` (client field values) into ``server`` given the client's ``base``.

    ``base`` is None when nothing is known of it (every field's base is unknown).
    """
    base = base or {}
    updates: dict[str, Any] = {}
    applied: list[str] = []
    conflicts: dict[str, FieldConflict] = {}
    rejected: dict[str, Rejection] = {}
    for name, client in changes.items():
        owner = owners.get(name)
        current = server.get(name)
        before = base.get(name, _MISSING)
        if owner is None:
            rejected[name] = Rejection.UNKNOWN_FIELD
        elif client == current:
            applied.append(name)
        elif owner is Owner.CLIENT:
            updates[name] = client
            applied.append(name)
        elif owner is Owner.SERVER:
            if before is _MISSING or client != before:
                rejected[name] = Rejection.SERVER_OWNED
        elif before is not _MISSING and current == before:
            updates[name] = client
            applied.append(name)
        elif before is not _MISSING and client == before:
            pass  # the client did not change it; the server's newer value stays
        else:
            conflicts[name] = FieldConflict(
                base=None if before is _MISSING else before, server=current, client=client,
                base_known=before is not _MISSING,
            )
    merged = tuple(
        name for name in owners
        if name in base and name not in conflicts and server.get(name) != base[name]
    )
    return MergeResult(updates, tuple(applied), merged, conflicts, rejected)


def accepted_fields(
    fields: Mapping[str, Any], owners: Mapping[str, Owner]
) -> tuple[dict[str, Any], dict[str, Rejection]]:
    """For a create: the fields a device may set, and the rejected rest.

    A new record has no server side yet, so client and shared fields are taken as sent.
    """
    values: dict[str, Any] = {}
    rejected: dict[str, Rejection] = {}
    for name, value in fields.items():
        owner = owners.get(name)
        if owner is None:
            rejected[name] = Rejection.UNKNOWN_FIELD
        elif owner is Owner.SERVER:
            rejected[name] = Rejection.SERVER_OWNED
        else:
            values[name] = value
    return values, rejected
