"""Closing the books: the officers' own collections, the final payments of cases closed
as performed, and every case's event history up to its final status."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from enforcement.models import CaseStatus, OutcomeKind
from seed.builders.payments import payment_amount, record_outcome
from seed.context import CaseState, CountyDraft
from seed.records.cases import DemoCaseEvent
from seed.reference import AS_OF
from seed.values import local_moment, rand_date


def finish_cases(draft: CountyDraft) -> None:
    """Last payments, each case's recovered amount and its event history: run after every
    builder that pays into cases, so the totals and dates agree with them."""
    rng = draft.rng
    draft.case_events = []
    for state in draft.states:
        case = state.case
        cat = state.category
        officer = case.officer_id
        # Extra payments recorded by the officer: online freezes and deductions, visits
        # at the office, and the final payment of cases closed as fully performed.
        if cat in ("progress", "resumed", "terminated") and rng.random() < 0.3:
            lo = state.started_on or case.filed_on
            hi = (case.terminated_on - timedelta(days=1)) if case.terminated_on else AS_OF
            if hi > lo:
                on = rand_date(rng, lo, hi)
                amount = payment_amount(draft, state, on, 0.1, 0.5)
                if amount > 0:
                    record_outcome(draft, OutcomeKind.PAYMENT_RECEIVED, state, on, officer,
                                   amount=amount, notes="网络查控冻结扣划存款")
        if cat == "closed_paid":
            lo = max(state.last_activity or case.filed_on, state.started_on or case.filed_on)
            closed = min(AS_OF, max(lo, case.filed_on + timedelta(
                days=rng.randrange(25, 420))))
            remainder = case.amount_owed - state.paid
            if remainder > 0:
                record_outcome(draft, OutcomeKind.PAYMENT_RECEIVED, state, closed, officer,
                               amount=remainder, notes="被执行人履行完毕")
            case.closed_on = closed
        case.amount_recovered = state.paid
        # paid out to the applicant: all of it once closed, else what the last transfer
        # (about a month behind the payments) has reached
        case.amount_paid_out = state.paid if case.closed_on else (
            state.paid * Decimal("0.8")).quantize(Decimal("0.01"))
        _events(draft, state)


def _events(draft: CountyDraft, state: CaseState) -> None:
    rng = draft.rng
    case = state.case
    cat = state.category
    resumed = state.resumed_number
    events: list[tuple[str, str | None, str, str | None, date, str | None]] = []
    first = CaseStatus.RESUMED if resumed else CaseStatus.OPEN
    events.append(("filed", None, first, case.judge_id, case.filed_on,
                   "申请执行人提供新的财产线索，恢复执行" if resumed else "立案受理"))
    status = first
    if cat == "open":
        final = CaseStatus.OPEN
    elif cat == "resumed":
        final = CaseStatus.RESUMED
    else:
        started = state.started_on or case.filed_on
        if not resumed:
            events.append(("started", status, CaseStatus.IN_PROGRESS, case.officer_id,
                           started, "发出执行通知书、报告财产令"))
            status = CaseStatus.IN_PROGRESS
        if cat == "progress":
            final = CaseStatus.IN_PROGRESS
        elif cat == "terminated":
            events.append(("terminated", status, CaseStatus.TERMINATED, case.judge_id,
                           case.terminated_on or AS_OF,
                           "经穷尽财产调查措施，未发现可供执行的财产，终结本次执行程序"))
            final = CaseStatus.TERMINATED
        elif cat == "settled":
            events.append(("settled", status, CaseStatus.SETTLED, case.judge_id,
                           state.settlement_date or AS_OF, "双方当事人达成执行和解协议"))
            final = CaseStatus.SETTLED
        else:
            if cat == "closed_settled":
                events.append(("settled", status, CaseStatus.SETTLED, case.judge_id,
                               state.settlement_date or started, "双方当事人达成执行和解协议"))
                status = CaseStatus.SETTLED
            events.append(("closed", status, CaseStatus.CLOSED, case.judge_id,
                           case.closed_on or AS_OF,
                           "和解协议履行完毕，执行完毕" if cat == "closed_settled"
                           else "被执行人履行完毕，执行完毕"))
            final = CaseStatus.CLOSED
    case.status = final
    last = case.created_at
    for kind, from_status, to_status, actor, on, reason in events:
        at = case.created_at if kind == "filed" else max(last, local_moment(on, rng, 9, 18))
        last = at
        draft.case_events.append(DemoCaseEvent(
            court_id=draft.court_id, id=draft.uid(), case_id=case.id, kind=kind,
            from_status=from_status and str(from_status), to_status=str(to_status),
            actor_id=actor, reason=reason, at=at,
        ))
    case.updated_at = last
