"""Records that refer to attachments, for any table (``attachment_ref.record_table``).

A record lists the files it refers to by SHA-256 with an optional caption. Only complete
uploads of the record's court can be referred to, so no record ever points at a file that
is missing or unverified. Reading a record that refers to a file is what lets someone other
than its uploader download it: ``REFERRING_TABLES`` says, per table, which model and which
policy action decide who may read its records. Leads (an assistant's photos) and visits (a
field team's photos of what they found) refer to files; another table joins by adding a
line there and calling ``replace_refs`` / ``hang_files`` from its use cases.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY
from sqlmodel import Session

from enforcement import policy
from enforcement.accounts.principal import Principal
from enforcement.errors import ValidationFailed
from enforcement.models import Attachment, AttachmentRef, Lead, Visit, new_id
from enforcement.models.base import table_of

MAX_REFS = 50
"""Files one record may list."""

REFERRING_TABLES: dict[str, tuple[Any, str]] = {
    "lead": (Lead, "lead.read"),
    "visit": (Visit, "visit.read"),
}
"""record_table → (model, the action whose scope decides who reads its records)."""


@dataclass(frozen=True, slots=True)
class AttachedFile:
    """A file as a record shows it."""

    sha256: str
    content_type: str
    size: int
    caption: str | None

    @property
    def url(self) -> str:
        return f"/api/v1/attachments/{self.sha256}"


def replace_refs(session: Session, court_id: str, record_table: str, record_id: str,
                 items: Sequence[Mapping[str, Any]]) -> list[AttachedFile]:
    """Make the record refer to exactly ``items`` (``{sha256, caption?}``), in that order.

    A hash that is not a complete upload of the court is a 422 naming the item; nothing
    is written then (the caller's transaction rolls back).
    """
    if record_table not in REFERRING_TABLES:
        raise ValueError(f"{record_table} does not refer to attachments")
    shas, complete = _checked(session, court_id, items)
    session.execute(sa.delete(AttachmentRef).where(
        AttachmentRef.court_id == court_id, AttachmentRef.record_table == record_table,
        AttachmentRef.record_id == record_id))
    for position, (item, sha) in enumerate(zip(items, shas, strict=True)):
        session.add(AttachmentRef(court_id=court_id, id=_ordered_id(position), sha256=sha,
                                  record_table=record_table, record_id=record_id,
                                  caption=item.get("caption")))
    session.flush()
    return [AttachedFile(sha, complete[sha].content_type, complete[sha].size_bytes,
                         item.get("caption")) for item, sha in zip(items, shas, strict=True)]


def refer_new(session: Session, court_id: str, record_table: str,
              items_by_record: Mapping[str, Sequence[Mapping[str, Any]]]
              ) -> dict[str, list[AttachedFile]]:
    """``replace_refs`` for records just created, all at once: they refer to nothing yet,
    so one query for the files and one INSERT serve the whole batch, not a DELETE and a
    flush per record (a push of 1,000 new leads sent 1,000 of them). Same 422."""
    if record_table not in REFERRING_TABLES:
        raise ValueError(f"{record_table} does not refer to attachments")
    files: dict[str, list[AttachedFile]] = {record_id: [] for record_id in items_by_record}
    listed = {record_id: items for record_id, items in items_by_record.items() if items}
    complete = _complete(session, court_id, [
        str(item["sha256"]).lower() for items in listed.values() for item in items])
    rows: list[dict[str, Any]] = []
    for record_id, items in listed.items():
        shas, _ = _checked(session, court_id, items, complete)
        for position, (item, sha) in enumerate(zip(items, shas, strict=True)):
            rows.append({"court_id": court_id, "id": _ordered_id(position), "sha256": sha,
                         "record_table": record_table, "record_id": record_id,
                         "caption": item.get("caption")})
            files[record_id].append(AttachedFile(sha, complete[sha].content_type,
                                                 complete[sha].size_bytes, item.get("caption")))
    if rows:
        session.execute(sa.insert(table_of(AttachmentRef)), rows)
    return files


def check_refs(session: Session, court_id: str, items: Sequence[Mapping[str, Any]]) -> None:
    """The 422 ``replace_refs`` would raise for ``items``, before anything is written (a
    batch validates every record first, then writes them all)."""
    _checked(session, court_id, items)


def _checked(session: Session, court_id: str, items: Sequence[Mapping[str, Any]],
             complete: dict[str, Attachment] | None = None
             ) -> tuple[list[str], dict[str, Attachment]]:
    """The items' hashes, or the 422; ``complete``: the court's complete uploads among
    them, when the caller has read them already."""
    shas = [str(item["sha256"]).lower() for item in items]
    errors: dict[str, list[str]] = {}
    if len(shas) > MAX_REFS:
        raise ValidationFailed(f"at most {MAX_REFS} attachments",
                               errors={"attachments": [f"at most {MAX_REFS} attachments"]})
    if complete is None:
        complete = _complete(session, court_id, shas)
    seen: set[str] = set()
    for index, sha in enumerate(shas):
        if sha in seen:
            errors[str(index)] = ["listed twice"]
        elif sha not in complete:
            errors[str(index)] = ["no complete upload with this sha256; finish uploading first"]
        seen.add(sha)
    if errors:
        raise ValidationFailed("some attachments are not complete uploads of this court",
                               code="attachment_not_uploaded", errors={"attachments": errors})
    return shas, complete


def refs_of(session: Session, court_id: str, record_table: str,
            record_ids: Iterable[str]) -> dict[str, list[AttachedFile]]:
    """The files each record refers to (every id present, possibly with an empty list)."""
    ids = list(record_ids)
    found: dict[str, list[AttachedFile]] = {record_id: [] for record_id in ids}
    if not ids:
        return found
    rows = session.execute(
        sa.select(AttachmentRef.record_id, AttachmentRef.caption, Attachment.sha256,
                  Attachment.content_type, Attachment.size_bytes)
        .join(Attachment, sa.and_(Attachment.court_id == AttachmentRef.court_id,
                                  Attachment.sha256 == AttachmentRef.sha256))
        .where(AttachmentRef.court_id == court_id, AttachmentRef.record_table == record_table,
               # one array, not 1,000 placeholders for psycopg to parse per sync page
               AttachmentRef.record_id == sa.any_(
                   sa.bindparam("record_ids", ids, type_=ARRAY(sa.String))))
        .order_by(AttachmentRef.record_id, AttachmentRef.id)
    )
    for row in rows:
        found[row.record_id].append(
            AttachedFile(row.sha256, row.content_type, row.size_bytes, row.caption))
    return found


def show_files(record: Any, files: list[AttachedFile]) -> Any:
    """Hang the record's files on it as ``attachments`` for the API to serialise: a plain
    attribute, not a column, so nothing is written (SQLModel refuses unknown attributes
    through ``setattr``)."""
    record.__dict__["attachments"] = files
    return record


def files_json(files: Sequence[AttachedFile]) -> list[dict[str, Any]]:
    """Files as a phone stores them: ``[{sha256, caption}]``."""
    return [{"sha256": f.sha256, "caption": f.caption} for f in files]


def normalise_refs(items: Any) -> list[dict[str, Any]]:
    """A phone's ``attachments`` value in canonical form (lower-case hashes), so equal lists
    compare equal in the merge; raises ValueError on a malformed list."""
    if items is None:
        return []
    if not isinstance(items, list) or len(items) > MAX_REFS:
        raise ValueError(f"attachments must be a list of at most {MAX_REFS}")
    out = []
    for item in items:
        sha, caption = str(item["sha256"]).lower(), item.get("caption")
        if len(sha) != 64 or any(c not in "0123456789abcdef" for c in sha):
            raise ValueError("sha256 must be 64 hexadecimal digits")
        if caption is not None and (not isinstance(caption, str) or len(caption) > 200):
            raise ValueError("caption must be text of at most 200 characters")
        out.append({"sha256": sha, "caption": caption})
    return out


def hang_files(session: Session, record_table: str, records: Sequence[Any]) -> Sequence[Any]:
    """Each record's files hung on it (``show_files``), one query for all of them."""
    if records:
        files = refs_of(session, records[0].court_id, record_table, [r.id for r in records])
        for record in records:
            show_files(record, files[record.id])
    return records


def referenced_by_readable_record(principal: Principal, sha256: str) -> sa.ColumnElement[bool]:
    """True when a record the caller may read refers to the file."""
    clauses = []
    for table, (model, action) in REFERRING_TABLES.items():
        if not policy.allows(principal, action):
            continue
        readable = sa.select(model.id).where(policy.scope_filter(principal, action, model))
        if hasattr(model, "deleted_at"):
            readable = readable.where(model.deleted_at.is_(None))
        clauses.append(sa.exists().where(
            AttachmentRef.court_id == principal.court_id, AttachmentRef.sha256 == sha256,
            AttachmentRef.record_table == table, AttachmentRef.record_id.in_(readable)))
    return sa.or_(sa.false(), *clauses)


def _ordered_id(position: int) -> str:
    """A UUID whose first eight hex digits are the position in the record's list, so that
    ordering by id gives the order the client sent (no position column needed)."""
    return f"{position:08x}{new_id()[8:]}"


def _complete(session: Session, court_id: str, shas: Sequence[str]) -> dict[str, Attachment]:
    if not shas:
        return {}
    rows = session.scalars(sa.select(Attachment).where(
        Attachment.court_id == court_id, Attachment.sha256.in_(set(shas)),
        Attachment.complete.is_(True)))
    return {row.sha256: row for row in rows}
