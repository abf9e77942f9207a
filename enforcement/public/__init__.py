"""The parties' window (三公开, issue 21): applicants and debtors see their own case with a
query code and the last four characters of their identity number, and evaluate it.

``codes``: the judge issues, re-issues and revokes a party's code (stored as a hash only).
``access``: opening a case with a code, the wrong-digit lock and the short-lived view token.
``view``: what a party sees, and nothing more (never notes, addresses, leads, sightings).
``feedback``: evaluations, complaints and the judge's answers.
"""
