"""Rows of the linkage units' work: requests to units (joint punishment notices send a copy
to each unit), red/white/black list entries, and judicial aid with its payments."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from enforcement.models import AidStatus, LinkageRequestKind, LinkageRequestStatus
from enforcement.models import ListColour as Colour


@dataclass(slots=True, kw_only=True)
class DemoLinkageRequest:
    court_id: str
    id: str
    unit_id: str
    case_id: str | None
    party_id: str | None
    kind: LinkageRequestKind
    details: str
    status: LinkageRequestStatus
    requested_by: str
    due_at: datetime | None
    answer: str | None = None
    answered_by: str | None = None
    answered_at: datetime | None = None
    created_at: datetime
    result: str | None = None
    notice_id: str | None = None


@dataclass(slots=True, kw_only=True)
class DemoPunishmentNotice:
    court_id: str
    id: str
    case_id: str
    party_id: str
    title: str
    content: str
    issued_by: str
    issued_at: datetime
    due_at: datetime
    created_at: datetime


@dataclass(slots=True, kw_only=True)
class DemoListEntry:
    court_id: str
    id: str
    unit_id: str | None = None
    party_id: str | None = None
    colour: Colour
    reason: str
    effective_on: date
    set_by: str
    created_at: datetime
    ended_at: datetime | None = None


@dataclass(slots=True, kw_only=True)
class DemoJudicialAid:
    court_id: str
    id: str
    case_id: str
    applicant_id: str
    amount_requested: Decimal
    grounds: str
    applied_on: date
    status: AidStatus
    approved_amount: Decimal | None = None
    decision_reason: str | None = None
    decided_by: str | None = None
    decided_at: datetime | None = None
    entered_by: str
    created_at: datetime


@dataclass(slots=True, kw_only=True)
class DemoAidPayment:
    court_id: str
    id: str
    aid_id: str
    amount: Decimal
    paid_on: date
    note: str = ""
    recorded_by: str
    created_at: datetime
