"""A deterministic demo county: Zhengning (正宁县), Gansu, with a court, its grids and a few
years of enforcement work.

Pure Python and shapely, no database: ``generate_county(scale, seed)`` returns plain
dataclasses (``seed.records``) whose field names are the column names of the tables in
``enforcement.models`` (``seed.load`` writes them). The builders of ``seed.builders`` make
them, one area each, sharing a ``seed.context.CountyDraft``; the constants and name
lists they draw from are in ``seed.reference``. The same ``(scale, seed)`` always gives
the same data, ids included, in any process.

What ``scale`` multiplies: grid assistants, cases (and their parties), and every kind of
field record (leads, sightings, mediation notes, tasks, round targets, deputy follows and
evaluations, linkage requests). The county, its 10 townships and ~100 villages, the four
rounds and the other users stay the same at every scale.

The story the data tells (see ``shared/seeds``): the Zhengning court split the county into
10 township grids and hired 235 grid assistants from the village committees; assistants
report leads and sightings, local sages (乡贤) mediate, four rounds of concentrated village
enforcement (驻村连片集中执行) ran in 2025, deputies follow cases and witness key nodes
(Pingtan), and 13 linkage units answer requests (Qijiang) and acknowledge joint punishment
notices; the court keeps red/white/black lists and pays judicial aid (Luojiang;
``seed.builders.credit_linkage``).
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any

from shapely.geometry import Polygon

from seed.builders.accounts import build_users
from seed.builders.cases import build_cases
from seed.builders.catalogue import build_units_and_nodes
from seed.builders.closing import finish_cases
from seed.builders.credit import build_credit
from seed.builders.credit_linkage import build_credit_linkage
from seed.builders.grids import build_geography
from seed.builders.leads import build_leads
from seed.builders.linkage import build_linkage_requests
from seed.builders.mediation import build_mediation, build_mediator_assignments, build_settlements
from seed.builders.rounds import build_rounds
from seed.builders.sightings import build_sightings
from seed.builders.supervision import build_node_events, build_supervision
from seed.builders.tasks import build_tasks
from seed.context import CountyDraft
from seed.records.cases import (
    DemoCase,
    DemoCaseEvent,
    DemoCaseParty,
    DemoInstalment,
    DemoMediationNote,
    DemoParty,
    DemoSettlement,
)
from seed.records.court import (
    DemoCourt,
    DemoGridAssignment,
    DemoLinkageUnit,
    DemoLogin,
    DemoNode,
    DemoTownship,
    DemoUser,
    DemoVillage,
)
from seed.records.credit import DemoCreditRepair, DemoMeasureEvent, DemoPartyMeasure
from seed.records.field import (
    DemoLead,
    DemoLeadTransition,
    DemoSighting,
    DemoTask,
    DemoTaskAnswer,
    DemoTaskGrid,
)
from seed.records.linkage import (
    DemoAidPayment,
    DemoJudicialAid,
    DemoLinkageRequest,
    DemoListEntry,
    DemoPunishmentNotice,
)
from seed.records.rounds import DemoOutcome, DemoRound, DemoRoundTarget, DemoRoundTeam, DemoVisit
from seed.records.supervision import (
    DemoCaseFollow,
    DemoCaseMediator,
    DemoDeputyEvaluation,
    DemoNodeEvent,
    DemoNodeWitness,
)
from seed.reference import AS_OF, DEMO_PASSWORD

Row = Any
"""Any record of ``seed.records``."""

TABLES: tuple[tuple[str, str], ...] = (
    ("court", "courts"),
    ("linkage_unit", "linkage_units"),
    ("user_account", "users"),
    ("township", "townships"),
    ("village_grid", "villages"),
    ("grid_assignment", "grid_assignments"),
    ("enforcement_node", "nodes"),
    ("enforcement_case", "cases"),
    ("party", "parties"),
    ("case_party", "case_parties"),
    ("case_event", "case_events"),
    ("enforcement_round", "rounds"),
    ("round_team", "round_teams"),
    ("lead", "leads"),
    ("lead_transition", "lead_transitions"),
    ("round_target", "round_targets"),
    ("visit", "visits"),
    ("sighting", "sightings"),
    ("mediation_note", "mediation_notes"),
    ("settlement", "settlements"),
    ("instalment", "instalments"),
    ("task", "tasks"),
    ("task_grid", "task_grids"),
    ("task_answer", "task_answers"),
    ("outcome", "outcomes"),
    ("case_follow", "case_follows"),
    ("node_event", "node_events"),
    ("node_witness", "node_witnesses"),
    ("case_mediator", "case_mediators"),
    ("deputy_evaluation", "deputy_evaluations"),
    ("punishment_notice", "punishment_notices"),
    ("linkage_request", "linkage_requests"),
    ("party_measure", "party_measures"),
    ("party_measure_event", "measure_events"),
    ("credit_repair", "credit_repairs"),
    ("linkage_list_entry", "list_entries"),
    ("judicial_aid", "judicial_aid"),
    ("judicial_aid_payment", "aid_payments"),
)
"""(table name, ``DemoCounty`` attribute) in an order that satisfies every foreign key."""


@dataclass(slots=True, kw_only=True)
class DemoCounty:
    scale: int
    seed: int
    outline: Polygon
    court: DemoCourt
    townships: list[DemoTownship]
    villages: list[DemoVillage]
    linkage_units: list[DemoLinkageUnit]
    users: list[DemoUser]
    grid_assignments: list[DemoGridAssignment]
    nodes: list[DemoNode]
    cases: list[DemoCase]
    parties: list[DemoParty]
    case_parties: list[DemoCaseParty]
    case_events: list[DemoCaseEvent]
    rounds: list[DemoRound]
    round_teams: list[DemoRoundTeam]
    round_targets: list[DemoRoundTarget]
    visits: list[DemoVisit]
    leads: list[DemoLead]
    lead_transitions: list[DemoLeadTransition]
    sightings: list[DemoSighting]
    mediation_notes: list[DemoMediationNote]
    settlements: list[DemoSettlement]
    instalments: list[DemoInstalment]
    tasks: list[DemoTask]
    task_grids: list[DemoTaskGrid]
    task_answers: list[DemoTaskAnswer]
    outcomes: list[DemoOutcome]
    case_follows: list[DemoCaseFollow]
    node_events: list[DemoNodeEvent]
    node_witnesses: list[DemoNodeWitness]
    case_mediators: list[DemoCaseMediator]
    deputy_evaluations: list[DemoDeputyEvaluation]
    linkage_requests: list[DemoLinkageRequest]
    party_measures: list[DemoPartyMeasure]
    measure_events: list[DemoMeasureEvent]
    credit_repairs: list[DemoCreditRepair]
    logins: list[DemoLogin]
    punishment_notices: list[DemoPunishmentNotice] = field(default_factory=list)
    list_entries: list[DemoListEntry] = field(default_factory=list)
    judicial_aid: list[DemoJudicialAid] = field(default_factory=list)
    aid_payments: list[DemoAidPayment] = field(default_factory=list)
    password: str = DEMO_PASSWORD

    @property
    def courts(self) -> list[DemoCourt]:
        return [self.court]

    def tables(self) -> list[tuple[str, list[Row]]]:
        """Every table's rows, parents before children."""
        return [(table, getattr(self, attr)) for table, attr in TABLES]

    def counts(self) -> dict[str, int]:
        return {table: len(rows) for table, rows in self.tables()}


def record_values(record: Row) -> dict[str, Any]:
    """A record's fields as a dict (shallow: geometries and lists are not copied)."""
    return {f.name: getattr(record, f.name) for f in fields(record)}


def generate_county(scale: int = 1, seed: int = 2024) -> DemoCounty:
    """The demo county for ``(scale, seed)``: identical on every call and in every process.

    The order below is part of the data: the builders share one random stream and one id
    stream, so each one draws where the one before it stopped.
    """
    draft = CountyDraft(scale, seed)
    build_geography(draft)
    build_units_and_nodes(draft)
    build_users(draft)
    build_cases(draft)
    build_rounds(draft)
    build_leads(draft)
    build_sightings(draft)
    build_mediation(draft)
    build_settlements(draft)
    finish_cases(draft)
    build_tasks(draft)
    build_supervision(draft)
    build_linkage_requests(draft)
    build_node_events(draft)
    build_mediator_assignments(draft)
    measures, measure_events, repairs = build_credit(
        draft.states, draft.case_parties, draft.officers, AS_OF, draft.seed, draft.uid)
    credit_linkage = build_credit_linkage(draft)  # last: earlier ids stay as they were
    return DemoCounty(
        scale=draft.scale, seed=draft.seed, outline=draft.outline, court=draft.court,
        townships=draft.townships, villages=draft.villages,
        linkage_units=draft.linkage_units, users=draft.users,
        grid_assignments=draft.grid_assignments, nodes=draft.nodes, cases=draft.cases,
        parties=draft.parties, case_parties=draft.case_parties,
        case_events=draft.case_events, rounds=draft.rounds, round_teams=draft.round_teams,
        round_targets=draft.round_targets, visits=draft.visits, leads=draft.leads,
        lead_transitions=draft.lead_transitions, sightings=draft.sightings,
        mediation_notes=draft.mediation_notes, settlements=draft.settlements,
        instalments=draft.instalments, tasks=draft.tasks, task_grids=draft.task_grids,
        task_answers=draft.task_answers, outcomes=draft.outcomes,
        case_follows=draft.case_follows, node_events=draft.node_events,
        node_witnesses=draft.node_witnesses, case_mediators=draft.case_mediators,
        deputy_evaluations=draft.deputy_evaluations,
        linkage_requests=draft.linkage_requests, party_measures=measures,
        measure_events=measure_events, credit_repairs=repairs, logins=draft.logins,
        **credit_linkage,
    )
