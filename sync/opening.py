"""A pull's first statement: everything an up-to-date device's poll needs, in one round trip.

Both protocols answer an up-to-date phone's poll from one statement (docs/sync.md, "An
empty poll is one statement"): the caller's sign-in (``Admission``), the verification
check (``sync.scope.checking``), the horizon, and whatever else the protocol must know to
decide that nothing is to be sent or written. This module holds what they share: the
admission, how the statement is put together around the check, and how it is run (built
once per actor, planned once, through Core on the session's connection).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from sync.feed import COMMITTED_HORIZON, PLAN_ONCE
from sync.spec import Actor, Registry, identity

COMMITTED_HORIZON_COLUMN = sa.literal_column(str(COMMITTED_HORIZON), sa.BigInteger)
"""``sync.feed.COMMITTED_HORIZON`` as a column, to select with other values."""


@dataclass(frozen=True, slots=True)
class Admission:
    """The caller's sign-in, checked by the pull's first statement rather than one of its
    own (a poll is then one round trip): ``standing`` selects the row that tells (one row,
    or none) for the actor the caller claims to be; ``admit`` reads it and returns the
    actor to pull as, or raises to refuse the caller before anything is read or written.
    A registry's pulls use one kind of admission (the statement is built once per actor)."""

    standing: Callable[[Actor], sa.Select[Any]]
    admit: Callable[[Any], Actor]


def statement(actor: Actor, checking: sa.Subquery, columns: Sequence[Any],
              admission: Admission | None) -> sa.Select[Any]:
    """The opening: ``checking``'s row (always one), ``columns`` beside it (the horizon
    and the protocol's own questions), and with ``admission`` the caller's standing row
    (outer-joined: no row is NULLs, which ``admit`` refuses)."""
    selected = [*checking.c, COMMITTED_HORIZON_COLUMN.label("horizon"), *columns]
    if admission is None:
        return sa.select(*selected)
    standing = admission.standing(actor).subquery("standing")
    return sa.select(*standing.c, *selected).select_from(
        checking.outerjoin(standing, sa.true()))


FirstRead = Callable[[sa.Select[Any], Mapping[str, Any]], Any]
"""Reads a pull's first statement (one row) in a transaction of its own, under a generic
plan, when the caller has a cheaper way than the pull's session (``Database.read_once``:
one round trip, bench/profile-findings.md, finding 37)."""


@dataclass(frozen=True, slots=True)
class Opened:
    """What ``run`` read: the row, the actor to pull as (with ``admission``, the one it
    admits, which differs from the claimed one when the role changed since the token was
    issued: then the caller starts again as that actor, without admission), and whether
    the session is left under ``PLAN_ONCE`` (the caller resets it when the pull goes on)."""

    row: Any
    actor: Actor
    planned_once: bool


def run(session: Session, registry: Registry, actor: Actor, what: str,
        build: Callable[[Actor], sa.Select[Any]], params: dict[str, Any], *, plan_once: bool,
        admission: Admission | None, read_first: FirstRead | None = None) -> Opened:
    """Run the opening ``build`` makes from a template of ``actor`` (``Registry.shared``:
    once per shape of actor, kept under ``what``; building the scope clauses and their
    cache key was most of a poll's own CPU, bench/profile-findings.md 11, 16 and 34) with
    ``params`` and the actor's ``identity``.

    With ``read_first``, read by it, on its own: the pull's statements each read a
    snapshot of their own anyway (READ COMMITTED) and the opening neither writes nor
    locks, so an empty poll then sends nothing else. Otherwise on the session's
    connection through Core, not the ORM session's execute (a sixth of a poll: finding
    21), under ``PLAN_ONCE`` when ``plan_once`` (PostgreSQL replans it on every call
    otherwise: finding 20)."""
    statement = registry.shared(actor, what, build)
    values = {**identity(actor), **params}
    planned = plan_once and read_first is None
    if read_first is not None:
        row = read_first(statement, values)
    else:
        connection = session.connection()
        if planned:
            connection.execute(PLAN_ONCE)
        row = connection.execute(statement, values).one()
    return Opened(row, admission.admit(row) if admission is not None else actor, planned)
