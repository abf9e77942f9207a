"""The four concentrated enforcement rounds of 2025 (驻村连片集中执行): teams, targets
planned per day in visiting order, the visits and what they achieved."""

from __future__ import annotations

import math
from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import shapely
from shapely.geometry import Point

from enforcement.models import OutcomeKind, RoundStatus, VisitResult
from seed.builders.payments import payment_amount, record_outcome
from seed.context import CaseState, CountyDraft
from seed.places import multi, point_in, report_fields
from seed.records.rounds import DemoOutcome, DemoRound, DemoRoundTarget, DemoRoundTeam, DemoVisit
from seed.reference import AS_OF, KM_PER_DEG_LAT, KM_PER_DEG_LON
from seed.values import CHINA, local_moment, weighted


def build_rounds(draft: CountyDraft) -> None:
    """The four rounds of 2025, each over a township and one or two of its neighbours,
    with teams of officers and a judge, targets by team and day, and their visits."""
    rng = draft.rng
    draft.rounds = []
    draft.round_teams = []
    draft.round_targets = []
    draft.visits = []
    draft.outcomes = []
    draft.settlement_plans = []
    draft.round_leads: list[tuple[DemoRoundTarget, DemoRound, DemoVisit | None,
                                  DemoOutcome | None]] = []
    schedule = (
        (date(2025, 3, 17), date(2025, 3, 21), "第一轮"),
        (date(2025, 6, 9), date(2025, 6, 13), "第二轮"),
        (date(2025, 9, 15), date(2025, 9, 19), "第三轮"),
        (date(2025, 11, 24), date(2025, 11, 27), "第四轮"),
    )
    primaries = [draft.townships[i] for i in (0, 3, 6, 8)]
    used_as_area: set[str] = set()
    settle_window = AS_OF - timedelta(days=420)
    for seq, ((starts, ends, label), primary) in enumerate(
            zip(schedule, primaries, strict=True), start=1):
        neighbours = [t for t in draft.townships if t.id in draft.neighbours[primary.id]]
        neighbours.sort(key=lambda t: (t.id in used_as_area, t.code))
        chosen = [primary, *neighbours[: rng.choice((1, 2))]]
        used_as_area.update(t.id for t in chosen)
        area = multi(shapely.union_all([t.geom for t in chosen]))
        depot = draft.showcase.centre if primary is draft.townships[0] else \
            draft.places_by_township[primary.id][0].centre
        team_count = rng.randint(2, 4)
        names = "、".join(t.name for t in chosen)
        rnd = DemoRound(
            court_id=draft.court_id, id=draft.uid(),
            name=f"2025年{label}驻村连片集中执行（{names}）", seq=seq,
            status=RoundStatus.DONE, starts_on=starts, ends_on=ends,
            township_id=primary.id, area=area, team_count=team_count,
            depot_point=depot, plan={}, created_by=draft.judges[seq % 4].id,
            locked_at=local_moment(starts - timedelta(days=3), rng),
            created_at=local_moment(starts - timedelta(days=rng.randrange(14, 25)), rng),
        )
        draft.rounds.append(rnd)
        pool = rng.sample(draft.officers, len(draft.officers))
        teams = []
        for t in range(team_count):
            members = pool[t * 3: t * 3 + 3]
            team = DemoRoundTeam(
                court_id=draft.court_id, id=draft.uid(), round_id=rnd.id,
                name=f"第{'一二三四'[t]}组", leader_id=members[0].id,
                member_ids=[m.id for m in members] + [draft.judges[(seq + t) % 4].id],
                vehicle=f"甘M·{rng.randrange(1000, 9999)}警", start_point=depot,
            )
            teams.append(team)
            draft.round_teams.append(team)

        # Targets: active cases of debtors living in the round's townships.
        cutoff = starts - timedelta(days=14)
        candidates: list[CaseState] = []
        settle_candidates: list[CaseState] = []
        for t in chosen:
            for state in draft.states_by_township[t.id]:
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
        n_targets = min(len(candidates), rng.randint(26, 36) * draft.scale)
        picked = rng.sample(candidates, n_targets)
        n_settle = min(len(settle_candidates), rng.randint(1, 3) * draft.scale)
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
                ordered = _nearest_order(depot, stops)
                clock = 0.0
                here = depot
                for s_index, (state, settles) in enumerate(ordered, start=1):
                    home = state.debtor.home_point
                    km = math.hypot((home.x - here.x) * KM_PER_DEG_LON,
                                    (home.y - here.y) * KM_PER_DEG_LAT) * 1.35
                    clock += km / 35 * 60 + (25 if s_index > 1 else 0)
                    here = home
                    target = DemoRoundTarget(
                        court_id=draft.court_id, id=draft.uid(), round_id=rnd.id,
                        team_id=team.id, case_id=state.case.id, party_id=state.debtor.id,
                        village_grid_id=state.place.village.id, point=home, day=day,
                        seq=s_index, eta_minutes=int(clock),
                        status="visited" if settles or rng.random() < 0.86 else "skipped",
                    )
                    draft.round_targets.append(target)
                    day_plan[day.isoformat()].append(target.id)
                    visit = outcome = None
                    if target.status == "visited":
                        visit, outcome = _visit(draft, rnd, team, target, state, day,
                                                int(clock), settles)
                    if not settles and rng.random() < 0.35:
                        draft.round_leads.append((target, rnd, visit, outcome))
        rnd.plan = {
            "generated_by": "gridwork demo seed",
            "teams": [{"team_id": team.id, "name": team.name} for team in teams],
            "days": {day: len(ids) for day, ids in sorted(day_plan.items())},
            "targets": len(all_targets),
        }


def _nearest_order(start: Point, stops: list[Any]) -> list[Any]:
    left = list(stops)
    ordered = []
    here = start
    while left:
        best = min(left, key=lambda item: item[0].debtor.home_point.distance(here))
        left.remove(best)
        ordered.append(best)
        here = best[0].debtor.home_point
    return ordered


def _visit(draft: CountyDraft, rnd: DemoRound, team: DemoRoundTeam, target: DemoRoundTarget,
           state: CaseState, day: date, minutes: int,
           settles: bool) -> tuple[DemoVisit, DemoOutcome | None]:
    rng = draft.rng
    at = datetime(day.year, day.month, day.day, 8, 30, tzinfo=CHINA).astimezone(UTC) + \
        timedelta(minutes=minutes + rng.randrange(0, 20))
    if settles:
        result = VisitResult.SETTLED
    else:
        result = weighted(rng, (
            (VisitResult.PAID, 28 if state.category != "terminated" else 8),
            (VisitResult.DEBTOR_MET, 20), (VisitResult.DEBTOR_ABSENT, 20),
            (VisitResult.PROPERTY_FOUND, 10), (VisitResult.REFUSED, 10),
            (VisitResult.ADDRESS_WRONG, 5), (VisitResult.OTHER, 5)))
    amount = Decimal("0.00")
    if result == VisitResult.PAID:
        amount = payment_amount(draft, state, day)
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
    point = point_in(draft.rng, state.place, near=target.point, radius_m=25)
    visit = DemoVisit(
        court_id=draft.court_id, id=draft.uid(), round_id=rnd.id, target_id=target.id,
        case_id=state.case.id, officer_id=team.leader_id, visited_at=at, result=result,
        amount_collected=amount, notes=notes, created_at=at + timedelta(minutes=3),
        **report_fields(draft.rng, point, state.place),
    )
    draft.visits.append(visit)
    state.touch(day)
    outcome = None
    if result == VisitResult.PAID:
        outcome = record_outcome(draft, OutcomeKind.PAYMENT_RECEIVED, state, day, team.leader_id,
                                 amount=amount, round_id=rnd.id, visit_id=visit.id,
                                 notes="集中执行现场履行")
    elif result == VisitResult.SETTLED:
        outcome = record_outcome(draft, OutcomeKind.SETTLEMENT_REACHED, state, day, team.leader_id,
                                 round_id=rnd.id, visit_id=visit.id, notes="现场达成执行和解")
        state.settlement_date = day
        draft.settlement_plans.append((state, day, "visit", None))
    elif result == VisitResult.PROPERTY_FOUND:
        kind = rng.choice((OutcomeKind.PROPERTY_FOUND, OutcomeKind.PROPERTY_SEALED,
                           OutcomeKind.PROPERTY_SEIZED))
        outcome = record_outcome(draft, kind, state, day, team.leader_id, round_id=rnd.id,
                                 visit_id=visit.id, notes="现场查控财产")
    elif result == VisitResult.REFUSED and rng.random() < 0.25:
        outcome = record_outcome(draft, OutcomeKind.DEBTOR_DETAINED, state, day, team.leader_id,
                                 round_id=rnd.id, visit_id=visit.id,
                                 notes="拒不履行，依法司法拘留十五日")
    elif result == VisitResult.DEBTOR_MET and rng.random() < 0.4:
        outcome = record_outcome(draft, OutcomeKind.DEBTOR_LOCATED, state, day, team.leader_id,
                                 round_id=rnd.id, visit_id=visit.id)
    return visit, outcome
