"""Time the sweep planner: 500 targets of the demo county for 10 teams, against a greedy
nearest-neighbour baseline on the same problem.

    .venv/bin/python bench/plan_bench.py [--targets 500] [--teams 10] [--days 5]
        [--max-stops 12] [--level 5] [--threads 4] [--timeout SECONDS]
        [--png docs/img/round-plan.png]

No database: the demo county comes from ``seed.county.generate_county()``. Targets are the
highest-priority active cases of the whole county; each team is based at a township's
centre. The baseline fills each team's days in turn, always driving to the nearest target
it can still serve within working hours; it shows what VROOM's optimisation buys.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import time
from datetime import date, timedelta

from geo.planning import Plan, SolverOptions, Target, Team, plan_sweep
from geo.targeting import target_priority, top_candidates
from geo.travel import StraightLineRoads

ACTIVE = ("open", "in_progress", "resumed", "terminated")


def demo_problem(n_targets: int, n_teams: int) -> tuple[list[Target], list[Team], object]:
    from seed.county import generate_county

    county = generate_county()
    cases = [c for c in county.cases if c.status.value in ACTIVE and c.address_point]
    scored = [(c, target_priority(float(c.amount_owed - c.amount_recovered))) for c in cases]
    chosen = top_candidates(scored, n_targets, key=lambda cp: (cp[1], cp[0].id))
    targets = [Target(c.id, c.address_point.x, c.address_point.y, p, service_s=40 * 60)
               for c, p in chosen]
    teams = [Team(f"team-{k + 1}", t.geom.centroid.x, t.geom.centroid.y)
             for k, t in enumerate(county.townships[:n_teams])]
    return targets, teams, county


def greedy(targets: list[Target], teams: list[Team], days: list[date],
           travel: StraightLineRoads) -> tuple[int, int]:
    """Nearest neighbour per team-day; returns (targets served, total travel seconds)."""
    points = [(t.lon, t.lat) for t in teams] + [(t.lon, t.lat) for t in targets]
    matrix = travel.durations(points)
    n = len(teams)
    left = set(range(len(targets)))
    served = travel_s = 0
    for i, team in enumerate(teams):
        for _ in days:
            here, clock, stops = i, team.work_start_s, 0
            while stops < team.max_stops:
                best = None
                for j in sorted(left, key=lambda j: matrix[here, n + j]):
                    arrive = clock + matrix[here, n + j]
                    done = arrive + targets[j].service_s
                    if done + matrix[n + j, i] <= team.work_end_s:
                        best = j
                        break
                if best is None:
                    break
                travel_s += int(matrix[here, n + best])
                clock += int(matrix[here, n + best]) + targets[best].service_s
                here, stops = n + best, stops + 1
                left.discard(best)
                served += 1
            travel_s += int(matrix[here, i])
    return served, travel_s


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--targets", type=int, default=500)
    parser.add_argument("--teams", type=int, default=10)
    parser.add_argument("--days", type=int, default=5)
    parser.add_argument("--max-stops", type=int, default=12)
    parser.add_argument("--level", type=int, default=5)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--split", choices=("auto", "yes", "no"), default="auto",
                        help="one VROOM problem per team (geo.partition), or the whole round")
    parser.add_argument("--timeout", type=float, default=None, help="VROOM's time limit (s)")
    parser.add_argument("--png", help="also draw the plan to this PNG file")
    parser.add_argument("--pinned", type=int, default=0,
                        help="pin this many targets to the team one further along (as if "
                             "a planner had moved them) and check they stay there")
    args = parser.parse_args()

    started = time.perf_counter()
    targets, teams, county = demo_problem(args.targets, args.teams)
    teams = [Team(t.id, t.lon, t.lat, max_stops=args.max_stops) for t in teams]
    moved = _pin(targets, teams, args.pinned)
    days = [date(2026, 11, 2) + timedelta(days=d) for d in range(args.days)]
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    print(f"demo county generated and {len(targets)} targets chosen in "
          f"{time.perf_counter() - started:.2f} s")

    travel = StraightLineRoads()
    started, cpu = time.perf_counter(), time.process_time()
    plan = plan_sweep(targets, teams, days, travel,
                      SolverOptions(exploration_level=args.level, threads=args.threads,
                                    timeout_s=args.timeout,
                                    split_by_team={"auto": None, "yes": True,
                                                   "no": False}[args.split]))
    vroom_s, vroom_cpu = time.perf_counter() - started, time.process_time() - cpu
    started = time.perf_counter()
    greedy_served, greedy_travel = greedy(targets, teams, days, travel)
    greedy_s = time.perf_counter() - started

    served, travel_s = plan.summary["assigned"], plan.summary["travel_s"]
    if moved:
        where = {s.target_id: r.team_id for r in plan.routes for s in r.stops}
        kept = sum(where.get(t.id) == t.team_id for t in moved)
        print(f"pinned targets kept with their new team: {kept} of {len(moved)}")
    print(f"VROOM  (level {args.level}, {args.threads} threads, split {args.split}, "
          f"timeout {args.timeout} s): "
          f"{vroom_s:.2f} s wall, {vroom_cpu:.2f} s CPU, "
          f"{served} targets served, {travel_s / 3600:.1f} h driving, "
          f"{travel_s / max(served, 1) / 60:.1f} min per target")
    print(f"greedy nearest neighbour: {greedy_s:.2f} s, {greedy_served} targets served, "
          f"{greedy_travel / 3600:.1f} h driving, "
          f"{greedy_travel / max(greedy_served, 1) / 60:.1f} min per target")
    print(f"driving per target, VROOM / greedy: "
          f"{(travel_s / max(served, 1)) / (greedy_travel / max(greedy_served, 1)):.2f}")
    if args.png:
        _draw(plan, teams, county, args.png)


def _pin(targets: list[Target], teams: list[Team], n: int) -> list[Target]:
    """Move every (len/n)-th target to the next team along; returns the moved ones."""
    if n <= 0:
        return []
    step = max(1, len(targets) // n)
    moved = []
    for k in range(0, len(targets), step)[:n]:
        team = teams[(k // step + 1) % len(teams)]
        targets[k] = dataclasses.replace(targets[k], team_id=team.id)
        moved.append(targets[k])
    return moved


def _draw(plan: Plan, teams: list[Team], county: object, path: str) -> None:
    import shapely

    from enforcement.rounds.outputs import plan_map_of
    from geo.plan_map import render_png

    result = plan.to_dict()
    by_id = {t.id: t for t in teams}
    located = {c.id: (c.address_point.x, c.address_point.y) for c in county.cases}  # type: ignore[attr-defined]
    for route in result["routes"]:
        for stop in route["stops"]:
            stop["lon"], stop["lat"] = located[stop["target_id"]]
    for left in result["unassigned"]:
        left["lon"], left["lat"] = located[left["target_id"]]
    starts = {t.id: (t.lon, t.lat) for t in by_id.values()}
    villages = [v.geom for v in county.villages]  # type: ignore[attr-defined]
    area = shapely.union_all([t.geom for t in county.townships])  # type: ignore[attr-defined]
    drawing = plan_map_of("Demo county round", starts, [t.id for t in teams],
                          result, villages, area)
    with open(path, "wb") as out:
        out.write(render_png(drawing, width_in=9, dpi=80))
    print(f"map written to {path}")


if __name__ == "__main__":
    main()
