"""The reference tables' sync specs as they were before their values were defined once as
SQL (issue #20): rows loaded through the ORM and their values built in Python. Kept only as
the oracle of tests/sync/test_reference_values.py, which compares every pull of the new
definition with this one byte for byte."""
# ruff: noqa
# mypy: ignore-errors
from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from geoalchemy2 import functions as geo
from sqlmodel import Session

from enforcement import policy
from enforcement.accounts.principal import Principal
from enforcement.cases import party_view
from enforcement.errors import Forbidden
from enforcement.infrastructure.masking import mask_name
from enforcement.infrastructure.text_shield import shield
from enforcement.models import (
    EnforcementCase,
    Party,
    PartyRole,
    Task,
    Township,
    VillageGrid,
)
from enforcement.syncing.common import SR, S, feed_scope, iso
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


def stamps(row: Any) -> dict[str, str | None]:
    return {"created_at": iso(row.created_at), "updated_at": iso(row.updated_at)}


def _court_wide(principal: Principal) -> bool:
    return policy.scope_of(principal.role, "case.read") == "court"


OUTLINE_TOLERANCE = {"township": 0.0005, "village_grid": 0.0002}
"""Degrees (about 50 m and 20 m here): a map on a phone, not a placement."""


def _area_rows(session: Session, principal: Principal, model: Any, ids: Sequence[str],
               extra: tuple[str, ...]) -> list[ReferenceRow]:
    geom = model.geom
    outline = sa.func.ST_AsGeoJSON(sa.func.ST_SimplifyPreserveTopology(
        geom, OUTLINE_TOLERANCE[model.__tablename__]), 6)
    rows = session.execute(sa.select(
        model, geo.ST_X(geo.ST_Centroid(geom)), geo.ST_Y(geo.ST_Centroid(geom)), outline,
        geo.ST_XMin(geom), geo.ST_YMin(geom), geo.ST_XMax(geom), geo.ST_YMax(geom),
    ).where(model.court_id == principal.court_id, model.id.in_(ids))).all()
    out = []
    for row, lon, lat, shape, *box in rows:
        values = {"code": row.code, "name": row.name, "area_m2": row.area_m2,
                  "centroid_lon": lon, "centroid_lat": lat,
                  "bbox": [round(v, 6) for v in box], **stamps(row),
                  "outline": json.loads(shape) if shape else None,
                  **{name: getattr(row, name) for name in extra}}
        out.append(ReferenceRow(row.id, row.version, values))
    return out


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


def _spec(table: str, fields: dict[str, FieldSpec], load_many: Any, scope: Any,
          feed_table: str | None = None) -> SyncSpec:
    return SyncSpec(table=table, fields=fields, load=_refuse, load_many=load_many,
                    values=reference_values, create=_refuse, update=_refuse,
                    delete=_refuse, restore=_refuse, scope=scope,
                    feed_table=feed_table or table)


TOWNSHIP_SPEC = _spec(
    "township", AREA_FIELDS,
    lambda s, p, ids: _area_rows(s, p, Township, ids, ()),
    _serving_scope(Township, policy.served_township_ids))

VILLAGE_GRID_SPEC = _spec(
    "village_grid", {**AREA_FIELDS, "township_id": S, "households": S.of(Kind.NUMBER),
                     "committee_phone": S},
    lambda s, p, ids: _area_rows(s, p, VillageGrid, ids,
                                 ("township_id", "households", "committee_phone")),
    _serving_scope(VillageGrid, policy.active_grid_ids))

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


def _wanted_rows(session: Session, principal: Principal,
                 ids: Sequence[str]) -> list[ReferenceRow]:
    """As ``wanted.wanted_list``: masked, no amounts, the measures in force with their
    since-dates (no decision text); a party no longer wanted is sent with no open cases
    (``case_ids`` empty) until the scope drops it."""
    cases = cases_of(session, principal.court_id, list(ids))
    out = []
    for party in session.scalars(sa.select(Party).where(
            Party.court_id == principal.court_id, Party.id.in_(ids))):
        view = party_view(party, PartyRole.DEBTOR, unmasked=False)
        open_cases = cases.get(party.id, [])
        values = {"kind": view.kind, "name": view.name, "id_number": view.id_number,
                  "phone": view.phone, "address": view.address,
                  "township_id": view.township_id, "village_grid_id": view.village_grid_id,
                  "is_dishonest": view.is_dishonest,
                  "consumption_restricted": view.consumption_restricted,
                  "exit_restricted": view.exit_restricted,
                  "dishonest_since": iso_day(view.dishonest_since),
                  "consumption_restricted_since": iso_day(view.consumption_restricted_since),
                  "exit_restricted_since": iso_day(view.exit_restricted_since),
                  "case_ids": [c for c, _ in open_cases],
                  "case_numbers": [n for _, n in open_cases], **stamps(party)}
        out.append(ReferenceRow(party.id, party.version, values))
    return out


def iso_day(day: date | None) -> str | None:
    return None if day is None else day.isoformat()


def _wanted_scope(principal: Principal, change: sa.Table) -> sa.ColumnElement[bool]:
    if policy.scope_of(principal.role, "wanted.read") is None:
        return sa.false()
    return change.c.record_id.in_(sa.select(Party.id).where(
        policy.scope_filter(principal, "wanted.read", Party),
        Party.id.in_(wanted_party_ids(principal.court_id))))


WANTED_SPEC = _spec("wanted", WANTED_FIELDS, _wanted_rows, _wanted_scope, feed_table="party")

# --- tasks and cases -------------------------------------------------------------------

TASK_FIELDS = {**{name: S for name in ("kind", "title", "body", "case_id", "party_id",
                                        "status")},
               "due_at": S.of(Kind.TIME), "created_at": S.of(Kind.TIME, required=True),
               "updated_at": S.of(Kind.TIME, required=True, since=3)}


def _task_rows(session: Session, principal: Principal,
               ids: Sequence[str]) -> list[ReferenceRow]:
    """As ``GET /tasks`` shows them: title and body masked for roles that see parties
    masked (``text_shield``)."""
    tasks = session.scalars(sa.select(Task).where(
        Task.court_id == principal.court_id, Task.id.in_(ids))).all()
    shown = shield(session, principal, "task", tasks)
    return [ReferenceRow(t.id, t.version, {
        "kind": t.kind.value, "title": t.title, "body": t.body, "case_id": t.case_id,
        "party_id": t.party_id, "due_at": iso(t.due_at), "status": t.status.value,
        **stamps(t), **shown.get(t.id, {})})
        for t in tasks]


TASK_SPEC = _spec("task", TASK_FIELDS, _task_rows, feed_scope(Task, "task.read"))

CASE_FIELDS = {**{name: S for name in (
    "case_number", "cause", "status", "applicant_name", "address", "township_id",
    "village_grid_id", "judge_id", "officer_id")},
    "filed_on": S.of(Kind.DATE), "amount_owed": S.of(Kind.DECIMAL),
    "amount_recovered": S.of(Kind.DECIMAL), **STAMPS}


def _case_rows(session: Session, principal: Principal,
               ids: Sequence[str]) -> list[ReferenceRow]:
    unmasked = policy.allows(principal, "party.read_unmasked")
    amounts = policy.allows(principal, "case.read_amounts")
    out = []
    for c in session.scalars(sa.select(EnforcementCase).where(
            EnforcementCase.court_id == principal.court_id, EnforcementCase.id.in_(ids))):
        out.append(ReferenceRow(c.id, c.version, {
            "case_number": c.case_number, "cause": c.cause, "status": c.status.value,
            "filed_on": c.filed_on.isoformat(),
            "applicant_name": c.applicant_name if unmasked else mask_name(c.applicant_name),
            "address": c.address, "township_id": c.township_id,
            "village_grid_id": c.village_grid_id, "judge_id": c.judge_id,
            "officer_id": c.officer_id,
            "amount_owed": str(c.amount_owed) if amounts else None,
            "amount_recovered": str(c.amount_recovered) if amounts else None,
            **stamps(c)}))
    return out


CASE_SPEC = _spec("case", CASE_FIELDS, _case_rows,
                  feed_scope(EnforcementCase, "case.read"), feed_table="enforcement_case")

REFERENCE_SPECS = (TOWNSHIP_SPEC, VILLAGE_GRID_SPEC, WANTED_SPEC, TASK_SPEC, CASE_SPEC)
