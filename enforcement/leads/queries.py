"""Lead lookups shared by the use cases: filters, duplicate detection, reference checks."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from geoalchemy2 import Geography
from sqlmodel import Session

from enforcement import policy
from enforcement.filtering import between, equal, in_box, one_of
from enforcement.models import Lead, LeadKind, LeadStatus, Urgency
from enforcement.paging import SortOrder, newest, oldest
from enforcement.principal import Principal

DUPLICATE_RADIUS_M = 500
DUPLICATE_WINDOW = timedelta(hours=48)


@dataclass(frozen=True, slots=True)
class LeadFilters:
    """What a list of leads can be narrowed by; ``None`` means "any"."""

    status: tuple[LeadStatus, ...] = ()
    kind: tuple[LeadKind, ...] = ()
    township_id: str | None = None
    village_grid_id: str | None = None
    case_id: str | None = None
    author_id: str | None = None
    created_from: datetime | None = None
    created_to: datetime | None = None
    bbox: tuple[float, float, float, float] | None = None

    def clauses(self) -> list[sa.ColumnElement[bool]]:
        return [
            *one_of((Lead.status, self.status), (Lead.kind, self.kind)),
            *equal((Lead.township_id, self.township_id),
                   (Lead.village_grid_id, self.village_grid_id),
                   (Lead.case_id, self.case_id), (Lead.author_id, self.author_id)),
            *between(Lead.created_at, self.created_from, self.created_to),
            *in_box(Lead.point, self.bbox),
        ]


def urgency_rank(column: Any) -> Any:
    """Urgency as a number, most urgent highest, so that it sorts."""
    return sa.case((column == Urgency.URGENT, 3), (column == Urgency.HIGH, 2),
                   (column == Urgency.NORMAL, 1), else_=0)


LEAD_ORDERS = {
    "newest": newest(Lead.created_at, Lead.id),
    "oldest": oldest(Lead.created_at, Lead.id),
    "observed": SortOrder("observed", (sa.func.coalesce(Lead.observed_at, Lead.created_at),
                                       Lead.id), (datetime, str)),
    "urgency": SortOrder("urgency", (urgency_rank(Lead.urgency), Lead.created_at, Lead.id),
                         (int, datetime, str)),
}
"""``newest``/``oldest`` reported; ``observed`` most recently seen first (when it was
seen, or reported if the author did not say); ``urgency`` most urgent first, newest first
within each level."""


def visible_lead(session: Session, principal: Principal, action: str, lead_id: str,
                 *, for_update: bool = False) -> Lead:
    return policy.visible_row(session, principal, action, Lead, lead_id, "lead_not_found",
                              for_update=for_update)


def possible_duplicate(session: Session, lead: Lead) -> str | None:
    """An earlier lead about the same debtor (or case) within 500 m and 48 hours.

    The same party is the strongest match; without a party, the same case. A lead about
    neither cannot be matched. Among matches the nearest in time wins.
    """
    if lead.point is None or (lead.party_id is None and lead.case_id is None):
        return None
    same = (Lead.party_id == lead.party_id) if lead.party_id else (Lead.case_id == lead.case_id)
    when = lead.observed_at or lead.created_at
    other_when = sa.func.coalesce(Lead.observed_at, Lead.created_at)
    return session.scalars(
        sa.select(Lead.id).where(
            Lead.court_id == lead.court_id, Lead.id != lead.id, same,
            Lead.deleted_at.is_(None), Lead.status != LeadStatus.DUPLICATE,
            other_when.between(when - DUPLICATE_WINDOW, when + DUPLICATE_WINDOW),
            sa.func.ST_DWithin(sa.cast(Lead.point, Geography),
                               sa.cast(lead.point, Geography), DUPLICATE_RADIUS_M),
        ).order_by(sa.func.abs(sa.extract("epoch", other_when - when)), Lead.id).limit(1)
    ).first()
