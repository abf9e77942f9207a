"""Read-only sync spec ``round_stop``: the stops an officer's team visits, on the phone.

A stop is a ``round_target`` of a ``locked`` or ``running`` round (the ones visits may be
recorded on), of a team the caller leads or is a member of, planned for today or the next
six days (China Standard Time, as the round summary counts days). The phone shows them in
the team's order (``day``, ``seq``) and records a ``visit`` with the stop's ``round_id``
and ``id`` as ``target_id``.

Fields: the round and team (ids and names), ``day``, ``seq``, ``eta_minutes``, where it
stands (``status``, ``last_result``, ``visited_at``: a stored visit moves it on, and the
next pull brings that back), what it is about (``case_id``, ``case_number``, ``party_id``,
``lead_id``, ``debtor``, ``address``, ``village``, ``todo``: as the round's visit sheet
shows them, the debtor's name masked unless the role may read names, and an unmasked read
audited as the sheet does) and where (``lon``/``lat``, WGS-84, ``village_grid_id``).
``created_at`` is the round's; ``updated_at`` the later of the round's and the stop's
last visit (a stop has no timestamps of its own).

Fed by the ``round_target`` rows' feed; the scope also reads ``round_team`` (who is on
which team) and ``enforcement_round`` (its status), whose writes are logged as scope
inputs, so a team change, a locked or cancelled round, or a new day moves the phone's
stops on the next pull. Every field is ``server``: a phone's write is ``sync_read_only``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Session

from enforcement import policy
from enforcement.accounts.principal import Principal
from enforcement.grids.placement import lonlat
from enforcement.infrastructure import audit
from enforcement.infrastructure.masking import mask_name
from enforcement.models import (
    EnforcementCase,
    EnforcementRound,
    LeadKind,
    RoundTarget,
    RoundTeam,
    VillageGrid,
)
from enforcement.rounds.outputs import DEFAULT_TODO, TODO_BY_LEAD, _case_details, _lead_details
from enforcement.rounds.visits import VISITABLE
from enforcement.syncing.common import S, iso
from enforcement.syncing.reference import STAMPS, ReferenceRow, _refuse, reference_values
from sync.spec import Kind, SyncSpec

SINCE = 4
"""The app schema version that brings stops to phones."""
DAYS_AHEAD = 7
"""Today and the next six days."""
ROUND_ZONE = "Asia/Shanghai"
"""Whose calendar a stop's ``day`` is on (``rounds.summary``)."""

STOP_FIELDS = {
    **{name: S.of(Kind.TEXT, since=SINCE) for name in (
        "round_id", "round_name", "team_id", "team_name", "status", "last_result", "case_id",
        "case_number", "party_id", "lead_id", "debtor", "address", "village", "todo",
        "village_grid_id")},
    "day": S.of(Kind.DATE, since=SINCE),
    **{name: S.of(Kind.NUMBER, since=SINCE) for name in ("seq", "eta_minutes", "lon", "lat")},
    "visited_at": S.of(Kind.TIME, since=SINCE),
    **{name: S.of(Kind.TIME, required=True, since=SINCE) for name in STAMPS},
}


def _today() -> Any:
    """The round calendar's today, in SQL: scopes are built once per caller, so the date
    must be read when the pull runs (the registry's scope clock notices it moving)."""
    return sa.cast(sa.func.timezone(ROUND_ZONE, sa.func.now()), sa.Date)


def _on_team(principal: Principal) -> sa.ColumnElement[bool]:
    # The array built in SQL, not bound as JSON: the user may be a bound parameter (a
    # scope shared by every user of a role, ``sync.spec.Registry.template``).
    return sa.or_(RoundTeam.leader_id == principal.user_id,
                  sa.type_coerce(RoundTeam.member_ids, JSONB).contains(
                      sa.func.jsonb_build_array(sa.cast(principal.user_id, sa.Text))))


def _stop_scope(principal: Principal, change: sa.Table) -> sa.ColumnElement[bool]:
    if policy.scope_of(principal.role, "visit.create") is None:
        return sa.false()
    today = _today()
    stops = (sa.select(RoundTarget.id)
             .join(RoundTeam, sa.and_(RoundTeam.court_id == RoundTarget.court_id,
                                      RoundTeam.id == RoundTarget.team_id))
             .join(EnforcementRound, sa.and_(EnforcementRound.court_id == RoundTarget.court_id,
                                              EnforcementRound.id == RoundTarget.round_id))
             .where(RoundTarget.court_id == principal.court_id, _on_team(principal),
                    EnforcementRound.status.in_(VISITABLE),
                    RoundTarget.day >= today,
                    RoundTarget.day < today + DAYS_AHEAD))
    return change.c.record_id.in_(stops)


def _stop_rows(session: Session, principal: Principal,
               ids: Sequence[str]) -> list[ReferenceRow]:
    """The stops with what the visit sheet shows of them, in one query each for stops,
    cases and leads."""
    rows = session.execute(
        sa.select(RoundTarget, EnforcementRound, RoundTeam.name, EnforcementCase.case_number,
                  VillageGrid.name)
        .join(EnforcementRound, sa.and_(EnforcementRound.court_id == RoundTarget.court_id,
                                         EnforcementRound.id == RoundTarget.round_id))
        .outerjoin(RoundTeam, sa.and_(RoundTeam.court_id == RoundTarget.court_id,
                                      RoundTeam.id == RoundTarget.team_id))
        .outerjoin(EnforcementCase, sa.and_(EnforcementCase.court_id == RoundTarget.court_id,
                                            EnforcementCase.id == RoundTarget.case_id))
        .outerjoin(VillageGrid, sa.and_(VillageGrid.court_id == RoundTarget.court_id,
                                        VillageGrid.id == RoundTarget.village_grid_id))
        .where(RoundTarget.court_id == principal.court_id, RoundTarget.id.in_(ids))).all()
    cases = _case_details(session, principal.court_id,
                          [r[0].case_id for r in rows if r[0].case_id])
    leads = _lead_details(session, principal.court_id,
                          [r[0].lead_id for r in rows if r[0].lead_id])
    unmasked = policy.allows(principal, "party.read_unmasked")
    out, shown = [], []
    for stop, rnd, team_name, case_number, village in rows:
        detail = {**cases.get(stop.case_id or "", {}), **leads.get(stop.lead_id or "", {})}
        name = detail.get("debtor")
        if name and not unmasked:
            name = mask_name(name, organisation=detail.get("organisation", False))
        elif name and detail.get("party_id"):
            shown.append((detail["party_id"], stop))
        lead = detail.get("lead_kind")
        point = lonlat(stop.point)
        latest = max(filter(None, (rnd.updated_at, stop.visited_at)))
        out.append(ReferenceRow(stop.id, 1, {
            "round_id": rnd.id, "round_name": rnd.name, "team_id": stop.team_id,
            "team_name": team_name, "day": stop.day.isoformat() if stop.day else None,
            "seq": stop.seq, "eta_minutes": stop.eta_minutes, "status": stop.status,
            "last_result": stop.last_result.value if stop.last_result else None,
            "visited_at": iso(stop.visited_at), "case_id": stop.case_id,
            "case_number": case_number, "party_id": stop.party_id or detail.get("party_id"),
            "lead_id": stop.lead_id, "debtor": name, "address": detail.get("address"),
            "village": village or detail.get("village"),
            "todo": TODO_BY_LEAD.get(LeadKind(lead), DEFAULT_TODO) if lead else DEFAULT_TODO,
            "village_grid_id": stop.village_grid_id,
            "lon": round(point[0], 7) if point else None,
            "lat": round(point[1], 7) if point else None,
            "created_at": iso(rnd.created_at), "updated_at": iso(latest)}))
    audit.record_many(session, court_id=principal.court_id, entries=[
        {"action": "party.read_unmasked", "actor_id": principal.user_id,
         "device_id": principal.device_id, "subject_table": "party", "subject_id": party_id,
         "detail": {"round_id": stop.round_id, "target_id": stop.id, "via": "sync"}}
        for party_id, stop in shown])
    return out


ROUND_STOP_SPEC = SyncSpec(
    table="round_stop", fields=STOP_FIELDS, load=_refuse, load_many=_stop_rows,
    values=reference_values, create=_refuse, update=_refuse,
    delete=_refuse, restore=_refuse, scope=_stop_scope, feed_table="round_target")
