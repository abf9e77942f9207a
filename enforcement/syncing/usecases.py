"""Sync use cases: push a batch, pull changes, list and resolve conflicts.

Each opens the unit of work and commits once, so a batch is applied whole or not at all;
the engine (``sync``) does the merging, the specs (``syncing.registry``) do the writes.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa

from enforcement import policy
from enforcement.accounts.auth import Credentials, standing
from enforcement.accounts.principal import Principal
from enforcement.errors import Conflict, Forbidden, NotFound, ValidationFailed
from enforcement.infrastructure import audit
from enforcement.infrastructure.db import Database
from enforcement.infrastructure.ids import canonical_device_id
from enforcement.leads.settings import LeadSettings
from enforcement.models import Device, User, utcnow
from enforcement.syncing.registry import REGISTRY, registry_for
from sync import conflicts, engine, rejections
from sync import prune as prune_mod
from sync.conflicts import ConflictClosed, ConflictNotFound, Resolution, ResolutionInvalid
from sync.engine import AfterEach, PullResult
from sync.feed import InvalidCursor
from sync.opening import Admission
from sync.protocol import Mutation, MutationResult
from sync.scope import ResyncRequired
from sync.spec import Registry

SEEN_EVERY = timedelta(minutes=1)


def push(db: Database, settings: LeadSettings, principal: Principal, device_id: str,
         schema_version: int, mutations: Sequence[Mutation], *,
         registry: Registry | None = None,
         after_each: AfterEach | None = None) -> list[MutationResult]:
    """Apply a device's batch in one transaction, under the court's ``settings``; one
    result per mutation. ``registry``: a test's variation of ``registry_for(settings)``."""
    if canonical_device_id(device_id) != principal.device_id.lower():
        raise Forbidden("push from the device you signed in with", code="device_mismatch")
    device_id = principal.device_id
    with db.unit_of_work() as session:
        results = engine.push(session, registry or registry_for(settings), principal,
                              device_id, schema_version, mutations, after_each=after_each)
        session.execute(_DEVICE_SYNCED, {  # one statement, not a load and a flush
            "device_court": principal.court_id, "device": device_id,
            "version": schema_version, "now": utcnow()})
        session.commit()
        return results


_DEVICE_SYNCED = sa.update(Device).where(
    Device.court_id == sa.bindparam("device_court"), Device.id == sa.bindparam("device"),
).values(schema_version=sa.bindparam("version"), last_seen_at=sa.bindparam("now")
          ).execution_options(synchronize_session=False)
"""The device's schema version and last sync, after each push; built once (finding 33)."""


def pull(db: Database, caller: Principal | Credentials, cursor: str | None, limit: int,
         schema_version: int, *, registry: Registry = REGISTRY) -> PullResult:
    """Changes in the caller's scope since ``cursor`` (none: a bootstrap), with evictions
    of records that left it; remembers what the device now holds, so it commits. The
    caller's sign-in is checked by the pull's first statement, which also tells when the
    device was last seen: an up-to-date phone's poll is that one statement
    (bench/profile-findings.md, finding 40)."""
    seen: list[datetime | None] = []
    actor, admission = pull_admission(caller, lambda row: seen.append(row.last_seen_at))
    with db.unit_of_work() as session:
        try:
            page = engine.pull(session, registry, actor, cursor, limit, schema_version,
                               device_id=actor.device_id, admission=admission,
                               read_first=db.read_once)
        except InvalidCursor as exc:
            raise ValidationFailed(str(exc), code=exc.code,
                                   errors={"cursor": [str(exc)]}) from exc
        except ResyncRequired as exc:
            raise Conflict(str(exc), code=exc.code, resync=True) from exc
        if not seen or seen[-1] is None or seen[-1] < utcnow() - SEEN_EVERY:
            _seen(session, actor)
        if session.in_transaction():  # an up-to-date phone's poll began none
            session.commit()
        return page


def pull_admission(caller: Principal | Credentials,
                   noted: Callable[[Any], None] | None = None
                   ) -> tuple[Principal, Admission | None]:
    """Who a pull runs as, and the admission its first statement checks the sign-in with
    (``sync.opening``; none for a caller already checked). ``noted`` sees the standing
    row of a caller it admits."""
    if isinstance(caller, Principal):
        return caller, None

    def admit(row: Any) -> Principal:
        principal = caller.admit(row)
        if noted is not None:
            noted(row)
        return principal

    return caller.claimed(), Admission(_standing, admit)


def _standing(actor: Any) -> Any:
    return standing(actor.court_id, actor.user_id, actor.device_id)


def _seen(session: Any, principal: Principal) -> None:
    """Note when the device last synced (for the health page), at most once a minute (a
    pull sends it only when its opening found it due; an UPDATE that matches no row writes
    nothing). A row locked by the device's own push in flight is skipped, not waited for
    (the push notes it)."""
    now = utcnow()
    due = sa.select(Device.id).where(
        Device.court_id == principal.court_id, Device.id == principal.device_id,
        sa.or_(Device.last_seen_at.is_(None), Device.last_seen_at < now - SEEN_EVERY),
    ).with_for_update(skip_locked=True)
    session.execute(sa.update(Device).where(
        Device.court_id == principal.court_id, Device.id.in_(due.scalar_subquery()),
    ).values(last_seen_at=now))


def list_conflicts(db: Database, principal: Principal, status: str | None = "open"
                   ) -> list[dict[str, Any]]:
    with db.unit_of_work() as session:
        return conflicts.list_conflicts(session, principal.court_id, status=status,
                                        author_id=_author_filter(principal))


def resolve_conflict(db: Database, settings: LeadSettings, principal: Principal,
                     conflict_id: str, resolution: Resolution, value: Any = None
                     ) -> dict[str, Any]:
    """Settle a conflict as the author or as the court; the record is written as the
    resolver, through the same hooks as a push, under the court's ``settings`` (taking a
    phone's edit of a deleted lead writes its position)."""
    with db.unit_of_work() as session:
        try:
            resolved = conflicts.resolve(session, registry_for(settings), principal,
                                         conflict_id, resolution, value,
                                         author_only=_author_filter(principal) is not None)
        except ConflictNotFound as exc:
            raise NotFound(str(exc), code=exc.code) from exc
        except (ConflictClosed, ResolutionInvalid) as exc:
            raise Conflict(str(exc), code=exc.code) from exc
        session.commit()
        return resolved


def list_rejections(db: Database, principal: Principal, status: str | None = "open"
                    ) -> list[dict[str, Any]]:
    """Records a device sent that the server refused: the caller's own, or every one of
    the court for officers and judges (``sync.rejections``)."""
    with db.unit_of_work() as session:
        rows = rejections.listed(session, principal.court_id, status=status,
                                 author_id=_author_filter(principal))
        names = dict(session.execute(sa.select(User.id, User.display_name).where(
            User.court_id == principal.court_id,
            User.id.in_({row["author_id"] for row in rows}))).all()) if rows else {}
        return [{**row, "author_name": names.get(row["author_id"])} for row in rows]


def discard_rejection(db: Database, principal: Principal, rejection_id: str
                      ) -> dict[str, Any]:
    """A person lets a refused record go; the device that holds it drops it on its next
    pull. Its author may, and the court's officers and judges."""
    with db.unit_of_work() as session:
        try:
            row = rejections.discard(session, principal, rejection_id,
                                     author_only=_author_filter(principal) is not None)
        except rejections.RejectionNotFound as exc:
            raise NotFound(str(exc), code=exc.code) from exc
        except rejections.RejectionClosed as exc:
            raise Conflict(str(exc), code=exc.code) from exc
        audit.record(session, court_id=principal.court_id, action="sync.rejection.discard",
                     actor_id=principal.user_id, device_id=principal.device_id,
                     subject_table="sync_rejection", subject_id=rejection_id,
                     detail={"table": row["table_name"], "record_id": row["record_id"],
                             "code": row["code"]})
        session.commit()
        return row


def _author_filter(principal: Principal) -> str | None:
    return None if principal.role in policy.COURT_ROLES else principal.user_id


def prune(db: Database, horizon_days: int, *, dry_run: bool = False
          ) -> list[prune_mod.PruneReport]:
    """Prune tombstones, receipts and scope snapshots older than the horizon that no active
    device needs (``sync.prune``); a dry run counts and writes nothing."""
    if horizon_days < 1:
        raise ValidationFailed("the horizon is at least one day",
                               errors={"horizon_days": ["at least 1"]})
    with db.unit_of_work() as session:
        now = session.execute(sa.select(sa.func.now())).scalar_one()
        reports = [prune_mod.prune_court(session, court_id, timedelta(days=horizon_days), now)
                   for court_id in prune_mod.courts(session)]
        if dry_run:
            session.rollback()
        else:
            session.commit()
        return reports
