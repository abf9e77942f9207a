"""Sweep planning without a database: routes are valid, infeasible targets say why,
the same input gives the same plan, and the demo county plans."""

from __future__ import annotations

from datetime import date, timedelta
from functools import cache

import pytest

from geo.planning import Plan, Reason, SolverOptions, Target, Team, plan_sweep
from geo.targeting import EVENING, target_priority, top_candidates
from geo.travel import StraightLineRoads, haversine_m

DAYS = [date(2026, 11, 2), date(2026, 11, 3)]
BASE = (108.36, 35.49)
FAST = SolverOptions(exploration_level=2, threads=1)


def assert_valid(plan: Plan, targets: list[Target], teams: list[Team]) -> None:
    """Every target at most once; stops, capacity, time windows and working hours hold."""
    by_target = {t.id: t for t in targets}
    by_team = {t.id: t for t in teams}
    seen = [s.target_id for r in plan.routes for s in r.stops]
    seen += [u.target_id for u in plan.unassigned]
    assert sorted(seen) == sorted(by_target), "every target is either routed or left out, once"
    for route in plan.routes:
        team = by_team[route.team_id]
        assert len(route.stops) <= team.max_stops
        if team.capacity is not None:
            assert sum(by_target[s.target_id].load for s in route.stops) <= team.capacity
        assert team.work_start_s <= route.leaves_s <= route.returns_s <= team.work_end_s
        clock = route.leaves_s
        for stop in route.stops:
            target = by_target[stop.target_id]
            assert stop.arrival_s >= clock + stop.travel_s - 1
            assert stop.start_s >= stop.arrival_s
            assert stop.departure_s == stop.start_s + target.service_s
            if target.windows:
                assert any(lo <= stop.start_s <= hi for lo, hi in target.windows)
            clock = stop.departure_s
        assert [s.seq for s in route.stops] == list(range(1, len(route.stops) + 1))


def ring(n: int, radius_deg: float = 0.05, **kwargs: object) -> list[Target]:
    import math

    return [Target(f"t{k:03d}", BASE[0] + radius_deg * math.cos(k), BASE[1]
                   + radius_deg * math.sin(k), priority=k % 7 * 10, **kwargs)  # type: ignore[arg-type]
            for k in range(n)]


def test_travel_model_states_its_numbers() -> None:
    model = StraightLineRoads()
    ten_km = 10_000
    assert model.seconds_for(ten_km) == pytest.approx(14 / 35 * 3600, abs=1)
    assert haversine_m((108.0, 35.0), (108.0, 36.0)) == pytest.approx(111_195, rel=1e-3)
    matrix = model.durations([(108.0, 35.0), (108.1, 35.0)])
    assert matrix[0, 0] == 0 and matrix[0, 1] == matrix[1, 0] > 0


def test_routes_respect_stops_capacity_and_hours() -> None:
    targets = ring(40, load=1)
    teams = [Team("a", *BASE, max_stops=5), Team("b", *BASE, max_stops=6, capacity=4)]
    plan = plan_sweep(targets, teams, DAYS, options=FAST)
    assert_valid(plan, targets, teams)
    assert plan.summary["assigned"] > 0
    assert {u.reason for u in plan.unassigned} == {Reason.CAPACITY_EXHAUSTED}


def test_evening_targets_are_visited_in_the_evening() -> None:
    evening = [Target(f"e{k}", BASE[0] + 0.01 * k, BASE[1], priority=90, windows=(EVENING,))
               for k in range(3)]
    day = ring(5)
    teams = [Team("night", *BASE, work_start_s=13 * 3600, work_end_s=22 * 3600)]
    plan = plan_sweep(evening + day, teams, DAYS[:1], options=FAST)
    assert_valid(plan, evening + day, teams)
    starts = {s.target_id: s.start_s for r in plan.routes for s in r.stops}
    assert all(EVENING[0] <= starts[t.id] <= EVENING[1] for t in evening)


def test_infeasible_targets_come_back_with_a_reason() -> None:
    night_only = Target("night", BASE[0] + 0.01, BASE[1], windows=((22 * 3600, 23 * 3600),))
    far_away = Target("lanzhou", 103.83, 36.06)
    near = Target("near", BASE[0] + 0.02, BASE[1])
    teams = [Team("a", *BASE)]
    plan = plan_sweep([night_only, far_away, near], teams, DAYS, options=FAST)
    assert_valid(plan, [night_only, far_away, near], teams)
    reasons = {u.target_id: u.reason for u in plan.unassigned}
    assert reasons == {"night": Reason.OUTSIDE_WORKING_HOURS, "lanzhou": Reason.TOO_FAR}
    no_teams = plan_sweep([near], [], DAYS)
    assert [(u.target_id, u.reason) for u in no_teams.unassigned] == [("near", Reason.NO_TEAMS)]


def test_higher_priority_targets_win_when_days_are_full() -> None:
    targets = [Target(f"p{k}", BASE[0] + 0.01 * (k % 5), BASE[1] + 0.01 * (k // 5),
                      priority=100 if k % 2 else 1) for k in range(20)]
    plan = plan_sweep(targets, [Team("a", *BASE, max_stops=10)], DAYS[:1], options=FAST)
    served = {s.target_id for r in plan.routes for s in r.stops}
    assert served == {t.id for t in targets if t.priority == 100}


def test_same_input_same_plan() -> None:
    targets = ring(30)
    teams = [Team("a", *BASE, max_stops=8), Team("b", BASE[0] + 0.02, BASE[1], max_stops=8)]
    first = plan_sweep(targets, teams, DAYS).to_dict()
    second = plan_sweep(targets, teams, DAYS).to_dict()
    for plan in (first, second):
        plan["summary"].pop("solve_ms")
    assert first == second


def test_priority_score_is_documented_and_bounded() -> None:
    assert target_priority(0) == 0
    assert target_priority(10_000) == 14
    assert target_priority(5_000_000, lead_age_days=0, recent_sightings=9) == 100
    assert target_priority(0, lead_age_days=21) == 18  # half of 35, rounded
    assert target_priority(0, recent_sightings=1) == 8
    ranked = top_candidates([("b", 5), ("a", 5), ("c", 9)], 2, key=lambda x: (x[1], x[0]))
    assert ranked == [("c", 9), ("a", 5)]


@cache
def _demo_county():  # type: ignore[no-untyped-def]
    from seed.county import generate_county

    return generate_county()


def test_plan_a_demo_township_with_three_teams() -> None:
    county = _demo_county()
    township = county.townships[0]
    cases = [c for c in county.cases if c.township_id == township.id
             and c.status.value in ("open", "in_progress", "resumed", "terminated")]
    targets = [Target(c.id, c.address_point.x, c.address_point.y,
                      target_priority(float(c.amount_owed - c.amount_recovered)))
               for c in cases]
    centre = township.geom.centroid
    teams = [Team(f"team-{k}", centre.x, centre.y, max_stops=10) for k in range(3)]
    days = [DAYS[0] + timedelta(days=d) for d in range(3)]
    plan = plan_sweep(targets, teams, days, options=FAST)
    assert len(targets) > 30
    assert_valid(plan, targets, teams)
    assert plan.summary["assigned"] >= min(len(targets), 60)


def test_split_by_team_gives_each_team_its_nearest_targets() -> None:
    west = [Target(f"w{k}", 108.20 + 0.005 * k, 35.49, priority=50) for k in range(6)]
    east = [Target(f"e{k}", 108.50 + 0.005 * k, 35.49, priority=50) for k in range(6)]
    teams = [Team("west", 108.20, 35.48, max_stops=4), Team("east", 108.50, 35.48, max_stops=4)]
    plan = plan_sweep(west + east, teams, DAYS, options=SolverOptions(
        exploration_level=2, threads=1, split_by_team=True))
    assert_valid(plan, west + east, teams)
    served = {s.target_id: r.team_id for r in plan.routes for s in r.stops}
    assert len(served) == 12
    assert all(served[t.id] == "west" for t in west)
    assert all(served[t.id] == "east" for t in east)


@pytest.mark.parametrize("split", [False, True])
def test_a_pinned_target_stays_with_its_team_and_day(split: bool) -> None:
    """A planner moved a west target to the east team on day two: the solver keeps it
    there, whole-round or split by team."""
    west = [Target(f"w{k}", 108.20 + 0.005 * k, 35.49, priority=50) for k in range(6)]
    east = [Target(f"e{k}", 108.50 + 0.005 * k, 35.49, priority=50) for k in range(6)]
    moved = Target("w0", 108.20, 35.49, priority=5, team_id="east", day=DAYS[1])
    targets = [moved, *west[1:], *east]
    teams = [Team("west", 108.20, 35.48, max_stops=4), Team("east", 108.50, 35.48, max_stops=4)]
    plan = plan_sweep(targets, teams, DAYS, options=SolverOptions(
        exploration_level=2, threads=1, split_by_team=split))
    assert_valid(plan, targets, teams)
    where = {s.target_id: (r.team_id, r.day) for r in plan.routes for s in r.stops}
    assert where["w0"] == ("east", DAYS[1])
    assert len(where) == 12


def test_a_target_pinned_to_a_team_that_cannot_reach_it_says_why() -> None:
    far = Target("far", 108.90, 35.49, team_id="near-team")
    teams = [Team("near-team", 108.20, 35.48, work_end_s=9 * 3600),
             Team("other", 108.89, 35.48)]
    plan = plan_sweep([far], teams, DAYS, options=FAST)
    assert [(u.target_id, u.reason) for u in plan.unassigned] == [("far", Reason.TOO_FAR)]
