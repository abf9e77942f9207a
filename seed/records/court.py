"""Rows of the court itself: its grids (townships and villages), its users and their grid
assignments, its linkage units and the key enforcement nodes; and the logins the loader
prints."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from shapely.geometry import MultiPolygon

from enforcement.models import LinkageKind, Role
from seed.reference import CASE_PREFIX, COUNTY_NAME, COURT_CODE, COURT_NAME, REGION_CODE

RECEPTION_DAYS = "每周一、周三上午 9:00–12:00，执行局接待室 / Mondays and Wednesdays, 9:00–12:00"
"""When the demo court's enforcement judges receive parties (shown on the parties' page)."""


@dataclass(slots=True, kw_only=True)
class DemoCourt:
    id: str
    code: str = COURT_CODE
    name: str = COURT_NAME
    county_name: str = COUNTY_NAME
    region_code: str = REGION_CODE
    case_prefix: str = CASE_PREFIX
    is_demo: bool = True
    reception_days: str = RECEPTION_DAYS
    created_at: datetime


@dataclass(slots=True, kw_only=True)
class DemoTownship:
    court_id: str
    id: str
    code: str
    name: str
    geom: MultiPolygon
    created_at: datetime


@dataclass(slots=True, kw_only=True)
class DemoVillage:
    court_id: str
    id: str
    township_id: str
    code: str
    name: str
    geom: MultiPolygon
    households: int
    committee_phone: str
    created_at: datetime


@dataclass(slots=True, kw_only=True)
class DemoLinkageUnit:
    court_id: str
    id: str
    name: str
    kind: LinkageKind
    duties: list[str]
    contact_name: str | None = None
    contact_phone: str | None = None
    answer_days: int = 7
    created_at: datetime


@dataclass(slots=True, kw_only=True)
class DemoUser:
    court_id: str
    id: str
    username: str
    display_name: str
    role: Role
    phone: str | None
    organisation: str | None = None
    linkage_unit_id: str | None = None
    created_at: datetime


@dataclass(slots=True, kw_only=True)
class DemoGridAssignment:
    court_id: str
    id: str
    user_id: str
    village_grid_id: str
    started_on: date
    created_at: datetime


@dataclass(slots=True, kw_only=True)
class DemoNode:
    court_id: str
    id: str
    code: str
    name_zh: str
    name_en: str
    seq: int
    witnessable: bool = True
    disclosure: str = "after"


@dataclass(slots=True, kw_only=True)
class DemoLogin:
    username: str
    role: Role
    display_name: str
    note: str
