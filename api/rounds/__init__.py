"""Enforcement rounds: create, plan, lock, and the plan as GeoJSON, sheet and map."""
