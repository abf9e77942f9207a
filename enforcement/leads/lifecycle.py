"""The lead lifecycle: which status may follow which, and who may move a lead there.

    submitted → under_review → accepted | rejected | duplicate(of)
    accepted → assigned (officer and/or round) → verified | not_found
    verified → outcome_recorded → closed;  not_found → closed

Judges triage and may do everything; officers of the court take a lead from assignment
to closing. Pure rules, no database: the use cases ask ``check`` before writing.
"""

from __future__ import annotations

from enforcement.errors import Conflict, Forbidden
from enforcement.models import LeadStatus, Role

S = LeadStatus

TRANSITIONS: dict[LeadStatus, frozenset[LeadStatus]] = {
    S.SUBMITTED: frozenset({S.UNDER_REVIEW}),
    S.UNDER_REVIEW: frozenset({S.ACCEPTED, S.REJECTED, S.DUPLICATE}),
    S.ACCEPTED: frozenset({S.ASSIGNED}),
    S.ASSIGNED: frozenset({S.VERIFIED, S.NOT_FOUND}),
    S.VERIFIED: frozenset({S.OUTCOME_RECORDED}),
    S.NOT_FOUND: frozenset({S.CLOSED}),
    S.OUTCOME_RECORDED: frozenset({S.CLOSED}),
    S.REJECTED: frozenset(),
    S.DUPLICATE: frozenset(),
    S.CLOSED: frozenset(),
}

TRIAGE = frozenset({S.UNDER_REVIEW, S.ACCEPTED, S.REJECTED, S.DUPLICATE})
FIELD_WORK = frozenset({S.ASSIGNED, S.VERIFIED, S.NOT_FOUND, S.OUTCOME_RECORDED, S.CLOSED})

WHO_MAY_MOVE_TO: dict[Role, frozenset[LeadStatus]] = {
    Role.JUDGE: TRIAGE | FIELD_WORK,
    Role.OFFICER: FIELD_WORK,
}
"""Target statuses each role may set. Roles not listed may not move a lead at all."""

EDITABLE_BY_AUTHOR = frozenset({S.SUBMITTED})
"""The author may correct a lead until the court starts looking at it."""


def is_legal(current: LeadStatus, target: LeadStatus) -> bool:
    return target in TRANSITIONS[current]


def check(role: Role, current: LeadStatus, target: LeadStatus) -> None:
    """Raise 409 ``invalid_transition`` for an illegal step, 403 when the role may not make it.

    Legality is checked first: a step that no one could make is a conflict with the lead's
    state, whoever asks.
    """
    if not is_legal(current, target):
        allowed = sorted(s.value for s in TRANSITIONS[current])
        raise Conflict(f"a lead cannot go from {current.value} to {target.value}",
                       code="invalid_transition", current_status=current.value,
                       allowed=allowed)
    if target not in WHO_MAY_MOVE_TO.get(role, frozenset()):
        raise Forbidden(f"role {role.value} may not move a lead to {target.value}",
                        code="transition_forbidden")
