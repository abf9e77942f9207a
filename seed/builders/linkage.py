"""Requests to linkage units (find a person, seize a vehicle, freeze and deduct...) and
their answers."""

from __future__ import annotations

from datetime import timedelta

from enforcement.models import LinkageRequestKind, LinkageRequestStatus
from seed.context import CountyDraft
from seed.records.linkage import DemoLinkageRequest
from seed.reference import AS_OF, FIELD_START
from seed.values import end_of, local_moment, rand_date, weighted


def build_linkage_requests(draft: CountyDraft) -> None:
    """40 x scale requests from the cases' officers and judges, most answered by the
    unit's liaison."""
    rng = draft.rng
    draft.linkage_requests = []
    pool = [s for s in draft.states if s.category in ("progress", "resumed", "terminated",
                                                      "closed_paid", "open")]
    while len(draft.linkage_requests) < 40 * draft.scale:
        state = rng.choice(pool)
        unit = rng.choice(draft.linkage_units)
        kind = LinkageRequestKind(rng.choice(unit.duties))
        name = state.debtor.name
        details = {
            LinkageRequestKind.FIND_PERSON: f"请协助查找被执行人{name}"
                                            f"（{state.debtor.id_number}）下落。",
            LinkageRequestKind.SEIZE_VEHICLE: f"请协助查控被执行人{name}名下车辆"
            f"{'、'.join(state.debtor.vehicle_plates) or ''}。",
            LinkageRequestKind.SEARCH_RECORDS: f"请协助查询被执行人{name}的登记信息。",
            LinkageRequestKind.FREEZE_AND_DEDUCT: f"请协助冻结、扣划被执行人{name}"
                                                  f"名下款项，限额{state.owed}元。",
            LinkageRequestKind.APPRAISE: f"请对被执行人{name}名下财产进行定向询价。",
        }[kind]
        lo = max(FIELD_START, state.case.filed_on + timedelta(days=3))
        if lo > AS_OF - timedelta(days=1):
            continue
        day = rand_date(rng, lo, AS_OF - timedelta(days=1))
        created = local_moment(day, rng, 8.5, 17.5)
        due = created + timedelta(days=unit.answer_days)
        liaison = draft.liaisons[unit.id]
        answered_at = created + timedelta(days=rng.uniform(0.3, unit.answer_days * 1.2))
        if answered_at < end_of(AS_OF) and rng.random() < 0.7:
            status = LinkageRequestStatus.ANSWERED
        elif rng.random() < 0.08:
            status = LinkageRequestStatus.CANCELLED
        elif due < end_of(AS_OF):
            status = LinkageRequestStatus.OVERDUE
        else:
            status = weighted(rng, ((LinkageRequestStatus.SENT, 1),
                                     (LinkageRequestStatus.ACKNOWLEDGED, 1)))
        request = DemoLinkageRequest(
            court_id=draft.court_id, id=draft.uid(), unit_id=unit.id, case_id=state.case.id,
            party_id=state.debtor.id, kind=kind, details=details, status=status,
            requested_by=rng.choice((state.case.officer_id, state.case.judge_id)),
            due_at=due, created_at=created,
        )
        if status == LinkageRequestStatus.ANSWERED:
            request.answer = {
                LinkageRequestKind.FIND_PERSON:
                    f"经查，{name}近期在西安市活动，已提供其住宿登记信息。",
                LinkageRequestKind.SEIZE_VEHICLE:
                    "已在系统中对该车辆办理查封登记，发现后将扣押移交。",
                LinkageRequestKind.SEARCH_RECORDS: "经查询，未发现登记在其名下的相关信息。",
                LinkageRequestKind.FREEZE_AND_DEDUCT: "已冻结其账户，余额不足部分将持续冻结。",
                LinkageRequestKind.APPRAISE: "询价结果已通过执行联动平台发送。",
            }[kind]
            request.answered_by = liaison.id
            request.answered_at = answered_at
        draft.linkage_requests.append(request)
