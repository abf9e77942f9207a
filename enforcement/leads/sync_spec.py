"""What the sync engine may do with leads (the registry of every synced table is
``enforcement.syncing.registry``).

Field ownership, and why:

``client``  ``kind``, ``description``, ``debtor_text``, ``observed_at``, ``urgency``,
            ``point`` ({lon, lat, datum, accuracy_m}): the assistant's own report; their
            words win even if someone touched them meanwhile.
            ``position_source`` (``gps`` / ``manual``) and ``position_note`` (why the
            position is less than the court asked for), from schema version 5.
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
the court), so a phone never holds what the REST API would not show. The writes are the
lead write path itself (``leads.writes``: the REST use cases are thin shells around it),
run inside the push's transaction, so a push and a REST submit are the same write
(tests/api/test_one_write_path.py compares both doors), under the court's
``LeadSettings``: the spec that writes is ``lead_spec(settings)``, built for them.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from functools import partial
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

from enforcement import policy
from enforcement.accounts.principal import Principal
from enforcement.attachments.refs import hang_files, normalise_refs
from enforcement.errors import DomainError, Forbidden, ValidationFailed
from enforcement.infrastructure.times import CLOCK_SKEW, plausible
from enforcement.leads.settings import LeadSettings
from enforcement.leads.writes import (
    create_leads,
    edit_lead_values,
    existing_ids,
    mark_withdrawn,
    may_write,
)
from enforcement.models import (
    Datum,
    Lead,
    LeadKind,
    Urgency,
    utcnow,
)
from enforcement.models.base import table_of
from enforcement.syncing.common import CR, POINT, SR, TIMESTAMPS, C, H, S, domain_values, iso_sql
from enforcement.syncing.values import AS_FILES, AS_POINT, TableValues, money, text_of
from sync.spec import Kind, SyncSpec

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
    "position_source": C.of(Kind.TEXT, since=5), "position_note": C.of(Kind.TEXT, since=5),
}
POSITION_SOURCES = ("gps", "manual")


_lead = table_of(Lead)

LEAD_VALUES = TableValues(Lead, (
    ("kind", text_of(_lead.c.kind)), ("description", _lead.c.description),
    ("debtor_text", _lead.c.debtor_text), ("observed_at", iso_sql(_lead.c.observed_at)),
    ("urgency", text_of(_lead.c.urgency)), ("point", AS_POINT),
    ("case_id", _lead.c.case_id), ("party_id", _lead.c.party_id),
    ("status", text_of(_lead.c.status)), ("author_id", _lead.c.author_id),
    ("township_id", _lead.c.township_id), ("village_grid_id", _lead.c.village_grid_id),
    ("outside_grid", _lead.c.outside_grid),
    ("nearest_grid_distance_m", _lead.c.nearest_grid_distance_m),
    ("possible_duplicate_of_id", _lead.c.possible_duplicate_of_id),
    ("duplicate_of_id", _lead.c.duplicate_of_id),
    ("assigned_officer_id", _lead.c.assigned_officer_id), ("round_id", _lead.c.round_id),
    ("triaged_at", iso_sql(_lead.c.triaged_at)), ("created_at", iso_sql(_lead.c.created_at)),
    ("updated_at", iso_sql(_lead.c.updated_at)),
    ("amount_recovered", money(_lead.c.amount_recovered)),
    ("attachments", AS_FILES),
    ("position_source", _lead.c.position_source), ("position_note", _lead.c.position_note),
), court_only=("amount_recovered",), files="lead", shielded="lead")
"""The lead as a phone stores it, for pulls and push results alike: times in UTC, enums
as text; ``amount_recovered`` for court roles only (assistants never see amounts)."""


def _iso(value: datetime | None) -> str | None:
    return value.astimezone(UTC).isoformat() if value is not None else None


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
        if out.get("position_source") not in (None, *POSITION_SOURCES):
            raise ValueError("position_source is gps or manual")
        note = out.get("position_note")
        if note is not None and (not isinstance(note, str) or len(note) > 200):
            raise ValueError("position_note is text of at most 200 characters")
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


def _domain(values: dict[str, Any]) -> dict[str, Any]:
    """Normalised sync values as the lead write path takes them."""
    return domain_values(LEAD_FIELDS, values)


def _create(settings: LeadSettings, session: Session, principal: Principal, lead_id: str,
            values: dict[str, Any]) -> Any:
    """The lead write path (``leads.writes``), a batch of one, in the push's transaction
    (the id may be another author's lead: ``lead_exists``)."""
    (made,) = create_leads(session, settings, principal, [(lead_id, _domain(values))])
    if isinstance(made, DomainError):
        raise made
    return made


def _existing(session: Session, principal: Principal, ids: Sequence[str]) -> set[str]:
    """Ids of the court's leads among ``ids``, whoever may see them (a create of one of
    them goes the one-by-one way: an update when visible, else ``lead_exists``)."""
    return existing_ids(session, principal.court_id, ids)


def _create_many(settings: LeadSettings, session: Session, principal: Principal,
                 items: Sequence[tuple[str, dict[str, Any]]]) -> list[Any | DomainError]:
    """New leads through the lead write path (``leads.writes.create_leads``): the REST
    submit's checks, defaults, placement and duplicate marks, for the whole batch. The
    engine has found the ids new (``_existing``) in this transaction: not looked up twice."""
    return create_leads(session, settings, principal,
                        [(lead_id, _domain(values)) for lead_id, values in items], new=True)


def _update(settings: LeadSettings, session: Session, principal: Principal, lead: Lead,
            values: dict[str, Any]) -> None:
    edit_lead_values(session, settings, principal, lead, _domain(values))


def _delete(session: Session, principal: Principal, lead: Lead) -> None:
    """Withdraw a lead: a tombstone that phones learn about, never a hard delete."""
    may_write(principal, lead)
    mark_withdrawn(session, principal, lead)


def _restore(session: Session, principal: Principal, lead: Lead) -> None:
    if principal.role not in policy.COURT_ROLES and lead.author_id != principal.user_id:
        raise Forbidden("only the author or the court may restore this lead")
    lead.deleted_at = None
    lead.version += 1
    lead.updated_at = utcnow()
    session.flush()


def _lead_scope(principal: Principal, change: sa.Table) -> sa.ColumnElement[bool]:
    scope = policy.scope_of(principal.role, "lead.read")
    if scope is None:
        return sa.false()
    return policy.lead_scope(principal, scope, change.c.author_id, change.c.village_grid_id)


def _unset(*_: Any) -> Any:
    raise TypeError("a lead is written under the court's LeadSettings: push with "
                    "enforcement.syncing.registry.registry_for(settings)")


def lead_spec(settings: LeadSettings | None) -> SyncSpec:
    """The lead's spec, its writes under the court's ``settings``; with None, a spec that
    reads only (pulls, schemas), whose writes fail loudly rather than take a default."""
    create: Any = _unset if settings is None else partial(_create, settings)
    create_many: Any = _unset if settings is None else partial(_create_many, settings)
    update: Any = _unset if settings is None else partial(_update, settings)
    return SyncSpec(
        table="lead", fields=LEAD_FIELDS, load=_load, values=LEAD_VALUES.values,
        create=create, update=update, delete=_delete, restore=_restore, scope=_lead_scope,
        normalise=normalise_lead, create_many=create_many, existing=_existing,
        pull_many=LEAD_VALUES.pull,
        shown=LEAD_VALUES.shown,
    )


LEAD_SPEC = lead_spec(None)
"""The lead's spec for reads: what a pull sends and a schema declares."""
