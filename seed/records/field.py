"""Rows the field sends in: leads (with their transitions), sightings and task answers, each a
point reported from a phone."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from shapely.geometry import Point

from enforcement.models import Datum, LeadKind, LeadStatus, TaskKind, TaskStatus, Urgency


@dataclass(slots=True, kw_only=True)
class PointReport:
    """Where a phone reported from: the point, what the phone said (GCJ-02 on most phones)
    and the grids the point lies in."""

    point: Point | None = None
    reported_lon: float | None = None
    reported_lat: float | None = None
    datum: Datum | None = None
    accuracy_m: float | None = None
    township_id: str | None = None
    village_grid_id: str | None = None


@dataclass(slots=True, kw_only=True)
class DemoLead(PointReport):
    court_id: str
    id: str
    author_id: str
    kind: LeadKind
    case_id: str | None = None
    party_id: str | None = None
    debtor_text: str | None = None
    description: str = ""
    observed_at: datetime
    urgency: Urgency = Urgency.NORMAL
    status: LeadStatus = LeadStatus.SUBMITTED
    duplicate_of_id: str | None = None
    possible_duplicate_of_id: str | None = None
    assigned_officer_id: str | None = None
    round_id: str | None = None
    triaged_at: datetime | None = None
    amount_recovered: Decimal = Decimal("0.00")
    created_at: datetime
    updated_at: datetime


@dataclass(slots=True, kw_only=True)
class DemoLeadTransition:
    court_id: str
    id: str
    lead_id: str
    from_status: LeadStatus | None
    to_status: LeadStatus
    actor_id: str | None
    reason: str | None = None
    detail: dict[str, Any] = field(default_factory=dict)
    at: datetime


@dataclass(slots=True, kw_only=True)
class DemoSighting(PointReport):
    court_id: str
    id: str
    author_id: str
    case_id: str | None
    party_id: str | None
    debtor_text: str | None
    seen_at: datetime
    vehicle_plate: str | None = None
    companions: str | None = None
    confidence: int = 3
    urgent: bool = False
    notes: str = ""
    created_at: datetime


@dataclass(slots=True, kw_only=True)
class DemoTask:
    court_id: str
    id: str
    created_by: str
    kind: TaskKind
    title: str
    body: str
    case_id: str | None
    party_id: str | None
    due_at: datetime | None
    status: TaskStatus
    created_at: datetime


@dataclass(slots=True, kw_only=True)
class DemoTaskGrid:
    court_id: str
    task_id: str
    village_grid_id: str


@dataclass(slots=True, kw_only=True)
class DemoTaskAnswer(PointReport):
    court_id: str
    id: str
    task_id: str
    author_id: str
    result: str
    answer: str
    answered_at: datetime
    created_at: datetime
