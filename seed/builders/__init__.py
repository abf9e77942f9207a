"""Builders of the demo county, one module per area: each is a function of the shared
``seed.context.CountyDraft`` that reads what earlier builders made and adds its own rows
(``seed.county.generate_county`` runs them in order)."""
