"""Uploaded files."""

from __future__ import annotations

import uuid
from typing import Any

from sqlmodel import Session

from enforcement.models import (
    Attachment,
    User,
    utcnow,
)


def create_attachment(session: Session, uploader: User, size_bytes: int = 1000,
                      complete: bool = True, **overrides: Any) -> Attachment:
    """An attachment row (no file): complete, or with only half its bytes received."""
    values: dict[str, Any] = {
        "court_id": uploader.court_id, "sha256": uuid.uuid4().hex * 2,
        "size_bytes": size_bytes, "content_type": "image/jpeg", "uploaded_by": uploader.id,
        "received_bytes": size_bytes if complete else size_bytes // 2, "complete": complete,
        "completed_at": utcnow() if complete else None,
    }
    attachment = Attachment(**(values | overrides))
    session.add(attachment)
    session.flush()
    return attachment


# --------------------------------------------------------------------------- boundary files
