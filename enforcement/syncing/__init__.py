"""Sync use cases and the registry of synced tables: each feature's spec lives in its own
package (``<feature>/sync_spec.py``); the reference tables and shared column helpers here."""
