"""Measures on debtors: dishonest-debtor listing (失信), consumption and exit restriction.

A judge imposes a measure by a decision (number and text) in a case where the party is a
debtor, may amend the decision's particulars, and lifts it with a date and a reason (or a
credit repair lifts it). Each of these writes a ``MeasureEvent`` (append-only) and an
audit entry in the same transaction.

The party row carries the flags and since-dates of the measures in force
(``refresh_flags``): a measure change is then a change of the party, which bumps its
version, and the sync feed (fed by ``party`` rows) re-sends it to the assistants' phones.
Dates are court dates (China): none may lie in the future, so "in force" never depends on
a day still to come.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlmodel import Session

from enforcement import policy
from enforcement.accounts.principal import Principal
from enforcement.errors import Conflict, NotFound, PreconditionFailed, ValidationFailed
from enforcement.infrastructure import audit
from enforcement.infrastructure.db import Database
from enforcement.infrastructure.ids import plausible_id
from enforcement.models import (
    CaseParty,
    MeasureAction,
    MeasureEvent,
    MeasureKind,
    Party,
    PartyMeasure,
    PartyRole,
    utcnow,
)

COURT_ZONE = ZoneInfo("Asia/Shanghai")
FLAG_COLUMNS = {
    MeasureKind.DISHONEST: ("is_dishonest", "dishonest_since"),
    MeasureKind.CONSUMPTION: ("consumption_restricted", "consumption_restricted_since"),
    MeasureKind.EXIT: ("exit_restricted", "exit_restricted_since"),
}
AMENDABLE = ("decision_number", "decision_text", "imposed_on", "case_id")


def court_today() -> date:
    """Today at the court (China), the day decisions take effect."""
    return datetime.now(COURT_ZONE).date()


def court_today_sql() -> Any:
    """The same day as SQL, for rules evaluated in queries."""
    return sa.cast(sa.func.timezone("Asia/Shanghai", sa.func.now()), sa.Date)


@dataclass(frozen=True, slots=True)
class MeasureOrder:
    """A judge's decision imposing a measure."""

    kind: MeasureKind
    case_id: str
    imposed_on: date
    decision_number: str
    decision_text: str = ""


@dataclass(frozen=True, slots=True)
class PartyMeasures:
    party: Party
    measures: list[PartyMeasure]
    events: list[MeasureEvent]


def not_in_future(field: str, day: date) -> None:
    if day > court_today():
        raise ValidationFailed(f"{field} lies in the future", code="date_in_future",
                               errors={"json": {field: ["must not be after today"]}})


def visible_party(session: Session, principal: Principal, action: str, party_id: str,
                  *, for_update: bool = False) -> Party:
    return policy.visible_row(session, principal, action, Party, party_id, "party_not_found",
                              for_update=for_update)


def require_debtor(session: Session, party: Party, case_id: str, field: str = "case_id") -> None:
    """The party must be a debtor of the case (of the same court): 422 otherwise."""
    link = session.scalars(sa.select(CaseParty.id).where(
        CaseParty.court_id == party.court_id, CaseParty.party_id == party.id,
        CaseParty.case_id == case_id, CaseParty.role == PartyRole.DEBTOR)).first()
    if link is None:
        raise ValidationFailed("the party is not a debtor of that case",
                               code="party_not_debtor_of_case",
                               errors={"json": {field: ["not a case of this debtor"]}})


def party_measures(db: Database, principal: Principal, party_id: str) -> PartyMeasures:
    """Every measure of the party (in force first, then newest) and its full history."""
    with db.unit_of_work() as session:
        party = visible_party(session, principal, "measure.read", party_id)
        return _loaded(session, party)


def _loaded(session: Session, party: Party) -> PartyMeasures:
    measures = list(session.scalars(sa.select(PartyMeasure).where(
        PartyMeasure.court_id == party.court_id, PartyMeasure.party_id == party.id)
        .order_by(PartyMeasure.lifted_on.is_not(None), PartyMeasure.imposed_on.desc(),
                  PartyMeasure.id)))
    events = list(session.scalars(sa.select(MeasureEvent).where(
        MeasureEvent.court_id == party.court_id, MeasureEvent.party_id == party.id)
        .order_by(MeasureEvent.at, MeasureEvent.id)))
    return PartyMeasures(party, measures, events)


def impose(db: Database, principal: Principal, party_id: str, order: MeasureOrder
           ) -> PartyMeasure:
    """Impose a measure (judges). One of the same kind already in force: 409
    ``measure_in_force``."""
    with db.unit_of_work() as session:
        party = visible_party(session, principal, "measure.decide", party_id, for_update=True)
        require_debtor(session, party, order.case_id)
        not_in_future("imposed_on", order.imposed_on)
        if _in_force(session, party, order.kind) is not None:
            raise Conflict(f"a {order.kind.value} measure is already in force",
                           code="measure_in_force", kind=order.kind.value)
        measure = PartyMeasure(
            court_id=party.court_id, party_id=party.id, case_id=order.case_id, kind=order.kind,
            imposed_on=order.imposed_on, decision_number=order.decision_number,
            decision_text=order.decision_text, imposed_by=principal.user_id)
        session.add(measure)
        session.flush()
        record_event(session, principal, measure, MeasureAction.IMPOSE, order.imposed_on)
        refresh_flags(session, party)
        session.commit()
        return measure


def amend(db: Database, principal: Principal, party_id: str, measure_id: str,
          changes: dict[str, Any], version: int) -> PartyMeasure:
    """Correct a decision's particulars (judges); ``version`` is the ETag the judge read."""
    with db.unit_of_work() as session:
        party = visible_party(session, principal, "measure.decide", party_id, for_update=True)
        measure = _measure(session, party, measure_id)
        if measure.version != version:
            raise PreconditionFailed("the measure changed since you read it",
                                     current_version=measure.version)
        if "case_id" in changes:
            require_debtor(session, party, changes["case_id"])
        if "imposed_on" in changes:
            not_in_future("imposed_on", changes["imposed_on"])
            if measure.lifted_on is not None and changes["imposed_on"] > measure.lifted_on:
                raise ValidationFailed("imposed after it was lifted", code="lifted_before_imposed",
                                       errors={"json": {"imposed_on": ["after lifted_on"]}})
        diff = {k: [_plain(getattr(measure, k)), _plain(v)] for k, v in changes.items()
                if k in AMENDABLE and getattr(measure, k) != v}
        if diff:
            for name, value in changes.items():
                setattr(measure, name, value)
            measure.version += 1
            measure.updated_at = utcnow()
            record_event(session, principal, measure, MeasureAction.AMEND, court_today(),
                         changes=diff)
            refresh_flags(session, party)
        session.commit()
        return measure


def lift(db: Database, principal: Principal, party_id: str, measure_id: str,
         lifted_on: date, reason: str) -> PartyMeasure:
    """Lift a measure in force (judges); one already lifted: 409 ``measure_lifted``."""
    with db.unit_of_work() as session:
        party = visible_party(session, principal, "measure.decide", party_id, for_update=True)
        measure = _measure(session, party, measure_id)
        if measure.lifted_on is not None:
            raise Conflict("the measure is already lifted", code="measure_lifted",
                           lifted_on=measure.lifted_on.isoformat())
        lift_in_session(session, principal, measure, lifted_on, reason)
        refresh_flags(session, party)
        session.commit()
        return measure


def lift_in_session(session: Session, principal: Principal, measure: PartyMeasure,
                    lifted_on: date, reason: str, repair_id: str | None = None) -> None:
    """Lift ``measure`` in the caller's transaction (the caller refreshes the flags)."""
    not_in_future("lifted_on", lifted_on)
    if lifted_on < measure.imposed_on:
        raise ValidationFailed("lifted before it was imposed", code="lifted_before_imposed",
                               errors={"json": {"lifted_on": [
                                   f"must not be before {measure.imposed_on.isoformat()}"]}})
    measure.lifted_on, measure.lift_reason = lifted_on, reason
    measure.lifted_by, measure.repair_id = principal.user_id, repair_id
    measure.version += 1
    measure.updated_at = utcnow()
    record_event(session, principal, measure, MeasureAction.LIFT, lifted_on, reason=reason,
                 repair_id=repair_id)


def record_event(session: Session, principal: Principal, measure: PartyMeasure,
                 action: MeasureAction, effective_on: date, *, reason: str | None = None,
                 changes: dict[str, Any] | None = None, repair_id: str | None = None) -> None:
    """The history row and the audit entry of one change of a measure."""
    session.add(MeasureEvent(
        court_id=measure.court_id, measure_id=measure.id, party_id=measure.party_id,
        case_id=measure.case_id, kind=measure.kind, action=action, effective_on=effective_on,
        reason=reason, changes=changes or {}, repair_id=repair_id, actor_id=principal.user_id))
    audit.record(session, court_id=measure.court_id, action=f"measure.{action.value}",
                 actor_id=principal.user_id, device_id=principal.device_id,
                 subject_table="party_measure", subject_id=measure.id,
                 detail={"party_id": measure.party_id, "kind": measure.kind.value,
                         "effective_on": effective_on.isoformat(), "repair_id": repair_id,
                         "changes": changes or {}})


def refresh_flags(session: Session, party: Party) -> None:
    """Mirror the measures in force on the party row; a change bumps its version, which
    puts the party back on the sync feed."""
    session.flush()
    in_force = dict(session.execute(sa.select(PartyMeasure.kind, PartyMeasure.imposed_on).where(
        PartyMeasure.court_id == party.court_id, PartyMeasure.party_id == party.id,
        PartyMeasure.lifted_on.is_(None))).all())
    changed = False
    for kind, (flag, since) in FLAG_COLUMNS.items():
        values = (kind in in_force, in_force.get(kind))
        if (getattr(party, flag), getattr(party, since)) != values:
            setattr(party, flag, values[0])
            setattr(party, since, values[1])
            changed = True
    if changed:
        party.version += 1
        party.updated_at = utcnow()


def in_force(session: Session, party: Party) -> list[PartyMeasure]:
    return list(session.scalars(sa.select(PartyMeasure).where(
        PartyMeasure.court_id == party.court_id, PartyMeasure.party_id == party.id,
        PartyMeasure.lifted_on.is_(None)).with_for_update()))


def _in_force(session: Session, party: Party, kind: MeasureKind) -> PartyMeasure | None:
    return next((m for m in in_force(session, party) if m.kind == kind), None)


def _measure(session: Session, party: Party, measure_id: str) -> PartyMeasure:
    if not plausible_id(measure_id):
        raise NotFound(code="measure_not_found")
    measure = session.scalars(sa.select(PartyMeasure).where(
        PartyMeasure.court_id == party.court_id, PartyMeasure.party_id == party.id,
        PartyMeasure.id == measure_id).with_for_update()).first()
    if measure is None:
        raise NotFound(code="measure_not_found")
    return measure


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date) else value
