"""Factories for test data: ``create_x(session, **overrides)`` with random ids.

They flush but do not commit; the ``session`` fixture's caller commits (API tests
need the rows visible to the live server's own connections).
"""

from __future__ import annotations

import itertools
import uuid
from datetime import date
from decimal import Decimal
from functools import cache
from typing import Any

from geoalchemy2.elements import WKTElement
from geoalchemy2.shape import from_shape
from shapely.geometry import MultiPolygon, box
from sqlmodel import Session

from enforcement.models import (
    CaseFollow,
    CaseParty,
    Court,
    EnforcementCase,
    GridAssignment,
    Lead,
    LeadKind,
    MediationNote,
    MediationOutcome,
    Party,
    PartyRole,
    Role,
    Township,
    User,
    VillageGrid,
    utcnow,
)
from enforcement.passwords import hash_password

PASSWORD = "correct horse battery staple"
_counter = itertools.count(1)


@cache
def _password_hash() -> str:
    return hash_password(PASSWORD)


def _unique(prefix: str) -> str:
    return f"{prefix}{next(_counter)}-{uuid.uuid4().hex[:6]}"


def create_court(session: Session, **overrides: Any) -> Court:
    values: dict[str, Any] = {
        "code": _unique("C"), "name": "测试县人民法院", "county_name": "测试县",
        "region_code": "621025", "case_prefix": "甘1025",
    }
    court = Court(**(values | overrides))
    session.add(court)
    session.flush()
    return court


def create_user(session: Session, court: Court, role: Role = Role.GRID_ASSISTANT,
                **overrides: Any) -> User:
    values: dict[str, Any] = {
        "court_id": court.id, "username": _unique(role.value), "display_name": "张小明",
        "role": role, "password_hash": _password_hash(),
    }
    user = User(**(values | overrides))
    session.add(user)
    session.flush()
    return user


def square(lon: float, lat: float, size: float = 0.01) -> Any:
    """A square MultiPolygon of ``size`` degrees with its south-west corner at lon/lat."""
    return from_shape(MultiPolygon([box(lon, lat, lon + size, lat + size)]), srid=4326)


def create_township(session: Session, court: Court, lon: float = 108.3, lat: float = 35.4,
                    size: float = 0.1, **overrides: Any) -> Township:
    values: dict[str, Any] = {
        "court_id": court.id, "code": _unique("T"), "name": "山河镇",
        "geom": square(lon, lat, size),
    }
    township = Township(**(values | overrides))
    session.add(township)
    session.flush()
    return township


def create_village(session: Session, township: Township, lon: float = 108.3,
                   lat: float = 35.4, size: float = 0.01, **overrides: Any) -> VillageGrid:
    values: dict[str, Any] = {
        "court_id": township.court_id, "township_id": township.id, "code": _unique("V"),
        "name": "东关村", "geom": square(lon, lat, size),
    }
    village = VillageGrid(**(values | overrides))
    session.add(village)
    session.flush()
    return village


def assign_grid(session: Session, user: User, village: VillageGrid) -> GridAssignment:
    assignment = GridAssignment(court_id=user.court_id, user_id=user.id,
                                village_grid_id=village.id)
    session.add(assignment)
    session.flush()
    return assignment


def point(lon: float, lat: float) -> WKTElement:
    return WKTElement(f"POINT({lon!r} {lat!r})", srid=4326)


def create_case(session: Session, court: Court, **overrides: Any) -> EnforcementCase:
    values: dict[str, Any] = {
        "court_id": court.id, "case_number": f"(2024)甘1025执{_unique('')}号",
        "cause": "民间借贷纠纷", "applicant_name": "李四", "filed_on": date(2024, 3, 1),
        "amount_owed": Decimal("50000.00"),
    }
    case = EnforcementCase(**(values | overrides))
    session.add(case)
    session.flush()
    return case


def create_party(session: Session, court: Court, village: VillageGrid | None = None,
                 **overrides: Any) -> Party:
    values: dict[str, Any] = {
        "court_id": court.id, "name": "张三明", "id_number": "620102199001011234",
        "phone": "13812345678", "address": "东关村三组",
        "village_grid_id": village.id if village else None,
        "township_id": village.township_id if village else None,
    }
    party = Party(**(values | overrides))
    session.add(party)
    session.flush()
    return party


def add_party(session: Session, case: EnforcementCase, party: Party,
              role: PartyRole = PartyRole.DEBTOR) -> CaseParty:
    link = CaseParty(court_id=case.court_id, case_id=case.id, party_id=party.id, role=role)
    session.add(link)
    session.flush()
    return link


def create_debtor_case(session: Session, court: Court, village: VillageGrid | None = None,
                       **overrides: Any) -> tuple[EnforcementCase, Party]:
    """A case with one debtor living in ``village``."""
    case = create_case(session, court, **overrides)
    party = create_party(session, court, village)
    add_party(session, case, party)
    return case, party


def create_lead(session: Session, author: User, village: VillageGrid | None = None,
                lon: float = 108.305, lat: float = 35.405, **overrides: Any) -> Lead:
    """A lead stored directly (no grid lookup): ``village`` sets its grid and township."""
    values: dict[str, Any] = {
        "court_id": author.court_id, "author_id": author.id, "kind": LeadKind.VEHICLE,
        "description": "三轮车停在院子里", "point": point(lon, lat),
        "reported_lon": lon, "reported_lat": lat, "datum": "wgs84",
        "village_grid_id": village.id if village else None,
        "township_id": village.township_id if village else None,
    }
    lead = Lead(**(values | overrides))
    session.add(lead)
    session.flush()
    return lead


def follow_case(session: Session, deputy: User, case: EnforcementCase) -> CaseFollow:
    follow = CaseFollow(court_id=deputy.court_id, deputy_id=deputy.id, case_id=case.id)
    session.add(follow)
    session.flush()
    return follow


def create_mediation_note(session: Session, author: User, case: EnforcementCase,
                          **overrides: Any) -> MediationNote:
    values: dict[str, Any] = {
        "court_id": author.court_id, "case_id": case.id, "author_id": author.id,
        "held_at": utcnow(), "outcome": MediationOutcome.CONTINUE,
    }
    note = MediationNote(**(values | overrides))
    session.add(note)
    session.flush()
    return note
