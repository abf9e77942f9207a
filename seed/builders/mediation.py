"""Mediation by local sages (乡贤) and assistants, the settlements that mediation, round
visits and officers reached (with instalments), and the mediators put on cases."""

from __future__ import annotations

import random
from datetime import date, timedelta
from typing import Any

from enforcement.models import MediationOutcome, Role, SettlementKind
from seed.builders.accounts import author_for
from seed.context import CaseState, CountyDraft
from seed.records.cases import DemoInstalment, DemoMediationNote, DemoSettlement
from seed.records.supervision import DemoCaseMediator
from seed.reference import AS_OF, FIELD_START
from seed.values import CENT, add_months, local_moment, rand_date, weighted


def build_mediation(draft: CountyDraft) -> None:
    """120 x scale mediation notes, about a third of them agreements that become
    settlements (``build_settlements``)."""
    rng = draft.rng
    draft.mediation_notes = []
    draft.note_by_id = {}
    n_notes = 120 * draft.scale
    n_agreed = int(n_notes * 0.35)
    window = AS_OF - timedelta(days=420)
    agree_pool = [s for s in draft.states if s.settlement_source is None and (
        (s.category == "settled" and s.case.filed_on < AS_OF - timedelta(days=30))
        or (s.category == "closed_settled" and s.case.filed_on < AS_OF - timedelta(days=90)))]
    other_pool = [s for s in draft.states if s.category in ("progress", "resumed", "terminated")
                  and s.case.filed_on < AS_OF - timedelta(days=20)]
    queue = [(s, True) for s in rng.sample(agree_pool, len(agree_pool))] + [
        (s, False) for s in rng.sample(other_pool, len(other_pool))]
    made_agreed = 0
    for state, agreed in queue:
        if agreed and made_agreed >= n_agreed:
            continue
        if len(draft.mediation_notes) >= n_notes:
            break
        lo = max(FIELD_START, state.case.filed_on + timedelta(days=10))
        if agreed and state.category == "settled":
            lo = max(lo, window)
            hi = AS_OF - timedelta(days=5)
        elif agreed:
            hi = AS_OF - timedelta(days=70)
        else:
            hi = AS_OF - timedelta(days=1)
            if state.category == "terminated" and state.case.terminated_on:
                hi = min(hi, state.case.terminated_on - timedelta(days=1))
        if hi < lo:
            continue
        made_agreed += agreed
        day = rand_date(rng, lo, hi)
        place = state.place
        if rng.random() < 0.7:
            author = rng.choice(draft.mediators_by_township[place.township.id])
        else:
            author = author_for(draft, place)
        held = local_moment(day, rng, 9, 18)
        outcome = MediationOutcome.AGREED if agreed else weighted(
            rng, ((MediationOutcome.REFUSED, 40), (MediationOutcome.CONTINUE, 60)))
        debtor, applicant = state.debtor.name, state.applicant.name
        present = [author.display_name, applicant, debtor]
        helpers = draft.assistants_by_village[place.village.id]
        if author.role == Role.MEDIATOR:
            present.append(rng.choice(helpers).display_name)
        proposal: dict[str, Any] = {}
        if outcome != MediationOutcome.REFUSED:
            proposal = {"kind": "instalments", "total": str(state.owed - state.paid)}
        note = DemoMediationNote(
            court_id=draft.court_id, id=draft.uid(), case_id=state.case.id,
            author_id=author.id, held_at=held, place=f"{place.village.name}村委会调解室",
            present=present,
            applicant_statement=rng.choice((
                "要求被执行人一次性履行全部款项。", "同意分期，但要求年底前付清。",
                "考虑到对方困难，可以免除部分利息。")),
            debtor_statement=rng.choice((
                "承认欠款，目前确实困难，请求分期履行。", "苹果卖了就还，希望宽限几个月。",
                "认为数额有争议，暂不同意。", "愿意先付一部分，剩余分期。")),
            proposal=proposal, outcome=outcome,
            next_visit_on=day + timedelta(days=rng.randrange(10, 40))
            if outcome == MediationOutcome.CONTINUE else None,
            created_at=held + timedelta(hours=rng.uniform(0.5, 6)),
        )
        draft.mediation_notes.append(note)
        draft.note_by_id[note.id] = note
        state.touch(day)
        if agreed:
            state.settlement_source = "mediation"
            state.settlement_date = day
            draft.settlement_plans.append((state, day, "mediation", note.id))


def build_mediator_assignments(draft: CountyDraft) -> None:
    """The court puts mediators on cases: every case a mediator held a session on,
    from a little before the first session (ended when the case closed), and two
    cases of their township still waiting for a first session. Its own random
    stream, so adding it changed nothing else in the county."""
    rng = random.Random(draft.seed * 31 + 7)
    mediators = {m.id for m in draft.mediators}
    state_of = {s.case.id: s for s in draft.states}
    first: dict[tuple[str, str], date] = {}
    for note in draft.mediation_notes:
        if note.author_id in mediators:
            key, day = (note.author_id, note.case_id), note.held_at.date()
            first[key] = min(first.get(key, day), day)
    draft.case_mediators = []

    def assign(mediator_id: str, state: CaseState, starts_on: date, note: str) -> None:
        closed = state.case.closed_on
        draft.case_mediators.append(DemoCaseMediator(
            court_id=draft.court_id, id=draft.uid(), case_id=state.case.id,
            mediator_id=mediator_id, starts_on=starts_on, note=note,
            ends_on=closed + timedelta(days=1) if closed and closed >= starts_on else None,
            assigned_by=draft.judges[0].id, created_at=local_moment(starts_on, rng)))

    for (mediator_id, case_id), day in sorted(first.items()):
        assign(mediator_id, state_of[case_id], day - timedelta(days=rng.randrange(3, 30)),
               "调解")
    noted = {case_id for _, case_id in first}
    waiting = sorted((s for s in draft.states if s.category in ("open", "progress", "resumed")
                      and s.case.id not in noted),
                     key=lambda s: s.case.case_number)
    for mediator in draft.mediators:
        township = next(t for t, ms in draft.mediators_by_township.items() if mediator in ms)
        mine = [s for s in waiting if s.place.township.id == township]
        for state in rng.sample(mine, min(2, len(mine))):
            assign(mediator.id, state, AS_OF - timedelta(days=rng.randrange(1, 30)),
                   "新指派，尚未调解")


def build_settlements(draft: CountyDraft) -> None:
    """The settlements planned so far (round visits, mediation) and a standalone one for
    every other settled case, with instalments paid as the case's story says."""
    rng = draft.rng
    draft.settlements = []
    draft.instalments = []
    window = AS_OF - timedelta(days=420)
    for state in draft.states:
        if state.category in ("settled", "closed_settled") and state.settlement_source is None:
            if state.category == "settled":
                lo = max(window, state.case.filed_on + timedelta(days=20))
                hi = AS_OF - timedelta(days=3)
            else:
                lo = state.case.filed_on + timedelta(days=20)
                hi = AS_OF - timedelta(days=40)
            if hi < lo:
                state.category = "progress"
                continue
            day = rand_date(rng, lo, hi)
            state.settlement_source = "standalone"
            state.settlement_date = day
            draft.settlement_plans.append((state, day, "standalone", None))
    for state, day, _source, note_id in draft.settlement_plans:
        total = state.owed - state.paid
        recorder = state.case.officer_id
        if state.category == "closed_settled":
            months_left = max(0, (AS_OF - day).days // 31 - 1)
            count = 1 if rng.random() < 0.35 or months_left < 1 else rng.randint(
                1, min(6, months_left))
            interval = 1
        else:
            elapsed = (AS_OF - day).days // 30
            interval = 1 if elapsed <= 8 else 2
            count = elapsed // interval + rng.randint(1, 3)
        kind = SettlementKind.LUMP_SUM if count == 1 else SettlementKind.INSTALMENTS
        settlement = DemoSettlement(
            court_id=draft.court_id, id=draft.uid(), case_id=state.case.id,
            mediation_note_id=note_id, kind=kind, total_amount=total, agreed_on=day,
            status="fulfilled" if state.category == "closed_settled" else "active",
            created_at=local_moment(day, rng, 17, 19),
        )
        draft.settlements.append(settlement)
        part = (total / count).quantize(CENT)
        last_paid: date | None = None
        for seq in range(1, count + 1):
            due = add_months(day, interval * seq) if kind == SettlementKind.INSTALMENTS \
                else day + timedelta(days=rng.randrange(7, 25))
            amount = part if seq < count else total - part * (count - 1)
            inst = DemoInstalment(
                court_id=draft.court_id, id=draft.uid(), settlement_id=settlement.id,
                seq=seq, due_on=due, amount=amount,
            )
            if state.category == "closed_settled":
                paid_on = min(AS_OF, due - timedelta(days=rng.randrange(0, 5)))
                inst.paid_amount, inst.paid_on, inst.recorded_by = amount, paid_on, recorder
            elif seq < count and due <= AS_OF - timedelta(days=2) and (
                    last_paid is not None or seq == 1) and rng.random() < 0.9:
                paid_on = min(AS_OF - timedelta(days=1), due + timedelta(
                    days=rng.randrange(-3, 6)))
                inst.paid_amount, inst.paid_on, inst.recorded_by = amount, paid_on, recorder
            else:
                last_paid = None
            if inst.paid_on is not None:
                last_paid = inst.paid_on
                state.paid += amount
                state.touch(inst.paid_on)
            draft.instalments.append(inst)
        if state.category == "closed_settled":
            state.case.closed_on = max(last_paid or day, day)
        if note_id is not None:
            draft.note_by_id[note_id].proposal = {
                "kind": kind.value, "total": str(total),
                "instalments": [{"due_on": i.due_on.isoformat(), "amount": str(i.amount)}
                                for i in draft.instalments[-count:]],
            }
