"""Rows of the concentrated enforcement rounds: the round, its teams, targets and visits,
and the outcomes recorded on cases (by rounds, leads and officers alike)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from shapely.geometry import MultiPolygon, Point

from enforcement.models import OutcomeKind, RoundStatus, VisitResult
from seed.records.field import PointReport


@dataclass(slots=True, kw_only=True)
class DemoRound:
    court_id: str
    id: str
    name: str
    seq: int
    status: RoundStatus
    starts_on: date
    ends_on: date
    township_id: str | None
    area: MultiPolygon
    team_count: int
    depot_point: Point
    plan: dict[str, Any]
    created_by: str
    locked_at: datetime | None
    created_at: datetime


@dataclass(slots=True, kw_only=True)
class DemoRoundTeam:
    court_id: str
    id: str
    round_id: str
    name: str
    leader_id: str
    member_ids: list[str]
    vehicle: str | None
    start_point: Point | None = None


@dataclass(slots=True, kw_only=True)
class DemoRoundTarget:
    court_id: str
    id: str
    round_id: str
    team_id: str | None
    case_id: str | None
    party_id: str | None
    lead_id: str | None = None
    village_grid_id: str | None
    point: Point | None
    day: date | None = None
    seq: int | None = None
    eta_minutes: int | None = None
    status: str = "planned"


@dataclass(slots=True, kw_only=True)
class DemoVisit(PointReport):
    court_id: str
    id: str
    round_id: str | None
    target_id: str | None
    case_id: str | None
    officer_id: str
    visited_at: datetime
    result: VisitResult
    amount_collected: Decimal = Decimal("0.00")
    notes: str = ""
    created_at: datetime


@dataclass(slots=True, kw_only=True)
class DemoOutcome:
    court_id: str
    id: str
    kind: OutcomeKind
    case_id: str | None
    lead_id: str | None = None
    round_id: str | None = None
    visit_id: str | None = None
    amount: Decimal = Decimal("0.00")
    occurred_on: date
    notes: str = ""
    recorded_by: str
    recorded_at: datetime
