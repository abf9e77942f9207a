"""Cases and their parties: 2,000 x scale cases filed since 2022, each with its story
(``CaseState.category``) decided up front, debtors living in the villages (some in several
cases), applicants, case numbers and the debtors' flags."""

from __future__ import annotations

import math
from collections import defaultdict
from datetime import date, datetime, timedelta

from shapely.geometry import Point

from enforcement.models import CaseStatus, PartyKind, PartyRole
from seed.context import CaseState, CountyDraft
from seed.places import Place, point_in
from seed.records.cases import DemoCase, DemoCaseParty, DemoParty
from seed.reference import (
    ADDRESS_PREFIX,
    ALIASES,
    AS_OF,
    BANKS,
    CARD_BANKS,
    CASE_PREFIX,
    CASES_FROM,
    CAUSES,
    COMPANY_KINDS,
    COMPANY_WORDS,
)
from seed.values import local_moment, money, weekday, weighted, yuan


def _new_person(draft: CountyDraft, place: Place, created: datetime, male: bool | None = None,
                surname: str | None = None) -> DemoParty:
    rng = draft.rng
    hui = place.township.name.endswith("回族乡")
    name, male = draft.identities.person_name(male=male, hui=hui)
    if surname is not None:
        name = surname + name[1:]
    birth = date(rng.randrange(1958, 2001), rng.randrange(1, 13), rng.randrange(1, 29))
    return DemoParty(
        court_id=draft.court_id, id=draft.uid(), kind=PartyKind.PERSON, name=name,
        id_number=draft.identities.id_number(birth, male), phone=draft.identities.phone(),
        gender="男" if male else "女", birth_year=birth.year,
        aliases=[rng.choice(ALIASES)] if rng.random() < 0.08 else [],
        created_at=created,
    )


def _new_org(draft: CountyDraft, created: datetime, place: Place | None = None) -> DemoParty:
    rng = draft.rng
    where = place.village.name.removesuffix("村") if place and rng.random() < 0.4 else ""
    name = f"正宁县{where}{rng.choice(COMPANY_WORDS)}{rng.choice(COMPANY_KINDS)}"
    return DemoParty(
        court_id=draft.court_id, id=draft.uid(), kind=PartyKind.ORGANISATION, name=name,
        id_number=draft.identities.uscc(), phone=draft.identities.phone(), created_at=created,
    )


def _home(draft: CountyDraft, party: DemoParty, place: Place, point: Point | None = None) -> None:
    rng = draft.rng
    party.home_point = point if point is not None else point_in(draft.rng, place)
    party.township_id = place.township.id
    party.village_grid_id = place.village.id
    party.address = (f"{ADDRESS_PREFIX}{place.township.name}{place.village.name}"
                     f"{rng.randrange(1, 9)}组{rng.randrange(1, 80)}号")


def build_cases(draft: CountyDraft) -> None:
    """The cases, their parties and links, with each case's story decided here and
    written by the builders after this one."""
    rng = draft.rng
    draft.cases = []
    draft.parties = []
    draft.case_parties = []
    draft.states = []
    draft.state_by_case = {}
    draft.debtors_by_village = defaultdict(list)
    applicant_orgs: dict[str, DemoParty] = {}

    weights = [p.village.households * rng.uniform(0.4, 1.6) for p in draft.places]
    showcase_index = draft.places.index(draft.showcase)
    weights[showcase_index] = sum(weights) * 0.02  # ~40 cases at scale 1

    n_cases = 2000 * draft.scale
    span = (AS_OF - CASES_FROM).days
    for _ in range(n_cases):
        resumed = rng.random() < 0.05
        if resumed:
            filed = weekday(date(2023, 6, 1) + timedelta(
                days=rng.randrange((AS_OF - date(2023, 6, 1)).days - 3)))
        else:
            # Slightly more cases in later years.
            filed = weekday(CASES_FROM + timedelta(days=int(span * rng.random() ** 0.85)))
        if filed > AS_OF:
            filed = AS_OF - timedelta(days=3)
        age = (AS_OF - filed).days
        if resumed:
            category = "resumed" if rng.random() < 0.7 or age < 60 else "closed_paid"
        elif age < 45:
            category = "open" if rng.random() < 0.8 else "progress"
        elif age < 150:
            category = weighted(rng, (("open", 45), ("progress", 42), ("settled", 5),
                                       ("closed_paid", 6), ("closed_settled", 2)))
        elif age < 400:
            category = weighted(rng, (("progress", 36), ("terminated", 22),
                                       ("settled", 10), ("closed_paid", 24),
                                       ("closed_settled", 8)))
        else:
            category = weighted(rng, (("progress", 12), ("terminated", 33), ("settled", 6),
                                       ("closed_paid", 40), ("closed_settled", 9)))
        if category == "settled" and (AS_OF - filed).days < 40:
            category = "progress"

        cause, _, median, sigma = weighted(rng, [(c, c[1]) for c in CAUSES])
        owed = math.exp(rng.gauss(math.log(median), sigma))
        owed = min(800000.0, max(2000.0, owed))
        amount_owed = money(owed) if rng.random() < 0.3 else yuan(owed)

        place = rng.choices(draft.places, weights)[0]
        created = local_moment(filed, rng, 8.5, 17.5)
        existing = draft.debtors_by_village[place.village.id]
        org_debtor = rng.random() < 0.1 and cause not in (
            "离婚纠纷", "抚养费纠纷", "赡养费纠纷", "信用卡纠纷")
        if existing and rng.random() < 0.08:
            debtor = rng.choice(existing)
        else:
            debtor = _new_org(draft, created, place) if org_debtor else _new_person(
                draft, place, created)
            _home(draft, debtor, place)
            if debtor.kind == PartyKind.PERSON and rng.random() < 0.22:
                debtor.vehicle_plates = [draft.identities.plate()]
            draft.parties.append(debtor)
            existing.append(debtor)

        # Applicant: a bank for loans and cards, a company for some sales, else a person.
        if cause == "金融借款合同纠纷" or (cause == "信用卡纠纷" and rng.random() < 0.8):
            bank = rng.choice(BANKS if cause == "金融借款合同纠纷" else CARD_BANKS)
            applicant = applicant_orgs.get(bank)
            if applicant is None:
                applicant = DemoParty(
                    court_id=draft.court_id, id=draft.uid(), kind=PartyKind.ORGANISATION,
                    name=bank, id_number=draft.identities.uscc(), phone=None,
                    address=f"{ADDRESS_PREFIX}山河镇" if "正宁" in bank else None,
                    created_at=created,
                )
                applicant_orgs[bank] = applicant
                draft.parties.append(applicant)
        elif cause in ("买卖合同纠纷", "租赁合同纠纷") and rng.random() < 0.35:
            applicant = _new_org(draft, created)
            applicant.address = f"{ADDRESS_PREFIX}{rng.choice(draft.townships).name}"
            draft.parties.append(applicant)
        else:
            applicant = _new_person(draft, place, created)
            applicant.address = f"{ADDRESS_PREFIX}{rng.choice(draft.townships).name}"
            draft.parties.append(applicant)

        township = place.township
        officers = draft.officers_by_township[township.id]
        judgment_year = max(2020, filed.year - rng.choice((0, 0, 1, 1, 2)))
        case = DemoCase(
            court_id=draft.court_id, id=draft.uid(), cause=cause,
            source_judgment=f"({judgment_year}){CASE_PREFIX}民初{rng.randrange(20, 2400)}号",
            applicant_name=applicant.name, filed_on=filed,
            status=CaseStatus.OPEN, amount_owed=amount_owed,
            judge_id=rng.choice(draft.judges).id, officer_id=rng.choice(officers).id,
            address=debtor.address or "", address_point=debtor.home_point,
            township_id=township.id, village_grid_id=place.village.id,
            created_at=created, updated_at=created,
        )
        state = CaseState(case=case, debtor=debtor, place=place, applicant=applicant,
                          category=category, resumed_number=resumed)
        draft.cases.append(case)
        draft.states.append(state)
        draft.state_by_case[case.id] = state
        draft.case_parties.append(DemoCaseParty(
            court_id=draft.court_id, id=draft.uid(), case_id=case.id, party_id=debtor.id,
            role=PartyRole.DEBTOR))
        draft.case_parties.append(DemoCaseParty(
            court_id=draft.court_id, id=draft.uid(), case_id=case.id,
            party_id=applicant.id, role=PartyRole.APPLICANT))

        # A second debtor now and then: a spouse at the same home, or a co-debtor.
        if debtor.kind == PartyKind.PERSON and rng.random() < 0.1:
            if rng.random() < 0.6:
                second = _new_person(draft, place, created, male=debtor.gender != "男")
                _home(draft, second, place, point=debtor.home_point)
                second.address = debtor.address
            else:
                other = rng.choices(draft.places, weights)[0]
                second = _new_person(draft, other, created)
                _home(draft, second, other)
                draft.debtors_by_village[other.village.id].append(second)
            draft.parties.append(second)
            draft.case_parties.append(DemoCaseParty(
                court_id=draft.court_id, id=draft.uid(), case_id=case.id,
                party_id=second.id, role=PartyRole.DEBTOR))

        # Dates that are known now: when enforcement started, when it was terminated.
        if category != "open":
            state.started_on = min(AS_OF, filed + timedelta(days=rng.randrange(2, 21)))
        if category == "terminated":
            case.terminated_on = weekday(min(
                AS_OF - timedelta(days=2),
                filed + timedelta(days=rng.randrange(120, 560))))

    # Case numbers, per year and kind in filing order.
    counters: dict[tuple[int, bool], int] = defaultdict(int)
    for state in sorted(draft.states, key=lambda s: (s.case.filed_on, s.case.created_at)):
        key = (state.case.filed_on.year, state.resumed_number)
        counters[key] += 1
        kind = "执恢" if key[1] else "执"
        state.case.case_number = f"({key[0]}){CASE_PREFIX}{kind}{counters[key]}号"

    # Debtor flags follow how their cases went.
    for state in draft.states:
        d = state.debtor
        if state.category == "terminated":
            d.is_dishonest = d.is_dishonest or rng.random() < 0.7
            d.consumption_restricted = d.consumption_restricted or rng.random() < 0.9
        elif state.category in ("progress", "resumed"):
            d.is_dishonest = d.is_dishonest or rng.random() < 0.3
            d.consumption_restricted = d.consumption_restricted or rng.random() < 0.5
        elif state.category != "open":
            d.consumption_restricted = d.consumption_restricted or rng.random() < 0.1
    draft.states_by_village = defaultdict(list)
    draft.states_by_township = defaultdict(list)
    for state in draft.states:
        draft.states_by_village[state.place.village.id].append(state)
        draft.states_by_township[state.place.township.id].append(state)
