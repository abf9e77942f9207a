"""Node events on cases, and the deputies' side of them: the inbox, read marks and
witnessing.

Officers and judges record that a key node takes place (or took place) on a case: which
node, when, where, with a note. Deputies following the case see the events; those of
witnessable nodes land in their inbox, unread until they open them. A deputy records
once that they witnessed an event, after it has started.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlmodel import Session

from enforcement import policy
from enforcement.accounts.principal import Principal
from enforcement.errors import Conflict, ValidationFailed
from enforcement.infrastructure.db import Database
from enforcement.infrastructure.filtering import equal
from enforcement.infrastructure.paging import Page, Position, newest_first, page_of
from enforcement.models import (
    EnforcementCase,
    EnforcementNode,
    NodeEvent,
    NodeEventRead,
    NodeWitness,
    new_id,
    utcnow,
)
from enforcement.refs import require_refs
from enforcement.supervision import recorded

EVENT_FIELDS = ("node_id", "occurs_at", "place", "note")


@dataclass(frozen=True, slots=True)
class EventView:
    event: NodeEvent
    node: EnforcementNode
    witness_count: int


@dataclass(frozen=True, slots=True)
class InboxItem:
    """A witnessable node event of a case the deputy follows, as the deputy sees it."""

    event: NodeEvent
    node: EnforcementNode
    read: bool
    witnessed: bool
    upcoming: bool


def record_event(db: Database, principal: Principal, data: Mapping[str, Any]) -> EventView:
    """Record a node on a case of the caller's court; the node must be in use (not retired)."""
    policy.require(principal, "node_event.create")
    with db.unit_of_work() as session:
        require_refs(session, principal.court_id, {"case_id": (EnforcementCase, data["case_id"]),
                                                   "node_id": (EnforcementNode, data["node_id"])})
        node = session.get(EnforcementNode, (principal.court_id, data["node_id"]))
        assert node is not None  # require_refs found it
        if not node.active:
            raise ValidationFailed("the node is retired", code="node_retired", errors={
                "json": {"node_id": ["this node is retired from the catalogue"]}})
        event = NodeEvent(court_id=principal.court_id, case_id=data["case_id"],
                          recorded_by=principal.user_id,
                          **{k: v for k, v in data.items() if k in EVENT_FIELDS})
        session.add(event)
        session.flush()
        recorded(session, principal, "node_event.create", "node_event", event.id,
                 case_id=event.case_id, node=node.code)
        session.commit()
        return EventView(event, node, 0)


def list_events(db: Database, principal: Principal, case_id: str | None,
                after: Position | None, limit: int) -> Page[EventView]:
    """Court staff: every event of the court; deputies: those of cases they follow now."""
    with db.unit_of_work() as session:
        query = sa.select(NodeEvent).where(
            policy.scope_filter(principal, "node_event.read", NodeEvent),
            *equal((NodeEvent.case_id, case_id)))
        rows = session.scalars(newest_first(query, NodeEvent.created_at, NodeEvent.id, after,
                                            limit)).all()
        page = page_of(rows, limit)
        return Page(_views(session, page.items), page.next_position)


def get_event(db: Database, principal: Principal, event_id: str) -> EventView:
    with db.unit_of_work() as session:
        return _views(session, [_visible(session, principal, "node_event.read", event_id)])[0]


def inbox(db: Database, principal: Principal, unread_only: bool,
          after: Position | None, limit: int) -> Page[InboxItem]:
    """A deputy's inbox: witnessable node events of the cases they follow now, newest
    recorded first, each marked read or not, witnessed or not, upcoming or past."""
    policy.require(principal, "node_event.witness")
    with db.unit_of_work() as session:
        read = _mine(NodeEventRead, principal)
        witnessed = _mine(NodeWitness, principal)
        query = (
            sa.select(NodeEvent, EnforcementNode, read.label("read"),
                      witnessed.label("witnessed"))
            .join(EnforcementNode, sa.and_(EnforcementNode.court_id == NodeEvent.court_id,
                                           EnforcementNode.id == NodeEvent.node_id))
            .where(policy.scope_filter(principal, "node_event.witness", NodeEvent),
                   EnforcementNode.witnessable.is_(True))
        )
        if unread_only:
            query = query.where(~read)
        rows = session.execute(newest_first(query, NodeEvent.created_at, NodeEvent.id, after,
                                            limit)).all()
        page = page_of(rows, limit, lambda r: (r[0].created_at, r[0].id))
        now = utcnow()
        items = [InboxItem(event, node, is_read, is_witnessed, event.occurs_at > now)
                 for event, node, is_read, is_witnessed in page.items]
        return Page(items, page.next_position)


def mark_read(db: Database, principal: Principal, event_id: str) -> None:
    """The deputy opened the event; marking it again changes nothing."""
    with db.unit_of_work() as session:
        event = _visible(session, principal, "node_event.witness", event_id)
        session.execute(insert(NodeEventRead).values(
            court_id=event.court_id, id=new_id(), node_event_id=event.id,
            deputy_id=principal.user_id).on_conflict_do_nothing(
            index_elements=["court_id", "node_event_id", "deputy_id"]))
        session.commit()


def witness(db: Database, principal: Principal, event_id: str,
            data: Mapping[str, Any]) -> NodeWitness:
    """The deputy was there (现场见证). Once per event; not before it starts; only nodes
    the catalogue marks witnessable."""
    with db.unit_of_work() as session:
        event = _visible(session, principal, "node_event.witness", event_id)
        node = session.get(EnforcementNode, (event.court_id, event.node_id))
        assert node is not None  # the event's foreign key
        if not node.witnessable:
            raise Conflict("deputies do not witness this node", code="node_not_witnessable")
        witnessed_at = data.get("witnessed_at") or utcnow()
        if witnessed_at < event.occurs_at:
            raise Conflict("the event has not taken place yet", code="node_event_upcoming",
                           occurs_at=event.occurs_at.isoformat())
        witness_row = NodeWitness(court_id=event.court_id, node_event_id=event.id,
                                  deputy_id=principal.user_id, witnessed_at=witnessed_at,
                                  note=data.get("note", ""))
        session.add(witness_row)
        try:
            session.flush()
        except sa.exc.IntegrityError as error:
            raise Conflict("you already witnessed this event", code="already_witnessed") from error
        session.execute(insert(NodeEventRead).values(
            court_id=event.court_id, id=new_id(), node_event_id=event.id,
            deputy_id=principal.user_id).on_conflict_do_nothing(
            index_elements=["court_id", "node_event_id", "deputy_id"]))
        recorded(session, principal, "node_event.witness", "node_witness", witness_row.id,
                 node_event_id=event.id, case_id=event.case_id)
        session.commit()
        return witness_row


def _mine(model: Any, principal: Principal) -> Any:
    """EXISTS: the caller has a ``model`` row (read mark, witness) for the event."""
    return sa.select(model.id).where(
        model.court_id == NodeEvent.court_id, model.node_event_id == NodeEvent.id,
        model.deputy_id == principal.user_id).exists()


def _visible(session: Session, principal: Principal, action: str, event_id: str) -> NodeEvent:
    return policy.visible_row(session, principal, action, NodeEvent, event_id,
                              "node_event_not_found")


def _views(session: Session, events: list[NodeEvent]) -> list[EventView]:
    """Nodes and witness counts of many events in two queries."""
    if not events:
        return []
    court_id = events[0].court_id
    nodes = {n.id: n for n in session.scalars(sa.select(EnforcementNode).where(
        EnforcementNode.court_id == court_id,
        EnforcementNode.id.in_({e.node_id for e in events})))}
    counts = dict(session.execute(
        sa.select(NodeWitness.node_event_id, sa.func.count())
        .where(NodeWitness.court_id == court_id,
               NodeWitness.node_event_id.in_([e.id for e in events]))
        .group_by(NodeWitness.node_event_id)).all())
    return [EventView(e, nodes[e.node_id], counts.get(e.id, 0)) for e in events]
