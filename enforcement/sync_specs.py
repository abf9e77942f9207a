"""What the sync engine may do with the domain's tables: one sync spec per synced table.

Leads (the only synced table so far). Field ownership, and why:

``client``  ``kind``, ``description``, ``debtor_text``, ``observed_at``, ``urgency``,
            ``point`` ({lon, lat, datum, accuracy_m}): the assistant's own report; their
            words win even if someone touched them meanwhile.
            ``attachments`` ([{sha256, caption}], from schema version 2): the files the
            assistant attached, uploaded beforehand through /api/v1/attachments; the
            phone's list replaces the lead's, like over REST.
``shared``  ``case_id``, ``party_id``: the assistant may link the lead to a case or debtor
            and the court may correct that link at triage; when both change it differently
            the court's link stays and the assistant's becomes a conflict.
``server``  lifecycle and placement: ``status``, ``author_id``, grid and township, duplicate
            marks, assignment, ``triaged_at``, timestamps, and ``amount_recovered`` (sent to
            court roles only: assistants never see amounts).

Scope follows ``policy`` for ``lead.read`` (assistants: their own leads; officers and judges:
the court), so a phone never holds what the REST API would not show. The writes reuse the
lead use cases' own helpers (reference checks, grid placement, duplicate detection) inside
the push's transaction, so a push and a REST submit are the same write.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any

import sqlalchemy as sa
from geoalchemy2 import Geometry
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlmodel import Session

from enforcement import policy
from enforcement.attachment_refs import (
    check_refs,
    files_value,
    hang_files,
    normalise_refs,
    replace_refs,
    show_files,
)
from enforcement.errors import Conflict, DomainError, Forbidden, ValidationFailed
from enforcement.leads import lifecycle
from enforcement.leads.queries import possible_duplicate, possible_duplicates
from enforcement.leads.usecases import mark_withdrawn
from enforcement.models import (
    Datum,
    EnforcementCase,
    Lead,
    LeadKind,
    LeadStatus,
    LeadTransition,
    Party,
    Role,
    Urgency,
    new_id,
    utcnow,
)
from enforcement.placement import ReportedPoint, place_many, put_point, set_point
from enforcement.principal import Principal
from enforcement.refs import known_ids, require_case_and_party, unknown_refs
from enforcement.sync_tables import FIELD_SPECS, REFERENCE_SPECS
from enforcement.sync_tables.common import CR, POINT, SR, TIMESTAMPS, C, H, S
from enforcement.sync_tables.lead_pull import pull_leads
from enforcement.times import CLOCK_SKEW, plausible
from sync.spec import Kind, Registry, SyncSpec

LEAD_FIELDS = {
    "kind": CR, "description": C,
    "debtor_text": C, "observed_at": C.of(Kind.TIME), "urgency": C,
    "point": POINT, "case_id": H, "party_id": H,
    "status": SR, "author_id": SR,
    "township_id": S, "village_grid_id": S, "outside_grid": S.of(Kind.BOOLEAN),
    "nearest_grid_distance_m": S.of(Kind.NUMBER), "possible_duplicate_of_id": S,
    "duplicate_of_id": S, "assigned_officer_id": S, "round_id": S,
    "triaged_at": S.of(Kind.TIME), "amount_recovered": S.of(Kind.DECIMAL), **TIMESTAMPS,
    "attachments": C.of(Kind.JSON, since=2),
}
COURT_ROLES = (Role.OFFICER, Role.JUDGE)


def _iso(value: datetime | None) -> str | None:
    return value.astimezone(UTC).isoformat() if value is not None else None


def lead_values(lead: Lead, principal: Principal) -> dict[str, Any]:
    """The lead as a phone stores it (JSON values, times in UTC)."""
    point = None
    if lead.reported_lon is not None and lead.reported_lat is not None:
        point = {"lon": lead.reported_lon, "lat": lead.reported_lat,
                 "datum": Datum(lead.datum or Datum.WGS84).value, "accuracy_m": lead.accuracy_m}
    values = {
        "kind": LeadKind(lead.kind).value, "description": lead.description,
        "debtor_text": lead.debtor_text, "observed_at": _iso(lead.observed_at),
        "urgency": str(lead.urgency), "point": point, "case_id": lead.case_id,
        "party_id": lead.party_id, "status": LeadStatus(lead.status).value,
        "author_id": lead.author_id, "township_id": lead.township_id,
        "village_grid_id": lead.village_grid_id, "outside_grid": lead.outside_grid,
        "nearest_grid_distance_m": lead.nearest_grid_distance_m,
        "possible_duplicate_of_id": lead.possible_duplicate_of_id,
        "duplicate_of_id": lead.duplicate_of_id, "assigned_officer_id": lead.assigned_officer_id,
        "round_id": lead.round_id, "triaged_at": _iso(lead.triaged_at),
        "created_at": _iso(lead.created_at), "updated_at": _iso(lead.updated_at),
    }
    if principal.role in COURT_ROLES:
        values["amount_recovered"] = str(lead.amount_recovered)
    values["attachments"] = files_value(lead)
    return values


def normalise_lead(fields: dict[str, Any]) -> dict[str, Any]:
    """Canonical JSON values, so that equal values compare equal in the merge."""
    out = dict(fields)
    try:
        if out.get("observed_at") is not None:
            parsed = datetime.fromisoformat(str(out["observed_at"]).replace("Z", "+00:00"))
            parsed = parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
            if not plausible(parsed):
                raise ValidationFailed(
                    "observed_at must be after 2000 and not in the future "
                    f"(beyond {CLOCK_SKEW.days} days of clock drift)", code="implausible_time",
                    errors={"observed_at": ["must be after 2000 and not in the future"]})
            out["observed_at"] = _iso(parsed)
        if "kind" in out:
            out["kind"] = LeadKind(out["kind"]).value
        if "urgency" in out:
            out["urgency"] = Urgency(out["urgency"]).value
        if "description" in out and not isinstance(out["description"], str):
            raise ValueError("description must be text")
        if out.get("point") is not None:
            p = out["point"]
            accuracy = p.get("accuracy_m")
            out["point"] = {"lon": float(p["lon"]), "lat": float(p["lat"]),
                            "datum": Datum(p.get("datum") or "wgs84").value,
                            "accuracy_m": None if accuracy is None else float(accuracy)}
        if "attachments" in out:
            out["attachments"] = normalise_refs(out["attachments"])
    except (ValueError, TypeError, KeyError, AttributeError) as exc:
        raise ValidationFailed(f"invalid lead value: {exc}") from exc
    return out


def _load(session: Session, principal: Principal, lead_id: str) -> Lead | None:
    lead = session.scalars(
        sa.select(Lead).where(Lead.court_id == principal.court_id, Lead.id == lead_id,
                              policy.scope_filter(principal, "lead.read", Lead))
        .with_for_update(of=Lead)
    ).first()
    return lead and hang_files(session, "lead", [lead])[0]


_PULLED_COLUMNS = [c for c in Lead.__table__.c if c.name != "point"]


def _load_many(session: Session, principal: Principal, ids: Sequence[str]) -> Sequence[Any]:
    """Plain records (``lead_values`` reads them by attribute like a Lead), not ORM objects,
    and the ids as one array: building 1,000 objects per page was 43 % of a 10,000-record
    bootstrap and binding 1,000 parameters another 6 % (bench/profile-findings.md)."""
    lead = Lead.__table__
    rows = session.execute(sa.select(*_PULLED_COLUMNS).where(
        lead.c.court_id == principal.court_id,
        lead.c.id == sa.any_(sa.bindparam("ids", list(ids), type_=ARRAY(sa.String))),
    )).all()
    return hang_files(session, "lead", [SimpleNamespace(**row._mapping) for row in rows])


def _assign(session: Session, lead: Lead, values: dict[str, Any]) -> None:
    _set_fields(lead, values)
    require_case_and_party(session, lead)
    if "point" in values:
        p = values["point"]
        set_point(session, lead, p and _reported(p))
    if "attachments" in values:
        show_files(lead, replace_refs(session, lead.court_id, "lead", lead.id,
                                      values["attachments"] or []))


def _create(session: Session, principal: Principal, lead_id: str,
            values: dict[str, Any]) -> Lead:
    """As ``leads.usecases.submit_lead``, in the push's transaction."""
    scope = policy.require(principal, "lead.create")
    if scope == "own_grid" and not session.execute(
            policy.active_grid_ids(principal).limit(1)).first():
        raise Forbidden("you serve no village grid", code="no_grid_assignment")
    if session.get(Lead, (principal.court_id, lead_id)) is not None:
        raise Conflict("a lead with this id exists", code="lead_exists")
    if "kind" not in values:
        raise ValidationFailed("a lead needs a kind", errors={"kind": ["required"]})
    lead = Lead(court_id=principal.court_id, id=lead_id, author_id=principal.user_id,
                device_id=principal.device_id, status=LeadStatus.SUBMITTED,
                kind=values["kind"])
    _assign(session, lead, values)
    lead.possible_duplicate_of_id = possible_duplicate(session, lead)
    session.add(lead)
    session.add(LeadTransition(court_id=lead.court_id, lead_id=lead.id, from_status=None,
                               to_status=LeadStatus.SUBMITTED, actor_id=principal.user_id,
                               at=lead.created_at))
    session.flush()
    return lead


def _existing(session: Session, principal: Principal, ids: Sequence[str]) -> set[str]:
    """Ids of the court's leads among ``ids``, whoever may see them (a create of one of
    them goes the one-by-one way: an update when visible, else ``lead_exists``)."""
    return set(session.scalars(sa.select(Lead.id).where(
        Lead.court_id == principal.court_id,
        Lead.id == sa.any_(sa.bindparam("ids", list(ids), type_=ARRAY(sa.String))))))


def _create_many(session: Session, principal: Principal,
                 items: Sequence[tuple[str, dict[str, Any]]]) -> list[Any | DomainError]:
    """``_create`` for many new leads (ids the engine found unused): every check first,
    with one query per kind of check for the whole batch, then the leads and their
    transitions written with one multi-row INSERT each. Per item the lead (a plain record,
    as ``_load_many`` gives), or the error ``_create`` would raise for it (its checks in the
    same order). Rows are plain dicts, not ORM objects: building two SQLModel objects per
    lead cost more than the database did (bench/profile-findings.md)."""
    try:
        scope = policy.require(principal, "lead.create")
        if scope == "own_grid" and not session.execute(
                policy.active_grid_ids(principal).limit(1)).first():
            raise Forbidden("you serve no village grid", code="no_grid_assignment")
    except DomainError as refused:
        return [refused] * len(items)
    court_id = principal.court_id
    known = {EnforcementCase: known_ids(session, court_id, EnforcementCase,
                                        (v.get("case_id") for _, v in items)),
             Party: known_ids(session, court_id, Party, (v.get("party_id") for _, v in items))}
    lead_defaults = _columns(Lead(court_id=court_id, id="", author_id=principal.user_id,
                                  device_id=principal.device_id, status=LeadStatus.SUBMITTED,
                                  kind=LeadKind.OTHER))
    out: list[Any | DomainError] = []
    for lead_id, values in items:
        if "kind" not in values:
            out.append(ValidationFailed("a lead needs a kind", errors={"kind": ["required"]}))
            continue
        now = utcnow()
        lead = SimpleNamespace(**{**lead_defaults, "id": lead_id, "created_at": now,
                                  "updated_at": now})
        _set_fields(lead, values)
        error = unknown_refs({"case_id": (EnforcementCase, lead.case_id),
                              "party_id": (Party, lead.party_id)},
                             lambda model, ref_id: ref_id in known[model])
        if error is None and values.get("attachments"):
            try:
                check_refs(session, court_id, values["attachments"])
            except DomainError as refused:
                error = refused
        out.append(lead if error is None else error)
    leads = [lead for lead in out if isinstance(lead, SimpleNamespace)]
    if not leads:
        return out
    values_of = dict(items)
    located = [(lead, _reported(values_of[lead.id]["point"])) for lead in leads
               if values_of[lead.id].get("point")]
    placed = place_many(session, court_id, [point for _, point in located])
    for (lead, point), where in zip(located, placed, strict=True):
        put_point(lead, point, where)
    for lead, duplicate in zip(leads, possible_duplicates(session, court_id, leads),
                               strict=True):
        lead.possible_duplicate_of_id = duplicate
    _insert_rows(session, Lead.__table__, [vars(lead) for lead in leads])
    step = _columns(LeadTransition(court_id=court_id, lead_id="", from_status=None,
                                   to_status=LeadStatus.SUBMITTED, actor_id=principal.user_id))
    _insert_rows(session, LeadTransition.__table__, [
        {**step, "id": new_id(), "lead_id": lead.id, "at": lead.created_at} for lead in leads])
    for lead in leads:
        if "attachments" in values_of[lead.id]:
            show_files(lead, replace_refs(session, court_id, "lead", lead.id,
                                          values_of[lead.id]["attachments"] or []))
    return out


def _set_fields(lead: Any, values: dict[str, Any]) -> None:
    """The plain fields ``_assign`` sets (not the point, references or attachments)."""
    for key in ("kind", "description", "debtor_text", "urgency", "case_id", "party_id"):
        if key in values:
            setattr(lead, key, values[key])
    if "observed_at" in values:
        raw = values["observed_at"]
        lead.observed_at = datetime.fromisoformat(raw) if raw else None


def _reported(p: dict[str, Any]) -> ReportedPoint:
    """A normalised point value as the placement takes it."""
    return ReportedPoint(p["lon"], p["lat"], Datum(p["datum"]), p["accuracy_m"])


def _insert_rows(session: Session, table: sa.Table, rows: Sequence[dict[str, Any]]) -> None:
    """One ``INSERT … SELECT FROM unnest(arrays)`` for all ``rows`` (a column per array, as
    SQLAlchemy would bind each value): no statement, parse and plan per row as with
    executemany; SQLAlchemy's multi-row VALUES was slower still (bench/profile-findings.md)."""
    dialect = session.get_bind().dialect
    names, arrays, params = [], [], {}
    for k, column in enumerate(table.columns):
        values = [row[column.name] for row in rows]
        process = column.type.bind_processor(dialect)
        if isinstance(column.type, (sa.JSON, JSONB)):
            names.append(f"u.c{k}::jsonb")
            values = [None if v is None else json.dumps(v) for v in values]
            sql_type = "text"
            process = None
        elif isinstance(column.type, Geometry):
            names.append(f"ST_GeomFromEWKT(u.c{k})")
            sql_type = "text"
        else:
            names.append(f"u.c{k}")
            sql_type = column.type.compile(dialect)
        if process is not None:
            values = [None if v is None else process(v) for v in values]
        arrays.append(f"CAST(:c{k} AS {sql_type}[])")
        params[f"c{k}"] = values
    columns = ", ".join(f'"{c.name}"' for c in table.columns)
    aliases = ", ".join(f"c{k}" for k in range(len(table.columns)))
    session.execute(sa.text(
        f"INSERT INTO {table.name} ({columns}) SELECT {', '.join(names)} "
        f"FROM unnest({', '.join(arrays)}) AS u({aliases})"), params)


def _columns(row: Any) -> dict[str, Any]:
    """A model instance as the values of its table's columns, for a multi-row INSERT."""
    return {column.name: getattr(row, column.name) for column in row.__table__.columns}


def _may_write(principal: Principal, lead: Lead) -> None:
    """The author while the court has not started on the lead; officers and judges always
    (they correct leads at triage and resolve conflicts)."""
    if principal.role in COURT_ROLES:
        return
    policy.require(principal, "lead.update")
    if lead.author_id != principal.user_id:
        raise Forbidden("only the author may change this lead")
    if lead.status not in lifecycle.EDITABLE_BY_AUTHOR:
        raise Conflict(f"the lead is {lead.status.value}; it can no longer be edited",
                       code="lead_not_editable", current_status=lead.status.value)


def _bump(lead: Lead) -> None:
    lead.version += 1
    lead.updated_at = utcnow()


def _update(session: Session, principal: Principal, lead: Lead, values: dict[str, Any]) -> None:
    _may_write(principal, lead)
    _assign(session, lead, values)
    _bump(lead)
    session.flush()


def _delete(session: Session, principal: Principal, lead: Lead) -> None:
    """Withdraw a lead: a tombstone that phones learn about, never a hard delete."""
    _may_write(principal, lead)
    mark_withdrawn(session, principal, lead)
    session.flush()


def _restore(session: Session, principal: Principal, lead: Lead) -> None:
    if principal.role not in COURT_ROLES and lead.author_id != principal.user_id:
        raise Forbidden("only the author or the court may restore this lead")
    lead.deleted_at = None
    _bump(lead)
    session.flush()


def scope_clock() -> sa.ColumnElement[Any]:
    """The quarter hour: scopes compare dates (the court's day for credit repairs, the
    server's for mediators' terms), and a day begins on a quarter hour in every time zone,
    so a pull never trusts a verification of its scope made in another quarter
    (``sync.scope.check``)."""
    return sa.func.date_bin(sa.cast("15 minutes", sa.Interval), sa.func.now(),
                            sa.cast("epoch", sa.DateTime(timezone=True)))


def _lead_scope(principal: Principal, change: sa.Table) -> sa.ColumnElement[bool]:
    scope = policy.scope_of(principal.role, "lead.read")
    if scope == "court":
        return sa.true()
    if scope == "own":
        return change.c.author_id == principal.user_id
    if scope == "own_grid":
        return change.c.village_grid_id.in_(policy.active_grid_ids(principal))
    return sa.false()


LEAD_SPEC = SyncSpec(
    table="lead", fields=LEAD_FIELDS, load=_load, load_many=_load_many, values=lead_values,
    create=_create, update=_update, delete=_delete, restore=_restore, scope=_lead_scope,
    normalise=normalise_lead, create_many=_create_many, existing=_existing,
    pull_many=pull_leads,
)

REGISTRY = Registry({spec.table: spec for spec in (LEAD_SPEC, *FIELD_SPECS, *REFERENCE_SPECS)},
                    rejections=(DomainError,),
                    code_of=lambda exc: getattr(exc, "code", "rejected"),
                    scope_clock=scope_clock)
