"""Sightings: an assistant saw a debtor, where and when."""
