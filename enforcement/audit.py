"""The audit log: an append-only, hash-chained record of who did or read what.

Each court has its own chain. An entry's hash covers its content and the previous
entry's hash, so deleting or editing an entry breaks every hash after it.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

from enforcement.models import AuditEntry, new_id, utcnow

GENESIS_HASH = "0" * 64


def entry_hash(prev_hash: str, court_id: str, seq: int, at: datetime, actor_id: str | None,
               action: str, subject_table: str | None, subject_id: str | None,
               detail: dict[str, Any]) -> str:
    body = json.dumps(
        [prev_hash, court_id, seq, at.isoformat(), actor_id, action, subject_table, subject_id,
         detail],
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
    # One writer per court chain at a time, held until the caller's transaction ends.
    session.execute(sa.select(sa.func.pg_advisory_xact_lock(sa.func.hashtext("audit:" + court_id))))
    last = session.execute(
        sa.select(AuditEntry.seq, AuditEntry.hash)
        .where(AuditEntry.court_id == court_id)
        .order_by(AuditEntry.seq.desc())
        .limit(1)
    ).first()
    seq, prev_hash = (last.seq + 1, last.hash) if last else (1, GENESIS_HASH)
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
    return entry
