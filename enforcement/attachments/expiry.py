"""Abandoned uploads: an unfinished upload left untouched for ``ATTACHMENT_UPLOAD_EXPIRY_HOURS``
expires (tus's ``expiration`` extension), so that half-sent files of phones that gave up do
not fill the disk.

Each declaration and chunk pushes ``expires_at`` forward; a complete upload has none. An
expired upload is deleted when someone touches it (it answers 410 and may be declared
again) and by ``flask attachments expire``, which an operator runs from cron. Its ``.part``
file goes first, under the row's lock, then the row: a crash in between leaves a row whose
offset the next touch pulls back to what is on disk.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlmodel import Session

from enforcement.attachments.files import AttachmentFiles
from enforcement.infrastructure.db import Database
from enforcement.models import Attachment, AttachmentRef, utcnow


def expiry(ttl: timedelta, now: datetime | None = None) -> datetime:
    """When an upload touched now expires."""
    return (now or utcnow()) + ttl


def is_abandoned(row: Attachment, now: datetime | None = None) -> bool:
    return (not row.complete and row.expires_at is not None
            and row.expires_at <= (now or utcnow()))


def drop_upload(session: Session, files: AttachmentFiles, row: Attachment) -> None:
    """Delete an unfinished upload: its bytes, then its row (the caller commits)."""
    files.discard_part(row.court_id, row.sha256)
    session.delete(row)
    session.flush()


def expire_abandoned(db: Database, files: AttachmentFiles, now: datetime | None = None,
                     *, dry_run: bool = False) -> int:
    """Delete every expired unfinished upload of every court; returns how many.

    Uploads being written right now are skipped (their lock is held), and so is the rare
    unfinished upload that a record still lists (its file vanished from the disk)."""
    now = now or utcnow()
    referenced = sa.exists().where(AttachmentRef.court_id == Attachment.court_id,
                                   AttachmentRef.sha256 == Attachment.sha256)
    query = sa.select(Attachment).where(
        Attachment.complete.is_(False), Attachment.expires_at <= now, ~referenced,
    ).with_for_update(skip_locked=True)
    with db.unit_of_work() as session:
        rows = list(session.scalars(query))
        if dry_run:
            return len(rows)
        for row in rows:
            drop_upload(session, files, row)
        session.commit()
        return len(rows)
