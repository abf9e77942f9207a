"""The audit log: an append-only, hash-chained record of who did or read what.

Each court has its own chain. An entry's hash covers its content and the previous
entry's hash, and ``audit_head`` remembers the last entry, so editing, deleting,
inserting or cutting off entries all break the chain where ``verify_chain`` finds it.
The database refuses UPDATE and DELETE on ``audit_log`` (a trigger, see the migration
``audit_log_append_only``): the application can only append.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlmodel import Session

from enforcement.errors import NotFound
from enforcement.infrastructure.db import Database
from enforcement.models import AuditEntry, AuditHead, Court, new_id, utcnow

GENESIS_HASH = "0" * 64


def entry_hash(prev_hash: str, court_id: str, seq: int, at: datetime, actor_id: str | None,
               action: str, subject_table: str | None, subject_id: str | None,
               detail: dict[str, Any]) -> str:
    body = json.dumps(
        [prev_hash, court_id, seq, at.astimezone(UTC).isoformat(), actor_id, action,
         subject_table, subject_id, detail],
        ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str,
    )
    return hashlib.sha256(body.encode()).hexdigest()


def record(
    session: Session,
    *,
    court_id: str,
    action: str,
    actor_id: str | None = None,
    device_id: str | None = None,
    subject_table: str | None = None,
    subject_id: str | None = None,
    detail: dict[str, Any] | None = None,
    ip: str | None = None,
) -> AuditEntry:
    """Append an entry in the caller's transaction; it commits or rolls back with the change."""
    head = _lock_head(session, court_id)
    seq, prev_hash = (head.seq + 1, head.hash) if head else (1, GENESIS_HASH)
    at = utcnow()
    detail = detail or {}
    entry = AuditEntry(
        court_id=court_id, id=new_id(), seq=seq, at=at, actor_id=actor_id, device_id=device_id,
        action=action, subject_table=subject_table, subject_id=subject_id, detail=detail, ip=ip,
        prev_hash=prev_hash,
        hash=entry_hash(prev_hash, court_id, seq, at, actor_id, action, subject_table,
                        subject_id, detail),
    )
    session.add(entry)
    session.execute(
        insert(AuditHead).values(court_id=court_id, seq=seq, hash=entry.hash)
        .on_conflict_do_update(index_elements=["court_id"],
                               set_={"seq": seq, "hash": entry.hash})
    )
    return entry


def record_many(session: Session, *, court_id: str,
                entries: list[dict[str, Any]]) -> None:
    """Append several entries (each the keyword arguments of ``record`` but the court) in
    the caller's transaction, locking the chain once: a pull that shows many records
    unmasked writes its audit in a few statements, not a few per record."""
    if not entries:
        return
    head = _lock_head(session, court_id)
    seq, prev_hash = (head.seq, head.hash) if head else (0, GENESIS_HASH)
    rows = []
    for given in entries:
        seq, at, detail = seq + 1, utcnow(), given.get("detail") or {}
        values = {"court_id": court_id, "id": new_id(), "seq": seq, "at": at,
                  "actor_id": given.get("actor_id"), "device_id": given.get("device_id"),
                  "action": given["action"], "subject_table": given.get("subject_table"),
                  "subject_id": given.get("subject_id"), "detail": detail,
                  "ip": given.get("ip"), "prev_hash": prev_hash}
        values["hash"] = prev_hash = entry_hash(
            prev_hash, court_id, seq, at, values["actor_id"], values["action"],
            values["subject_table"], values["subject_id"], detail)
        rows.append(values)
    session.execute(insert(AuditEntry), rows)
    session.execute(
        insert(AuditHead).values(court_id=court_id, seq=seq, hash=prev_hash)
        .on_conflict_do_update(index_elements=["court_id"],
                               set_={"seq": seq, "hash": prev_hash})
    )


def _lock_head(session: Session, court_id: str) -> AuditHead | None:
    """The court's chain head, locked until the caller's transaction ends.

    The very first entry of a court has no head row to lock yet, so an advisory lock
    covers that case; afterwards the row lock alone serialises writers.
    """
    session.execute(sa.select(sa.func.pg_advisory_xact_lock(sa.func.hashtext("audit:" + court_id))))
    return session.execute(
        sa.select(AuditHead).where(AuditHead.court_id == court_id).with_for_update()
    ).scalar_one_or_none()


@dataclass(frozen=True, slots=True)
class ChainReport:
    court_id: str
    court_code: str
    entries: int
    broken_at: int | None = None
    """seq of the first entry that does not verify (or where the chain stops short)."""
    problem: str | None = None

    @property
    def ok(self) -> bool:
        return self.problem is None


def verify_chain(session: Session, court: Court) -> ChainReport:
    """Walk a court's chain in order and name the first entry that does not hold."""
    head = session.get(AuditHead, court.id)
    expected_prev, expected_seq, count = GENESIS_HASH, 1, 0
    entries = session.execute(
        sa.select(AuditEntry).where(AuditEntry.court_id == court.id)
        .order_by(AuditEntry.seq).execution_options(yield_per=1000)
    ).scalars()
    try:
        for entry in entries:
            count += 1
            problem = _check(entry, expected_seq, expected_prev)
            if problem:
                return ChainReport(court.id, court.code, count, expected_seq, problem)
            expected_prev, expected_seq = entry.hash, entry.seq + 1
    finally:
        entries.close()
    last_seq = expected_seq - 1
    if (head.seq if head else 0) != last_seq or (head and head.hash != expected_prev):
        return ChainReport(court.id, court.code, count, last_seq + 1,
                           f"chain ends at {last_seq} but its head says {head.seq if head else 0}")
    return ChainReport(court.id, court.code, count)


def _check(entry: AuditEntry, expected_seq: int, expected_prev: str) -> str | None:
    if entry.seq != expected_seq:
        return f"entry {expected_seq} is missing (next is {entry.seq})"
    if entry.prev_hash != expected_prev:
        return f"entry {entry.seq} does not follow the entry before it"
    recomputed = entry_hash(entry.prev_hash, entry.court_id, entry.seq, entry.at,
                            entry.actor_id, entry.action, entry.subject_table,
                            entry.subject_id, entry.detail)
    if recomputed != entry.hash:
        return f"entry {entry.seq} was altered (hash mismatch)"
    return None


def verify_courts(db: Database, court_code: str | None = None) -> list[ChainReport]:
    """Verify the chain of one court (by code) or of every court."""
    with db.unit_of_work() as session:
        query = sa.select(Court).order_by(Court.code)
        if court_code:
            query = query.where(Court.code == court_code)
        courts = list(session.execute(query).scalars())
        if court_code and not courts:
            raise NotFound(f"no court with code {court_code}", code="court_not_found")
        return [verify_chain(session, court) for court in courts]
