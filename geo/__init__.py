"""Spatial code: grids, datums, point-to-grid assignment, sweep planning."""
