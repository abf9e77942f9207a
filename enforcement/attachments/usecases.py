"""Attachments: resumable, content-addressed uploads of photos, recordings and signed forms.

A phone declares a file by its SHA-256, size and type, sends it in chunks at offsets,
asks for the offset reached after any failure, and the last chunk makes the server check
the hash. The same content is stored once per court: declaring a file the court already
holds completes at once. The database row says how far an upload got; the bytes are in
``attachment_files``. Each use case holds the row's lock while it touches the files, so
two uploads of one file never interleave, and reconciles the row with the disk first,
so a server killed at any point resumes from an offset that is really on disk. An upload
left unfinished expires (``attachment_expiry``); one may be given up on purpose
(``terminate``). The HTTP protocols (tus 1.0 and the older declare-and-PATCH form) are
``api.attachments``' business: these use cases serve both.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import sqlalchemy as sa
from sqlmodel import Session

from enforcement import policy
from enforcement.accounts.principal import Principal
from enforcement.attachments.expiry import drop_upload, expiry, is_abandoned
from enforcement.attachments.files import AttachmentFiles
from enforcement.attachments.refs import referenced_by_readable_record
from enforcement.errors import (
    Conflict,
    Forbidden,
    Gone,
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
    ``ATTACHMENT_CONTENT_TYPES``), and how long an unfinished upload may sit untouched
    (``ATTACHMENT_UPLOAD_EXPIRY_HOURS``)."""

    root: Path
    max_bytes: int
    content_types: frozenset[str]
    upload_ttl: timedelta = timedelta(days=7)

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
    file_name: str | None = None
    expires_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class Download:
    path: Path
    sha256: str
    size: int
    content_type: str


def _state(row: Attachment) -> UploadState:
    return UploadState(row.sha256, row.size_bytes, row.content_type, row.received_bytes,
                       row.complete, row.file_name, row.expires_at)


def normalise_content_type(value: str) -> str:
    """``Image/JPEG; charset=x`` → ``image/jpeg``."""
    return value.split(";", 1)[0].strip().lower()


def declare(db: Database, settings: AttachmentSettings, principal: Principal, sha256: str,
            size: int, content_type: str, file_name: str | None = None,
            ) -> tuple[UploadState, bool]:
    """Announce an upload; returns its state and whether it is new.

    Content the court already holds comes back complete (nothing to send); an upload
    already begun comes back with the offset to resume from.
    """
    with db.unit_of_work() as session:
        row, created = _declare(session, settings, principal, sha256, size, content_type,
                                file_name)
        session.commit()
        return _state(row), created


def create(db: Database, settings: AttachmentSettings, principal: Principal, sha256: str,
           size: int, content_type: str, file_name: str | None, data: bytes,
           ) -> tuple[UploadState, bool]:
    """Declare an upload and write its first bytes in one transaction, under the row's
    lock (tus's ``creation-with-upload``): a chunk that cannot be kept (a full disk) keeps
    nothing of the request.

    ``data`` starts at offset 0; when the court already holds part of this content, only
    the bytes past its offset are written, and a complete file ignores them all.
    """
    files = settings.files
    with db.unit_of_work() as session:
        row, created = _declare(session, settings, principal, sha256, size, content_type,
                                file_name)
        offset = row.received_bytes
        if row.complete or offset >= len(data):
            session.commit()
            return _state(row), created
        if len(data) > row.size_bytes:
            raise PayloadTooLarge(f"the chunk runs past the declared size {row.size_bytes}",
                                  code="attachment_too_large", offset=offset)
        _write(session, files, settings, principal, row, offset, data[offset:])
        return _state(row), created


def _declare(session: Session, settings: AttachmentSettings, principal: Principal,
             sha256: str, size: int, content_type: str, file_name: str | None,
             ) -> tuple[Attachment, bool]:
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
    row = _locked(session, principal, sha256)
    if row is not None and is_abandoned(row):  # expired: declared afresh
        drop_upload(session, files, row)
        row = None
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
    row.file_name = row.file_name or (file_name or "")[:255] or None
    if not row.complete:
        row.expires_at = expiry(settings.upload_ttl)
    try:
        session.flush()  # a new row waits here for one being declared at the same moment
    except sa.exc.IntegrityError as error:
        raise Conflict("declared at the same moment by someone else; retry",
                       code="attachment_declaration_race") from error
    return row, created


def upload_state(db: Database, settings: AttachmentSettings, principal: Principal,
                 sha256: str) -> UploadState:
    """How far an upload got: what ``HEAD`` answers before resuming."""
    policy.require(principal, "attachment.upload")
    with db.unit_of_work() as session:
        row = _existing(session, settings.files, principal, sha256)
        _settle(session, settings.files, row)
        session.commit()
        return _state(row)


def terminate(db: Database, settings: AttachmentSettings, principal: Principal,
              sha256: str) -> None:
    """Give up an unfinished upload and free its bytes (tus ``termination``).

    For its uploader and the court's officers and judges. A complete file stays (409
    ``attachment_complete``): records may list it and it is stored once for everyone.
    """
    policy.require(principal, "attachment.upload")
    files = settings.files
    with db.unit_of_work() as session:
        row = _existing(session, files, principal, sha256)
        _settle(session, files, row)
        if row.complete:
            session.commit()
            raise Conflict("a complete file cannot be deleted: records may refer to it",
                           code="attachment_complete")
        if (row.uploaded_by != principal.user_id
                and policy.scope_of(principal.role, "attachment.read") != "court"):
            raise Forbidden("only whoever began this upload may give it up",
                            code="attachment_not_yours")
        drop_upload(session, files, row)
        session.commit()


def append_chunk(db: Database, settings: AttachmentSettings, principal: Principal,
                 sha256: str, offset: int, data: bytes, *,
                 complete_answers_any: bool = False) -> UploadState:
    """Write ``data`` at ``offset``; the chunk that reaches the declared size triggers the
    hash check. A wrong offset is 409 with the current one; a mismatched hash is 422 and
    throws the upload away (offset back to 0).

    A complete file answers its state to a retried last chunk and, with
    ``complete_answers_any`` (tus clients, which learn from ``Upload-Offset`` that they are
    done), to any chunk: content the court already holds needs nothing more."""
    policy.require(principal, "attachment.upload")
    files = settings.files
    with db.unit_of_work() as session:
        row = _existing(session, files, principal, sha256)
        _settle(session, files, row)
        end = offset + len(data)
        if row.complete and (end == row.size_bytes or complete_answers_any):
            session.commit()
            return _state(row)  # a retried last chunk, or known content: already done
        if row.complete or offset != row.received_bytes:
            session.commit()
            raise Conflict(f"the upload is at offset {row.received_bytes}",
                           code="upload_offset_mismatch", offset=row.received_bytes,
                           complete=row.complete)
        if end > row.size_bytes:
            raise PayloadTooLarge(f"the chunk runs past the declared size {row.size_bytes}",
                                  code="attachment_too_large", offset=row.received_bytes)
        _write(session, files, settings, principal, row, offset, data)
        return _state(row)


def _write(session: Session, files: AttachmentFiles, settings: AttachmentSettings,
           principal: Principal, row: Attachment, offset: int, data: bytes) -> None:
    """Put a chunk at ``offset`` (the row's), move the offset on and commit; the last
    chunk has the hash checked first."""
    end = offset + len(data)
    files.write_chunk(row.court_id, row.sha256, offset, data)
    row.received_bytes = end
    row.expires_at = expiry(settings.upload_ttl)
    if end == row.size_bytes:
        _finish(session, files, principal, row)
    else:
        session.commit()


def _finish(session: Session, files: AttachmentFiles, principal: Principal,
            row: Attachment) -> None:
    if files.part_digest(row.court_id, row.sha256) != row.sha256:
        files.discard_part(row.court_id, row.sha256)
        row.received_bytes = 0
        session.commit()
        raise ValidationFailed("the bytes received do not have the declared sha256; "
                               "the upload was discarded, send it again from offset 0",
                               code="attachment_hash_mismatch", offset=0)
    files.publish(row.court_id, row.sha256)
    row.complete, row.completed_at, row.expires_at = True, utcnow(), None
    audit.record(session, court_id=row.court_id, action="attachment.upload",
                 actor_id=principal.user_id, device_id=principal.device_id,
                 subject_table="attachment", subject_id=row.sha256,
                 detail={"size": row.size_bytes, "content_type": row.content_type})
    session.commit()


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


def _existing(session: Session, files: AttachmentFiles, principal: Principal,
              sha256: str) -> Attachment:
    """The upload, locked; an expired one is deleted now and answers 410."""
    row = _locked(session, principal, sha256)
    if row is None:
        raise NotFound("declare the upload first (POST /api/v1/attachments)",
                       code="attachment_not_found")
    if is_abandoned(row):
        drop_upload(session, files, row)
        session.commit()
        raise Gone("this upload was left unfinished too long and expired; "
                   "create it again and send it from offset 0", code="upload_expired")
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
            row.complete, row.completed_at, row.expires_at = True, utcnow(), None
            row.received_bytes = row.size_bytes = files.final_path(court, sha).stat().st_size
            return
        files.discard_final(court, sha)
    row.received_bytes = min(row.received_bytes, files.part_size(court, sha))
    session.flush()
