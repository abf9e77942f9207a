"""Builders of the demo county, one module per area (``seed.county`` runs them in order)."""
