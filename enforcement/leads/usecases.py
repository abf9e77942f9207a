"""Leads: submit, correct, read and list. Moving a lead along its lifecycle is in
``transitions``. Each function is one unit of work; phones reach the same functions
through sync later, so every rule lives here, not in the routes."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa

from enforcement import policy
from enforcement.accounts.principal import Principal
from enforcement.attachments.refs import hang_files, show_files
from enforcement.errors import Conflict, DomainError, PreconditionFailed
from enforcement.infrastructure.db import Database
from enforcement.infrastructure.paging import Page, Position, SortOrder, fetch_page
from enforcement.infrastructure.text_shield import shield_rows
from enforcement.leads.queries import LEAD_ORDERS, LeadFilters, visible_lead
from enforcement.leads.settings import LeadSettings
from enforcement.leads.writes import (
    check_withdrawable,
    create_leads,
    edit_lead_values,
    mark_withdrawn,
    require_may_create,
)
from enforcement.models import Lead, LeadTransition, new_id

CLIENT_FIELDS = frozenset({
    "kind", "case_id", "party_id", "debtor_text", "description", "observed_at", "urgency",
    "position_source", "position_note",
})
"""Fields a client may set besides ``id`` and ``point``; everything else the server owns."""


def submit_lead(db: Database, settings: LeadSettings, principal: Principal,
                data: Mapping[str, Any]) -> tuple[Lead, bool]:
    """Record a new lead, as the court's ``settings`` take it; returns it and whether it
    was created.

    The id may come from the phone. Sending the same id again (a retry after a lost
    answer) returns the stored lead instead of a second one. The write is the one a push
    makes (``writes.create_leads``, a batch of one).
    """
    with db.unit_of_work() as session:
        require_may_create(session, principal)
        lead_id = data.get("id") or new_id()
        if data.get("id") and (existing := session.get(Lead, (principal.court_id, lead_id))):
            if existing.author_id != principal.user_id or existing.deleted_at is not None:
                raise Conflict("a lead with this id exists", code="lead_exists")
            hang_files(session, "lead", [existing])
            return _as_seen_by(principal, existing), False
        values = {**_client_values(data), "point": data.get("point"),
                  "attachments": data.get("attachments") or []}
        (made,) = create_leads(session, settings, principal, [(lead_id, values)])
        if isinstance(made, DomainError):
            raise made
        try:
            session.commit()
        except sa.exc.IntegrityError as error:  # the same id sent twice at the same moment
            raise Conflict("a lead with this id exists", code="lead_exists") from error
        lead = session.get(Lead, (principal.court_id, lead_id))
        assert lead is not None
        show_files(lead, made.attachments)
    return _as_seen_by(principal, lead), True


def edit_lead(db: Database, settings: LeadSettings, principal: Principal, lead_id: str,
              expected_version: int, changes: Mapping[str, Any]) -> Lead:
    """Correct one's own lead while the court has not started on it, as the court's
    ``settings`` take it.

    ``expected_version`` is the version the client last saw (its ``If-Match``): a lead
    changed since then is refused with 412 rather than silently overwritten.
    """
    with db.unit_of_work() as session:
        lead = visible_lead(session, principal, "lead.update", lead_id, for_update=True)
        if lead.version != expected_version:
            raise PreconditionFailed(f"the lead is at version {lead.version}",
                                     current_version=lead.version)
        values = {**_client_values(changes),
                  **{k: changes[k] for k in ("point", "attachments") if k in changes}}
        edit_lead_values(session, settings, principal, lead, values)
        session.commit()
        hang_files(session, "lead", [lead])
    return _as_seen_by(principal, lead)


def withdraw_lead(db: Database, principal: Principal, lead_id: str,
                  expected_version: int | None) -> None:
    """The author takes back their lead while the court has not started on it.

    A soft delete: the row stays (phones get a tombstone, the audit log says who and
    when), it just leaves every list. ``expected_version`` (the ``If-Match``, optional)
    guards against withdrawing a lead changed since it was read.
    """
    with db.unit_of_work() as session:
        lead = visible_lead(session, principal, "lead.withdraw", lead_id, for_update=True)
        if expected_version is not None and lead.version != expected_version:
            raise PreconditionFailed(f"the lead is at version {lead.version}",
                                     current_version=lead.version)
        check_withdrawable(lead)
        mark_withdrawn(session, principal, lead)
        session.commit()


def get_lead(db: Database, principal: Principal, lead_id: str) -> Lead:
    with db.unit_of_work() as session:
        lead = visible_lead(session, principal, "lead.read", lead_id)
        hang_files(session, "lead", [lead])
        shield_rows(session, principal, "lead", [lead])
        session.commit()  # the audit of an unmasked read
    return _as_seen_by(principal, lead)


def list_leads(db: Database, principal: Principal, filters: LeadFilters,
               after: Position | None, limit: int,
               order: SortOrder = LEAD_ORDERS["newest"]) -> Page[Lead]:
    """The caller's visible leads in ``order`` (newest first), one page at a time."""
    with db.unit_of_work() as session:
        query = sa.select(Lead).where(
            policy.scope_filter(principal, "lead.read", Lead), Lead.deleted_at.is_(None),
            *filters.clauses(),
        )
        page = fetch_page(session, query, order, after, limit)
        hang_files(session, "lead", page.items)
        shield_rows(session, principal, "lead", page.items)
        session.commit()  # the audit of unmasked reads
    for lead in page.items:
        _as_seen_by(principal, lead)
    return page


def lead_history(db: Database, principal: Principal, lead_id: str) -> list[LeadTransition]:
    """Every step of the lead, oldest first: who moved it, when and why."""
    with db.unit_of_work() as session:
        lead = visible_lead(session, principal, "lead.read", lead_id)
        return list(session.scalars(
            sa.select(LeadTransition)
            .where(LeadTransition.court_id == lead.court_id, LeadTransition.lead_id == lead.id)
            .order_by(LeadTransition.at, LeadTransition.id)
        ))


def _as_seen_by(principal: Principal, lead: Lead) -> Lead:
    """Blank what the caller may not see: assistants never see amounts (policy
    ``case.read_amounts``). Called once the session is closed, so nothing is written."""
    if not policy.allows(principal, "case.read_amounts"):
        lead.amount_recovered = None  # type: ignore[assignment]
    return lead


def _client_values(data: Mapping[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in data.items() if key in CLIENT_FIELDS}
