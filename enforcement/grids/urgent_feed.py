"""The urgent feed: what officers (and judges) of a township must act on now.

Urgent sightings and urgent leads, newest first. The feed is a query over the sightings
and leads tables, not a queue filled later, so a record is in it as soon as the
transaction that stored it commits: no worker, no delay, nothing to lose.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from enforcement import policy
from enforcement.accounts.principal import Principal
from enforcement.grids.placement import lonlat
from enforcement.infrastructure.db import Database
from enforcement.infrastructure.paging import Page, Position, newest_first, page_of
from enforcement.models import Lead, LeadStatus, Sighting, Urgency

SETTLED_LEADS = (LeadStatus.REJECTED, LeadStatus.DUPLICATE, LeadStatus.CLOSED)
"""Leads that need no one's attention any more, urgent or not."""


@dataclass(frozen=True, slots=True)
class FeedItem:
    type: str
    id: str
    created_at: datetime
    occurred_at: datetime | None
    author_id: str
    case_id: str | None
    party_id: str | None
    debtor_text: str | None
    township_id: str | None
    village_grid_id: str | None
    text: str
    point: dict[str, float] | None


def _columns(model: Any, kind: str, occurred: Any, text: Any) -> list[Any]:
    return [sa.literal(kind).label("type"), model.id, model.created_at,
            occurred.label("occurred_at"), model.author_id, model.case_id, model.party_id,
            model.debtor_text, model.township_id, model.village_grid_id,
            text.label("text"), model.point]


def urgent_feed(db: Database, principal: Principal, township_id: str | None,
                after: Position | None, limit: int) -> Page[FeedItem]:
    """Urgent sightings and leads in the caller's townships, newest first."""
    policy.require(principal, "feed.read")
    court = principal.court_id
    sightings = sa.select(*_columns(Sighting, "sighting", Sighting.seen_at, Sighting.notes)).where(
        Sighting.court_id == court, Sighting.urgent.is_(True), Sighting.deleted_at.is_(None),
        policy.township_filter(principal, Sighting.township_id),
    )
    leads = sa.select(*_columns(Lead, "lead", Lead.observed_at, Lead.description)).where(
        Lead.court_id == court, Lead.urgency == Urgency.URGENT, Lead.deleted_at.is_(None),
        Lead.status.not_in(SETTLED_LEADS), policy.township_filter(principal, Lead.township_id),
    )
    if township_id is not None:
        sightings = sightings.where(Sighting.township_id == township_id)
        leads = leads.where(Lead.township_id == township_id)
    feed = sa.union_all(sightings, leads).subquery("feed")
    query = sa.select(feed)
    with db.unit_of_work() as session:
        rows = session.execute(
            newest_first(query, feed.c.created_at, feed.c.id, after, limit)).all()
    page = page_of(rows, limit)
    return Page([_item(row) for row in page.items], page.next_position)


def _item(row: Any) -> FeedItem:
    position = lonlat(row.point)
    return FeedItem(
        type=row.type, id=row.id, created_at=row.created_at, occurred_at=row.occurred_at,
        author_id=row.author_id, case_id=row.case_id, party_id=row.party_id,
        debtor_text=row.debtor_text, township_id=row.township_id,
        village_grid_id=row.village_grid_id, text=row.text,
        point=None if position is None else {"lon": position[0], "lat": position[1]},
    )
