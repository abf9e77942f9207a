"""Factories for test data: ``create_x(session, **overrides)`` with random ids, one module
per area (``factories.create_lead`` works for all of them).

They flush but do not commit; the ``session`` fixture's caller commits (API tests
need the rows visible to the live server's own connections).
"""

from tests.factories.accounts import PASSWORD, create_court, create_device, create_user
from tests.factories.attachments import create_attachment
from tests.factories.cases import (
    add_party,
    create_case,
    create_case_event,
    create_debtor_case,
    create_party,
)
from tests.factories.credit import create_judicial_aid, create_repair, impose_measure
from tests.factories.field import (
    assign_mediator,
    create_lead,
    create_mediation_note,
    create_settlement,
    create_sighting,
    create_task,
    create_task_answer,
)
from tests.factories.grids import (
    BOUNDARY_DRIVERS,
    assign_grid,
    create_township,
    create_village,
    point,
    square,
    write_boundary_file,
    zip_shapefile,
)
from tests.factories.linkage import (
    create_linkage_request,
    create_linkage_unit,
    create_list_entry,
    create_punishment_notice,
)
from tests.factories.rounds import (
    create_outcome,
    create_round,
    create_round_target,
    create_round_team,
    create_visit,
    create_visitable_round,
)
from tests.factories.supervision import (
    create_node,
    create_node_event,
    create_opinion,
    follow_case,
    witness_event,
)

__all__ = [
    "BOUNDARY_DRIVERS",
    "PASSWORD",
    "add_party",
    "assign_grid",
    "assign_mediator",
    "create_attachment",
    "create_case",
    "create_case_event",
    "create_court",
    "create_debtor_case",
    "create_device",
    "create_judicial_aid",
    "create_lead",
    "create_linkage_request",
    "create_linkage_unit",
    "create_list_entry",
    "create_mediation_note",
    "create_node",
    "create_node_event",
    "create_opinion",
    "create_outcome",
    "create_party",
    "create_punishment_notice",
    "create_repair",
    "create_round",
    "create_round_target",
    "create_round_team",
    "create_settlement",
    "create_sighting",
    "create_task",
    "create_task_answer",
    "create_township",
    "create_user",
    "create_village",
    "create_visit",
    "create_visitable_round",
    "follow_case",
    "impose_measure",
    "point",
    "square",
    "witness_event",
    "write_boundary_file",
    "zip_shapefile",
]
