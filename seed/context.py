"""What the builders share: ``CountyDraft``, the county while it is being made (the random
streams, the ids, and every list an earlier builder filled for later ones to read), and
``CaseState``, a case's story while the builders write it.

One main random stream (``rng``) and one for ids run through every builder in the order
``seed.county.generate_county`` calls them, so that order is part of the data: a builder
that draws more, or runs earlier, changes everything generated after it.
"""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from shapely.geometry import Polygon

from seed.identities import Identities
from seed.places import Place
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
from seed.records.field import (
    DemoLead,
    DemoLeadTransition,
    DemoSighting,
    DemoTask,
    DemoTaskAnswer,
    DemoTaskGrid,
)
from seed.records.linkage import DemoLinkageRequest
from seed.records.rounds import DemoOutcome, DemoRound, DemoRoundTarget, DemoRoundTeam, DemoVisit
from seed.records.supervision import (
    DemoCaseFollow,
    DemoCaseMediator,
    DemoDeputyEvaluation,
    DemoNodeEvent,
    DemoNodeWitness,
)
from seed.values import CENT, local_moment


@dataclass(slots=True)
class CaseState:
    """A case while the builders work on it: its story (``category``) and the money and
    activity the builders have given it so far."""

    case: DemoCase
    debtor: DemoParty
    place: Place
    applicant: DemoParty
    category: str
    """open, progress, terminated, resumed, settled (E), closed_paid (F1), closed_settled (F2)."""
    paid: Decimal = Decimal("0.00")
    payments: list[tuple[date, Decimal]] = field(default_factory=list)
    last_activity: date | None = None
    settlement_source: str | None = None
    settlement_date: date | None = None
    started_on: date | None = None
    resumed_number: bool = False
    """Filed as a resumed case (执恢)."""

    @property
    def owed(self) -> Decimal:
        """What the case's judgment says the debtor owes."""
        return self.case.amount_owed

    def cap(self, on: date) -> Decimal:
        """How much more may be paid on ``on`` without breaking the case's story."""
        if self.category in ("progress", "resumed"):
            limit = (self.owed * Decimal("0.9")).quantize(CENT)
        elif self.category == "terminated":
            if self.case.terminated_on is None or on >= self.case.terminated_on:
                return Decimal("0.00")
            limit = (self.owed * Decimal("0.5")).quantize(CENT)
        elif self.category == "closed_paid":
            limit = self.owed
        else:
            return Decimal("0.00")
        return max(Decimal("0.00"), limit - self.paid)

    def touch(self, on: date) -> None:
        """Note activity on ``on`` (the case's last activity moves forward only)."""
        if self.last_activity is None or on > self.last_activity:
            self.last_activity = on


class CountyDraft:
    """The county being generated. Each attribute below is set by the builder named beside
    it; later builders read it (and some append to it)."""

    # seed.builders.grids
    outline: Polygon
    townships: list[DemoTownship]
    villages: list[DemoVillage]
    places: list[Place]
    places_by_township: dict[str, list[Place]]
    showcase: Place
    """The county seat's middle village, where assistant1..3 work."""
    neighbours: dict[str, list[str]]
    # seed.builders.catalogue
    linkage_units: list[DemoLinkageUnit]
    nodes: list[DemoNode]
    # seed.builders.accounts
    users: list[DemoUser]
    grid_assignments: list[DemoGridAssignment]
    admin: DemoUser
    judges: list[DemoUser]
    officers: list[DemoUser]
    officers_by_township: dict[str, list[DemoUser]]
    mediators: list[DemoUser]
    mediators_by_township: dict[str, list[DemoUser]]
    deputies: list[DemoUser]
    assistants_by_village: dict[str, list[DemoUser]]
    liaisons: dict[str, DemoUser]
    """Linkage unit id to its liaison user."""
    logins: list[DemoLogin]
    # seed.builders.cases
    cases: list[DemoCase]
    parties: list[DemoParty]
    case_parties: list[DemoCaseParty]
    states: list[CaseState]
    state_by_case: dict[str, CaseState]
    debtors_by_village: dict[str, list[DemoParty]]
    states_by_village: dict[str, list[CaseState]]
    states_by_township: dict[str, list[CaseState]]
    # seed.builders.rounds (outcomes and settlement plans: later builders append)
    rounds: list[DemoRound]
    round_teams: list[DemoRoundTeam]
    round_targets: list[DemoRoundTarget]
    visits: list[DemoVisit]
    outcomes: list[DemoOutcome]
    settlement_plans: list[tuple[CaseState, date, str, str | None]]
    """(case, agreed on, how: visit, mediation or standalone, mediation note id)."""
    round_leads: list[tuple[DemoRoundTarget, DemoRound, DemoVisit | None, DemoOutcome | None]]
    """Round targets a lead pointed to (``seed.builders.leads`` writes those leads)."""
    # seed.builders.leads
    leads: list[DemoLead]
    lead_transitions: list[DemoLeadTransition]
    leads_by_case: dict[str, list[DemoLead]]
    # seed.builders.sightings
    sightings: list[DemoSighting]
    # seed.builders.mediation
    mediation_notes: list[DemoMediationNote]
    note_by_id: dict[str, DemoMediationNote]
    settlements: list[DemoSettlement]
    instalments: list[DemoInstalment]
    case_mediators: list[DemoCaseMediator]
    # seed.builders.closing
    case_events: list[DemoCaseEvent]
    # seed.builders.tasks
    tasks: list[DemoTask]
    task_grids: list[DemoTaskGrid]
    task_answers: list[DemoTaskAnswer]
    # seed.builders.supervision
    case_follows: list[DemoCaseFollow]
    deputy_evaluations: list[DemoDeputyEvaluation]
    node_events: list[DemoNodeEvent]
    node_witnesses: list[DemoNodeWitness]
    # seed.builders.linkage (seed.builders.credit_linkage appends notice copies)
    linkage_requests: list[DemoLinkageRequest]

    def __init__(self, scale: int, seed: int) -> None:
        if scale < 1:
            raise ValueError("scale must be at least 1")
        self.scale = scale
        self.seed = seed
        self.rng = random.Random(f"gridwork-demo:{seed}")
        self._id_rng = random.Random(f"gridwork-demo-ids:{seed}")
        self.identities = Identities(self.rng)
        self.court_id = self.uid()
        self.court = DemoCourt(id=self.court_id,
                               created_at=local_moment(date(2022, 3, 1), self.rng))

    def uid(self) -> str:
        """The next id of the county's own id stream: the same ids in every run."""
        return str(uuid.UUID(int=self._id_rng.getrandbits(128), version=4))
