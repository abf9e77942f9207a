"""Cluster first, route second: split a large round into one routing problem per team.

VROOM's search time grows quickly with vehicles × jobs: on the demo county, 500 targets for
10 teams over 5 days (50 vehicles) take minutes of CPU even at exploration level 1. When
teams start from different bases (one per township, say), most targets belong to the
nearest team anyway, so the planner can give each target to a team first and let VROOM
order each team's days alone: ten problems of 5 vehicles and ~50 jobs solve in seconds.

The split: targets in order of priority (highest first) go to the nearest team (by driving
time from its base) that can serve them and still has stops left (``max_stops`` × days).
What no team has room for is left out as ``capacity_exhausted``. It cannot move a target
to another team when a team's days turn out shorter in time than in stops; that is the
price of the speed, and why small rounds, or teams sharing one base, are solved whole.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

AUTO_MIN_TARGETS = 150
"""Below this many targets VROOM solves the whole round quickly enough on its own."""


def worth_splitting(team_bases: Sequence[tuple[float, float]], n_targets: int) -> bool:
    """Split only when it helps: several distinct bases and a large round."""
    return len(set(team_bases)) > 1 and n_targets >= AUTO_MIN_TARGETS


def split_by_nearest_base(jobs: Sequence[int], priorities: Sequence[int], slots: Sequence[int],
                          matrix: np.ndarray, can_serve: Callable[[int, int], bool],
                          pinned: dict[int, int] | None = None,
                          ) -> tuple[list[list[int]], list[int]]:
    """Target indices per team, and those that fit nowhere (see the module docstring).

    ``matrix`` has the teams' bases first, then the targets; ``can_serve(team, target)``
    says whether the team could make that visit alone within a working day. ``pinned``
    (target → team) places those targets first, with their team only.
    """
    n_teams = len(slots)
    room = list(slots)
    groups: list[list[int]] = [[] for _ in range(n_teams)]
    overflow: list[int] = []
    pinned = pinned or {}
    for j in sorted(jobs, key=lambda j: (j not in pinned, -priorities[j], j)):
        nearest = [pinned[j]] if j in pinned else \
            sorted(range(n_teams), key=lambda i: (int(matrix[i, n_teams + j]), i))
        team = next((i for i in nearest if room[i] > 0 and can_serve(i, j)), None)
        if team is None:
            overflow.append(j)
            continue
        groups[team].append(j)
        room[team] -= 1
    return groups, overflow
