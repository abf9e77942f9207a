"""Supervision by deputies (代表委员跟案监督, Pingtan report): the catalogue of key
enforcement nodes, node events on cases, the deputies who follow cases, what they
witness, evaluate and ask, the judges' answers, and the figures the court publishes.

Every write here leaves an audit entry in the same transaction (``recorded``).
"""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

from enforcement.accounts.principal import Principal
from enforcement.infrastructure import audit


def recorded(session: Session, principal: Principal, action: str, table: str,
             record_id: str, **detail: Any) -> None:
    """Audit a write by the caller, in the caller's transaction."""
    audit.record(session, court_id=principal.court_id, action=action,
                 actor_id=principal.user_id, device_id=principal.device_id,
                 subject_table=table, subject_id=record_id, detail=detail)
