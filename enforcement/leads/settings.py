"""The court's settings that a lead's write enforces, not only shows to the field app.

They are an argument of every door that writes a lead (REST submit and edit, the native
and WatermelonDB pushes, a conflict's resolution), handed on to the one write path
(``leads.writes``), like ``AttachmentSettings`` for uploads: the API builds them from its
configuration for each request; a command, a worker or a test calling a use case states
them. Nothing reads them from a global, so nobody gets a default by leaving them out.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from enforcement.errors import ValidationFailed

MANUAL = "manual"
"""``position_source`` of a position typed or placed by hand (else ``gps``)."""


@dataclass(frozen=True, slots=True)
class LeadSettings:
    """What the court takes in a lead (``api.config``)."""

    manual_position: bool
    """``FIELD_APP_MANUAL_POSITION``: a position typed by hand (source ``manual``) is
    taken. Off, the field app hides the choice, and the server refuses one that comes
    anyway (an older build, a phone that recorded it while it was allowed)."""

    def position_refusal(self, values: Mapping[str, Any],
                         stored_source: str | None = None) -> ValidationFailed | None:
        """Why the write of ``values`` is refused for its position, or None: with manual
        positions off, a write that makes the source ``manual`` or moves the point of a
        lead whose source stays ``manual``. Editing other fields of a lead stored with a
        manual position before the court turned them off still goes through."""
        if self.manual_position:
            return None
        source = values.get("position_source", stored_source)
        writes_position = ("point" in values
                           or values.get("position_source") not in (None, stored_source))
        if source != MANUAL or not writes_position:
            return None
        return ValidationFailed(
            "this court takes no position typed by hand (FIELD_APP_MANUAL_POSITION)",
            code="manual_position_not_allowed",
            errors={"position_source": ["manual positions are not accepted"]})
