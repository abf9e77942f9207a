"""Deterministic demo county generator and loader."""
