"""Deputies (人大代表/政协委员) following cases, their evaluations and opinion cards,
and the node events they witnessed."""

from __future__ import annotations

from datetime import date, timedelta

from enforcement.supervision.deputies import DEFAULT_ANSWER_DAYS, EVALUATION_CRITERIA
from seed.context import CaseState, CountyDraft
from seed.records.supervision import (
    DemoCaseFollow,
    DemoDeputyEvaluation,
    DemoNodeEvent,
    DemoNodeWitness,
)
from seed.reference import AS_OF
from seed.values import end_of, local_moment, weighted


def build_supervision(draft: CountyDraft) -> None:
    """60 x scale deputy follows (weighted towards livelihood and large cases) and 30 x
    scale evaluation forms and opinion cards on them."""
    rng = draft.rng
    draft.case_follows = []
    draft.deputy_evaluations = []
    livelihood = ("劳务合同纠纷", "追索劳动报酬纠纷", "抚养费纠纷", "赡养费纠纷",
                  "机动车交通事故责任纠纷", "提供劳务者受害责任纠纷")
    pool = [s for s in draft.states if s.case.filed_on >= date(2024, 1, 1)
            and s.category != "open"]
    weights = [3.0 if s.case.cause in livelihood else 1.0 + float(s.owed) / 200000
               for s in pool]
    seen: set[tuple[str, str]] = set()
    follows: list[tuple[DemoCaseFollow, CaseState]] = []
    while len(follows) < 60 * draft.scale:
        state = rng.choices(pool, weights)[0]
        deputy = rng.choice(draft.deputies)
        if (deputy.id, state.case.id) in seen:
            continue
        seen.add((deputy.id, state.case.id))
        start = min(AS_OF - timedelta(days=5), state.case.filed_on + timedelta(
            days=rng.randrange(5, 60)))
        end = None
        if state.case.closed_on is not None and rng.random() < 0.6:
            end = local_moment(max(start, state.case.closed_on), rng, 9, 18)
        follow = DemoCaseFollow(
            court_id=draft.court_id, id=draft.uid(), deputy_id=deputy.id,
            case_id=state.case.id, started_at=local_moment(start, rng, 9, 17), ended_at=end,
        )
        draft.case_follows.append(follow)
        follows.append((follow, state))

    node_weights = {"serve_notice": 3, "property_investigation": 3, "seal_up": 2,
                    "auction": 2, "distribution": 2, "payout": 3, "settlement": 3,
                    "eviction": 1, "detention": 1, "on_site_investigation": 3}
    node_pairs = [(n, node_weights.get(n.code, 1)) for n in draft.nodes if n.witnessable]
    while len(draft.deputy_evaluations) < 30 * draft.scale:
        follow, state = rng.choice(follows)
        start = follow.started_at
        limit = follow.ended_at or end_of(AS_OF - timedelta(days=1))
        if limit <= start:
            continue
        witnessed = start + (limit - start) * rng.uniform(0.05, 0.9)
        node = weighted(rng, node_pairs)
        opinion_card = rng.random() < 0.3
        judge = state.case.judge_id
        if opinion_card:
            opinion = rng.choice((
                "建议加大对被执行人财产的查控力度，及时向申请人通报进展。",
                "被执行人确有困难，建议引导双方和解，分期履行。",
                "建议对拒不履行的被执行人依法采取拘留措施。"))
            rating = None
        else:
            rating = weighted(rng, ((5, 55), (4, 35), (3, 10)))
            opinion = rng.choice(("执行程序规范，文明执法。", "执行干警耐心释法，效果良好。",
                                  "现场秩序良好，当事人情绪稳定。", "建议进一步提高执行效率。"))
        created = witnessed + timedelta(hours=rng.uniform(1, 48))
        evaluation = DemoDeputyEvaluation(
            court_id=draft.court_id, id=draft.uid(), case_id=state.case.id,
            deputy_id=follow.deputy_id, node_id=node.id,
            kind="opinion" if opinion_card else "evaluation", witnessed_at=witnessed,
            rating=rating, opinion=opinion, created_at=created,
        )
        replied = created + timedelta(days=rng.uniform(1, 10))
        if rng.random() < 0.8 and replied < end_of(AS_OF):
            evaluation.reply = rng.choice(("感谢代表监督，已按建议落实。",
                                           "已向申请执行人通报执行进展。",
                                           "已对被执行人采取限制消费措施，将继续跟进。"))
            evaluation.replied_by = judge
            evaluation.replied_at = replied
        draft.deputy_evaluations.append(evaluation)


def build_node_events(draft: CountyDraft) -> None:
    """The node event behind each witnessed evaluation form, the deputy's witness record
    and the form's scores; opinion cards get their judge and due time. Runs last, so
    the ids of everything generated before stay as they were."""
    rng = draft.rng
    draft.node_events = []
    draft.node_witnesses = []
    cases = {s.case.id: s.case for s in draft.states}
    for evaluation in draft.deputy_evaluations:
        case = cases[evaluation.case_id]
        if evaluation.kind == "opinion":
            evaluation.judge_id = case.judge_id
            evaluation.due_at = evaluation.created_at + timedelta(days=DEFAULT_ANSWER_DAYS)
            continue
        witnessed = evaluation.witnessed_at
        occurs = witnessed - timedelta(minutes=rng.randrange(0, 30))
        event = DemoNodeEvent(
            court_id=draft.court_id, id=draft.uid(), case_id=case.id,
            node_id=evaluation.node_id, occurs_at=occurs, place=case.address,
            recorded_by=case.officer_id,
            created_at=occurs - timedelta(days=rng.uniform(0.5, 3)))
        draft.node_events.append(event)
        draft.node_witnesses.append(DemoNodeWitness(
            court_id=draft.court_id, id=draft.uid(), node_event_id=event.id,
            deputy_id=evaluation.deputy_id, witnessed_at=witnessed, created_at=witnessed))
        evaluation.node_event_id = event.id
        evaluation.scores = {
            key: max(1, min(5, evaluation.rating + rng.choice((-1, 0, 0, 1))))
            for key in EVALUATION_CRITERIA}
