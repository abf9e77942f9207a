"""What a device sends (mutations) and what it gets back (one result per mutation).

Both are plain data with a JSON form: results are stored as receipts and replayed verbatim
when a device sends the same mutation again.
"""

from __future__ import annotations

import enum
from dataclasses import asdict, dataclass, field
from typing import Any


class Op(enum.StrEnum):
    CREATE = "create"
    UPDATE = "update"
    DELETE = "delete"


class Status(enum.StrEnum):
    APPLIED = "applied"
    """Written as sent; nobody else had changed the record since the device's base."""
    MERGED = "merged"
    """Written, and the record also keeps changes the server made since the device's base."""
    CONFLICT = "conflict"
    """At least one value clashed; the server's stayed and a conflict record keeps the
    device's for a person to resolve. Non-clashing fields were written."""
    REJECTED = "rejected"
    """Nothing was written; ``code`` says why. The mutation is kept in its receipt."""


@dataclass(frozen=True, slots=True)
class Mutation:
    mutation_id: str
    table: str
    op: Op
    id: str
    fields: dict[str, Any] = field(default_factory=dict)
    base_version: int | None = None
    base: dict[str, Any] | None = None
    """The values the device based its change on, when it has them: they let a shared
    field be merged even when the server moved on several versions."""

    def to_json(self) -> dict[str, Any]:
        """As ``asdict`` with the op as text, without its deep copy (a receipt per
        mutation: ``asdict`` was a tenth of a 1,000-create push)."""
        return {"mutation_id": self.mutation_id, "table": self.table, "op": self.op.value,
                "id": self.id, "fields": self.fields, "base_version": self.base_version,
                "base": self.base}


@dataclass(frozen=True, slots=True)
class ConflictNote:
    conflict_id: str
    field: str | None
    server_value: Any
    client_value: Any


@dataclass(frozen=True, slots=True)
class MutationResult:
    mutation_id: str
    table: str
    id: str
    status: Status
    version: int | None = None
    code: str | None = None
    detail: str | None = None
    conflicts: tuple[ConflictNote, ...] = ()
    rejected_fields: dict[str, str] = field(default_factory=dict)
    server_values: dict[str, Any] | None = None

    def to_json(self) -> dict[str, Any]:
        return {"mutation_id": self.mutation_id, "table": self.table, "id": self.id,
                "status": self.status.value, "version": self.version, "code": self.code,
                "detail": self.detail, "conflicts": [asdict(note) for note in self.conflicts],
                "rejected_fields": self.rejected_fields, "server_values": self.server_values}

    @classmethod
    def from_json(cls, body: dict[str, Any]) -> MutationResult:
        return cls(**{
            **body, "status": Status(body["status"]),
            "conflicts": tuple(ConflictNote(**note) for note in body.get("conflicts", ())),
        })
