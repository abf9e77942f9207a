"""Read-only sync specs: the reference data a phone needs offline.

``township``, ``village_grid``  code, name, area, centroid and bounding box; from schema 4
            ``outline``, the boundary simplified for a phone's map (GeoJSON, WGS-84, about
            20 m for a village and 50 m for a township: the server still places every point
            on the full boundary). Court staff get the court's; everyone else the grids
            they serve and those grids' townships.
``wanted``  the wanted list exactly as ``GET /wanted`` shows it: wanted debtors (open
            case, no approved credit repair in effect) living in the assistant's grids,
            name, id number and phone masked, no amounts, the measures in force with their
            since-dates, the numbers of their open cases. Fed by changes to ``party`` rows;
            a measure change or a repair changes the party row (``enforcement.credit.measures``).
``task``    tasks addressed to the caller's grids (``task.read``).
``case``    the cases the caller may read (``case.read``): amounts only for roles that
            may read them, the applicant's name masked for roles that may not see names.

Every field is ``server``: a phone's create, update or delete of these tables is rejected
per mutation with ``sync_read_only`` (the rest of the batch applies).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from types import SimpleNamespace
from typing import Any, cast

import sqlalchemy as sa
from geoalchemy2 import functions as geo
from sqlmodel import Session

from enforcement import policy
from enforcement.accounts.principal import Principal
from enforcement.cases import party_view
from enforcement.errors import Forbidden
from enforcement.infrastructure.masking import mask_name
from enforcement.models import (
    EnforcementCase,
    Party,
    PartyKind,
    PartyRole,
    Task,
    Township,
    VillageGrid,
)
from enforcement.models.base import table_of
from enforcement.syncing.common import SR, S, feed_scope, iso_sql
from enforcement.syncing.values import Computed, TableValues, day, money, text_of
from enforcement.wanted import cases_of, wanted_party_ids
from sync.spec import FieldSpec, Kind, SyncSpec

STAMPS = {"created_at": S.of(Kind.TIME, required=True, since=3),
          "updated_at": S.of(Kind.TIME, required=True, since=3)}
"""Reference rows' own timestamps, from schema 3 (the numbers WatermelonDB requires)."""


@dataclass(frozen=True, slots=True)
class ReferenceRow:
    """A read-only record as the engine needs it: never a tombstone of its own."""

    id: str
    version: int
    values: dict[str, Any]
    deleted_at: datetime | None = None


def reference_values(session: Session, principal: Principal, rows: Sequence[ReferenceRow]
            ) -> dict[str, dict[str, Any]]:
    """Reference rows are built with their values (``load_many``)."""
    return {row.id: row.values for row in rows}


def _refuse(*_: Any) -> Any:
    raise Forbidden("this table is read-only on phones", code="sync_read_only")


def _court_wide(principal: Principal) -> bool:
    return policy.scope_of(principal.role, "case.read") == "court"


OUTLINE_TOLERANCE = {"township": 0.0005, "village_grid": 0.0002}
"""Degrees (about 50 m and 20 m here): a map on a phone, not a placement."""


def _stamps(table: sa.Table) -> tuple[tuple[str, Any], ...]:
    return (("created_at", iso_sql(table.c.created_at)),
            ("updated_at", iso_sql(table.c.updated_at)))


def _bbox(*box: float) -> list[float]:
    return [round(v, 6) for v in box]


def _outline(shape: str | None) -> Any:
    return json.loads(shape) if shape else None


def _area_values(model: Any, extra: tuple[str, ...]) -> TableValues:
    """Code, name, area, centroid, bounding box (rounded to 6 decimals in Python, as
    ``round`` does) and from schema 4 the outline (GeoJSON by PostGIS, parsed so that its
    numbers are written as Python writes them; computed only for clients that know it)."""
    table = table_of(model)
    c = table.c
    geom = c.geom
    outline = sa.func.ST_AsGeoJSON(sa.func.ST_SimplifyPreserveTopology(
        geom, OUTLINE_TOLERANCE[table.name]), 6)
    return TableValues(model, (
        ("code", c.code), ("name", c.name), ("area_m2", c.area_m2),
        ("centroid_lon", geo.ST_X(geo.ST_Centroid(geom))),
        ("centroid_lat", geo.ST_Y(geo.ST_Centroid(geom))),
        ("bbox", Computed(geo.ST_XMin(geom), geo.ST_YMin(geom), geo.ST_XMax(geom),
                          geo.ST_YMax(geom), make=_bbox)),
        *_stamps(table), ("outline", Computed(outline, make=_outline)),
        *((name, c[name]) for name in extra)), tombstones=False)


def _serving_scope(model: Any, ids_of: Any) -> Any:
    def scope(principal: Principal, change: sa.Table) -> sa.ColumnElement[bool]:
        if _court_wide(principal):
            return sa.true()
        return change.c.record_id.in_(ids_of(principal))
    return scope


AREA_FIELDS = {"code": SR, "name": SR,
               "area_m2": S.of(Kind.NUMBER), "centroid_lon": S.of(Kind.NUMBER),
               "centroid_lat": S.of(Kind.NUMBER), "bbox": S.of(Kind.JSON), **STAMPS,
               "outline": S.of(Kind.JSON, since=4)}


def _spec(table: str, fields: dict[str, FieldSpec], values: TableValues, scope: Any,
          feed_table: str | None = None) -> SyncSpec:
    return SyncSpec(table=table, fields=fields, load=_refuse, values=values.values,
                    pull_many=values.pull, create=_refuse, update=_refuse,
                    delete=_refuse, restore=_refuse, scope=scope,
                    feed_table=feed_table or table)


TOWNSHIP_VALUES = _area_values(Township, ())
VILLAGE_GRID_VALUES = _area_values(VillageGrid, ("township_id", "households",
                                                 "committee_phone"))

TOWNSHIP_SPEC = _spec("township", AREA_FIELDS, TOWNSHIP_VALUES,
                      _serving_scope(Township, policy.served_township_ids))

VILLAGE_GRID_SPEC = _spec(
    "village_grid", {**AREA_FIELDS, "township_id": S, "households": S.of(Kind.NUMBER),
                     "committee_phone": S},
    VILLAGE_GRID_VALUES, _serving_scope(VillageGrid, policy.active_grid_ids))

# --- the wanted list -------------------------------------------------------------------

WANTED_FIELDS = {
    **{name: S for name in ("kind", "name", "id_number", "phone", "address", "township_id",
                            "village_grid_id")},
    **{name: S.of(Kind.BOOLEAN, required=True) for name in (
        "is_dishonest", "consumption_restricted", "exit_restricted")},
    **{name: S.of(Kind.DATE) for name in (
        "dishonest_since", "consumption_restricted_since", "exit_restricted_since")},
    "case_ids": S.of(Kind.JSON, required=True), "case_numbers": S.of(Kind.JSON, required=True),
    **STAMPS}

_MEASURES = ("is_dishonest", "consumption_restricted", "exit_restricted")
_SINCE = ("dishonest_since", "consumption_restricted_since", "exit_restricted_since")
_SHOWN = ("name", "id_number", "phone")
"""What ``party_view`` masks: read as stored (decrypted), then masked by it."""


def _wanted_finish(session: Session, principal: Principal,
                   records: list[dict[str, Any]]) -> None:
    """As ``wanted.wanted_list``: the party as ``party_view`` shows a debtor masked (its one
    rule), and the open cases' ids and numbers (``cases_of``); a party no longer wanted is
    sent with no open cases until the scope drops it."""
    cases = cases_of(session, principal.court_id, [r["id"] for r in records])
    for record in records:
        party = SimpleNamespace(**{name: record.get(name) for name in (
            "id", "name", "id_number", "phone", "address", "township_id", "village_grid_id",
            *_MEASURES, *_SINCE)}, kind=PartyKind(record["kind"]))
        view = party_view(cast(Party, party), PartyRole.DEBTOR, unmasked=False)
        for name in _SHOWN:
            if name in record:
                record[name] = getattr(view, name)
        open_cases = cases.get(record["id"], [])
        if "case_ids" in record:
            record["case_ids"] = [c for c, _ in open_cases]
        if "case_numbers" in record:
            record["case_numbers"] = [n for _, n in open_cases]


def _wanted_values() -> TableValues:
    """Masked, no amounts, the measures in force with their since-dates (no decision
    text). ``party_view`` masks what it decides from the stored values, so they are read
    too when a client's schema lacks them (the names it shows are all in schema 1)."""
    c = table_of(Party).c
    return TableValues(Party, (
        ("kind", text_of(c.kind)), ("name", c.name), ("id_number", c.id_number),
        ("phone", c.phone), ("address", c.address), ("township_id", c.township_id),
        ("village_grid_id", c.village_grid_id), *((name, c[name]) for name in _MEASURES),
        *((name, day(c[name])) for name in _SINCE),
        ("case_ids", sa.null()), ("case_numbers", sa.null()), *_stamps(table_of(Party))),
        finish=_wanted_finish, tombstones=False)


def _wanted_scope(principal: Principal, change: sa.Table) -> sa.ColumnElement[bool]:
    if policy.scope_of(principal.role, "wanted.read") is None:
        return sa.false()
    return change.c.record_id.in_(sa.select(Party.id).where(
        policy.scope_filter(principal, "wanted.read", Party),
        Party.id.in_(wanted_party_ids(principal.court_id))))


WANTED_VALUES = _wanted_values()
WANTED_SPEC = _spec("wanted", WANTED_FIELDS, WANTED_VALUES, _wanted_scope,
                    feed_table="party")

# --- tasks and cases -------------------------------------------------------------------

TASK_FIELDS = {**{name: S for name in ("kind", "title", "body", "case_id", "party_id",
                                        "status")},
               "due_at": S.of(Kind.TIME), "created_at": S.of(Kind.TIME, required=True),
               "updated_at": S.of(Kind.TIME, required=True, since=3)}


def _task_values() -> TableValues:
    """As ``GET /tasks`` shows them: title and body masked for roles that see parties
    masked (``text_shield``)."""
    table = table_of(Task)
    c = table.c
    return TableValues(Task, (
        ("kind", text_of(c.kind)), ("title", c.title), ("body", c.body),
        ("case_id", c.case_id), ("party_id", c.party_id), ("due_at", iso_sql(c.due_at)),
        ("status", text_of(c.status)), *_stamps(table)), shielded="task", tombstones=False)


TASK_VALUES = _task_values()
TASK_SPEC = _spec("task", TASK_FIELDS, TASK_VALUES, feed_scope(Task, "task.read"))

CASE_FIELDS = {**{name: S for name in (
    "case_number", "cause", "status", "applicant_name", "address", "township_id",
    "village_grid_id", "judge_id", "officer_id")},
    "filed_on": S.of(Kind.DATE), "amount_owed": S.of(Kind.DECIMAL),
    "amount_recovered": S.of(Kind.DECIMAL), **STAMPS}

_AMOUNTS = ("amount_owed", "amount_recovered")


def _case_finish(session: Session, principal: Principal,
                 records: list[dict[str, Any]]) -> None:
    """The applicant's name masked for roles that may not see names; amounts only for
    roles that may read them (null for the others)."""
    unmasked = policy.allows(principal, "party.read_unmasked")
    amounts = policy.allows(principal, "case.read_amounts")
    if unmasked and amounts:
        return
    for record in records:
        if not unmasked and "applicant_name" in record:
            record["applicant_name"] = mask_name(record["applicant_name"])
        if not amounts:
            for name in _AMOUNTS:
                if name in record:
                    record[name] = None


def _case_values() -> TableValues:
    table = table_of(EnforcementCase)
    c = table.c
    return TableValues(EnforcementCase, (
        ("case_number", c.case_number), ("cause", c.cause), ("status", text_of(c.status)),
        ("filed_on", day(c.filed_on)), ("applicant_name", c.applicant_name),
        ("address", c.address), ("township_id", c.township_id),
        ("village_grid_id", c.village_grid_id), ("judge_id", c.judge_id),
        ("officer_id", c.officer_id), *((name, money(c[name])) for name in _AMOUNTS),
        *_stamps(table)), finish=_case_finish, tombstones=False)


CASE_VALUES = _case_values()
CASE_SPEC = _spec("case", CASE_FIELDS, CASE_VALUES,
                  feed_scope(EnforcementCase, "case.read"), feed_table="enforcement_case")

REFERENCE_SPECS = (TOWNSHIP_SPEC, VILLAGE_GRID_SPEC, WANTED_SPEC, TASK_SPEC, CASE_SPEC)
