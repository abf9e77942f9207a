"""The registry of every synced table: what the sync engine may do with the domain's tables.

Each feature's spec lives in its own package (``leads``, ``sightings``, ``mediation``,
``tasks``, ``rounds``: ``<feature>/sync_spec.py``); the read-only reference data is in
``syncing.reference`` (an officer's round stops: ``rounds.stop_spec``). Field ownership
per table is in each spec's docstring and in docs/sync.md.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from enforcement.errors import DomainError
from enforcement.leads.sync_spec import LEAD_SPEC
from enforcement.mediation.sync_spec import NOTE_SPEC
from enforcement.rounds.stop_spec import ROUND_STOP_SPEC
from enforcement.rounds.sync_spec import VISIT_SPEC
from enforcement.sightings.sync_spec import SIGHTING_SPEC
from enforcement.syncing.reference import REFERENCE_SPECS
from enforcement.tasks.sync_spec import ANSWER_SPEC
from sync.spec import Registry


def scope_clock() -> sa.ColumnElement[Any]:
    """The quarter hour: scopes compare dates (the court's day for credit repairs, the
    server's for mediators' terms), and a day begins on a quarter hour in every time zone,
    so a pull never trusts a verification of its scope made in another quarter
    (``sync.scope.check``)."""
    return sa.func.date_bin(sa.cast("15 minutes", sa.Interval), sa.func.now(),
                            sa.cast("epoch", sa.DateTime(timezone=True)))


FIELD_SPECS = (LEAD_SPEC, SIGHTING_SPEC, NOTE_SPEC, ANSWER_SPEC, VISIT_SPEC)

REGISTRY = Registry({spec.table: spec for spec in (*FIELD_SPECS, *REFERENCE_SPECS,
                                                   ROUND_STOP_SPEC)},
                    rejections=(DomainError,),
                    code_of=lambda exc: getattr(exc, "code", "rejected"),
                    scope_clock=scope_clock,
                    scope_key=lambda p: (p.court_id, p.user_id, p.role))
