"""Leads as a pull sends them, with PostgreSQL doing the formatting.

A bootstrap sends a device every lead in its scope, thousands of them in pages of 1,000.
Loading each page as rows of Python values and turning those into JSON values one by one
(``enforcement.leads.sync_spec.lead_values``: datetimes converted to UTC and formatted, enums
looked up, a dict per lead) was most of a bootstrap's time (bench/profile-findings.md,
finding 2). Here one SELECT hands back each lead's values already in their JSON form:
times as the text ``iso`` gives, enums and money as text, only the fields the client's
schema version knows, so Python only pairs names with values. ``lead_values`` stays the
definition (pushes and conflicts use it on the ORM row); tests/sync/test_lead_pull.py
checks that both give the same JSON for every kind of lead and caller.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from functools import lru_cache
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY
from sqlmodel import Session

from enforcement.accounts.principal import Principal
from enforcement.attachments.refs import files_json, refs_of
from enforcement.infrastructure.text_shield import shield
from enforcement.models import Datum, Lead
from enforcement.models.base import table_of
from enforcement.policy import COURT_ROLES
from enforcement.syncing.common import iso_sql
from sync.spec import Pulled

_lead = table_of(Lead).c


def _text(column: Any) -> Any:
    """A VARCHAR enum column as its stored text (the enum's value), not an enum member."""
    return sa.type_coerce(column, sa.String())


_FIELDS: tuple[tuple[str, Any], ...] = (
    ("kind", _text(_lead.kind)), ("description", _lead.description),
    ("debtor_text", _lead.debtor_text), ("observed_at", iso_sql(_lead.observed_at)),
    ("urgency", _text(_lead.urgency)), ("point", sa.null().label("point")),  # from the tail
    ("case_id", _lead.case_id), ("party_id", _lead.party_id),
    ("status", _text(_lead.status)), ("author_id", _lead.author_id),
    ("township_id", _lead.township_id), ("village_grid_id", _lead.village_grid_id),
    ("outside_grid", _lead.outside_grid),
    ("nearest_grid_distance_m", _lead.nearest_grid_distance_m),
    ("possible_duplicate_of_id", _lead.possible_duplicate_of_id),
    ("duplicate_of_id", _lead.duplicate_of_id),
    ("assigned_officer_id", _lead.assigned_officer_id), ("round_id", _lead.round_id),
    ("triaged_at", iso_sql(_lead.triaged_at)), ("created_at", iso_sql(_lead.created_at)),
    ("updated_at", iso_sql(_lead.updated_at)),
    ("amount_recovered", sa.cast(_lead.amount_recovered, sa.Text)),
    ("attachments", sa.null().label("attachments")),  # from attachment_ref
    ("position_source", _lead.position_source), ("position_note", _lead.position_note),
)
"""Every field ``lead_values`` gives, in its order, as SQL."""
_TAIL = (_lead.deleted_at.is_not(None), _lead.reported_lon, _lead.reported_lat,
         sa.func.coalesce(_text(_lead.datum), sa.literal_column(f"'{Datum.WGS84.value}'")),
         _lead.accuracy_m)
"""After the fields: whether the lead is a tombstone, and the point's parts."""


@lru_cache(maxsize=16)
def _statement(names: tuple[str, ...]) -> sa.Select[Any]:
    """The page's SELECT for these fields: built once, so SQLAlchemy's compiled cache
    serves every page after the first."""
    exprs = dict(_FIELDS)
    return sa.select(_lead.id, _lead.version, *(exprs[name] for name in names), *_TAIL).where(
        _lead.court_id == sa.bindparam("court_id"),
        _lead.id == sa.any_(sa.bindparam("ids", type_=ARRAY(sa.String))))


def pull_leads(session: Session, principal: Principal, ids: Sequence[str],
               fields: Collection[str]) -> Pulled:
    """``SyncSpec.pulled`` for leads: what ``lead_values`` gives for ``fields``."""
    names = tuple(name for name, _ in _FIELDS if name in fields and (
        name != "amount_recovered" or principal.role in COURT_ROLES))
    keys = ("id", "version", *names)
    upserts: list[dict[str, Any]] = []
    deletes: list[str] = []
    point = "point" in names
    rows = session.execute(_statement(names),
                           {"court_id": principal.court_id, "ids": list(ids)}).all()
    for row in rows:
        deleted, lon, lat, datum, accuracy = row[-5:]
        if deleted:
            deletes.append(row[0])
            continue
        record = dict(zip(keys, row, strict=False))  # fewer keys: the tail falls off
        if point and lon is not None and lat is not None:
            record["point"] = {"lon": lon, "lat": lat, "datum": datum, "accuracy_m": accuracy}
        upserts.append(record)
    if "attachments" in names and upserts:
        files = refs_of(session, principal.court_id, "lead", [r["id"] for r in upserts])
        for record in upserts:
            record["attachments"] = files_json(files[record["id"]])
    _shield(session, principal, upserts)
    return upserts, deletes


def _shield(session: Session, principal: Principal, upserts: list[dict[str, Any]]) -> None:
    """Free text as ``GET /leads`` shows it (``text_shield``), for the whole page at once;
    the author and case of each lead are read even when the device's schema lacks them."""
    if not upserts:
        return
    missing = [n for n in ("author_id", "case_id", "party_id") if n not in upserts[0]]
    extra: dict[str, dict[str, Any]] = {}
    if missing:
        extra = {row[0]: dict(zip(missing, row[1:], strict=True)) for row in session.execute(
            sa.select(_lead.id, *(getattr(_lead, n) for n in missing)).where(
                _lead.court_id == principal.court_id,
                _lead.id.in_([r["id"] for r in upserts])))}
    rows = [{**extra.get(r["id"], {}), **r} for r in upserts]
    shown = shield(session, principal, "lead", rows, get=dict.get)
    for record in upserts:
        record.update({k: v for k, v in shown.get(record["id"], {}).items() if k in record})
