"""Attachments: resumable, content-addressed uploads of photos, recordings and signed forms.

A phone declares a file by its SHA-256, size and type, sends it in chunks at offsets,
asks for the offset reached after any failure, and the last chunk makes the server check
the hash. The same content is stored once per court: declaring a file the court already
holds completes at once. The database row says how far an upload got; the bytes are in
``attachment_files``. Each use case holds the row's lock while it touches the files, so
two uploads of one file never interleave, and reconciles the row with the disk first,
so a server killed at any point resumes from an offset that is really on disk.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa
from sqlmodel import Session

from enforcement import policy
from enforcement.accounts.principal import Principal
from enforcement.attachments.files import AttachmentFiles
from enforcement.attachments.refs import referenced_by_readable_record
from enforcement.errors import (
    Conflict,
    InsufficientStorage,
    NotFound,
    PayloadTooLarge,
    ValidationFailed,
)
from enforcement.infrastructure import audit
from enforcement.infrastructure.db import Database
from enforcement.models import Attachment, utcnow

SHA256 = re.compile(r"^[0-9a-f]{64}$")


@dataclass(frozen=True, slots=True)
class AttachmentSettings:
    """Where files go and what is accepted (``ATTACHMENTS_DIR``, ``ATTACHMENT_MAX_BYTES``,
    ``ATTACHMENT_CONTENT_TYPES``)."""

    root: Path
    max_bytes: int
    content_types: frozenset[str]

    @property
    def files(self) -> AttachmentFiles:
        return AttachmentFiles(self.root)


@dataclass(frozen=True, slots=True)
class UploadState:
    sha256: str
    size: int
    content_type: str
    offset: int
    complete: bool


@dataclass(frozen=True, slots=True)
class Download:
    path: Path
    sha256: str
    size: int
    content_type: str


def _state(row: Attachment) -> UploadState:
    return UploadState(row.sha256, row.size_bytes, row.content_type, row.received_bytes,
                       row.complete)


def normalise_content_type(value: str) -> str:
    """``Image/JPEG; charset=x`` → ``image/jpeg``."""
    return value.split(";", 1)[0].strip().lower()


def declare(db: Database, settings: AttachmentSettings, principal: Principal, sha256: str,
            size: int, content_type: str) -> tuple[UploadState, bool]:
    """Announce an upload; returns its state and whether it is new.

    Content the court already holds comes back complete (nothing to send); an upload
    already begun comes back with the offset to resume from.
    """
    policy.require(principal, "attachment.upload")
    sha256, content_type = sha256.lower(), normalise_content_type(content_type)
    if content_type not in settings.content_types:
        raise ValidationFailed(f"{content_type} files are not accepted",
                               code="attachment_type_not_allowed",
                               errors={"content_type": [", ".join(sorted(settings.content_types))]})
    if size > settings.max_bytes:
        raise PayloadTooLarge(f"files may be at most {settings.max_bytes} bytes",
                              code="attachment_too_large", max_bytes=settings.max_bytes)
    files = settings.files
    with db.unit_of_work() as session:
        row = _locked(session, principal, sha256)
        if row is None:
            if not files.has_room_for(size):
                raise InsufficientStorage("the attachment store has no room for this file")
            row = Attachment(court_id=principal.court_id, sha256=sha256, size_bytes=size,
                             content_type=content_type, uploaded_by=principal.user_id)
            session.add(row)
            created = True
        else:
            _settle(session, files, row)
            if row.received_bytes == 0 and not row.complete:  # nothing sent yet: re-declare
                row.size_bytes, row.content_type = size, content_type
            elif (row.size_bytes, row.content_type) != (size, content_type):
                raise Conflict("this sha256 was declared with another size or type",
                               code="attachment_declaration_mismatch",
                               size=row.size_bytes, content_type=row.content_type)
            created = False
        try:
            session.commit()
        except sa.exc.IntegrityError as error:  # declared twice at the same moment
            raise Conflict("declared at the same moment by someone else; retry",
                           code="attachment_declaration_race") from error
        return _state(row), created


def upload_state(db: Database, settings: AttachmentSettings, principal: Principal,
                 sha256: str) -> UploadState:
    """How far an upload got: what ``HEAD`` answers before resuming."""
    policy.require(principal, "attachment.upload")
    with db.unit_of_work() as session:
        row = _existing(session, principal, sha256)
        _settle(session, settings.files, row)
        session.commit()
        return _state(row)


def append_chunk(db: Database, settings: AttachmentSettings, principal: Principal,
                 sha256: str, offset: int, data: bytes) -> UploadState:
    """Write ``data`` at ``offset``; the chunk that reaches the declared size triggers the
    hash check. A wrong offset is 409 with the current one; a mismatched hash is 422 and
    throws the upload away (offset back to 0)."""
    policy.require(principal, "attachment.upload")
    files = settings.files
    with db.unit_of_work() as session:
        row = _existing(session, principal, sha256)
        _settle(session, files, row)
        end = offset + len(data)
        if row.complete and end == row.size_bytes:
            session.commit()
            return _state(row)  # a retried last chunk: already done
        if row.complete or offset != row.received_bytes:
            session.commit()
            raise Conflict(f"the upload is at offset {row.received_bytes}",
                           code="upload_offset_mismatch", offset=row.received_bytes,
                           complete=row.complete)
        if end > row.size_bytes:
            raise PayloadTooLarge(f"the chunk runs past the declared size {row.size_bytes}",
                                  code="attachment_too_large", offset=row.received_bytes)
        files.write_chunk(row.court_id, row.sha256, offset, data)
        row.received_bytes = end
        if end == row.size_bytes:
            return _finish(session, files, principal, row)
        session.commit()
        return _state(row)


def _finish(session: Session, files: AttachmentFiles, principal: Principal,
            row: Attachment) -> UploadState:
    if files.part_digest(row.court_id, row.sha256) != row.sha256:
        files.discard_part(row.court_id, row.sha256)
        row.received_bytes = 0
        session.commit()
        raise ValidationFailed("the bytes received do not have the declared sha256; "
                               "the upload was discarded, send it again from offset 0",
                               code="attachment_hash_mismatch", offset=0)
    files.publish(row.court_id, row.sha256)
    row.complete, row.completed_at = True, utcnow()
    audit.record(session, court_id=row.court_id, action="attachment.upload",
                 actor_id=principal.user_id, device_id=principal.device_id,
                 subject_table="attachment", subject_id=row.sha256,
                 detail={"size": row.size_bytes, "content_type": row.content_type})
    session.commit()
    return _state(row)


def download(db: Database, settings: AttachmentSettings, principal: Principal,
             sha256: str) -> Download:
    """The file, for its uploader, the court's staff, and whoever may read a record that
    refers to it; 404 for everyone else."""
    scope = policy.require(principal, "attachment.read")
    if not SHA256.match(sha256):
        raise NotFound(code="attachment_not_found")
    query = sa.select(Attachment).where(
        Attachment.court_id == principal.court_id, Attachment.sha256 == sha256,
        Attachment.complete.is_(True))
    if scope != "court":
        query = query.where(sa.or_(Attachment.uploaded_by == principal.user_id,
                                   referenced_by_readable_record(principal, sha256)))
    with db.unit_of_work() as session:
        row = session.scalars(query).first()
    path = settings.files.final_path(principal.court_id, sha256)
    if row is None or not path.is_file():
        raise NotFound(code="attachment_not_found")
    return Download(path, row.sha256, row.size_bytes, row.content_type)


def _locked(session: Session, principal: Principal, sha256: str) -> Attachment | None:
    if not SHA256.match(sha256):
        return None
    return session.scalars(sa.select(Attachment).where(
        Attachment.court_id == principal.court_id, Attachment.sha256 == sha256,
    ).with_for_update()).first()


def _existing(session: Session, principal: Principal, sha256: str) -> Attachment:
    row = _locked(session, principal, sha256)
    if row is None:
        raise NotFound("declare the upload first (POST /api/v1/attachments)",
                       code="attachment_not_found")
    return row


def _settle(session: Session, files: AttachmentFiles, row: Attachment) -> None:
    """Make the row agree with the disk after a crash or an outside loss.

    A published file whose commit was lost completes the row (once its hash checks); a
    complete row whose file vanished goes back to offset 0 for a re-upload; bytes past
    the committed offset are ignored (the next chunk overwrites them), and a ``.part``
    shorter than the committed offset pulls the offset back to what is really there.
    """
    court, sha = row.court_id, row.sha256
    if row.complete:
        if not files.final_exists(court, sha):
            row.complete, row.completed_at, row.received_bytes = False, None, 0
        return
    if files.final_exists(court, sha):
        if files.final_digest(court, sha) == sha:
            files.discard_part(court, sha)
            row.complete, row.completed_at = True, utcnow()
            row.received_bytes = row.size_bytes = files.final_path(court, sha).stat().st_size
            return
        files.discard_final(court, sha)
    row.received_bytes = min(row.received_bytes, files.part_size(court, sha))
    session.flush()
