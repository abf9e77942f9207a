"""Leads: what grid assistants report, and what the court makes of it."""
