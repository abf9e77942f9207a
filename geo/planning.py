"""Sweep planning: which team visits which target on which day, in which order, and when.

Pure: plain values in, plain values out, no database. ``enforcement.rounds.usecases`` feeds it cases
from PostGIS; tests and the benchmarks (``bench/``) feed it the demo county directly.

The problem goes to VROOM (through ``pyvroom``) as a vehicle routing problem with time
windows: every (team, day) pair is a vehicle that leaves the team's base at the start of
its working hours and must be back by their end, making at most ``max_stops`` stops;
every target is a job with a priority (``geo.targeting``), a service time and optional
time windows that repeat on every day (e.g. evenings, when a debtor is home). VROOM
maximises the total priority served, then minimises driving time, from a duration matrix
given by a ``geo.travel.TravelModel``.

A target may be pinned to a team, or to a team and a day (a planner moved the stop there):
VROOM then gives it only to that team's vehicles, through skills, and at the highest
priority, so the move holds unless that team cannot reach it at all.

Large rounds with teams at different bases are split into one problem per team first
(``geo.partition``). Times are whole seconds since local midnight of the route's day.
Targets that no team can serve at all are taken out before solving and come back with the
reason; the rest that VROOM leaves out come back as ``capacity_exhausted``.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

import numpy as np

from geo.partition import split_by_nearest_base, worth_splitting
from geo.travel import StraightLineRoads, TravelModel

if TYPE_CHECKING:
    import vroom

DAY_S = 86_400
MAX_PRIORITY = 100
UNLIMITED = 1_000_000


class Reason:
    """Why a target was left out of the plan (stable codes, shown to the planner)."""

    OUTSIDE_WORKING_HOURS = "outside_working_hours"
    """Its time windows leave no room for a visit within any team's working hours."""
    TOO_FAR = "too_far"
    """No team can drive there, serve it and return within one working day."""
    CAPACITY_EXHAUSTED = "capacity_exhausted"
    """Reachable, but the teams' days were full of targets with a higher priority."""
    NO_TEAMS = "no_teams"
    """The round has no team or no day to plan."""


@dataclass(frozen=True, slots=True)
class Target:
    id: str
    lon: float
    lat: float
    priority: int = 0
    service_s: int = 1800
    windows: tuple[tuple[int, int], ...] = ()
    """(start, end) seconds since local midnight when the visit may *start*; empty = any."""
    load: int = 1
    """Units of vehicle capacity the visit uses (e.g. a seat for a detained debtor)."""
    team_id: str | None = None
    """Pinned: only this team may visit it."""
    day: date | None = None
    """Pinned (with ``team_id``): only on this day."""


@dataclass(frozen=True, slots=True)
class Team:
    id: str
    lon: float
    lat: float
    work_start_s: int = 8 * 3600
    work_end_s: int = 18 * 3600
    max_stops: int = 12
    capacity: int | None = None


@dataclass(slots=True)
class Stop:
    target_id: str
    seq: int
    arrival_s: int
    start_s: int
    departure_s: int
    travel_s: int


@dataclass(slots=True)
class Route:
    team_id: str
    day: date
    leaves_s: int
    returns_s: int
    travel_s: int
    stops: list[Stop] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Unassigned:
    target_id: str
    reason: str


@dataclass(slots=True)
class Plan:
    routes: list[Route]
    unassigned: list[Unassigned]
    summary: dict[str, Any]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready (dates as ISO strings), as ``EnforcementRound.plan`` keeps it."""
        body = asdict(self)
        for route in body["routes"]:
            route["day"] = route["day"].isoformat()
        return body


@dataclass(frozen=True, slots=True)
class SolverOptions:
    exploration_level: int = 5
    threads: int = 4
    timeout_s: float | None = None
    """VROOM's time limit per problem; it then answers with the best plan found so far."""
    split_by_team: bool | None = None
    """Solve one problem per team (``geo.partition``); None: when it helps."""


def plan_sweep(targets: Sequence[Target], teams: Sequence[Team], days: Sequence[date],
               travel: TravelModel | None = None,
               options: SolverOptions | None = None) -> Plan:
    """Solve a round; see the module docstring for the model."""
    travel = travel or StraightLineRoads()
    options = options or SolverOptions()
    started = time.perf_counter()
    if not teams or not days:
        return _plan([], [Unassigned(t.id, Reason.NO_TEAMS) for t in targets], targets, started)
    points = [(t.lon, t.lat) for t in teams] + [(t.lon, t.lat) for t in targets]
    matrix = travel.durations(points)
    feasible, left_out = _screen(targets, teams, matrix)
    routes: list[Route] = []
    for team_indices, jobs in _groups(targets, feasible, teams, len(days), matrix, options,
                                      left_out):
        solved, dropped = _solve(targets, jobs, teams, team_indices, days, matrix, options)
        routes += solved
        left_out += dropped
    routes.sort(key=lambda r: (r.day, [t.id for t in teams].index(r.team_id)))
    return _plan(routes, left_out, targets, started)


def _groups(targets: Sequence[Target], feasible: list[int], teams: Sequence[Team],
            n_days: int, matrix: np.ndarray, options: SolverOptions,
            left_out: list[Unassigned]) -> list[tuple[list[int], list[int]]]:
    """(team indices, target indices) of each problem to solve: one, or one per team."""
    split = options.split_by_team
    if split is None:
        split = worth_splitting([(t.lon, t.lat) for t in teams], len(feasible))
    if not split or len(teams) < 2:
        return [(list(range(len(teams))), feasible)] if feasible else []
    n_teams = len(teams)

    def can_serve(i: int, j: int) -> bool:
        return _fits(targets[j], teams[i], int(matrix[i, n_teams + j]),
                     int(matrix[n_teams + j, i]), targets[j].windows)

    team_index = {t.id: i for i, t in enumerate(teams)}
    pinned = {j: team_index[team] for j in feasible
              if (team := targets[j].team_id) is not None}
    groups, overflow = split_by_nearest_base(
        feasible, [t.priority for t in targets], [t.max_stops * n_days for t in teams],
        matrix, can_serve, pinned)
    left_out += [Unassigned(targets[j].id, Reason.CAPACITY_EXHAUSTED) for j in overflow]
    return [([i], jobs) for i, jobs in enumerate(groups) if jobs]


def _solve(targets: Sequence[Target], jobs: list[int], teams: Sequence[Team],
           team_indices: list[int], days: Sequence[date], matrix: np.ndarray,
           options: SolverOptions) -> tuple[list[Route], list[Unassigned]]:
    problem = _problem(targets, jobs, teams, team_indices, list(days), matrix)
    answer = problem.solve(exploration_level=options.exploration_level,
                           nb_threads=options.threads, timeout=_timeout(options)).to_dict()
    routes = [_route(r, targets, teams, days, matrix) for r in answer["routes"]]
    dropped = [Unassigned(targets[u["id"] - 1].id, Reason.CAPACITY_EXHAUSTED)
               for u in answer["unassigned"]]
    return routes, dropped


def _timeout(options: SolverOptions) -> Any:
    from datetime import timedelta

    return None if options.timeout_s is None else timedelta(seconds=options.timeout_s)


def _screen(targets: Sequence[Target], teams: Sequence[Team],
            matrix: np.ndarray) -> tuple[list[int], list[Unassigned]]:
    """Split targets into those some team could serve alone and those none can (with why)."""
    feasible: list[int] = []
    left_out: list[Unassigned] = []
    n_teams = len(teams)
    for j, target in enumerate(targets):
        loc = n_teams + j
        able = [i for i, team in enumerate(teams)
                if target.team_id is None or team.id == target.team_id]
        legs = [(teams[i], int(matrix[i, loc]), int(matrix[loc, i])) for i in able]
        if any(_fits(target, team, out, back, target.windows) for team, out, back in legs):
            feasible.append(j)
        elif target.windows and any(_fits(target, team, out, back, ())
                                    for team, out, back in legs):
            left_out.append(Unassigned(target.id, Reason.OUTSIDE_WORKING_HOURS))
        else:
            left_out.append(Unassigned(target.id, Reason.TOO_FAR))
    return feasible, left_out


def _fits(target: Target, team: Team, out_s: int, back_s: int,
          windows: tuple[tuple[int, int], ...]) -> bool:
    """Can ``team`` do this one visit in a day: leave, arrive, serve in a window, return?"""
    if team.max_stops < 1 or (team.capacity is not None and target.load > team.capacity):
        return False
    earliest = team.work_start_s + out_s
    for lo, hi in windows or ((0, DAY_S),):
        start = max(earliest, lo)
        if start <= hi and start + target.service_s + back_s <= team.work_end_s:
            return True
    return False


def _problem(targets: Sequence[Target], feasible: list[int], teams: Sequence[Team],
             team_indices: list[int], days: Sequence[date], matrix: np.ndarray) -> vroom.Input:
    """Vehicles are (team, day) pairs on one time axis (day d starts at d × 86,400 s);
    job ids are 1 + the target's index, vehicle ids 1 + team × days + day."""
    n_days = len(days)
    import vroom  # on the first plan: pyvroom imports pandas (~40 MB per API worker)

    problem = vroom.Input()
    problem.set_durations_matrix("car", matrix)
    for i in team_indices:
        team = teams[i]
        for d in range(n_days):
            offset = d * DAY_S
            problem.add_vehicle(vroom.Vehicle(
                id=1 + i * n_days + d, start=i, end=i,
                capacity=[team.capacity if team.capacity is not None else UNLIMITED],
                skills={_team_skill(i), _day_skill(i, n_days, d)},
                time_window=vroom.TimeWindow(offset + team.work_start_s,
                                             offset + team.work_end_s),
                max_tasks=team.max_stops,
            ))
    n_teams = len(teams)
    team_index = {t.id: i for i, t in enumerate(teams)}
    for j in feasible:
        target = targets[j]
        windows = [vroom.TimeWindow(d * DAY_S + lo, d * DAY_S + hi)
                   for d in range(n_days) for lo, hi in sorted(target.windows)]
        priority = max(0, min(MAX_PRIORITY, target.priority))
        skills: set[int] = set()
        if target.team_id is not None:
            i = team_index[target.team_id]
            priority, skills = MAX_PRIORITY, {_team_skill(i)}
            if target.day is not None and target.day in days:
                skills = {_day_skill(i, n_days, days.index(target.day))}
        problem.add_job(vroom.Job(
            id=1 + j, location=n_teams + j, default_service=target.service_s,
            delivery=[target.load], priority=priority, skills=skills, time_windows=windows,
        ))
    return problem


def _team_skill(team: int) -> int:
    """VROOM skill that every vehicle (day) of a team has; a job pinned to it requires it."""
    return 1 + team


def _day_skill(team: int, n_days: int, day: int) -> int:
    """VROOM skill of one team's vehicle on one day (above every team skill)."""
    return 1_000_000 + team * n_days + day


def _route(answer: dict[str, Any], targets: Sequence[Target], teams: Sequence[Team],
           days: Sequence[date], matrix: np.ndarray) -> Route:
    """Turn one VROOM route into a team's day, times back to seconds since local midnight."""
    vehicle = answer["vehicle"] - 1
    team, d = teams[vehicle // len(days)], vehicle % len(days)
    offset = d * DAY_S
    steps = answer["steps"]
    stops: list[Stop] = []
    previous = steps[0]["location_index"]
    for step in steps:
        if step["type"] != "job":
            continue
        target = targets[step["id"] - 1]
        start = step["arrival"] + step["waiting_time"]
        stops.append(Stop(
            target_id=target.id, seq=len(stops) + 1, arrival_s=step["arrival"] - offset,
            start_s=start - offset, departure_s=start + step["service"] - offset,
            travel_s=int(matrix[previous, step["location_index"]]),
        ))
        previous = step["location_index"]
    return Route(team_id=team.id, day=days[d], leaves_s=steps[0]["arrival"] - offset,
                 returns_s=steps[-1]["arrival"] - offset,
                 travel_s=sum(s.travel_s for s in stops)
                 + int(matrix[previous, steps[-1]["location_index"]]),
                 stops=stops)


def _plan(routes: list[Route], unassigned: list[Unassigned], targets: Sequence[Target],
          started: float) -> Plan:
    order = {t.id: n for n, t in enumerate(targets)}
    unassigned.sort(key=lambda u: order[u.target_id])
    assigned = sum(len(r.stops) for r in routes)
    return Plan(routes=routes, unassigned=unassigned, summary={
        "targets": len(targets), "assigned": assigned, "unassigned": len(unassigned),
        "routes": len(routes), "travel_s": sum(r.travel_s for r in routes),
        "priority_served": _served_priority(routes, targets),
        "solve_ms": round((time.perf_counter() - started) * 1000),
    })


def _served_priority(routes: list[Route], targets: Sequence[Target]) -> int:
    by_id = {t.id: t.priority for t in targets}
    return sum(by_id[s.target_id] for r in routes for s in r.stops)
