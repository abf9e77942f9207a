"""Mediation (乡贤调解): the notes mediators write, who mediates which case, settlements
and their instalments."""
