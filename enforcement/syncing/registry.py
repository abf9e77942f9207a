"""The registry of every synced table: what the sync engine may do with the domain's tables.

Each feature's spec lives in its own package (``leads``, ``sightings``, ``mediation``,
``tasks``, ``rounds``: ``<feature>/sync_spec.py``); the read-only reference data is in
``syncing.reference`` (an officer's round stops: ``rounds.stop_spec``). Field ownership
per table is in each spec's docstring and in docs/sync.md.

What a push writes depends on the court's settings (``leads.settings``): pushes and
conflict resolutions run on ``registry_for(settings)``; ``REGISTRY`` serves what no setting
changes (pulls, the WatermelonDB schema) and writes no lead.
"""

from __future__ import annotations

from functools import cache
from typing import Any

import sqlalchemy as sa

from enforcement.credit.measures import court_today_sql
from enforcement.errors import DomainError
from enforcement.leads.settings import LeadSettings
from enforcement.leads.sync_spec import LEAD_SPEC, lead_spec
from enforcement.mediation.sync_spec import NOTE_SPEC
from enforcement.rounds.stop_spec import ROUND_STOP_SPEC
from enforcement.rounds.sync_spec import VISIT_SPEC
from enforcement.sightings.sync_spec import SIGHTING_SPEC
from enforcement.syncing.reference import REFERENCE_SPECS
from enforcement.tasks.sync_spec import ANSWER_SPEC
from sync.spec import Registry, SyncSpec


def scope_clock() -> sa.ColumnElement[Any]:
    """The days the scopes compare, and nothing finer: the court's (``court_today_sql``:
    credit repairs in effect, round stops planned) and the server's (``current_date``:
    mediators' terms). A pull never trusts a verification of its scope made on another
    of those days (``sync.scope.checking``). The quarter hour it was before made every
    phone's next poll compare its whole scope four times an hour: at a 5-minute cadence,
    one poll in three, at 25 times the cost of the others (finding 44).
    ``test_scopes_move_with_the_days_alone`` keeps the scopes to those two days."""
    return sa.func.concat(sa.cast(court_today_sql(), sa.Text), " ",
                          sa.cast(sa.func.current_date(), sa.Text))


FIELD_SPECS = (LEAD_SPEC, SIGHTING_SPEC, NOTE_SPEC, ANSWER_SPEC, VISIT_SPEC)


def _registry(field_specs: tuple[SyncSpec, ...]) -> Registry:
    return Registry({spec.table: spec for spec in (*field_specs, *REFERENCE_SPECS,
                                                   ROUND_STOP_SPEC)},
                    rejections=(DomainError,),
                    code_of=lambda exc: getattr(exc, "code", "rejected"),
                    scope_clock=scope_clock,
                    scope_key=lambda p: (p.court_id, p.user_id, p.role),
                    shape_key=lambda p: p.role)


REGISTRY = _registry(FIELD_SPECS)
"""For reads (pulls, schemas); a lead pushed through it fails loudly (``lead_spec``)."""


@cache
def registry_for(settings: LeadSettings) -> Registry:
    """Every synced table, leads written under the court's ``settings``; one per value
    of the settings, so its cache of scope clauses lives as long as the process."""
    return _registry((lead_spec(settings), *FIELD_SPECS[1:]))
