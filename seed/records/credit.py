"""Rows of the measures on debtors: each measure, its events, and credit repairs."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any


@dataclass(slots=True, kw_only=True)
class DemoPartyMeasure:
    court_id: str
    id: str
    party_id: str
    case_id: str
    kind: str
    imposed_on: date
    decision_number: str
    decision_text: str
    imposed_by: str
    lifted_on: date | None = None
    lift_reason: str | None = None
    lifted_by: str | None = None
    repair_id: str | None = None
    created_at: datetime


@dataclass(slots=True, kw_only=True)
class DemoMeasureEvent:
    court_id: str
    id: str
    measure_id: str
    party_id: str
    case_id: str
    kind: str
    action: str
    effective_on: date
    reason: str | None = None
    changes: dict[str, Any] = field(default_factory=dict)
    repair_id: str | None = None
    actor_id: str
    at: datetime


@dataclass(slots=True, kw_only=True)
class DemoCreditRepair:
    court_id: str
    id: str
    party_id: str
    case_id: str
    grounds: str
    evidence_note: str
    measure_kinds: list[str]
    status: str
    applied_by: str
    decided_by: str
    decided_at: datetime
    decision_reason: str
    effective_on: date
    created_at: datetime
