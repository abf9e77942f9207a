"""The demo county's measures on debtors and one credit repair.

Every debtor the generator flagged (dishonest, consumption restricted; and every fifth
dishonest one restricted from leaving the country) gets the measure that says so, imposed
by the case's judge some weeks after filing, with its ``impose`` event; the party's
since-dates follow. One dishonest debtor of a case still in enforcement has an approved
repair that lifted their measures ten days before the demo's "today", so the console, the
reports and the wanted list show both sides. Its own random stream: adding it changed
nothing else the generator makes.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from seed.records.credit import DemoCreditRepair, DemoMeasureEvent, DemoPartyMeasure

KINDS = (("is_dishonest", "dishonest_since", "dishonest", "失信"),
         ("consumption_restricted", "consumption_restricted_since", "consumption_restriction",
          "限消"),
         ("exit_restricted", "exit_restricted_since", "exit_restriction", "限出境"))


def _noon(day: date) -> datetime:
    return datetime.combine(day, time(4, 0), tzinfo=UTC)  # 12:00 in China


def build_credit(states: list[Any], case_parties: list[Any], officers: list[Any], as_of: date,
                 seed: int, uid: Callable[[], str]
                 ) -> tuple[list[DemoPartyMeasure], list[DemoMeasureEvent],
                            list[DemoCreditRepair]]:
    """Measures for the flagged debtors of ``states`` (first case of each debtor), their
    events, and one approved repair (of a debtor in no other case)."""
    rng = random.Random(seed * 7919 + 11)
    measures: list[DemoPartyMeasure] = []
    events: list[DemoMeasureEvent] = []
    seen: set[str] = set()
    ordered = sorted(states, key=lambda s: s.case.case_number)
    for state in ordered:
        debtor, case = state.debtor, state.case
        if debtor.id in seen:
            continue
        seen.add(debtor.id)
        if debtor.is_dishonest and rng.random() < 0.2:
            debtor.exit_restricted = True
        for n, (flag, since, kind, short) in enumerate(KINDS):
            if not getattr(debtor, flag):
                continue
            imposed = min(as_of, case.filed_on + timedelta(days=30 + 14 * n + rng.randrange(60)))
            setattr(debtor, since, imposed)
            measure = DemoPartyMeasure(
                court_id=case.court_id, id=uid(), party_id=debtor.id, case_id=case.id,
                kind=kind, imposed_on=imposed,
                decision_number=f"{case.case_number.removesuffix('号')}之{n + 1}号（{short}）",
                decision_text="被执行人未按执行通知履行生效法律文书确定的义务，依法采取本措施。",
                imposed_by=case.judge_id, created_at=_noon(imposed))
            measures.append(measure)
            events.append(_event(measure, "impose", imposed, case.judge_id, uid))
    cases_of = Counter(link.party_id for link in case_parties if link.role == "debtor")
    single = [s for s in ordered if cases_of[s.debtor.id] == 1]
    repairs = _one_repair(single, measures, events, officers, as_of, uid)
    return measures, events, repairs


def _event(measure: DemoPartyMeasure, action: str, on: date, actor: str,
           uid: Callable[[], str], reason: str | None = None,
           repair_id: str | None = None) -> DemoMeasureEvent:
    return DemoMeasureEvent(
        court_id=measure.court_id, id=uid(), measure_id=measure.id, party_id=measure.party_id,
        case_id=measure.case_id, kind=measure.kind, action=action, effective_on=on,
        reason=reason, repair_id=repair_id, actor_id=actor, at=_noon(on))


def _one_repair(ordered: list[Any], measures: list[DemoPartyMeasure],
                events: list[DemoMeasureEvent], officers: list[Any], as_of: date,
                uid: Callable[[], str]) -> list[DemoCreditRepair]:
    """The first dishonest debtor of a case in enforcement, repaired: measures lifted."""
    effective = as_of - timedelta(days=10)
    for state in ordered:
        debtor, case = state.debtor, state.case
        theirs = [m for m in measures if m.party_id == debtor.id and m.case_id == case.id]
        if (state.category not in ("progress", "resumed") or not debtor.is_dishonest
                or any(m.imposed_on > effective for m in theirs)):
            continue
        repair = DemoCreditRepair(
            court_id=case.court_id, id=uid(), party_id=debtor.id, case_id=case.id,
            grounds="keeps_settlement", evidence_note="和解协议及按期还款凭证（前三期）",
            measure_kinds=sorted(m.kind for m in theirs), status="approved",
            applied_by=officers[0].id, decided_by=case.judge_id,
            decided_at=_noon(effective), decision_reason="按和解协议按期履行，准予信用修复",
            effective_on=effective, created_at=_noon(effective - timedelta(days=5)))
        for measure in theirs:
            measure.lifted_on, measure.lift_reason = effective, "信用修复"
            measure.lifted_by, measure.repair_id = case.judge_id, repair.id
            events.append(_event(measure, "lift", effective, case.judge_id, uid, "信用修复",
                                 repair.id))
        for flag, since, _, _ in KINDS:
            setattr(debtor, flag, False)
            setattr(debtor, since, None)
        return [repair]
    return []
