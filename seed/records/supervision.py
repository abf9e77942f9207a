"""Rows of outside supervision: deputies following cases, witnessing nodes and
evaluating them, and mediators put on cases."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime


@dataclass(slots=True, kw_only=True)
class DemoCaseFollow:
    court_id: str
    id: str
    deputy_id: str
    case_id: str
    started_at: datetime
    ended_at: datetime | None = None


@dataclass(slots=True, kw_only=True)
class DemoNodeEvent:
    court_id: str
    id: str
    case_id: str
    node_id: str
    occurs_at: datetime
    place: str
    note: str = ""
    recorded_by: str
    created_at: datetime


@dataclass(slots=True, kw_only=True)
class DemoNodeWitness:
    court_id: str
    id: str
    node_event_id: str
    deputy_id: str
    witnessed_at: datetime
    note: str = ""
    created_at: datetime


@dataclass(slots=True, kw_only=True)
class DemoCaseMediator:
    court_id: str
    id: str
    case_id: str
    mediator_id: str
    starts_on: date
    ends_on: date | None = None
    note: str = ""
    assigned_by: str
    ended_by: str | None = None
    created_at: datetime


@dataclass(slots=True, kw_only=True)
class DemoDeputyEvaluation:
    court_id: str
    id: str
    case_id: str
    deputy_id: str
    node_id: str | None
    node_event_id: str | None = None
    kind: str
    witnessed_at: datetime | None
    rating: int | None
    scores: dict[str, int] = field(default_factory=dict)
    opinion: str
    judge_id: str | None = None
    due_at: datetime | None = None
    reply: str | None = None
    replied_by: str | None = None
    replied_at: datetime | None = None
    created_at: datetime
