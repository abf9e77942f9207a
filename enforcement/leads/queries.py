"""Lead lookups shared by the use cases: filters, duplicate detection, reference checks."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

from enforcement import policy
from enforcement.accounts.principal import Principal
from enforcement.grids.placement import lonlat
from enforcement.infrastructure.filtering import between, equal, in_box, one_of
from enforcement.infrastructure.paging import SortOrder, newest, oldest
from enforcement.models import Lead, LeadKind, LeadStatus, Urgency

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
    return possible_duplicates(session, lead.court_id, [lead])[0]


def possible_duplicates(session: Session, court_id: str, leads: Sequence[Any]
                        ) -> list[str | None]:
    """``possible_duplicate`` for new leads written together, in one query: each is
    matched against the stored leads and the batch's leads before it, as if they had been
    written one after the other. ``leads`` are Leads or plain records with their fields."""
    found: list[str | None] = [None] * len(leads)
    batch = [(k, lead, xy) for k, lead in enumerate(leads)
             if (lead.party_id is not None or lead.case_id is not None)
             and (xy := lonlat(lead.point)) is not None]
    if not batch:
        return found
    rows = session.execute(_DUPLICATES, {
        "court": court_id, "duplicate": LeadStatus.DUPLICATE.value,
        "window": DUPLICATE_WINDOW, "radius": DUPLICATE_RADIUS_M,
        "ords": [k for k, _, _ in batch], "ids": [lead.id for _, lead, _ in batch],
        "parties": [lead.party_id for _, lead, _ in batch],
        "cases": [lead.case_id for _, lead, _ in batch],
        "whens": [lead.observed_at or lead.created_at for _, lead, _ in batch],
        "lons": [xy[0] for _, _, xy in batch], "lats": [xy[1] for _, _, xy in batch],
    })
    for k, match in rows:
        found[k] = match
    return found


_SAME_DEBTOR = """((b.party_id IS NOT NULL AND {c}.party_id = b.party_id)
                 OR (b.party_id IS NULL AND {c}.case_id = b.case_id))"""
_DUPLICATES = sa.text(f"""
    WITH b AS (
        SELECT n.*, ST_SetSRID(ST_MakePoint(n.lon, n.lat), 4326) AS geom
        FROM unnest(CAST(:ords AS int[]), CAST(:ids AS text[]), CAST(:parties AS text[]),
                    CAST(:cases AS text[]), CAST(:whens AS timestamptz[]),
                    CAST(:lons AS float8[]), CAST(:lats AS float8[]))
             AS n(ord, id, party_id, case_id, at, lon, lat)
    )
    SELECT b.ord, m.id FROM b
    JOIN LATERAL (
        SELECT c.id FROM (
            SELECT l.id, coalesce(l.observed_at, l.created_at) AS at, l.point AS geom
            FROM lead AS l
            WHERE l.court_id = :court AND l.id <> b.id AND {_SAME_DEBTOR.format(c="l")}
              AND l.deleted_at IS NULL AND l.status <> :duplicate
            UNION ALL
            SELECT e.id, e.at, e.geom FROM b AS e
            WHERE e.ord < b.ord AND {_SAME_DEBTOR.format(c="e")}
        ) AS c
        WHERE c.at BETWEEN b.at - CAST(:window AS interval) AND b.at + CAST(:window AS interval)
          AND ST_DWithin(c.geom::geography, b.geom::geography, :radius)
        ORDER BY abs(extract(epoch FROM c.at - b.at)), c.id
        LIMIT 1
    ) AS m ON true
""")
