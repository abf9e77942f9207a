"""Leads from grid assistants: those that fed a round (checked on its visits) and 400 x
scale in all over the villages with debtors, each walking the lead lifecycle
(``seed.reference.LEAD_NEXT``) with its transitions and, when it led somewhere, an
outcome."""

from __future__ import annotations

import math
from collections import defaultdict
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from enforcement.models import LeadKind, LeadStatus, OutcomeKind, Urgency, VisitResult
from seed.builders.accounts import author_for
from seed.builders.payments import payment_amount, record_outcome
from seed.context import CaseState, CountyDraft
from seed.places import Place, point_in, report_fields
from seed.records.court import DemoUser
from seed.records.field import DemoLead, DemoLeadTransition
from seed.records.rounds import DemoOutcome
from seed.reference import AS_OF, FIELD_START, LEAD_KINDS, LEAD_PATHS, LEAD_STEP_DAYS
from seed.values import local_date, local_moment, rand_date, weighted


def _lead_text(draft: CountyDraft, kind: LeadKind, state: CaseState | None, name: str) -> str:
    rng = draft.rng
    plate = state.debtor.vehicle_plates[0] if state and state.debtor.vehicle_plates else \
        f"甘M·{rng.randrange(10000, 99999)}"
    spot = rng.choice(("县城汽车站附近", "镇上集市", "村口小卖部", "乡政府对面的饭馆",
                       "苹果园", "邻村亲戚家", "县城东关"))
    texts = {
        LeadKind.DEBTOR_WHEREABOUTS: (
            f"被执行人{name}近日回村，常在{spot}出没，晚上住在其父母家。",
            f"听村民说{name}腊月会回家过年，目前在西安打工。",
            f"{name}这几天在家里收苹果，白天都在地里。"),
        LeadKind.REAL_ESTATE: (
            f"{name}在镇上新建两层楼房一处，约{rng.randrange(120, 320)}平方米，尚未办理登记。",
            f"{name}在县城购买商品房一套，据说登记在其岳父名下。"),
        LeadKind.VEHICLE: (
            f"{name}近期驾驶一辆白色小轿车，车牌{plate}，常停在{spot}。",
            f"{name}家新买了一台农用三轮车和一辆挖掘机，停放在院内。"),
        LeadKind.LIVESTOCK_OR_CROPS: (
            f"{name}家养牛{rng.randrange(3, 25)}头、羊{rng.randrange(10, 80)}只。",
            f"{name}今年苹果收成约{rng.randrange(1, 6)}万斤，已与果商谈好价格。"),
        LeadKind.WAGES_OR_INCOME: (
            f"{name}在{spot}附近的工地打工，每月工资约{rng.randrange(40, 90)}00元，"
            "由包工头发放。",
            f"{name}在镇上开了一家小超市，生意不错。"),
        LeadKind.HIGH_CONSUMPTION: (
            f"{name}近期乘飞机外出旅游，朋友圈有照片。",
            f"{name}上月在县城酒店摆了二十多桌宴席。"),
        LeadKind.HIDDEN_TRANSFER: (
            f"{name}将名下车辆过户给其妻弟，疑似转移财产。",
            f"{name}把家里的果园转包给他人，转包费已提前收取。"),
        LeadKind.OTHER: (
            f"{name}的儿子近期结婚，收了不少礼金。",
            f"{name}有一笔征地补偿款即将发放。"),
    }
    return rng.choice(texts[kind])


def _make_lead(draft: CountyDraft, *, author: DemoUser, place: Place, state: CaseState | None,
               path_key: str, observed: datetime, kind: LeadKind,
               step_times: list[datetime] | None = None, round_id: str | None = None,
               duplicate_of: DemoLead | None = None,
               officer_id: str | None = None) -> tuple[DemoLead, list[datetime]]:
    rng = draft.rng
    path = LEAD_PATHS[path_key]
    if step_times is None:
        step_times = []
        t = observed
        for status in path:
            lo, hi = LEAD_STEP_DAYS[status]
            t = t + timedelta(days=rng.uniform(lo, hi))
            step_times.append(t)
    if state is not None:
        name = state.debtor.aliases[0] if state.debtor.aliases and rng.random() < 0.3 \
            else state.debtor.name
        near = state.debtor.home_point if rng.random() < 0.7 else None
    else:
        name, _ = draft.identities.person_name()
        near = None
    point = point_in(draft.rng, place, near=near, radius_m=250)
    judge = draft.judges[0] if state is None else next(
        j for j in draft.judges if j.id == state.case.judge_id)
    if officer_id is None:
        officer_id = state.case.officer_id if state else draft.officers[0].id
    lead = DemoLead(
        court_id=draft.court_id, id=draft.uid(), author_id=author.id, kind=kind,
        case_id=state.case.id if state else None,
        party_id=state.debtor.id if state else None,
        debtor_text=name, description=_lead_text(draft, kind, state, name),
        observed_at=observed,
        urgency=weighted(rng, ((Urgency.LOW, 10), (Urgency.NORMAL, 65), (Urgency.HIGH, 18),
                                (Urgency.URGENT, 7))),
        status=path[-1], round_id=round_id,
        created_at=step_times[0], updated_at=step_times[-1],
        **report_fields(draft.rng, point, place),
    )
    prev: LeadStatus | None = None
    for status, at in zip(path, step_times, strict=True):
        detail: dict[str, Any] = {}
        actor: str | None = judge.id
        reason = None
        if status == LeadStatus.SUBMITTED:
            actor = author.id
        elif status == LeadStatus.UNDER_REVIEW:
            reason = "法官已查看线索"
        elif status == LeadStatus.ACCEPTED:
            lead.triaged_at = at
            reason = "线索具体，可以核实"
        elif status == LeadStatus.REJECTED:
            lead.triaged_at = at
            reason = rng.choice(("线索内容不具体，无法核实", "与本案无关",
                                 "该财产已被其他法院查封"))
        elif status == LeadStatus.DUPLICATE:
            lead.triaged_at = at
            reason = "与已有线索重复"
            if duplicate_of is not None:
                lead.duplicate_of_id = duplicate_of.id
                detail = {"duplicate_of_id": duplicate_of.id}
        elif status == LeadStatus.ASSIGNED:
            lead.assigned_officer_id = officer_id
            detail = {"officer_id": officer_id}
            if round_id:
                detail["round_id"] = round_id
            reason = "交执行干警核实"
        elif status == LeadStatus.VERIFIED:
            actor = officer_id
            reason = "经实地核实，线索属实"
        elif status == LeadStatus.NOT_FOUND:
            actor = officer_id
            reason = "经实地核实，未发现线索所述情况"
        elif status == LeadStatus.OUTCOME_RECORDED:
            actor = officer_id
        elif status == LeadStatus.CLOSED:
            reason = "线索处理完毕"
        draft.lead_transitions.append(DemoLeadTransition(
            court_id=draft.court_id, id=draft.uid(), lead_id=lead.id, from_status=prev,
            to_status=status, actor_id=actor, reason=reason, detail=detail, at=at,
        ))
        prev = status
    draft.leads.append(lead)
    if state is not None:
        draft.leads_by_case[state.case.id].append(lead)
    return lead, step_times


def _lead_outcome(draft: CountyDraft, lead: DemoLead, state: CaseState, on: date,
                  officer_id: str) -> DemoOutcome:
    rng = draft.rng
    money_kinds = (LeadKind.WAGES_OR_INCOME, LeadKind.LIVESTOCK_OR_CROPS, LeadKind.OTHER,
                   LeadKind.DEBTOR_WHEREABOUTS, LeadKind.VEHICLE, LeadKind.REAL_ESTATE)
    amount = Decimal("0.00")
    if lead.kind in money_kinds and rng.random() < 0.6:
        amount = payment_amount(draft, state, on, 0.15, 0.7)
    if amount > 0:
        kind = OutcomeKind.PAYMENT_RECEIVED
        notes = "根据协执员线索执行到位"
    else:
        kind = {
            LeadKind.DEBTOR_WHEREABOUTS: OutcomeKind.DEBTOR_LOCATED,
            LeadKind.REAL_ESTATE: OutcomeKind.PROPERTY_SEALED,
            LeadKind.VEHICLE: OutcomeKind.PROPERTY_SEIZED,
            LeadKind.LIVESTOCK_OR_CROPS: OutcomeKind.PROPERTY_FOUND,
            LeadKind.WAGES_OR_INCOME: OutcomeKind.PROPERTY_FROZEN,
            LeadKind.HIGH_CONSUMPTION: OutcomeKind.DEBTOR_LOCATED,
            LeadKind.HIDDEN_TRANSFER: OutcomeKind.PROPERTY_FOUND,
            LeadKind.OTHER: OutcomeKind.NO_RESULT,
        }[lead.kind]
        notes = "根据协执员线索采取措施"
    outcome = record_outcome(draft, kind, state, on, officer_id, amount=amount, lead_id=lead.id,
                             notes=notes)
    lead.amount_recovered = amount
    return outcome


def build_leads(draft: CountyDraft) -> None:
    """The leads behind round targets first, then the others up to 400 x scale."""
    rng = draft.rng
    draft.leads = []
    draft.lead_transitions = []
    draft.leads_by_case = defaultdict(list)

    # Leads that fed a round: reported before it, checked on the visit.
    for target, rnd, visit, outcome in draft.round_leads:
        state = draft.state_by_case[target.case_id or ""]
        place = state.place
        author = author_for(draft, place)
        observed = local_moment(rnd.starts_on - timedelta(days=rng.randrange(12, 45)), rng, 7, 20)
        if rnd.locked_at is None:
            raise AssertionError("rounds are locked")
        times = [observed + timedelta(hours=rng.uniform(0.2, 30))]
        times.append(times[-1] + timedelta(days=rng.uniform(0.5, 2)))
        times.append(times[-1] + timedelta(days=rng.uniform(0.2, 2)))
        times.append(max(times[-1] + timedelta(hours=1), rnd.locked_at))
        officer = next(t for t in draft.round_teams if t.id == target.team_id).leader_id
        if visit is None:
            key = "assigned"
        else:
            times.append(visit.visited_at + timedelta(minutes=10))
            if visit.result in (VisitResult.DEBTOR_ABSENT, VisitResult.ADDRESS_WRONG):
                key = "not_found_closed" if rng.random() < 0.7 else "not_found"
            elif outcome is not None:
                key = "closed" if rng.random() < 0.7 else "outcome_recorded"
                times.append(visit.visited_at + timedelta(hours=rng.uniform(2, 30)))
            else:
                key = "verified"
            if key in ("closed", "not_found_closed"):
                times.append(times[-1] + timedelta(days=rng.uniform(3, 20)))
        kind = LeadKind.DEBTOR_WHEREABOUTS if visit is None or visit.result in (
            VisitResult.DEBTOR_ABSENT, VisitResult.ADDRESS_WRONG, VisitResult.DEBTOR_MET,
            VisitResult.REFUSED) else weighted(rng, LEAD_KINDS)
        lead, _ = _make_lead(draft, author=author, place=place, state=state, path_key=key,
                             observed=observed, kind=kind, step_times=times,
                             round_id=rnd.id, officer_id=officer)
        target.lead_id = lead.id
        if outcome is not None and key in ("closed", "outcome_recorded"):
            outcome.lead_id = lead.id
            lead.amount_recovered = outcome.amount
            step = LEAD_PATHS[key].index(LeadStatus.OUTCOME_RECORDED)
            draft.lead_transitions[-len(times) + step].detail = {"outcome_id": outcome.id}
        state.touch(local_date(times[-1]))

    # Leads on their own, over the villages that have debtors.
    n_leads = 400 * draft.scale - len(draft.leads)
    village_weights = [len(draft.states_by_village[p.village.id]) for p in draft.places]
    showcase_quota = 12 * draft.scale
    target = len(draft.leads) + n_leads
    attempts = 0
    while len(draft.leads) < target and attempts < 10 * n_leads:
        attempts += 1
        if attempts <= showcase_quota:
            place = draft.showcase
        else:
            place = rng.choices(draft.places, village_weights)[0]
        states = draft.states_by_village[place.village.id]
        author = author_for(draft, place)
        if not states or rng.random() < 0.06:
            key = weighted(rng, (("submitted", 4), ("under_review", 3), ("rejected", 3)))
            day = rand_date(rng, FIELD_START, AS_OF - timedelta(days=10))
            observed = local_moment(day, rng, 7, 21)
            _make_lead(draft, author=author, place=place, state=None, path_key=key,
                       observed=observed, kind=weighted(rng, LEAD_KINDS))
            continue
        state = rng.choice(states)
        cat = state.category
        if cat == "open":
            key = weighted(rng, (("submitted", 4), ("under_review", 3), ("accepted", 2),
                                  ("rejected", 1), ("assigned", 1)))
        else:
            key = weighted(rng, (
                ("submitted", 6), ("under_review", 6), ("accepted", 6), ("rejected", 9),
                ("duplicate", 4), ("assigned", 8), ("verified", 5), ("not_found", 5),
                ("not_found_closed", 6), ("outcome_recorded", 16), ("closed", 29)))
        earlier = draft.leads_by_case.get(state.case.id, [])
        if key == "duplicate" and not earlier:
            with_leads = [s for s in states if draft.leads_by_case.get(s.case.id)
                          and s.category != "open"]
            if with_leads:
                state = rng.choice(with_leads)
                earlier = draft.leads_by_case[state.case.id]
            else:
                key = "rejected"
        path = LEAD_PATHS[key]
        total_days = sum(LEAD_STEP_DAYS[s][1] for s in path)
        lo = max(FIELD_START, state.case.filed_on + timedelta(days=5))
        if state.started_on is not None:
            lo = max(lo, state.started_on)
        original = rng.choice(earlier) if key == "duplicate" else None
        if original is not None:
            lo = max(lo, local_date(original.created_at) + timedelta(days=1))
        hi = AS_OF - timedelta(days=math.ceil(total_days) + 1)
        if state.category == "settled" and state.settlement_date is not None:
            hi = min(hi, state.settlement_date - timedelta(days=math.ceil(total_days) + 1))
        if hi < lo:
            key = "submitted" if AS_OF - lo > timedelta(days=3) else None
            if key is None:
                continue
            hi = AS_OF - timedelta(days=2)
        observed = local_moment(rand_date(rng, lo, hi), rng, 7, 21)
        kind = weighted(rng, LEAD_KINDS)
        lead, times = _make_lead(
            draft, author=author, place=place, state=state, path_key=key, observed=observed,
            kind=kind, duplicate_of=original)
        before = [e for e in earlier if e.created_at < lead.created_at]
        if key in ("submitted", "under_review") and before and rng.random() < 0.3:
            lead.possible_duplicate_of_id = rng.choice(before).id
        if key in ("outcome_recorded", "closed"):
            step = LEAD_PATHS[key].index(LeadStatus.OUTCOME_RECORDED)
            on = local_date(times[step])
            outcome = _lead_outcome(draft, lead, state, on, lead.assigned_officer_id or "")
            draft.lead_transitions[-len(times) + step].detail = {"outcome_id": outcome.id}
        if key not in ("submitted", "under_review", "rejected", "duplicate"):
            state.touch(local_date(times[-1]))
