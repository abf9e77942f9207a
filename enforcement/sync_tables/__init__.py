"""Sync specs of every synced table but leads (``enforcement.sync_specs``, which registers
them all): the field records phones write, and the read-only reference data.

Field ownership per table is in each module's docstring and in docs/sync.md.
"""

from enforcement.sync_tables.mediation_notes import NOTE_SPEC
from enforcement.sync_tables.reference import REFERENCE_SPECS
from enforcement.sync_tables.sightings import SIGHTING_SPEC
from enforcement.sync_tables.task_answers import ANSWER_SPEC
from enforcement.sync_tables.visits import VISIT_SPEC

FIELD_SPECS = (SIGHTING_SPEC, NOTE_SPEC, ANSWER_SPEC, VISIT_SPEC)

__all__ = ["FIELD_SPECS", "REFERENCE_SPECS"]
