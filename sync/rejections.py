"""Refused records: what a device sent that the server would not take, kept for a person.

A push answers a refusal per mutation, but a phone library may ignore the answer's body
(WatermelonDB's ``synchronize()`` does) and receipts are pruned. So each refusal is also
kept here, one row per device and record (the latest mutation as sent, its code and how
often it came), and listed for its author and the court: ``open`` until a later push of
the record is taken (``fixed``) or a person lets it go (``discarded``, and the device is
told to drop it).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY, insert
from sqlalchemy.orm import Session

from sync.conflicts import court_rows
from sync.protocol import Mutation, MutationResult, Status
from sync.spec import Actor
from sync.tables import sync_rejection

STATUSES = ("open", "fixed", "discarded")


class RejectionNotFound(LookupError):
    code = "rejection_not_found"


class RejectionClosed(LookupError):
    code = "rejection_closed"


def note(session: Session, actor: Actor, device_id: str, mutations: Sequence[Mutation],
         results: Sequence[MutationResult]) -> None:
    """Keep the batch's refusals; close the open ones whose record this batch got in."""
    r = sync_rejection.c
    refused = [(m, res) for m, res in zip(mutations, results, strict=True)
               if res.status is Status.REJECTED]
    taken = [(m.table, m.id) for m, res in zip(mutations, results, strict=True)
             if res.status is not Status.REJECTED]
    if taken:  # the pairs as two arrays: not two parameters per record to adapt and parse
        session.execute(_FIXED, {
            "fixed_court": actor.court_id, "fixed_device": device_id, "fixed_by": actor.user_id,
            "taken_tables": [t for t, _ in taken], "taken_ids": [i for _, i in taken]})
    if not refused:
        return
    stmt = insert(sync_rejection)
    session.execute(stmt.on_conflict_do_update(
        index_elements=["court_id", "device_id", "table_name", "record_id"],
        set_={"op": stmt.excluded.op, "mutation": stmt.excluded.mutation,
              "code": stmt.excluded.code, "detail": stmt.excluded.detail,
              "author_id": stmt.excluded.author_id,
              "attempts": sa.case((r.status == "open", r.attempts + 1), else_=1),
              "first_refused_at": sa.case((r.status == "open", r.first_refused_at),
                                          else_=sa.func.now()),
              "status": "open", "last_refused_at": sa.func.now(), "resolved_by": None,
              "resolved_at": None, "discard_sent_in": None}),
        [{"court_id": actor.court_id, "id": str(uuid.uuid4()), "device_id": device_id,
          "table_name": m.table, "record_id": m.id, "author_id": actor.user_id,
          "op": m.op.value, "mutation": m.to_json(), "code": res.code or "rejected",
          "detail": res.detail} for m, res in refused])


_pairs = sa.func.unnest(
    sa.bindparam("taken_tables", type_=ARRAY(sa.String)),
    sa.bindparam("taken_ids", type_=ARRAY(sa.String)),
).table_valued("table_name", "record_id").render_derived()
_FIXED = sa.update(sync_rejection).where(
    sync_rejection.c.court_id == sa.bindparam("fixed_court"),
    sync_rejection.c.device_id == sa.bindparam("fixed_device"),
    sync_rejection.c.status == "open",
    sa.tuple_(sync_rejection.c.table_name, sync_rejection.c.record_id).in_(
        sa.select(_pairs.c.table_name, _pairs.c.record_id)),
).values(status="fixed", resolved_by=sa.bindparam("fixed_by"), resolved_at=sa.func.now())
"""Close the open refusals of records a push got in; built once (finding 33)."""


def listed(session: Session, court_id: str, *, author_id: str | None = None,
           status: str | None = "open", limit: int = 500) -> list[dict[str, Any]]:
    """A court's refusals, newest first; ``author_id`` narrows to one person's."""
    r = sync_rejection.c
    return court_rows(session, sync_rejection, court_id, author_id=author_id, status=status,
                      order_by=(r.last_refused_at.desc(), r.id), limit=limit)


def discard(session: Session, actor: Actor, rejection_id: str, *,
            author_only: bool) -> dict[str, Any]:
    """A person lets a refused record go: it is no longer listed as open, and the device
    that holds it is told to drop it on its next pull."""
    r = sync_rejection.c
    query = sa.select(sync_rejection).where(r.court_id == actor.court_id,
                                            r.id == rejection_id)
    if author_only:
        query = query.where(r.author_id == actor.user_id)
    found = session.execute(query.with_for_update()).mappings().first()
    if found is None:
        raise RejectionNotFound("no such refused record")
    if found["status"] != "open":
        raise RejectionClosed(f"this refusal is already {found['status']}")
    values = {"status": "discarded", "resolved_by": actor.user_id,
              "resolved_at": datetime.now(UTC)}
    session.execute(sa.update(sync_rejection).where(
        r.court_id == actor.court_id, r.id == rejection_id).values(values))
    return {**found, **values}


def _discards_waiting(actor: Actor, device_id: str | sa.ColumnElement[str],
                      last_pulled_at: int | sa.ColumnElement[int] | None
                      ) -> sa.ColumnElement[bool]:
    r = sync_rejection.c
    since = (last_pulled_at if isinstance(last_pulled_at, sa.ColumnElement)
             else last_pulled_at or 0)
    return sa.and_(r.court_id == actor.court_id, r.device_id == device_id,
                   r.status == "discarded",
                   sa.or_(r.discard_sent_in.is_(None), r.discard_sent_in > since))


def discards_pending(actor: Actor, device_id: str | sa.ColumnElement[str],
                     last_pulled_at: int | sa.ColumnElement[int] | None
                     ) -> sa.ColumnElement[bool]:
    """Whether ``discards_to_send`` has anything to send, as a clause a pull reads along
    with other values (an empty poll then skips that statement)."""
    return sa.exists().where(_discards_waiting(actor, device_id, last_pulled_at))


def discards_to_send(session: Session, actor: Actor, device_id: str,
                     last_pulled_at: int | None, timestamp: int) -> list[tuple[str, str]]:
    """Discarded records the device still holds, for a WatermelonDB pull to answer as
    deleted: until the device pulls past the pull that first sent them (a lost answer is
    sent again)."""
    r = sync_rejection.c
    rows = session.execute(sa.update(sync_rejection).where(
        _discards_waiting(actor, device_id, last_pulled_at)).values(
        discard_sent_in=sa.func.coalesce(r.discard_sent_in, timestamp),
    ).returning(r.table_name, r.record_id)).all()
    return [(table, record_id) for table, record_id in rows]
