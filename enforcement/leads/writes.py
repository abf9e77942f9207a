"""The one write path of a lead: what a REST submit or edit and a phone's push both run,
inside the caller's transaction (the caller opens and commits the unit of work).

Values are the domain's: ``observed_at`` a datetime, ``point`` a ``ReportedPoint``,
``attachments`` a list of ``{sha256, caption}``; each door turns its wire form into these
(the REST schemas, the sync spec's ``normalise``). Defaults, the checks and their order,
placement, duplicate marks, the first transition and the audit trail happen here only, so
a push and a REST call are the same write by construction.

``create_leads`` is batch-shaped: a REST submit is a batch of one, a push of a hundred
offline reports is one batch (one query per kind of check, one INSERT per table).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from types import SimpleNamespace
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY
from sqlmodel import Session

from enforcement import policy
from enforcement.accounts.principal import Principal
from enforcement.attachments.refs import check_refs, refer_new, replace_refs, show_files
from enforcement.errors import Conflict, DomainError, Forbidden, ValidationFailed
from enforcement.grids.placement import place_many, put_point, set_point
from enforcement.leads import lifecycle
from enforcement.leads.queries import possible_duplicates
from enforcement.leads.settings import LeadSettings
from enforcement.models import (
    EnforcementCase,
    Lead,
    LeadKind,
    LeadStatus,
    LeadTransition,
    Party,
    new_id,
    utcnow,
)
from enforcement.models.base import table_of
from enforcement.refs import readable_ids, require_case_and_party, unknown_refs
from enforcement.withdrawals import withdraw
from sync.bulk import insert_rows

PLAIN_FIELDS = ("kind", "description", "debtor_text", "urgency", "case_id", "party_id",
                "observed_at", "position_source", "position_note")
"""What a lead's author sets as is; ``point`` and ``attachments`` have their own steps."""


def require_may_create(session: Session, principal: Principal) -> None:
    """``lead.create``, and an assistant must serve a grid."""
    scope = policy.require(principal, "lead.create")
    if scope == "own_grid" and not session.execute(
            policy.active_grid_ids(principal).limit(1)).first():
        raise Forbidden("you serve no village grid", code="no_grid_assignment")


def create_leads(session: Session, settings: LeadSettings, principal: Principal,
                 items: Sequence[tuple[str, Mapping[str, Any]]], *,
                 new: bool = False) -> list[Any | DomainError]:
    """New leads, as submitted; per item the lead (a plain record with the lead's columns
    and its ``attachments``) or the error that refused it, in order. Every check runs
    first, for the whole batch, then everything is written at once: a refused item
    leaves nothing behind. ``settings``: what the court takes (a hand-typed position).
    Rows are plain records, not ORM objects: building two SQLModel objects per lead cost
    more than the database did (bench/profile-findings.md). ``new``: the caller found in
    this transaction that no lead has any of these ids (the sync engine's ``existing``),
    so they are not looked up again."""
    try:
        require_may_create(session, principal)
    except DomainError as refused:
        return [refused] * len(items)
    court_id = principal.court_id
    taken = set() if new else existing_ids(session, court_id,
                                           [lead_id for lead_id, _ in items])
    known = {EnforcementCase: readable_ids(session, principal, EnforcementCase,
                                           (v.get("case_id") for _, v in items)),
             Party: readable_ids(session, principal, Party,
                                 (v.get("party_id") for _, v in items))}
    defaults = _columns(Lead(court_id=court_id, id="", author_id=principal.user_id,
                             device_id=principal.device_id, status=LeadStatus.SUBMITTED,
                             kind=LeadKind.OTHER))
    out: list[Any | DomainError] = []
    seen: set[str] = set()
    for lead_id, values in items:
        if lead_id in taken or lead_id in seen:
            out.append(Conflict("a lead with this id exists", code="lead_exists"))
            continue
        seen.add(lead_id)
        if values.get("kind") is None:
            out.append(ValidationFailed("a lead needs a kind", errors={"kind": ["required"]}))
            continue
        if refused_position := settings.position_refusal(values):
            out.append(refused_position)
            continue
        now = utcnow()
        lead = SimpleNamespace(**{**defaults, "id": lead_id, "created_at": now,
                                  "updated_at": now})
        _set_plain(lead, values)
        error: DomainError | None = unknown_refs(
            {"case_id": (EnforcementCase, lead.case_id), "party_id": (Party, lead.party_id)},
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
    values_of = {lead_id: values for lead_id, values in items}
    located = [(lead, values_of[lead.id]["point"]) for lead in leads
               if values_of[lead.id].get("point") is not None]
    placed = place_many(session, court_id, [point for _, point in located])
    for (lead, point), where in zip(located, placed, strict=True):
        put_point(lead, point, where)
    for lead, duplicate in zip(leads, possible_duplicates(session, court_id, leads),
                               strict=True):
        lead.possible_duplicate_of_id = duplicate
    insert_rows(session, table_of(Lead), [vars(lead) for lead in leads])
    step = _columns(LeadTransition(court_id=court_id, lead_id="", from_status=None,
                                   to_status=LeadStatus.SUBMITTED, actor_id=principal.user_id))
    insert_rows(session, table_of(LeadTransition), [
        {**step, "id": new_id(), "lead_id": lead.id, "at": lead.created_at} for lead in leads])
    files = refer_new(session, court_id, "lead", {
        lead.id: values_of[lead.id].get("attachments") or [] for lead in leads})
    for lead in leads:
        show_files(lead, files[lead.id])
    return out


def may_write(principal: Principal, lead: Lead) -> None:
    """The author while the court has not started on the lead; officers and judges always
    (they correct leads at triage and resolve sync conflicts)."""
    if principal.role in policy.COURT_ROLES:
        return
    policy.require(principal, "lead.update")
    if lead.author_id != principal.user_id:
        raise Forbidden("only the author may change this lead")
    if lead.status not in lifecycle.EDITABLE_BY_AUTHOR:
        raise Conflict(f"the lead is {lead.status.value}; it can no longer be edited",
                       code="lead_not_editable", current_status=lead.status.value)


def edit_lead_values(session: Session, settings: LeadSettings, principal: Principal,
                     lead: Lead, values: Mapping[str, Any]) -> None:
    """Change a stored lead (the caller has checked who may): its fields, references,
    point and files, then its version; refused whole when ``settings`` do not take its
    new position."""
    may_write(principal, lead)
    if refused_position := settings.position_refusal(values, lead.position_source):
        raise refused_position
    before = {"case_id": lead.case_id, "party_id": lead.party_id}
    _set_plain(lead, values)
    require_case_and_party(session, principal, lead, before)
    if "point" in values:
        set_point(session, lead, values["point"])
    if "attachments" in values:
        show_files(lead, replace_refs(session, lead.court_id, "lead", lead.id,
                                      values["attachments"] or []))
    lead.version += 1
    lead.updated_at = utcnow()
    session.flush()


def check_withdrawable(lead: Lead) -> None:
    """409 ``lead_not_withdrawable`` once the court has started on the lead."""
    if lead.status not in lifecycle.EDITABLE_BY_AUTHOR:
        raise Conflict(f"the lead is {lead.status.value}; the court is working on it, so it "
                       "can no longer be withdrawn", code="lead_not_withdrawable",
                       current_status=lead.status.value)


def mark_withdrawn(session: Session, principal: Principal, lead: Lead) -> None:
    """Soft-delete ``lead`` (a tombstone phones learn about), with an audit entry."""
    withdraw(session, principal, lead, "lead.withdraw", status=lead.status.value)


def _set_plain(lead: Any, values: Mapping[str, Any]) -> None:
    for key in PLAIN_FIELDS:
        if key in values:
            setattr(lead, key, values[key])


def existing_ids(session: Session, court_id: str, ids: Sequence[str]) -> set[str]:
    """Which ids name a lead of the court already, whoever may see it."""
    return set(session.scalars(_EXISTING, {"court_id": court_id, "ids": list(ids)}))


_EXISTING = sa.select(Lead.id).where(  # built once: every push asks (finding 33)
    Lead.court_id == sa.bindparam("court_id"),
    Lead.id == sa.any_(sa.bindparam("ids", type_=ARRAY(sa.String))))


def _columns(row: Any) -> dict[str, Any]:
    """A model instance as the values of its table's columns, for a multi-row INSERT."""
    return {column.name: getattr(row, column.name) for column in row.__table__.columns}
