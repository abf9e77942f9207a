"""A deterministic demo county: Zhengning (正宁县), Gansu, with a court, its grids and a few
years of enforcement work.

Pure Python and shapely, no database: ``generate_county(scale, seed)`` returns plain
dataclasses whose field names are the column names of the tables in
``enforcement.models`` (``seed.load`` writes them). The same ``(scale, seed)`` always gives
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

import math
import random
import uuid
from collections import defaultdict
from dataclasses import dataclass, field, fields
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import shapely
from shapely import affinity
from shapely.geometry import MultiPoint, MultiPolygon, Point, Polygon
from shapely.geometry.base import BaseGeometry

from enforcement.models import (
    CaseStatus,
    Datum,
    LeadKind,
    LeadStatus,
    LinkageRequestKind,
    LinkageRequestStatus,
    MediationOutcome,
    OutcomeKind,
    PartyKind,
    PartyRole,
    Role,
    RoundStatus,
    SettlementKind,
    TaskKind,
    TaskStatus,
    Urgency,
    VisitResult,
)
from enforcement.supervision.deputies import DEFAULT_ANSWER_DAYS, EVALUATION_CRITERIA
from geo.datum import wgs84_to_gcj02
from seed.builders.credit import build_credit
from seed.builders.credit_linkage import build_credit_linkage
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
from seed.reference import (
    ADDRESS_PREFIX,
    ALIASES,
    AS_OF,
    BANKS,
    CARD_BANKS,
    CASE_PREFIX,
    CASES_FROM,
    CAUSES,
    CENTER_LAT,
    CENTER_LON,
    COMPANY_KINDS,
    COMPANY_WORDS,
    DEMO_PASSWORD,
    ENFORCEMENT_NODES,
    FEMALE_GIVEN,
    FIELD_START,
    HUI_SURNAMES,
    KM_PER_DEG_LAT,
    KM_PER_DEG_LON,
    LEAD_KINDS,
    LEAD_PATHS,
    LEAD_STEP_DAYS,
    LINKAGE_UNITS,
    MALE_GIVEN,
    REGION_CODE,
    SURNAME_LIST,
    SURNAME_WEIGHTS,
    TOWNSHIP_NAMES,
    VILLAGE_BODY_B,
    VILLAGE_HEAD_C,
    VILLAGE_PREFIX_B,
    VILLAGE_SUFFIX_A,
    VILLAGE_TAIL_C,
)

_S = LeadStatus

# --------------------------------------------------------------------------------------
# Records of the whole county
# --------------------------------------------------------------------------------------

CHINA = timezone(timedelta(hours=8))
CENT = Decimal("0.01")

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



# --------------------------------------------------------------------------------------
# Small helpers
# --------------------------------------------------------------------------------------


def _weighted(rng: random.Random, pairs: Any) -> Any:
    items = [p[0] for p in pairs]
    weights = [p[1] for p in pairs]
    return rng.choices(items, weights)[0]


def _money(value: float) -> Decimal:
    return Decimal(f"{value:.2f}")


def _yuan(value: float) -> Decimal:
    """A whole-yuan amount (payments are mostly round numbers)."""
    return Decimal(int(value)).quantize(CENT)


def _add_months(d: date, months: int) -> date:
    y, m = divmod(d.month - 1 + months, 12)
    year, month = d.year + y, m + 1
    day = min(d.day, 28)
    return date(year, month, day)


def _weekday(d: date) -> date:
    """Move a weekend date to the following Monday."""
    while d.weekday() >= 5:
        d += timedelta(days=1)
    return d


def _at(d: date, rng: random.Random, start_hour: float = 8.5, end_hour: float = 18.0) -> datetime:
    """A moment on local day ``d`` (Beijing time) between the given hours, in UTC."""
    minutes = int(rng.uniform(start_hour, end_hour) * 60)
    local = datetime(d.year, d.month, d.day, minutes // 60, minutes % 60,
                     rng.randrange(60), tzinfo=CHINA)
    return local.astimezone(UTC)


def _local_date(moment: datetime) -> date:
    return moment.astimezone(CHINA).date()


def _end_of(d: date) -> datetime:
    return datetime(d.year, d.month, d.day, 23, 0, tzinfo=CHINA).astimezone(UTC)


def _rand_date(rng: random.Random, lo: date, hi: date) -> date:
    if hi <= lo:
        return lo
    return lo + timedelta(days=rng.randrange((hi - lo).days + 1))


def id_number_check_digit(body17: str) -> str:
    """ISO 7064 MOD 11-2 check character of a Chinese resident identity number."""
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    total = sum(int(c) * w for c, w in zip(body17, weights, strict=True))
    return "10X98765432"[total % 11]


_USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"


def uscc_check_char(body17: str) -> str:
    """GB 32100 check character of a unified social credit code (统一社会信用代码)."""
    weights = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
    total = sum(_USCC_ALPHABET.index(c) * w for c, w in zip(body17, weights, strict=True))
    return _USCC_ALPHABET[(31 - total % 31) % 31]


def _org_code_check(body8: str) -> str:
    weights = (3, 7, 9, 10, 5, 8, 4, 2)
    total = sum(int(c, 36) * w for c, w in zip(body8, weights, strict=True))
    check = 11 - total % 11
    return {10: "X", 11: "0"}.get(check, str(check))


def _to_lonlat(geom: BaseGeometry) -> BaseGeometry:
    """Local kilometres around the county centre to WGS-84 degrees (an affine map, so
    shared vertices stay shared and the tiling survives)."""
    return affinity.affine_transform(
        geom, [1 / KM_PER_DEG_LON, 0, 0, 1 / KM_PER_DEG_LAT, CENTER_LON, CENTER_LAT]
    )


def _polygons(geom: BaseGeometry) -> list[Polygon]:
    return [g for g in shapely.get_parts(geom) if isinstance(g, Polygon) and not g.is_empty]


def _multi(geom: BaseGeometry) -> MultiPolygon:
    polys = _polygons(geom)
    if not polys:
        raise ValueError("empty polygonal geometry")
    return MultiPolygon(polys)


# --------------------------------------------------------------------------------------
# The generator
# --------------------------------------------------------------------------------------


@dataclass(slots=True)
class _Place:
    """A village ready for sampling points in it."""

    village: DemoVillage
    township: DemoTownship
    geom: MultiPolygon
    boundary: BaseGeometry
    bounds: tuple[float, float, float, float]
    margin: float
    centre: Point


@dataclass(slots=True)
class _CaseState:
    case: DemoCase
    debtor: DemoParty
    place: _Place
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
        if self.last_activity is None or on > self.last_activity:
            self.last_activity = on


class _Generator:
    def __init__(self, scale: int, seed: int) -> None:
        if scale < 1:
            raise ValueError("scale must be at least 1")
        self.scale = scale
        self.seed = seed
        self.rng = random.Random(f"gridwork-demo:{seed}")
        self._id_rng = random.Random(f"gridwork-demo-ids:{seed}")
        self._used_phones: set[str] = set()
        self._used_id_numbers: set[str] = set()
        self._used_plates: set[str] = set()
        self.court_id = self.uid()

    # ---- primitives -------------------------------------------------------------------

    def uid(self) -> str:
        return str(uuid.UUID(int=self._id_rng.getrandbits(128), version=4))

    def person_name(self, male: bool | None = None, hui: bool = False) -> tuple[str, bool]:
        rng = self.rng
        if male is None:
            male = rng.random() < 0.55
        surname = rng.choice(HUI_SURNAMES) if hui and rng.random() < 0.6 else rng.choices(
            SURNAME_LIST, SURNAME_WEIGHTS)[0]
        chars = MALE_GIVEN if male else FEMALE_GIVEN
        given = rng.choice(chars) + (rng.choice(chars) if rng.random() < 0.72 else "")
        return surname + given, male

    def phone(self) -> str:
        rng = self.rng
        while True:
            prefix = rng.choice(("13", "13", "13", "15", "18", "17")) + str(rng.randrange(10))
            number = prefix + f"{rng.randrange(10**8):08d}"
            if number not in self._used_phones:
                self._used_phones.add(number)
                return number

    def id_number(self, birth: date, male: bool) -> str:
        rng = self.rng
        while True:
            seq = rng.randrange(1, 500) * 2 - (1 if male else 0)
            if seq == 0 or seq > 999:
                continue
            body = f"{REGION_CODE}{birth:%Y%m%d}{seq:03d}"
            number = body + id_number_check_digit(body)
            if number not in self._used_id_numbers:
                self._used_id_numbers.add(number)
                return number

    def uscc(self) -> str:
        rng = self.rng
        alnum = "0123456789ABCDEFGHJKLMNPQRTUWXY"
        while True:
            kind = rng.choice(("91", "91", "92", "93"))
            org8 = "".join(rng.choice(alnum[:10] if i < 2 else alnum) for i in range(8))
            body = kind + REGION_CODE + org8 + _org_code_check(org8)
            code = body + uscc_check_char(body)
            if code not in self._used_id_numbers:
                self._used_id_numbers.add(code)
                return code

    def plate(self) -> str:
        rng = self.rng
        letters = "ABCDEFGHJKLMNPQRSTUVWXYZ"
        while True:
            if rng.random() < 0.5:
                tail = f"{rng.randrange(10**5):05d}"
            else:
                tail = "".join(rng.choice(letters if i in (0, 2) else "0123456789")
                               for i in range(5))
            plate = f"甘M·{tail}"
            if plate not in self._used_plates:
                self._used_plates.add(plate)
                return plate

    def point_in(self, place: _Place, near: Point | None = None, radius_m: float = 0.0) -> Point:
        """A point strictly inside the village, at least ``place.margin`` from its edge;
        within ``radius_m`` metres of ``near`` when given (and possible)."""
        rng = self.rng
        geom = place.geom
        tries = 0
        while True:
            tries += 1
            if near is not None and tries <= 40:
                dx = rng.uniform(-radius_m, radius_m) / 1000 / KM_PER_DEG_LON
                dy = rng.uniform(-radius_m, radius_m) / 1000 / KM_PER_DEG_LAT
                x, y = near.x + dx, near.y + dy
            elif near is not None and tries == 41:
                return near
            else:
                minx, miny, maxx, maxy = place.bounds
                x, y = rng.uniform(minx, maxx), rng.uniform(miny, maxy)
            x, y = round(x, 7), round(y, 7)
            if not shapely.contains_xy(geom, x, y):
                continue
            margin = place.margin if tries < 400 else place.margin / 10
            if tries > 2000:
                return place.centre
            p = Point(x, y)
            if place.boundary.distance(p) > margin:
                return p

    def report_fields(self, point: Point, place: _Place) -> dict[str, Any]:
        lon, lat = wgs84_to_gcj02(point.x, point.y)
        return {
            "point": point,
            "reported_lon": round(lon, 6),
            "reported_lat": round(lat, 6),
            "datum": Datum.GCJ02,
            "accuracy_m": float(self.rng.choice((5, 8, 10, 12, 15, 20, 30, 45))),
            "township_id": place.township.id,
            "village_grid_id": place.village.id,
        }

    # ---- the county ---------------------------------------------------------------------

    def build(self) -> DemoCounty:
        self.court = DemoCourt(id=self.court_id, created_at=_at(date(2022, 3, 1), self.rng))
        self.build_geography()
        self.build_units_and_nodes()
        self.build_users()
        self.build_cases()
        self.build_rounds()
        self.build_leads()
        self.build_sightings()
        self.build_mediation()
        self.build_settlements()
        self.finish_cases()
        self.build_tasks()
        self.build_supervision()
        self.build_linkage_requests()
        self.build_node_events()
        self.build_mediator_assignments()
        measures, measure_events, repairs = build_credit(
            self.states, self.case_parties, self.officers, AS_OF, self.seed, self.uid)
        credit_linkage = build_credit_linkage(self)  # last: earlier ids stay as they were
        return DemoCounty(
            scale=self.scale, seed=self.seed, outline=self.outline, court=self.court,
            townships=self.townships, villages=self.villages,
            linkage_units=self.linkage_units, users=self.users,
            grid_assignments=self.grid_assignments, nodes=self.nodes, cases=self.cases,
            parties=self.parties, case_parties=self.case_parties,
            case_events=self.case_events, rounds=self.rounds, round_teams=self.round_teams,
            round_targets=self.round_targets, visits=self.visits, leads=self.leads,
            lead_transitions=self.lead_transitions, sightings=self.sightings,
            mediation_notes=self.mediation_notes, settlements=self.settlements,
            instalments=self.instalments, tasks=self.tasks, task_grids=self.task_grids,
            task_answers=self.task_answers, outcomes=self.outcomes,
            case_follows=self.case_follows, node_events=self.node_events,
            node_witnesses=self.node_witnesses, case_mediators=self.case_mediators,
            deputy_evaluations=self.deputy_evaluations,
            linkage_requests=self.linkage_requests, party_measures=measures,
            measure_events=measure_events, credit_repairs=repairs, logins=self.logins,
            **credit_linkage,
        )

    def build_geography(self) -> None:
        rng = self.rng
        # County outline: a wobbly ellipse of ~41 km x 35 km, in local kilometres.
        a, b = 20.5, 17.5
        harmonics = [(k, rng.uniform(0.02, 0.07) / math.sqrt(k - 1), rng.uniform(0, 2 * math.pi))
                     for k in range(2, 7)]
        coords = []
        n = 96
        for i in range(n):
            theta = 2 * math.pi * i / n
            r = a * b / math.hypot(b * math.cos(theta), a * math.sin(theta))
            r *= 1 + sum(amp * math.cos(k * theta + ph) for k, amp, ph in harmonics)
            r *= 1 + rng.uniform(-0.012, 0.012)
            coords.append((round(r * math.cos(theta), 4), round(r * math.sin(theta), 4)))
        outline_km = Polygon(coords)
        assert outline_km.is_valid

        # Township seeds, kept apart, the county seat (山河镇) nearest the centre.
        inner = outline_km.buffer(-2.5)
        seeds = self._spread_points(inner, 10, 8.0)
        seeds.sort(key=lambda p: p.x * p.x + p.y * p.y)
        seat, rest = seeds[0], seeds[1:]
        rest.sort(key=lambda p: (math.atan2(p.x, p.y) + 2 * math.pi) % (2 * math.pi))
        seeds = [seat, *rest]
        cells = shapely.voronoi_polygons(
            MultiPoint(seeds), extend_to=outline_km.envelope.buffer(20), ordered=True
        )
        townships_km = [_multi(cell.intersection(outline_km)) for cell in cells.geoms]

        counts = [rng.randint(7, 13) for _ in range(10)]
        while sum(counts) != 100:
            i = rng.randrange(10)
            if sum(counts) > 100 and counts[i] > 7:
                counts[i] -= 1
            elif sum(counts) < 100 and counts[i] < 13:
                counts[i] += 1

        self.outline = _to_lonlat(outline_km)
        self.townships: list[DemoTownship] = []
        self.villages: list[DemoVillage] = []
        self.places: list[_Place] = []
        self.places_by_township: dict[str, list[_Place]] = defaultdict(list)
        self.township_km: dict[str, MultiPolygon] = {}
        used_names: set[str] = set(TOWNSHIP_NAMES)
        created = _at(date(2022, 3, 1), rng)
        margin = 0.0003  # degrees, ~27-33 m
        for t_index, (name, geom_km) in enumerate(zip(TOWNSHIP_NAMES, townships_km, strict=True)):
            code = f"{REGION_CODE}{100 + t_index}"
            township = DemoTownship(
                court_id=self.court_id, id=self.uid(), code=code, name=name,
                geom=_multi(_to_lonlat(geom_km)), created_at=created,
            )
            self.townships.append(township)
            self.township_km[township.id] = geom_km
            count = counts[t_index]
            spacing = 0.62 * math.sqrt(geom_km.area / count)
            vseeds = self._spread_points(geom_km.buffer(-0.25), count, spacing)
            vseeds.sort(key=lambda p: (-round(p.y, 1), p.x))
            vcells = shapely.voronoi_polygons(
                MultiPoint(vseeds), extend_to=geom_km.envelope.buffer(10), ordered=True
            )
            for v_index, vcell in enumerate(vcells.geoms):
                vgeom = _multi(_to_lonlat(_multi(vcell.intersection(geom_km))))
                vname = self._village_name(used_names)
                village = DemoVillage(
                    court_id=self.court_id, id=self.uid(), township_id=township.id,
                    code=f"{code}{201 + v_index}", name=vname, geom=vgeom,
                    households=rng.randrange(140, 820),
                    committee_phone=f"0934-52{rng.randrange(10**5):05d}",
                    created_at=created,
                )
                shapely.prepare(vgeom)
                place = _Place(
                    village=village, township=township, geom=vgeom, boundary=vgeom.boundary,
                    bounds=vgeom.bounds, margin=margin,
                    centre=vgeom.representative_point(),
                )
                self.villages.append(village)
                self.places.append(place)
                self.places_by_township[township.id].append(place)
        self.place_by_village = {p.village.id: p for p in self.places}
        # The showcase village: in the county seat, nearest the township's middle.
        seat_places = self.places_by_township[self.townships[0].id]
        seat_mid = self.townships[0].geom.representative_point()
        self.showcase = min(seat_places, key=lambda p: p.centre.distance(seat_mid))
        # Neighbouring townships (for rounds over 2-3 townships).
        self.neighbours: dict[str, list[str]] = {}
        for t in self.townships:
            gk = self.township_km[t.id]
            self.neighbours[t.id] = [
                o.id for o in self.townships
                if o.id != t.id and gk.distance(self.township_km[o.id]) < 1e-6
            ]

    def _spread_points(self, area: BaseGeometry, count: int, spacing: float) -> list[Point]:
        rng = self.rng
        minx, miny, maxx, maxy = area.bounds
        shapely.prepare(area)
        while True:
            points: list[Point] = []
            attempts = 0
            while len(points) < count and attempts < 4000:
                attempts += 1
                p = Point(rng.uniform(minx, maxx), rng.uniform(miny, maxy))
                if area.contains(p) and all(p.distance(q) >= spacing for q in points):
                    points.append(p)
            if len(points) == count:
                return points
            spacing *= 0.85

    def _village_name(self, used: set[str]) -> str:
        rng = self.rng
        while True:
            pattern = rng.random()
            if pattern < 0.4:
                stem = rng.choices(SURNAME_LIST[:40], SURNAME_WEIGHTS[:40])[0] + "家" + \
                    rng.choice(VILLAGE_SUFFIX_A)
            elif pattern < 0.7:
                stem = rng.choice(VILLAGE_PREFIX_B) + rng.choice(VILLAGE_BODY_B)
            else:
                stem = rng.choice(VILLAGE_HEAD_C) + rng.choice(VILLAGE_TAIL_C)
            name = stem + "村"
            if name not in used:
                used.add(name)
                return name

    # ---- linkage units, nodes, users ------------------------------------------------------

    def build_units_and_nodes(self) -> None:
        rng = self.rng
        created = _at(date(2023, 6, 1), rng)
        self.linkage_units = [
            DemoLinkageUnit(
                court_id=self.court_id, id=self.uid(), name=name, kind=kind,
                duties=list(duties), answer_days=days, created_at=created,
            )
            for name, kind, duties, days in LINKAGE_UNITS
        ]
        self.nodes = [
            DemoNode(court_id=self.court_id, id=self.uid(), code=code, name_zh=zh,
                     name_en=en, seq=i + 1, witnessable=witnessable)
            for i, (code, zh, en, witnessable) in enumerate(ENFORCEMENT_NODES)
        ]
        self.node_by_code = {n.code: n for n in self.nodes}

    def _user(self, username: str, role: Role, organisation: str | None,
              linkage_unit_id: str | None = None, hui: bool = False,
              created: date = date(2022, 3, 1)) -> DemoUser:
        name, _ = self.person_name(hui=hui)
        user = DemoUser(
            court_id=self.court_id, id=self.uid(), username=username, display_name=name,
            role=role, phone=self.phone(), organisation=organisation,
            linkage_unit_id=linkage_unit_id, created_at=_at(created, self.rng),
        )
        self.users.append(user)
        return user

    def build_users(self) -> None:
        rng = self.rng
        self.users: list[DemoUser] = []
        self.grid_assignments: list[DemoGridAssignment] = []
        self.admin = self._user("admin", Role.ADMIN, "正宁县人民法院信息技术科")
        self.judges = [self._user(f"judge{i}", Role.JUDGE, "正宁县人民法院执行局")
                       for i in range(1, 5)]
        teams = ("执行局执行一组", "执行局执行二组", "山河人民法庭", "永和人民法庭",
                 "榆林子人民法庭", "宫河人民法庭")
        self.officers = [self._user(f"officer{i}", Role.OFFICER, teams[(i - 1) % len(teams)])
                         for i in range(1, 17)]
        # Officers by township: officer i serves township (i - 1) % 10.
        self.officers_by_township: dict[str, list[DemoUser]] = defaultdict(list)
        for i, officer in enumerate(self.officers):
            self.officers_by_township[self.townships[i % 10].id].append(officer)

        self.mediators: list[DemoUser] = []
        self.mediators_by_township: dict[str, list[DemoUser]] = defaultdict(list)
        for i in range(20):
            township = self.townships[i % 10]
            mediator = self._user(
                f"mediator{i + 1}", Role.MEDIATOR, f"{township.name}乡贤调解工作室",
                hui=township.name.endswith("回族乡"), created=date(2022, 5, 10),
            )
            self.mediators.append(mediator)
            self.mediators_by_township[township.id].append(mediator)
            for place in self.places_by_township[township.id]:
                self.grid_assignments.append(DemoGridAssignment(
                    court_id=self.court_id, id=self.uid(), user_id=mediator.id,
                    village_grid_id=place.village.id, started_on=date(2022, 5, 10),
                    created_at=mediator.created_at,
                ))

        delegations = ("正宁县人大代表",) * 14 + ("正宁县政协委员",) * 10 + (
            "庆阳市人大代表",) * 3 + ("庆阳市政协委员",) * 2 + ("甘肃省人大代表",)
        self.deputies = [self._user(f"deputy{i + 1}", Role.DEPUTY, delegations[i],
                                    created=date(2023, 3, 1)) for i in range(30)]

        # Grid assistants: every village one, some up to four (x scale); assistant1..3 in
        # the showcase village.
        per_village = {p.village.id: 1 for p in self.places}
        per_village[self.showcase.village.id] = 3
        total = 235 * self.scale
        cap = 4 * self.scale
        weights = [p.village.households for p in self.places]
        while sum(per_village.values()) < total:
            place = rng.choices(self.places, weights)[0]
            if per_village[place.village.id] < cap:
                per_village[place.village.id] += 1
        ordered = [self.showcase] + [p for p in self.places if p is not self.showcase]
        self.assistants_by_village: dict[str, list[DemoUser]] = defaultdict(list)
        self.assistant_place: dict[str, _Place] = {}
        number = 0
        for place in ordered:
            for _ in range(per_village[place.village.id]):
                number += 1
                started = _rand_date(rng, date(2022, 3, 1), date(2024, 12, 31))
                user = self._user(
                    f"assistant{number}", Role.GRID_ASSISTANT, f"{place.village.name}村民委员会",
                    hui=place.township.name.endswith("回族乡"), created=started,
                )
                self.assistants_by_village[place.village.id].append(user)
                self.assistant_place[user.id] = place
                self.grid_assignments.append(DemoGridAssignment(
                    court_id=self.court_id, id=self.uid(), user_id=user.id,
                    village_grid_id=place.village.id, started_on=started,
                    created_at=user.created_at,
                ))

        self.liaisons: dict[str, DemoUser] = {}
        for i, unit in enumerate(self.linkage_units):
            user = self._user(f"liaison{i + 1}", Role.LIAISON_UNIT, unit.name,
                              linkage_unit_id=unit.id, created=date(2023, 6, 1))
            unit.contact_name = user.display_name
            unit.contact_phone = user.phone
            self.liaisons[unit.id] = user

        self.logins = [
            DemoLogin(username="admin", role=Role.ADMIN, display_name=self.admin.display_name,
                      note="系统管理员 administrator"),
            DemoLogin(username="judge1", role=Role.JUDGE,
                      display_name=self.judges[0].display_name,
                      note="执行法官 judge (judge1-judge4)"),
            DemoLogin(username="officer1", role=Role.OFFICER,
                      display_name=self.officers[0].display_name,
                      note="执行干警 enforcement officer (officer1-officer16)"),
            DemoLogin(username="assistant1", role=Role.GRID_ASSISTANT,
                      display_name=self.users[next(
                          i for i, u in enumerate(self.users) if u.username == "assistant1")
                      ].display_name,
                      note=f"网格协执员 grid assistant, {self.showcase.township.name}"
                           f"{self.showcase.village.name} (assistant1-assistant{total})"),
            DemoLogin(username="mediator1", role=Role.MEDIATOR,
                      display_name=self.mediators[0].display_name,
                      note=f"乡贤调解员 mediator, {self.townships[0].name} (mediator1-mediator20)"),
            DemoLogin(username="deputy1", role=Role.DEPUTY,
                      display_name=self.deputies[0].display_name,
                      note="人大代表/政协委员 deputy (deputy1-deputy30)"),
            DemoLogin(username="liaison1", role=Role.LIAISON_UNIT,
                      display_name=self.liaisons[self.linkage_units[0].id].display_name,
                      note=f"联动单位 liaison, {self.linkage_units[0].name} (liaison1-liaison13)"),
        ]

    # ---- cases and parties ----------------------------------------------------------------

    def _new_person(self, place: _Place, created: datetime, male: bool | None = None,
                    surname: str | None = None) -> DemoParty:
        rng = self.rng
        hui = place.township.name.endswith("回族乡")
        name, male = self.person_name(male=male, hui=hui)
        if surname is not None:
            name = surname + name[1:]
        birth = date(rng.randrange(1958, 2001), rng.randrange(1, 13), rng.randrange(1, 29))
        return DemoParty(
            court_id=self.court_id, id=self.uid(), kind=PartyKind.PERSON, name=name,
            id_number=self.id_number(birth, male), phone=self.phone(),
            gender="男" if male else "女", birth_year=birth.year,
            aliases=[rng.choice(ALIASES)] if rng.random() < 0.08 else [],
            created_at=created,
        )

    def _new_org(self, created: datetime, place: _Place | None = None) -> DemoParty:
        rng = self.rng
        where = place.village.name.removesuffix("村") if place and rng.random() < 0.4 else ""
        name = f"正宁县{where}{rng.choice(COMPANY_WORDS)}{rng.choice(COMPANY_KINDS)}"
        return DemoParty(
            court_id=self.court_id, id=self.uid(), kind=PartyKind.ORGANISATION, name=name,
            id_number=self.uscc(), phone=self.phone(), created_at=created,
        )

    def _home(self, party: DemoParty, place: _Place, point: Point | None = None) -> None:
        rng = self.rng
        party.home_point = point if point is not None else self.point_in(place)
        party.township_id = place.township.id
        party.village_grid_id = place.village.id
        party.address = (f"{ADDRESS_PREFIX}{place.township.name}{place.village.name}"
                         f"{rng.randrange(1, 9)}组{rng.randrange(1, 80)}号")

    def build_cases(self) -> None:
        rng = self.rng
        self.cases: list[DemoCase] = []
        self.parties: list[DemoParty] = []
        self.case_parties: list[DemoCaseParty] = []
        self.states: list[_CaseState] = []
        self.state_by_case: dict[str, _CaseState] = {}
        self.debtors_by_village: dict[str, list[DemoParty]] = defaultdict(list)
        applicant_orgs: dict[str, DemoParty] = {}

        weights = [p.village.households * rng.uniform(0.4, 1.6) for p in self.places]
        showcase_index = self.places.index(self.showcase)
        weights[showcase_index] = sum(weights) * 0.02  # ~40 cases at scale 1

        n_cases = 2000 * self.scale
        span = (AS_OF - CASES_FROM).days
        for _ in range(n_cases):
            resumed = rng.random() < 0.05
            if resumed:
                filed = _weekday(date(2023, 6, 1) + timedelta(
                    days=rng.randrange((AS_OF - date(2023, 6, 1)).days - 3)))
            else:
                # Slightly more cases in later years.
                filed = _weekday(CASES_FROM + timedelta(days=int(span * rng.random() ** 0.85)))
            if filed > AS_OF:
                filed = AS_OF - timedelta(days=3)
            age = (AS_OF - filed).days
            if resumed:
                category = "resumed" if rng.random() < 0.7 or age < 60 else "closed_paid"
            elif age < 45:
                category = "open" if rng.random() < 0.8 else "progress"
            elif age < 150:
                category = _weighted(rng, (("open", 45), ("progress", 42), ("settled", 5),
                                           ("closed_paid", 6), ("closed_settled", 2)))
            elif age < 400:
                category = _weighted(rng, (("progress", 36), ("terminated", 22),
                                           ("settled", 10), ("closed_paid", 24),
                                           ("closed_settled", 8)))
            else:
                category = _weighted(rng, (("progress", 12), ("terminated", 33), ("settled", 6),
                                           ("closed_paid", 40), ("closed_settled", 9)))
            if category == "settled" and (AS_OF - filed).days < 40:
                category = "progress"

            cause, _, median, sigma = _weighted(rng, [(c, c[1]) for c in CAUSES])
            owed = math.exp(rng.gauss(math.log(median), sigma))
            owed = min(800000.0, max(2000.0, owed))
            amount_owed = _money(owed) if rng.random() < 0.3 else _yuan(owed)

            place = rng.choices(self.places, weights)[0]
            created = _at(filed, rng, 8.5, 17.5)
            existing = self.debtors_by_village[place.village.id]
            org_debtor = rng.random() < 0.1 and cause not in (
                "离婚纠纷", "抚养费纠纷", "赡养费纠纷", "信用卡纠纷")
            if existing and rng.random() < 0.08:
                debtor = rng.choice(existing)
            else:
                debtor = self._new_org(created, place) if org_debtor else self._new_person(
                    place, created)
                self._home(debtor, place)
                if debtor.kind == PartyKind.PERSON and rng.random() < 0.22:
                    debtor.vehicle_plates = [self.plate()]
                self.parties.append(debtor)
                existing.append(debtor)

            # Applicant: a bank for loans and cards, a company for some sales, else a person.
            if cause == "金融借款合同纠纷" or (cause == "信用卡纠纷" and rng.random() < 0.8):
                bank = rng.choice(BANKS if cause == "金融借款合同纠纷" else CARD_BANKS)
                applicant = applicant_orgs.get(bank)
                if applicant is None:
                    applicant = DemoParty(
                        court_id=self.court_id, id=self.uid(), kind=PartyKind.ORGANISATION,
                        name=bank, id_number=self.uscc(), phone=None,
                        address=f"{ADDRESS_PREFIX}山河镇" if "正宁" in bank else None,
                        created_at=created,
                    )
                    applicant_orgs[bank] = applicant
                    self.parties.append(applicant)
            elif cause in ("买卖合同纠纷", "租赁合同纠纷") and rng.random() < 0.35:
                applicant = self._new_org(created)
                applicant.address = f"{ADDRESS_PREFIX}{rng.choice(self.townships).name}"
                self.parties.append(applicant)
            else:
                applicant = self._new_person(place, created)
                applicant.address = f"{ADDRESS_PREFIX}{rng.choice(self.townships).name}"
                self.parties.append(applicant)

            township = place.township
            officers = self.officers_by_township[township.id]
            judgment_year = max(2020, filed.year - rng.choice((0, 0, 1, 1, 2)))
            case = DemoCase(
                court_id=self.court_id, id=self.uid(), cause=cause,
                source_judgment=f"({judgment_year}){CASE_PREFIX}民初{rng.randrange(20, 2400)}号",
                applicant_name=applicant.name, filed_on=filed,
                status=CaseStatus.OPEN, amount_owed=amount_owed,
                judge_id=rng.choice(self.judges).id, officer_id=rng.choice(officers).id,
                address=debtor.address or "", address_point=debtor.home_point,
                township_id=township.id, village_grid_id=place.village.id,
                created_at=created, updated_at=created,
            )
            state = _CaseState(case=case, debtor=debtor, place=place, applicant=applicant,
                               category=category, resumed_number=resumed)
            self.cases.append(case)
            self.states.append(state)
            self.state_by_case[case.id] = state
            self.case_parties.append(DemoCaseParty(
                court_id=self.court_id, id=self.uid(), case_id=case.id, party_id=debtor.id,
                role=PartyRole.DEBTOR))
            self.case_parties.append(DemoCaseParty(
                court_id=self.court_id, id=self.uid(), case_id=case.id,
                party_id=applicant.id, role=PartyRole.APPLICANT))

            # A second debtor now and then: a spouse at the same home, or a co-debtor.
            if debtor.kind == PartyKind.PERSON and rng.random() < 0.1:
                if rng.random() < 0.6:
                    second = self._new_person(place, created, male=debtor.gender != "男")
                    self._home(second, place, point=debtor.home_point)
                    second.address = debtor.address
                else:
                    other = rng.choices(self.places, weights)[0]
                    second = self._new_person(other, created)
                    self._home(second, other)
                    self.debtors_by_village[other.village.id].append(second)
                self.parties.append(second)
                self.case_parties.append(DemoCaseParty(
                    court_id=self.court_id, id=self.uid(), case_id=case.id,
                    party_id=second.id, role=PartyRole.DEBTOR))

            # Dates that are known now: when enforcement started, when it was terminated.
            if category != "open":
                state.started_on = min(AS_OF, filed + timedelta(days=rng.randrange(2, 21)))
            if category == "terminated":
                case.terminated_on = _weekday(min(
                    AS_OF - timedelta(days=2),
                    filed + timedelta(days=rng.randrange(120, 560))))

        # Case numbers, per year and kind in filing order.
        counters: dict[tuple[int, bool], int] = defaultdict(int)
        for state in sorted(self.states, key=lambda s: (s.case.filed_on, s.case.created_at)):
            key = (state.case.filed_on.year, state.resumed_number)
            counters[key] += 1
            kind = "执恢" if key[1] else "执"
            state.case.case_number = f"({key[0]}){CASE_PREFIX}{kind}{counters[key]}号"

        # Debtor flags follow how their cases went.
        for state in self.states:
            d = state.debtor
            if state.category == "terminated":
                d.is_dishonest = d.is_dishonest or rng.random() < 0.7
                d.consumption_restricted = d.consumption_restricted or rng.random() < 0.9
            elif state.category in ("progress", "resumed"):
                d.is_dishonest = d.is_dishonest or rng.random() < 0.3
                d.consumption_restricted = d.consumption_restricted or rng.random() < 0.5
            elif state.category != "open":
                d.consumption_restricted = d.consumption_restricted or rng.random() < 0.1
        self.states_by_village: dict[str, list[_CaseState]] = defaultdict(list)
        self.states_by_township: dict[str, list[_CaseState]] = defaultdict(list)
        for state in self.states:
            self.states_by_village[state.place.village.id].append(state)
            self.states_by_township[state.place.township.id].append(state)

    # ---- money ------------------------------------------------------------------------------

    def _payment_amount(self, state: _CaseState, on: date, low: float = 0.1,
                        high: float = 0.6) -> Decimal:
        cap = state.cap(on)
        if cap < Decimal("100"):
            return Decimal("0.00")
        remaining = float(state.owed - state.paid)
        amount = _yuan(min(float(cap), max(100.0, remaining * self.rng.uniform(low, high))))
        return min(amount, cap)

    def _pay(self, state: _CaseState, on: date, amount: Decimal) -> None:
        state.paid += amount
        state.payments.append((on, amount))
        state.touch(on)

    def _outcome(self, kind: OutcomeKind, state: _CaseState, on: date, recorded_by: str,
                 amount: Decimal = Decimal("0.00"), lead_id: str | None = None,
                 round_id: str | None = None, visit_id: str | None = None,
                 notes: str = "") -> DemoOutcome:
        outcome = DemoOutcome(
            court_id=self.court_id, id=self.uid(), kind=kind, case_id=state.case.id,
            lead_id=lead_id, round_id=round_id, visit_id=visit_id, amount=amount,
            occurred_on=on, notes=notes, recorded_by=recorded_by,
            recorded_at=_at(on, self.rng, 17.0, 20.0),
        )
        self.outcomes.append(outcome)
        if amount > 0:
            self._pay(state, on, amount)
        return outcome

    # ---- rounds -----------------------------------------------------------------------------

    def build_rounds(self) -> None:
        rng = self.rng
        self.rounds: list[DemoRound] = []
        self.round_teams: list[DemoRoundTeam] = []
        self.round_targets: list[DemoRoundTarget] = []
        self.visits: list[DemoVisit] = []
        self.outcomes: list[DemoOutcome] = []
        self.settlement_plans: list[tuple[_CaseState, date, str, str | None]] = []
        self.round_leads: list[tuple[DemoRoundTarget, DemoRound, DemoVisit | None,
                                     DemoOutcome | None]] = []
        schedule = (
            (date(2025, 3, 17), date(2025, 3, 21), "第一轮"),
            (date(2025, 6, 9), date(2025, 6, 13), "第二轮"),
            (date(2025, 9, 15), date(2025, 9, 19), "第三轮"),
            (date(2025, 11, 24), date(2025, 11, 27), "第四轮"),
        )
        primaries = [self.townships[i] for i in (0, 3, 6, 8)]
        used_as_area: set[str] = set()
        settle_window = AS_OF - timedelta(days=420)
        for seq, ((starts, ends, label), primary) in enumerate(
                zip(schedule, primaries, strict=True), start=1):
            neighbours = [t for t in self.townships if t.id in self.neighbours[primary.id]]
            neighbours.sort(key=lambda t: (t.id in used_as_area, t.code))
            chosen = [primary, *neighbours[: rng.choice((1, 2))]]
            used_as_area.update(t.id for t in chosen)
            area = _multi(shapely.union_all([t.geom for t in chosen]))
            depot = self.showcase.centre if primary is self.townships[0] else \
                self.places_by_township[primary.id][0].centre
            team_count = rng.randint(2, 4)
            names = "、".join(t.name for t in chosen)
            rnd = DemoRound(
                court_id=self.court_id, id=self.uid(),
                name=f"2025年{label}驻村连片集中执行（{names}）", seq=seq,
                status=RoundStatus.DONE, starts_on=starts, ends_on=ends,
                township_id=primary.id, area=area, team_count=team_count,
                depot_point=depot, plan={}, created_by=self.judges[seq % 4].id,
                locked_at=_at(starts - timedelta(days=3), rng),
                created_at=_at(starts - timedelta(days=rng.randrange(14, 25)), rng),
            )
            self.rounds.append(rnd)
            pool = rng.sample(self.officers, len(self.officers))
            teams = []
            for t in range(team_count):
                members = pool[t * 3: t * 3 + 3]
                team = DemoRoundTeam(
                    court_id=self.court_id, id=self.uid(), round_id=rnd.id,
                    name=f"第{'一二三四'[t]}组", leader_id=members[0].id,
                    member_ids=[m.id for m in members] + [self.judges[(seq + t) % 4].id],
                    vehicle=f"甘M·{rng.randrange(1000, 9999)}警", start_point=depot,
                )
                teams.append(team)
                self.round_teams.append(team)

            # Targets: active cases of debtors living in the round's townships.
            cutoff = starts - timedelta(days=14)
            candidates: list[_CaseState] = []
            settle_candidates: list[_CaseState] = []
            for t in chosen:
                for state in self.states_by_township[t.id]:
                    if state.case.filed_on > cutoff:
                        continue
                    cat = state.category
                    if cat in ("progress", "resumed", "closed_paid") or (
                        cat == "terminated" and state.case.terminated_on is not None
                            and state.case.terminated_on > ends + timedelta(days=7)):
                        candidates.append(state)
                    elif state.settlement_source is None and (
                        cat == "closed_settled" or (cat == "settled" and starts >= settle_window)):
                        settle_candidates.append(state)
            n_targets = min(len(candidates), rng.randint(26, 36) * self.scale)
            picked = rng.sample(candidates, n_targets)
            n_settle = min(len(settle_candidates), rng.randint(1, 3) * self.scale)
            settling = rng.sample(settle_candidates, n_settle)
            for state in settling:
                state.settlement_source = "visit"
            all_targets = [(s, False) for s in picked] + [(s, True) for s in settling]
            rng.shuffle(all_targets)

            days = [starts + timedelta(days=i) for i in range((ends - starts).days + 1)]
            # Split among teams by bearing from the depot, then into days, then order.
            all_targets.sort(key=lambda item: math.atan2(
                item[0].debtor.home_point.y - depot.y, item[0].debtor.home_point.x - depot.x))
            per_team = math.ceil(len(all_targets) / team_count)
            day_plan: dict[str, list[str]] = defaultdict(list)
            for t_index, team in enumerate(teams):
                chunk = all_targets[t_index * per_team:(t_index + 1) * per_team]
                per_day = max(1, math.ceil(len(chunk) / len(days)))
                for d_index, day in enumerate(days):
                    stops = chunk[d_index * per_day:(d_index + 1) * per_day]
                    ordered = self._nearest_order(depot, stops)
                    clock = 0.0
                    here = depot
                    for s_index, (state, settles) in enumerate(ordered, start=1):
                        home = state.debtor.home_point
                        km = math.hypot((home.x - here.x) * KM_PER_DEG_LON,
                                        (home.y - here.y) * KM_PER_DEG_LAT) * 1.35
                        clock += km / 35 * 60 + (25 if s_index > 1 else 0)
                        here = home
                        target = DemoRoundTarget(
                            court_id=self.court_id, id=self.uid(), round_id=rnd.id,
                            team_id=team.id, case_id=state.case.id, party_id=state.debtor.id,
                            village_grid_id=state.place.village.id, point=home, day=day,
                            seq=s_index, eta_minutes=int(clock),
                            status="visited" if settles or rng.random() < 0.86 else "skipped",
                        )
                        self.round_targets.append(target)
                        day_plan[day.isoformat()].append(target.id)
                        visit = outcome = None
                        if target.status == "visited":
                            visit, outcome = self._visit(rnd, team, target, state, day,
                                                         int(clock), settles)
                        if not settles and rng.random() < 0.35:
                            self.round_leads.append((target, rnd, visit, outcome))
            rnd.plan = {
                "generated_by": "gridwork demo seed",
                "teams": [{"team_id": team.id, "name": team.name} for team in teams],
                "days": {day: len(ids) for day, ids in sorted(day_plan.items())},
                "targets": len(all_targets),
            }

    def _nearest_order(self, start: Point, stops: list[Any]) -> list[Any]:
        left = list(stops)
        ordered = []
        here = start
        while left:
            best = min(left, key=lambda item: item[0].debtor.home_point.distance(here))
            left.remove(best)
            ordered.append(best)
            here = best[0].debtor.home_point
        return ordered

    def _visit(self, rnd: DemoRound, team: DemoRoundTeam, target: DemoRoundTarget,
               state: _CaseState, day: date, minutes: int,
               settles: bool) -> tuple[DemoVisit, DemoOutcome | None]:
        rng = self.rng
        at = datetime(day.year, day.month, day.day, 8, 30, tzinfo=CHINA).astimezone(UTC) + \
            timedelta(minutes=minutes + rng.randrange(0, 20))
        if settles:
            result = VisitResult.SETTLED
        else:
            result = _weighted(rng, (
                (VisitResult.PAID, 28 if state.category != "terminated" else 8),
                (VisitResult.DEBTOR_MET, 20), (VisitResult.DEBTOR_ABSENT, 20),
                (VisitResult.PROPERTY_FOUND, 10), (VisitResult.REFUSED, 10),
                (VisitResult.ADDRESS_WRONG, 5), (VisitResult.OTHER, 5)))
        amount = Decimal("0.00")
        if result == VisitResult.PAID:
            amount = self._payment_amount(state, day)
            if amount <= 0:
                result = VisitResult.DEBTOR_MET
        name = state.debtor.name
        notes = {
            VisitResult.PAID: f"{name}当场履行{amount}元，已出具收据。",
            VisitResult.SETTLED: f"经现场释法说理，{name}与申请执行人达成和解，分期履行。",
            VisitResult.DEBTOR_MET: f"见到{name}本人，已送达执行通知书并释明拒不履行的法律后果。",
            VisitResult.DEBTOR_ABSENT: f"{name}不在家，据邻居反映外出务工，已留置通知。",
            VisitResult.PROPERTY_FOUND: f"在{name}家中发现可供执行财产，已拍照固定。",
            VisitResult.REFUSED: f"{name}拒不配合，态度恶劣，已依法训诫。",
            VisitResult.ADDRESS_WRONG: "该地址无此人，据村干部反映已搬迁至县城。",
            VisitResult.OTHER: f"{name}患病住院，暂缓执行。",
        }[result]
        point = self.point_in(state.place, near=target.point, radius_m=25)
        visit = DemoVisit(
            court_id=self.court_id, id=self.uid(), round_id=rnd.id, target_id=target.id,
            case_id=state.case.id, officer_id=team.leader_id, visited_at=at, result=result,
            amount_collected=amount, notes=notes, created_at=at + timedelta(minutes=3),
            **self.report_fields(point, state.place),
        )
        self.visits.append(visit)
        state.touch(day)
        outcome = None
        if result == VisitResult.PAID:
            outcome = self._outcome(OutcomeKind.PAYMENT_RECEIVED, state, day, team.leader_id,
                                    amount=amount, round_id=rnd.id, visit_id=visit.id,
                                    notes="集中执行现场履行")
        elif result == VisitResult.SETTLED:
            outcome = self._outcome(OutcomeKind.SETTLEMENT_REACHED, state, day, team.leader_id,
                                    round_id=rnd.id, visit_id=visit.id, notes="现场达成执行和解")
            state.settlement_date = day
            self.settlement_plans.append((state, day, "visit", None))
        elif result == VisitResult.PROPERTY_FOUND:
            kind = rng.choice((OutcomeKind.PROPERTY_FOUND, OutcomeKind.PROPERTY_SEALED,
                               OutcomeKind.PROPERTY_SEIZED))
            outcome = self._outcome(kind, state, day, team.leader_id, round_id=rnd.id,
                                    visit_id=visit.id, notes="现场查控财产")
        elif result == VisitResult.REFUSED and rng.random() < 0.25:
            outcome = self._outcome(OutcomeKind.DEBTOR_DETAINED, state, day, team.leader_id,
                                    round_id=rnd.id, visit_id=visit.id,
                                    notes="拒不履行，依法司法拘留十五日")
        elif result == VisitResult.DEBTOR_MET and rng.random() < 0.4:
            outcome = self._outcome(OutcomeKind.DEBTOR_LOCATED, state, day, team.leader_id,
                                    round_id=rnd.id, visit_id=visit.id)
        return visit, outcome

    # ---- leads --------------------------------------------------------------------------

    def _author_for(self, place: _Place) -> DemoUser:
        assistants = self.assistants_by_village[place.village.id]
        if place is self.showcase and self.rng.random() < 0.6:
            return assistants[0]
        return self.rng.choice(assistants)

    def _lead_text(self, kind: LeadKind, state: _CaseState | None, name: str) -> str:
        rng = self.rng
        plate = state.debtor.vehicle_plates[0] if state and state.debtor.vehicle_plates else \
            f"甘M·{rng.randrange(10000, 99999)}"
        spot = rng.choice(("县城汽车站附近", "镇上集市", "村口小卖部", "乡政府对面的饭馆",
                           "苹果园", "邻村亲戚家", "县城东关"))
        texts = {
            LeadKind.DEBTOR_WHEREABOUTS: (
                f"被执行人{name}近日回村，常在{spot}出没，晚上住在其父母家。",
                f"听村民说{name}腊月会回家过年，目前在西安打工。",
                f"{name}这几天在家里收苹果，白天都在地里。"),
            LeadKind.REAL_ESTATE: (
                f"{name}在镇上新建两层楼房一处，约{rng.randrange(120, 320)}平方米，尚未办理登记。",
                f"{name}在县城购买商品房一套，据说登记在其岳父名下。"),
            LeadKind.VEHICLE: (
                f"{name}近期驾驶一辆白色小轿车，车牌{plate}，常停在{spot}。",
                f"{name}家新买了一台农用三轮车和一辆挖掘机，停放在院内。"),
            LeadKind.LIVESTOCK_OR_CROPS: (
                f"{name}家养牛{rng.randrange(3, 25)}头、羊{rng.randrange(10, 80)}只。",
                f"{name}今年苹果收成约{rng.randrange(1, 6)}万斤，已与果商谈好价格。"),
            LeadKind.WAGES_OR_INCOME: (
                f"{name}在{spot}附近的工地打工，每月工资约{rng.randrange(40, 90)}00元，"
                "由包工头发放。",
                f"{name}在镇上开了一家小超市，生意不错。"),
            LeadKind.HIGH_CONSUMPTION: (
                f"{name}近期乘飞机外出旅游，朋友圈有照片。",
                f"{name}上月在县城酒店摆了二十多桌宴席。"),
            LeadKind.HIDDEN_TRANSFER: (
                f"{name}将名下车辆过户给其妻弟，疑似转移财产。",
                f"{name}把家里的果园转包给他人，转包费已提前收取。"),
            LeadKind.OTHER: (
                f"{name}的儿子近期结婚，收了不少礼金。",
                f"{name}有一笔征地补偿款即将发放。"),
        }
        return rng.choice(texts[kind])

    def _make_lead(self, *, author: DemoUser, place: _Place, state: _CaseState | None,
                   path_key: str, observed: datetime, kind: LeadKind,
                   step_times: list[datetime] | None = None, round_id: str | None = None,
                   duplicate_of: DemoLead | None = None,
                   officer_id: str | None = None) -> tuple[DemoLead, list[datetime]]:
        rng = self.rng
        path = LEAD_PATHS[path_key]
        if step_times is None:
            step_times = []
            t = observed
            for status in path:
                lo, hi = LEAD_STEP_DAYS[status]
                t = t + timedelta(days=rng.uniform(lo, hi))
                step_times.append(t)
        if state is not None:
            name = state.debtor.aliases[0] if state.debtor.aliases and rng.random() < 0.3 \
                else state.debtor.name
            near = state.debtor.home_point if rng.random() < 0.7 else None
        else:
            name, _ = self.person_name()
            near = None
        point = self.point_in(place, near=near, radius_m=250)
        judge = self.judges[0] if state is None else next(
            j for j in self.judges if j.id == state.case.judge_id)
        if officer_id is None:
            officer_id = state.case.officer_id if state else self.officers[0].id
        lead = DemoLead(
            court_id=self.court_id, id=self.uid(), author_id=author.id, kind=kind,
            case_id=state.case.id if state else None,
            party_id=state.debtor.id if state else None,
            debtor_text=name, description=self._lead_text(kind, state, name),
            observed_at=observed,
            urgency=_weighted(rng, ((Urgency.LOW, 10), (Urgency.NORMAL, 65), (Urgency.HIGH, 18),
                                    (Urgency.URGENT, 7))),
            status=path[-1], round_id=round_id,
            created_at=step_times[0], updated_at=step_times[-1],
            **self.report_fields(point, place),
        )
        prev: LeadStatus | None = None
        for status, at in zip(path, step_times, strict=True):
            detail: dict[str, Any] = {}
            actor: str | None = judge.id
            reason = None
            if status == _S.SUBMITTED:
                actor = author.id
            elif status == _S.UNDER_REVIEW:
                reason = "法官已查看线索"
            elif status == _S.ACCEPTED:
                lead.triaged_at = at
                reason = "线索具体，可以核实"
            elif status == _S.REJECTED:
                lead.triaged_at = at
                reason = rng.choice(("线索内容不具体，无法核实", "与本案无关",
                                     "该财产已被其他法院查封"))
            elif status == _S.DUPLICATE:
                lead.triaged_at = at
                reason = "与已有线索重复"
                if duplicate_of is not None:
                    lead.duplicate_of_id = duplicate_of.id
                    detail = {"duplicate_of_id": duplicate_of.id}
            elif status == _S.ASSIGNED:
                lead.assigned_officer_id = officer_id
                detail = {"officer_id": officer_id}
                if round_id:
                    detail["round_id"] = round_id
                reason = "交执行干警核实"
            elif status == _S.VERIFIED:
                actor = officer_id
                reason = "经实地核实，线索属实"
            elif status == _S.NOT_FOUND:
                actor = officer_id
                reason = "经实地核实，未发现线索所述情况"
            elif status == _S.OUTCOME_RECORDED:
                actor = officer_id
            elif status == _S.CLOSED:
                reason = "线索处理完毕"
            self.lead_transitions.append(DemoLeadTransition(
                court_id=self.court_id, id=self.uid(), lead_id=lead.id, from_status=prev,
                to_status=status, actor_id=actor, reason=reason, detail=detail, at=at,
            ))
            prev = status
        self.leads.append(lead)
        if state is not None:
            self.leads_by_case[state.case.id].append(lead)
        return lead, step_times

    def _lead_outcome(self, lead: DemoLead, state: _CaseState, on: date,
                      officer_id: str) -> DemoOutcome:
        rng = self.rng
        money_kinds = (LeadKind.WAGES_OR_INCOME, LeadKind.LIVESTOCK_OR_CROPS, LeadKind.OTHER,
                       LeadKind.DEBTOR_WHEREABOUTS, LeadKind.VEHICLE, LeadKind.REAL_ESTATE)
        amount = Decimal("0.00")
        if lead.kind in money_kinds and rng.random() < 0.6:
            amount = self._payment_amount(state, on, 0.15, 0.7)
        if amount > 0:
            kind = OutcomeKind.PAYMENT_RECEIVED
            notes = "根据协执员线索执行到位"
        else:
            kind = {
                LeadKind.DEBTOR_WHEREABOUTS: OutcomeKind.DEBTOR_LOCATED,
                LeadKind.REAL_ESTATE: OutcomeKind.PROPERTY_SEALED,
                LeadKind.VEHICLE: OutcomeKind.PROPERTY_SEIZED,
                LeadKind.LIVESTOCK_OR_CROPS: OutcomeKind.PROPERTY_FOUND,
                LeadKind.WAGES_OR_INCOME: OutcomeKind.PROPERTY_FROZEN,
                LeadKind.HIGH_CONSUMPTION: OutcomeKind.DEBTOR_LOCATED,
                LeadKind.HIDDEN_TRANSFER: OutcomeKind.PROPERTY_FOUND,
                LeadKind.OTHER: OutcomeKind.NO_RESULT,
            }[lead.kind]
            notes = "根据协执员线索采取措施"
        outcome = self._outcome(kind, state, on, officer_id, amount=amount, lead_id=lead.id,
                                notes=notes)
        lead.amount_recovered = amount
        return outcome

    def build_leads(self) -> None:
        rng = self.rng
        self.leads: list[DemoLead] = []
        self.lead_transitions: list[DemoLeadTransition] = []
        self.leads_by_case: dict[str, list[DemoLead]] = defaultdict(list)

        # Leads that fed a round: reported before it, checked on the visit.
        for target, rnd, visit, outcome in self.round_leads:
            state = self.state_by_case[target.case_id or ""]
            place = state.place
            author = self._author_for(place)
            observed = _at(rnd.starts_on - timedelta(days=rng.randrange(12, 45)), rng, 7, 20)
            if rnd.locked_at is None:
                raise AssertionError("rounds are locked")
            times = [observed + timedelta(hours=rng.uniform(0.2, 30))]
            times.append(times[-1] + timedelta(days=rng.uniform(0.5, 2)))
            times.append(times[-1] + timedelta(days=rng.uniform(0.2, 2)))
            times.append(max(times[-1] + timedelta(hours=1), rnd.locked_at))
            officer = next(t for t in self.round_teams if t.id == target.team_id).leader_id
            if visit is None:
                key = "assigned"
            else:
                times.append(visit.visited_at + timedelta(minutes=10))
                if visit.result in (VisitResult.DEBTOR_ABSENT, VisitResult.ADDRESS_WRONG):
                    key = "not_found_closed" if rng.random() < 0.7 else "not_found"
                elif outcome is not None:
                    key = "closed" if rng.random() < 0.7 else "outcome_recorded"
                    times.append(visit.visited_at + timedelta(hours=rng.uniform(2, 30)))
                else:
                    key = "verified"
                if key in ("closed", "not_found_closed"):
                    times.append(times[-1] + timedelta(days=rng.uniform(3, 20)))
            kind = LeadKind.DEBTOR_WHEREABOUTS if visit is None or visit.result in (
                VisitResult.DEBTOR_ABSENT, VisitResult.ADDRESS_WRONG, VisitResult.DEBTOR_MET,
                VisitResult.REFUSED) else _weighted(rng, LEAD_KINDS)
            lead, _ = self._make_lead(author=author, place=place, state=state, path_key=key,
                                      observed=observed, kind=kind, step_times=times,
                                      round_id=rnd.id, officer_id=officer)
            target.lead_id = lead.id
            if outcome is not None and key in ("closed", "outcome_recorded"):
                outcome.lead_id = lead.id
                lead.amount_recovered = outcome.amount
                step = LEAD_PATHS[key].index(_S.OUTCOME_RECORDED)
                self.lead_transitions[-len(times) + step].detail = {"outcome_id": outcome.id}
            state.touch(_local_date(times[-1]))

        # Leads on their own, over the villages that have debtors.
        n_leads = 400 * self.scale - len(self.leads)
        village_weights = [len(self.states_by_village[p.village.id]) for p in self.places]
        showcase_quota = 12 * self.scale
        target = len(self.leads) + n_leads
        attempts = 0
        while len(self.leads) < target and attempts < 10 * n_leads:
            attempts += 1
            if attempts <= showcase_quota:
                place = self.showcase
            else:
                place = rng.choices(self.places, village_weights)[0]
            states = self.states_by_village[place.village.id]
            author = self._author_for(place)
            if not states or rng.random() < 0.06:
                key = _weighted(rng, (("submitted", 4), ("under_review", 3), ("rejected", 3)))
                observed = _at(_rand_date(rng, FIELD_START, AS_OF - timedelta(days=10)), rng, 7, 21)
                self._make_lead(author=author, place=place, state=None, path_key=key,
                                observed=observed, kind=_weighted(rng, LEAD_KINDS))
                continue
            state = rng.choice(states)
            cat = state.category
            if cat == "open":
                key = _weighted(rng, (("submitted", 4), ("under_review", 3), ("accepted", 2),
                                      ("rejected", 1), ("assigned", 1)))
            else:
                key = _weighted(rng, (
                    ("submitted", 6), ("under_review", 6), ("accepted", 6), ("rejected", 9),
                    ("duplicate", 4), ("assigned", 8), ("verified", 5), ("not_found", 5),
                    ("not_found_closed", 6), ("outcome_recorded", 16), ("closed", 29)))
            earlier = self.leads_by_case.get(state.case.id, [])
            if key == "duplicate" and not earlier:
                with_leads = [s for s in states if self.leads_by_case.get(s.case.id)
                              and s.category != "open"]
                if with_leads:
                    state = rng.choice(with_leads)
                    earlier = self.leads_by_case[state.case.id]
                else:
                    key = "rejected"
            path = LEAD_PATHS[key]
            total_days = sum(LEAD_STEP_DAYS[s][1] for s in path)
            lo = max(FIELD_START, state.case.filed_on + timedelta(days=5))
            if state.started_on is not None:
                lo = max(lo, state.started_on)
            original = rng.choice(earlier) if key == "duplicate" else None
            if original is not None:
                lo = max(lo, _local_date(original.created_at) + timedelta(days=1))
            hi = AS_OF - timedelta(days=math.ceil(total_days) + 1)
            if state.category == "settled" and state.settlement_date is not None:
                hi = min(hi, state.settlement_date - timedelta(days=math.ceil(total_days) + 1))
            if hi < lo:
                key = "submitted" if AS_OF - lo > timedelta(days=3) else None
                if key is None:
                    continue
                hi = AS_OF - timedelta(days=2)
            observed = _at(_rand_date(rng, lo, hi), rng, 7, 21)
            kind = _weighted(rng, LEAD_KINDS)
            lead, times = self._make_lead(
                author=author, place=place, state=state, path_key=key, observed=observed,
                kind=kind, duplicate_of=original)
            before = [e for e in earlier if e.created_at < lead.created_at]
            if key in ("submitted", "under_review") and before and rng.random() < 0.3:
                lead.possible_duplicate_of_id = rng.choice(before).id
            if key in ("outcome_recorded", "closed"):
                step = LEAD_PATHS[key].index(_S.OUTCOME_RECORDED)
                on = _local_date(times[step])
                outcome = self._lead_outcome(lead, state, on, lead.assigned_officer_id or "")
                self.lead_transitions[-len(times) + step].detail = {"outcome_id": outcome.id}
            if key not in ("submitted", "under_review", "rejected", "duplicate"):
                state.touch(_local_date(times[-1]))

    # ---- sightings --------------------------------------------------------------------------

    def build_sightings(self) -> None:
        rng = self.rng
        self.sightings: list[DemoSighting] = []
        candidates = [s for s in self.states if s.category in (
            "open", "progress", "terminated", "resumed", "closed_paid")]
        for _ in range(150 * self.scale):
            state = rng.choice(candidates)
            home_place = state.place
            urgent = rng.random() < 0.15
            if rng.random() < 0.7:
                place, near = home_place, state.debtor.home_point
            else:
                # Seen at the township's market village, or a neighbouring village.
                place = rng.choice(self.places_by_township[home_place.township.id])
                near = None
            author = self._author_for(place)
            day = _rand_date(rng, max(FIELD_START, state.case.filed_on), AS_OF - timedelta(days=1))
            seen = _at(day, rng, 6.5, 21.5)
            plate = state.debtor.vehicle_plates[0] if state.debtor.vehicle_plates and \
                rng.random() < 0.5 else None
            name = state.debtor.name
            if urgent:
                notes = rng.choice((f"{name}刚回到家，车停在门口，请速来。",
                                    f"{name}正在镇上集市卖苹果，估计还要待一个小时。",
                                    f"{name}在村委会附近吃席，人还在。"))
            else:
                notes = rng.choice((f"看到{name}在地里干活。", f"{name}开车路过村口。",
                                    f"听说{name}前两天回来过，又走了。",
                                    f"在镇上看到{name}，和几个人一起。"))
            point = self.point_in(place, near=near, radius_m=150)
            self.sightings.append(DemoSighting(
                court_id=self.court_id, id=self.uid(), author_id=author.id,
                case_id=state.case.id, party_id=state.debtor.id, debtor_text=name,
                seen_at=seen, vehicle_plate=plate,
                companions=rng.choice((None, None, "其妻子", "两名男子", "其子")),
                confidence=rng.randint(4, 5) if urgent else rng.randint(1, 5), urgent=urgent,
                notes=notes, created_at=seen + timedelta(minutes=rng.randrange(1, 240)),
                **self.report_fields(point, place),
            ))

    # ---- mediation and settlements -----------------------------------------------------------

    def build_mediation(self) -> None:
        rng = self.rng
        self.mediation_notes: list[DemoMediationNote] = []
        self.note_by_id: dict[str, DemoMediationNote] = {}
        n_notes = 120 * self.scale
        n_agreed = int(n_notes * 0.35)
        window = AS_OF - timedelta(days=420)
        agree_pool = [s for s in self.states if s.settlement_source is None and (
            (s.category == "settled" and s.case.filed_on < AS_OF - timedelta(days=30))
            or (s.category == "closed_settled" and s.case.filed_on < AS_OF - timedelta(days=90)))]
        other_pool = [s for s in self.states if s.category in ("progress", "resumed", "terminated")
                      and s.case.filed_on < AS_OF - timedelta(days=20)]
        queue = [(s, True) for s in rng.sample(agree_pool, len(agree_pool))] + [
            (s, False) for s in rng.sample(other_pool, len(other_pool))]
        made_agreed = 0
        for state, agreed in queue:
            if agreed and made_agreed >= n_agreed:
                continue
            if len(self.mediation_notes) >= n_notes:
                break
            lo = max(FIELD_START, state.case.filed_on + timedelta(days=10))
            if agreed and state.category == "settled":
                lo = max(lo, window)
                hi = AS_OF - timedelta(days=5)
            elif agreed:
                hi = AS_OF - timedelta(days=70)
            else:
                hi = AS_OF - timedelta(days=1)
                if state.category == "terminated" and state.case.terminated_on:
                    hi = min(hi, state.case.terminated_on - timedelta(days=1))
            if hi < lo:
                continue
            made_agreed += agreed
            day = _rand_date(rng, lo, hi)
            place = state.place
            if rng.random() < 0.7:
                author = rng.choice(self.mediators_by_township[place.township.id])
            else:
                author = self._author_for(place)
            held = _at(day, rng, 9, 18)
            outcome = MediationOutcome.AGREED if agreed else _weighted(
                rng, ((MediationOutcome.REFUSED, 40), (MediationOutcome.CONTINUE, 60)))
            debtor, applicant = state.debtor.name, state.applicant.name
            present = [author.display_name, applicant, debtor]
            helpers = self.assistants_by_village[place.village.id]
            if author.role == Role.MEDIATOR:
                present.append(rng.choice(helpers).display_name)
            proposal: dict[str, Any] = {}
            if outcome != MediationOutcome.REFUSED:
                proposal = {"kind": "instalments", "total": str(state.owed - state.paid)}
            note = DemoMediationNote(
                court_id=self.court_id, id=self.uid(), case_id=state.case.id,
                author_id=author.id, held_at=held, place=f"{place.village.name}村委会调解室",
                present=present,
                applicant_statement=rng.choice((
                    "要求被执行人一次性履行全部款项。", "同意分期，但要求年底前付清。",
                    "考虑到对方困难，可以免除部分利息。")),
                debtor_statement=rng.choice((
                    "承认欠款，目前确实困难，请求分期履行。", "苹果卖了就还，希望宽限几个月。",
                    "认为数额有争议，暂不同意。", "愿意先付一部分，剩余分期。")),
                proposal=proposal, outcome=outcome,
                next_visit_on=day + timedelta(days=rng.randrange(10, 40))
                if outcome == MediationOutcome.CONTINUE else None,
                created_at=held + timedelta(hours=rng.uniform(0.5, 6)),
            )
            self.mediation_notes.append(note)
            self.note_by_id[note.id] = note
            state.touch(day)
            if agreed:
                state.settlement_source = "mediation"
                state.settlement_date = day
                self.settlement_plans.append((state, day, "mediation", note.id))

    def build_mediator_assignments(self) -> None:
        """The court puts mediators on cases: every case a mediator held a session on,
        from a little before the first session (ended when the case closed), and two
        cases of their township still waiting for a first session. Its own random
        stream, so adding it changed nothing else in the county."""
        rng = random.Random(self.seed * 31 + 7)
        mediators = {m.id for m in self.mediators}
        state_of = {s.case.id: s for s in self.states}
        first: dict[tuple[str, str], date] = {}
        for note in self.mediation_notes:
            if note.author_id in mediators:
                key, day = (note.author_id, note.case_id), note.held_at.date()
                first[key] = min(first.get(key, day), day)
        self.case_mediators: list[DemoCaseMediator] = []

        def assign(mediator_id: str, state: _CaseState, starts_on: date, note: str) -> None:
            closed = state.case.closed_on
            self.case_mediators.append(DemoCaseMediator(
                court_id=self.court_id, id=self.uid(), case_id=state.case.id,
                mediator_id=mediator_id, starts_on=starts_on, note=note,
                ends_on=closed + timedelta(days=1) if closed and closed >= starts_on else None,
                assigned_by=self.judges[0].id, created_at=_at(starts_on, rng)))

        for (mediator_id, case_id), day in sorted(first.items()):
            assign(mediator_id, state_of[case_id], day - timedelta(days=rng.randrange(3, 30)),
                   "调解")
        noted = {case_id for _, case_id in first}
        waiting = sorted((s for s in self.states if s.category in ("open", "progress", "resumed")
                          and s.case.id not in noted),
                         key=lambda s: s.case.case_number)
        for mediator in self.mediators:
            township = next(t for t, ms in self.mediators_by_township.items() if mediator in ms)
            mine = [s for s in waiting if s.place.township.id == township]
            for state in rng.sample(mine, min(2, len(mine))):
                assign(mediator.id, state, AS_OF - timedelta(days=rng.randrange(1, 30)),
                       "新指派，尚未调解")

    def build_settlements(self) -> None:
        rng = self.rng
        self.settlements: list[DemoSettlement] = []
        self.instalments: list[DemoInstalment] = []
        window = AS_OF - timedelta(days=420)
        for state in self.states:
            if state.category in ("settled", "closed_settled") and state.settlement_source is None:
                if state.category == "settled":
                    lo = max(window, state.case.filed_on + timedelta(days=20))
                    hi = AS_OF - timedelta(days=3)
                else:
                    lo = state.case.filed_on + timedelta(days=20)
                    hi = AS_OF - timedelta(days=40)
                if hi < lo:
                    state.category = "progress"
                    continue
                day = _rand_date(rng, lo, hi)
                state.settlement_source = "standalone"
                state.settlement_date = day
                self.settlement_plans.append((state, day, "standalone", None))
        for state, day, _source, note_id in self.settlement_plans:
            total = state.owed - state.paid
            recorder = state.case.officer_id
            if state.category == "closed_settled":
                months_left = max(0, (AS_OF - day).days // 31 - 1)
                count = 1 if rng.random() < 0.35 or months_left < 1 else rng.randint(
                    1, min(6, months_left))
                interval = 1
            else:
                elapsed = (AS_OF - day).days // 30
                interval = 1 if elapsed <= 8 else 2
                count = elapsed // interval + rng.randint(1, 3)
            kind = SettlementKind.LUMP_SUM if count == 1 else SettlementKind.INSTALMENTS
            settlement = DemoSettlement(
                court_id=self.court_id, id=self.uid(), case_id=state.case.id,
                mediation_note_id=note_id, kind=kind, total_amount=total, agreed_on=day,
                status="fulfilled" if state.category == "closed_settled" else "active",
                created_at=_at(day, rng, 17, 19),
            )
            self.settlements.append(settlement)
            part = (total / count).quantize(CENT)
            last_paid: date | None = None
            for seq in range(1, count + 1):
                due = _add_months(day, interval * seq) if kind == SettlementKind.INSTALMENTS \
                    else day + timedelta(days=rng.randrange(7, 25))
                amount = part if seq < count else total - part * (count - 1)
                inst = DemoInstalment(
                    court_id=self.court_id, id=self.uid(), settlement_id=settlement.id,
                    seq=seq, due_on=due, amount=amount,
                )
                if state.category == "closed_settled":
                    paid_on = min(AS_OF, due - timedelta(days=rng.randrange(0, 5)))
                    inst.paid_amount, inst.paid_on, inst.recorded_by = amount, paid_on, recorder
                elif seq < count and due <= AS_OF - timedelta(days=2) and (
                        last_paid is not None or seq == 1) and rng.random() < 0.9:
                    paid_on = min(AS_OF - timedelta(days=1), due + timedelta(
                        days=rng.randrange(-3, 6)))
                    inst.paid_amount, inst.paid_on, inst.recorded_by = amount, paid_on, recorder
                else:
                    last_paid = None
                if inst.paid_on is not None:
                    last_paid = inst.paid_on
                    state.paid += amount
                    state.touch(inst.paid_on)
                self.instalments.append(inst)
            if state.category == "closed_settled":
                state.case.closed_on = max(last_paid or day, day)
            if note_id is not None:
                self.note_by_id[note_id].proposal = {
                    "kind": kind.value, "total": str(total),
                    "instalments": [{"due_on": i.due_on.isoformat(), "amount": str(i.amount)}
                                    for i in self.instalments[-count:]],
                }

    # ---- closing the books ------------------------------------------------------------------

    def finish_cases(self) -> None:
        rng = self.rng
        self.case_events: list[DemoCaseEvent] = []
        for state in self.states:
            case = state.case
            cat = state.category
            officer = case.officer_id
            # Extra payments recorded by the officer: online freezes and deductions, visits
            # at the office, and the final payment of cases closed as fully performed.
            if cat in ("progress", "resumed", "terminated") and rng.random() < 0.3:
                lo = state.started_on or case.filed_on
                hi = (case.terminated_on - timedelta(days=1)) if case.terminated_on else AS_OF
                if hi > lo:
                    on = _rand_date(rng, lo, hi)
                    amount = self._payment_amount(state, on, 0.1, 0.5)
                    if amount > 0:
                        self._outcome(OutcomeKind.PAYMENT_RECEIVED, state, on, officer,
                                      amount=amount, notes="网络查控冻结扣划存款")
            if cat == "closed_paid":
                lo = max(state.last_activity or case.filed_on, state.started_on or case.filed_on)
                closed = min(AS_OF, max(lo, case.filed_on + timedelta(
                    days=rng.randrange(25, 420))))
                remainder = case.amount_owed - state.paid
                if remainder > 0:
                    self._outcome(OutcomeKind.PAYMENT_RECEIVED, state, closed, officer,
                                  amount=remainder, notes="被执行人履行完毕")
                case.closed_on = closed
            case.amount_recovered = state.paid
            self._events(state)

    def _events(self, state: _CaseState) -> None:
        rng = self.rng
        case = state.case
        cat = state.category
        resumed = state.resumed_number
        events: list[tuple[str, str | None, str, str | None, date, str | None]] = []
        first = CaseStatus.RESUMED if resumed else CaseStatus.OPEN
        events.append(("filed", None, first, case.judge_id, case.filed_on,
                       "申请执行人提供新的财产线索，恢复执行" if resumed else "立案受理"))
        status = first
        if cat == "open":
            final = CaseStatus.OPEN
        elif cat == "resumed":
            final = CaseStatus.RESUMED
        else:
            started = state.started_on or case.filed_on
            if not resumed:
                events.append(("started", status, CaseStatus.IN_PROGRESS, case.officer_id,
                               started, "发出执行通知书、报告财产令"))
                status = CaseStatus.IN_PROGRESS
            if cat == "progress":
                final = CaseStatus.IN_PROGRESS
            elif cat == "terminated":
                events.append(("terminated", status, CaseStatus.TERMINATED, case.judge_id,
                               case.terminated_on or AS_OF,
                               "经穷尽财产调查措施，未发现可供执行的财产，终结本次执行程序"))
                final = CaseStatus.TERMINATED
            elif cat == "settled":
                events.append(("settled", status, CaseStatus.SETTLED, case.judge_id,
                               state.settlement_date or AS_OF, "双方当事人达成执行和解协议"))
                final = CaseStatus.SETTLED
            else:
                if cat == "closed_settled":
                    events.append(("settled", status, CaseStatus.SETTLED, case.judge_id,
                                   state.settlement_date or started, "双方当事人达成执行和解协议"))
                    status = CaseStatus.SETTLED
                events.append(("closed", status, CaseStatus.CLOSED, case.judge_id,
                               case.closed_on or AS_OF,
                               "和解协议履行完毕，执行完毕" if cat == "closed_settled"
                               else "被执行人履行完毕，执行完毕"))
                final = CaseStatus.CLOSED
        case.status = final
        last = case.created_at
        for kind, from_status, to_status, actor, on, reason in events:
            at = case.created_at if kind == "filed" else max(last, _at(on, rng, 9, 18))
            last = at
            self.case_events.append(DemoCaseEvent(
                court_id=self.court_id, id=self.uid(), case_id=case.id, kind=kind,
                from_status=from_status and str(from_status), to_status=str(to_status),
                actor_id=actor, reason=reason, at=at,
            ))
        case.updated_at = last

    # ---- tasks ------------------------------------------------------------------------------

    def build_tasks(self) -> None:
        rng = self.rng
        self.tasks: list[DemoTask] = []
        self.task_grids: list[DemoTaskGrid] = []
        self.task_answers: list[DemoTaskAnswer] = []
        pool = [s for s in self.states if s.category in ("open", "progress", "resumed",
                                                         "terminated")]
        kinds = ((TaskKind.FIND_DEBTOR, 35), (TaskKind.VERIFY_ADDRESS, 25),
                 (TaskKind.DELIVER_NOTICE, 20), (TaskKind.CHECK_PROPERTY, 15),
                 (TaskKind.OTHER, 5))
        while len(self.tasks) < 40 * self.scale:
            state = rng.choice(pool)
            kind = _weighted(rng, kinds)
            name = state.debtor.name
            title, body = {
                TaskKind.FIND_DEBTOR: (f"查找被执行人{name}下落",
                                       f"请协助查找{name}目前居住地及联系方式，发现后立即报告。"),
                TaskKind.VERIFY_ADDRESS: (f"核实被执行人{name}现住址",
                                          f"请核实{name}是否仍居住在{state.debtor.address}。"),
                TaskKind.DELIVER_NOTICE: (f"协助送达{case_number(state)}执行通知书",
                                          f"请协助向{name}送达执行通知书、报告财产令。"),
                TaskKind.CHECK_PROPERTY: (f"了解被执行人{name}家庭财产情况",
                                          f"请了解{name}家中房屋、车辆、牲畜、果园及收入情况。"),
                TaskKind.OTHER: (f"通知被执行人{name}到庭约谈",
                                 f"请通知{name}于本周五执行接待日到法院执行局约谈。"),
            }[kind]
            lo = max(FIELD_START, state.case.filed_on + timedelta(days=3))
            hi = AS_OF - timedelta(days=2)
            if state.case.terminated_on is not None:
                hi = min(hi, state.case.terminated_on - timedelta(days=2))
            if hi < lo:
                continue
            day = _rand_date(rng, lo, hi)
            created = _at(day, rng, 8.5, 17.5)
            due = created + timedelta(days=rng.choice((3, 5, 7, 10)))
            if due > _end_of(AS_OF):
                status = TaskStatus.OPEN
            else:
                status = _weighted(rng, ((TaskStatus.CLOSED, 80), (TaskStatus.OPEN, 12),
                                         (TaskStatus.CANCELLED, 8)))
            author = rng.choice(self.judges + [o for o in self.officers
                                               if o.id == state.case.officer_id])
            task = DemoTask(
                court_id=self.court_id, id=self.uid(), created_by=author.id, kind=kind,
                title=title, body=body, case_id=state.case.id, party_id=state.debtor.id,
                due_at=due, status=status, created_at=created,
            )
            self.tasks.append(task)
            grids = [state.place]
            if kind == TaskKind.FIND_DEBTOR:
                others = [p for p in self.places_by_township[state.place.township.id]
                          if p is not state.place]
                others.sort(key=lambda p: p.centre.distance(state.place.centre))
                grids += others[: rng.choice((0, 1, 2))]
            for place in grids:
                self.task_grids.append(DemoTaskGrid(court_id=self.court_id, task_id=task.id,
                                                    village_grid_id=place.village.id))
            n_answers = 0 if status == TaskStatus.CANCELLED else (
                rng.choice((1, 1, 2)) if status == TaskStatus.CLOSED else rng.choice((0, 0, 1)))
            for i in range(n_answers):
                place = grids[0] if i == 0 else rng.choice(grids)
                author_user = self._author_for(place)
                answered = created + timedelta(hours=rng.uniform(2, 72))
                if answered > _end_of(AS_OF):
                    break
                result = _weighted(rng, (("done", 55), ("info", 20), ("not_found", 18),
                                         ("unable", 7)))
                answer = {
                    "done": f"已完成。{name}现居住在家中，电话{state.debtor.phone}可以打通。",
                    "info": f"{name}目前在外打工，春节前后回村。",
                    "not_found": f"经走访邻居，{name}已半年未回村，去向不明。",
                    "unable": "该户常年锁门，无法联系。",
                }[result]
                near = state.debtor.home_point if place is state.place else None
                point = self.point_in(place, near=near, radius_m=60)
                self.task_answers.append(DemoTaskAnswer(
                    court_id=self.court_id, id=self.uid(), task_id=task.id,
                    author_id=author_user.id, result=result, answer=answer,
                    answered_at=answered, created_at=answered + timedelta(minutes=2),
                    **self.report_fields(point, place),
                ))

    # ---- deputies ------------------------------------------------------------------------------

    def build_supervision(self) -> None:
        rng = self.rng
        self.case_follows: list[DemoCaseFollow] = []
        self.deputy_evaluations: list[DemoDeputyEvaluation] = []
        livelihood = ("劳务合同纠纷", "追索劳动报酬纠纷", "抚养费纠纷", "赡养费纠纷",
                      "机动车交通事故责任纠纷", "提供劳务者受害责任纠纷")
        pool = [s for s in self.states if s.case.filed_on >= date(2024, 1, 1)
                and s.category != "open"]
        weights = [3.0 if s.case.cause in livelihood else 1.0 + float(s.owed) / 200000
                   for s in pool]
        seen: set[tuple[str, str]] = set()
        follows: list[tuple[DemoCaseFollow, _CaseState]] = []
        while len(follows) < 60 * self.scale:
            state = rng.choices(pool, weights)[0]
            deputy = rng.choice(self.deputies)
            if (deputy.id, state.case.id) in seen:
                continue
            seen.add((deputy.id, state.case.id))
            start = min(AS_OF - timedelta(days=5), state.case.filed_on + timedelta(
                days=rng.randrange(5, 60)))
            end = None
            if state.case.closed_on is not None and rng.random() < 0.6:
                end = _at(max(start, state.case.closed_on), rng, 9, 18)
            follow = DemoCaseFollow(
                court_id=self.court_id, id=self.uid(), deputy_id=deputy.id,
                case_id=state.case.id, started_at=_at(start, rng, 9, 17), ended_at=end,
            )
            self.case_follows.append(follow)
            follows.append((follow, state))

        node_weights = {"serve_notice": 3, "property_investigation": 3, "seal_up": 2,
                        "auction": 2, "distribution": 2, "payout": 3, "settlement": 3,
                        "eviction": 1, "detention": 1, "on_site_investigation": 3}
        node_pairs = [(n, node_weights.get(n.code, 1)) for n in self.nodes if n.witnessable]
        while len(self.deputy_evaluations) < 30 * self.scale:
            follow, state = rng.choice(follows)
            start = follow.started_at
            limit = follow.ended_at or _end_of(AS_OF - timedelta(days=1))
            if limit <= start:
                continue
            witnessed = start + (limit - start) * rng.uniform(0.05, 0.9)
            node = _weighted(rng, node_pairs)
            opinion_card = rng.random() < 0.3
            judge = state.case.judge_id
            if opinion_card:
                opinion = rng.choice((
                    "建议加大对被执行人财产的查控力度，及时向申请人通报进展。",
                    "被执行人确有困难，建议引导双方和解，分期履行。",
                    "建议对拒不履行的被执行人依法采取拘留措施。"))
                rating = None
            else:
                rating = _weighted(rng, ((5, 55), (4, 35), (3, 10)))
                opinion = rng.choice(("执行程序规范，文明执法。", "执行干警耐心释法，效果良好。",
                                      "现场秩序良好，当事人情绪稳定。", "建议进一步提高执行效率。"))
            created = witnessed + timedelta(hours=rng.uniform(1, 48))
            evaluation = DemoDeputyEvaluation(
                court_id=self.court_id, id=self.uid(), case_id=state.case.id,
                deputy_id=follow.deputy_id, node_id=node.id,
                kind="opinion" if opinion_card else "evaluation", witnessed_at=witnessed,
                rating=rating, opinion=opinion, created_at=created,
            )
            replied = created + timedelta(days=rng.uniform(1, 10))
            if rng.random() < 0.8 and replied < _end_of(AS_OF):
                evaluation.reply = rng.choice(("感谢代表监督，已按建议落实。",
                                               "已向申请执行人通报执行进展。",
                                               "已对被执行人采取限制消费措施，将继续跟进。"))
                evaluation.replied_by = judge
                evaluation.replied_at = replied
            self.deputy_evaluations.append(evaluation)

    # ---- linkage requests ------------------------------------------------------------------

    def build_linkage_requests(self) -> None:
        rng = self.rng
        self.linkage_requests: list[DemoLinkageRequest] = []
        pool = [s for s in self.states if s.category in ("progress", "resumed", "terminated",
                                                         "closed_paid", "open")]
        while len(self.linkage_requests) < 40 * self.scale:
            state = rng.choice(pool)
            unit = rng.choice(self.linkage_units)
            kind = LinkageRequestKind(rng.choice(unit.duties))
            name = state.debtor.name
            details = {
                LinkageRequestKind.FIND_PERSON: f"请协助查找被执行人{name}"
                                                f"（{state.debtor.id_number}）下落。",
                LinkageRequestKind.SEIZE_VEHICLE: f"请协助查控被执行人{name}名下车辆"
                f"{'、'.join(state.debtor.vehicle_plates) or ''}。",
                LinkageRequestKind.SEARCH_RECORDS: f"请协助查询被执行人{name}的登记信息。",
                LinkageRequestKind.FREEZE_AND_DEDUCT: f"请协助冻结、扣划被执行人{name}"
                                                      f"名下款项，限额{state.owed}元。",
                LinkageRequestKind.APPRAISE: f"请对被执行人{name}名下财产进行定向询价。",
            }[kind]
            lo = max(FIELD_START, state.case.filed_on + timedelta(days=3))
            if lo > AS_OF - timedelta(days=1):
                continue
            day = _rand_date(rng, lo, AS_OF - timedelta(days=1))
            created = _at(day, rng, 8.5, 17.5)
            due = created + timedelta(days=unit.answer_days)
            liaison = self.liaisons[unit.id]
            answered_at = created + timedelta(days=rng.uniform(0.3, unit.answer_days * 1.2))
            if answered_at < _end_of(AS_OF) and rng.random() < 0.7:
                status = LinkageRequestStatus.ANSWERED
            elif rng.random() < 0.08:
                status = LinkageRequestStatus.CANCELLED
            elif due < _end_of(AS_OF):
                status = LinkageRequestStatus.OVERDUE
            else:
                status = _weighted(rng, ((LinkageRequestStatus.SENT, 1),
                                         (LinkageRequestStatus.ACKNOWLEDGED, 1)))
            request = DemoLinkageRequest(
                court_id=self.court_id, id=self.uid(), unit_id=unit.id, case_id=state.case.id,
                party_id=state.debtor.id, kind=kind, details=details, status=status,
                requested_by=rng.choice((state.case.officer_id, state.case.judge_id)),
                due_at=due, created_at=created,
            )
            if status == LinkageRequestStatus.ANSWERED:
                request.answer = {
                    LinkageRequestKind.FIND_PERSON:
                        f"经查，{name}近期在西安市活动，已提供其住宿登记信息。",
                    LinkageRequestKind.SEIZE_VEHICLE:
                        "已在系统中对该车辆办理查封登记，发现后将扣押移交。",
                    LinkageRequestKind.SEARCH_RECORDS: "经查询，未发现登记在其名下的相关信息。",
                    LinkageRequestKind.FREEZE_AND_DEDUCT: "已冻结其账户，余额不足部分将持续冻结。",
                    LinkageRequestKind.APPRAISE: "询价结果已通过执行联动平台发送。",
                }[kind]
                request.answered_by = liaison.id
                request.answered_at = answered_at
            self.linkage_requests.append(request)


    def build_node_events(self) -> None:
        """The node event behind each witnessed evaluation form, the deputy's witness record
        and the form's scores; opinion cards get their judge and due time. Runs last, so
        the ids of everything generated before stay as they were."""
        rng = self.rng
        self.node_events: list[DemoNodeEvent] = []
        self.node_witnesses: list[DemoNodeWitness] = []
        cases = {s.case.id: s.case for s in self.states}
        for evaluation in self.deputy_evaluations:
            case = cases[evaluation.case_id]
            if evaluation.kind == "opinion":
                evaluation.judge_id = case.judge_id
                evaluation.due_at = evaluation.created_at + timedelta(days=DEFAULT_ANSWER_DAYS)
                continue
            witnessed = evaluation.witnessed_at
            occurs = witnessed - timedelta(minutes=rng.randrange(0, 30))
            event = DemoNodeEvent(
                court_id=self.court_id, id=self.uid(), case_id=case.id,
                node_id=evaluation.node_id, occurs_at=occurs, place=case.address,
                recorded_by=case.officer_id,
                created_at=occurs - timedelta(days=rng.uniform(0.5, 3)))
            self.node_events.append(event)
            self.node_witnesses.append(DemoNodeWitness(
                court_id=self.court_id, id=self.uid(), node_event_id=event.id,
                deputy_id=evaluation.deputy_id, witnessed_at=witnessed, created_at=witnessed))
            evaluation.node_event_id = event.id
            evaluation.scores = {
                key: max(1, min(5, evaluation.rating + rng.choice((-1, 0, 0, 1))))
                for key in EVALUATION_CRITERIA}


def case_number(state: _CaseState) -> str:
    return state.case.case_number


def generate_county(scale: int = 1, seed: int = 2024) -> DemoCounty:
    """The demo county for ``(scale, seed)``: identical on every call and in every process."""
    return _Generator(scale, seed).build()
