"""Concentrated on-site enforcement rounds (集中执行): where the work is, planning,
targets, the team's visits, what each round brought in."""
