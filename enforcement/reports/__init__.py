"""Outcome review (issue 7): what the grid network brought in, per township, village,
assistant, round and month; rounds compared; assistants' record cards and rewards; and
terminated (终本) cases that new leads make worth resuming.

Figures are SQL aggregates computed in the database; docs/reports.md says what each means.
"""
