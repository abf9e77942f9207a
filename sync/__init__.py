"""Offline sync engine: change feed, push/merge, conflicts, device scopes."""
