"""Rows of the cases: the case, its parties and events, and the settlements (with their
instalments) that mediation or the officers reached."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from shapely.geometry import Point

from enforcement.models import CaseStatus, MediationOutcome, PartyKind, PartyRole, SettlementKind


@dataclass(slots=True, kw_only=True)
class DemoCase:
    court_id: str
    id: str
    case_number: str = ""
    cause: str
    source_judgment: str | None
    applicant_name: str
    filed_on: date
    status: CaseStatus
    terminated_on: date | None = None
    closed_on: date | None = None
    amount_owed: Decimal
    amount_recovered: Decimal = Decimal("0.00")
    amount_paid_out: Decimal = Decimal("0.00")
    judge_id: str
    officer_id: str
    address: str
    address_point: Point
    township_id: str
    village_grid_id: str
    created_at: datetime
    updated_at: datetime


@dataclass(slots=True, kw_only=True)
class DemoParty:
    court_id: str
    id: str
    kind: PartyKind
    name: str
    id_number: str | None
    phone: str | None
    gender: str | None = None
    birth_year: int | None = None
    address: str | None = None
    home_point: Point | None = None
    township_id: str | None = None
    village_grid_id: str | None = None
    is_dishonest: bool = False
    consumption_restricted: bool = False
    exit_restricted: bool = False
    dishonest_since: date | None = None
    consumption_restricted_since: date | None = None
    exit_restricted_since: date | None = None
    aliases: list[str] = field(default_factory=list)
    vehicle_plates: list[str] = field(default_factory=list)
    notes: str | None = None
    created_at: datetime


@dataclass(slots=True, kw_only=True)
class DemoCaseParty:
    court_id: str
    id: str
    case_id: str
    party_id: str
    role: PartyRole


@dataclass(slots=True, kw_only=True)
class DemoCaseEvent:
    court_id: str
    id: str
    case_id: str
    kind: str
    from_status: str | None
    to_status: str | None
    actor_id: str | None
    reason: str | None = None
    at: datetime


@dataclass(slots=True, kw_only=True)
class DemoMediationNote:
    court_id: str
    id: str
    case_id: str
    author_id: str
    held_at: datetime
    place: str | None
    present: list[str]
    applicant_statement: str
    debtor_statement: str
    proposal: dict[str, Any]
    outcome: MediationOutcome
    next_visit_on: date | None = None
    created_at: datetime


@dataclass(slots=True, kw_only=True)
class DemoSettlement:
    court_id: str
    id: str
    case_id: str
    mediation_note_id: str | None
    kind: SettlementKind
    total_amount: Decimal
    agreed_on: date
    status: str
    created_at: datetime


@dataclass(slots=True, kw_only=True)
class DemoInstalment:
    court_id: str
    id: str
    settlement_id: str
    seq: int
    due_on: date
    amount: Decimal
    paid_amount: Decimal = Decimal("0.00")
    paid_on: date | None = None
    recorded_by: str | None = None
