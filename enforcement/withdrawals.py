"""Taking back a field record (a lead, a sighting, a mediation note): a tombstone, never a
hard delete, so phones learn of it and the audit log says who and when."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

from enforcement.accounts.principal import Principal
from enforcement.infrastructure import audit
from enforcement.models import utcnow


def withdraw(session: Session, principal: Principal, row: Any, action: str,
             **detail: Any) -> None:
    """Soft-delete ``row`` in the caller's transaction, with an audit entry ``action``
    holding ``detail`` and the row's new version. REST and sync pushes both withdraw
    through here, so both leave the same trace."""
    row.deleted_at = utcnow()
    row.version += 1
    row.updated_at = row.deleted_at
    audit.record(session, court_id=row.court_id, action=action, actor_id=principal.user_id,
                 device_id=principal.device_id, subject_table=row.__tablename__,
                 subject_id=row.id, detail={**detail, "version": row.version})
    session.flush()
