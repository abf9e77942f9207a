"""Demo joint punishment notices, red/white/black list entries and judicial aid (Luojiang
report), generated after everything else so the ids of the rest of the county stay put.

Per scale: four notices to two or three units each (one long overdue with a unit that
never acknowledged, one due only after the demo date, two acknowledged by all); list
entries for four units (one with its earlier colour as history; the same at every scale)
and two persons; five
aid applications (pending, rejected, approved and paid in full, approved and partly
paid, approved and paid across a year end).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from enforcement.models import AidStatus, LinkageKind, LinkageRequestKind, LinkageRequestStatus
from enforcement.models import ListColour as Colour
from seed.context import CountyDraft
from seed.records.linkage import (
    DemoAidPayment,
    DemoJudicialAid,
    DemoLinkageRequest,
    DemoListEntry,
    DemoPunishmentNotice,
)
from seed.values import local_moment

NOTICE_UNITS = (
    (LinkageKind.BANK, LinkageKind.MARKET_REGULATOR),
    (LinkageKind.BANK, LinkageKind.REAL_ESTATE_REGISTRY, LinkageKind.VEHICLE_REGISTRY),
    (LinkageKind.MARKET_REGULATOR, LinkageKind.SOCIAL_SECURITY),
    (LinkageKind.BANK, LinkageKind.VEHICLE_REGISTRY),
)
"""Recipients of the four notices of each scale, by unit kind (the first unit of a kind)."""
NOTICE_DAYS = ((date(2026, 9, 8), 7, (True, False)), (date(2026, 10, 12), 10, (True,) * 3),
               (date(2026, 10, 29), 60, (True, False)), (date(2026, 6, 15), 7, (True, True)))
"""Per notice: issued on, days to acknowledge, whether each recipient acknowledged.
The first stays overdue; the third is due only after the demo date."""
AID = (
    (Decimal("8000"), None, None, "申请人年迈多病，无经济来源，被执行人确无财产可供执行"),
    (Decimal("6000"), Decimal("5000"), ((date(2026, 4, 10), Decimal("5000")),),
     "申请人系交通事故受害人，因伤致残，家庭生活陷入困境"),
    (Decimal("10000"), Decimal("6000"), ((date(2026, 9, 20), Decimal("3000")),),
     "申请人系务工人员，被拖欠劳务报酬，子女就学困难"),
    (Decimal("5000"), Decimal("4000"), ((date(2025, 12, 26), Decimal("2000")),
                                        (date(2026, 1, 15), Decimal("2000"))),
     "申请人身患重病，医疗费用负担沉重"),
    (Decimal("3000"), Decimal("0"), None, "申请人有稳定收入"),
)
"""Per application: asked, approved (None: pending; 0: rejected), payments, grounds."""


def build_credit_linkage(draft: CountyDraft) -> dict[str, list[Any]]:
    """The demo rows; notice copies are appended to ``draft.linkage_requests``."""
    rng, court = draft.rng, draft.court_id
    units_by_kind: dict[LinkageKind, Any] = {}
    for unit in draft.linkage_units:
        units_by_kind.setdefault(unit.kind, unit)
    debtors = [s for s in draft.states if s.debtor.is_dishonest] or draft.states
    notices: list[DemoPunishmentNotice] = []
    for i in range(4 * draft.scale):
        state = debtors[(i * 7) % len(debtors)]
        issued_on, days, acks = NOTICE_DAYS[i % 4]
        issued = local_moment(issued_on, rng, 9.0, 11.5)
        notice = DemoPunishmentNotice(
            court_id=court, id=draft.uid(), case_id=state.case.id, party_id=state.debtor.id,
            title=f"关于对失信被执行人{state.debtor.name}实施联合惩戒的通知",
            content="请依法限制其贷款、融资、招投标、担任企业高管及高消费行为，并将办理情况回复本院。",
            issued_by=state.case.judge_id, issued_at=issued, due_at=issued + timedelta(days=days),
            created_at=issued)
        notices.append(notice)
        for kind, acknowledged in zip(NOTICE_UNITS[i % 4], acks, strict=True):
            unit = units_by_kind[kind]
            copy = DemoLinkageRequest(
                court_id=court, id=draft.uid(), unit_id=unit.id, case_id=notice.case_id,
                party_id=notice.party_id, kind=LinkageRequestKind.JOINT_PUNISHMENT,
                details=notice.title, status=LinkageRequestStatus.SENT,
                requested_by=notice.issued_by, due_at=notice.due_at, created_at=issued,
                notice_id=notice.id)
            if acknowledged:
                copy.status, copy.result = LinkageRequestStatus.ANSWERED, "acknowledged"
                copy.answer = "已收悉，已在本系统中设置限制措施。"
                copy.answered_by = draft.liaisons[unit.id].id
                copy.answered_at = issued + timedelta(days=rng.uniform(0.5, 2.0))
            draft.linkage_requests.append(copy)
    judge = debtors[0].case.judge_id
    return {"punishment_notices": notices,
            "list_entries": _list_entries(draft, units_by_kind, debtors, judge),
            **_aid(draft)}


def _list_entries(draft: CountyDraft, units_by_kind: dict[LinkageKind, Any], debtors: list[Any],
                  judge: str) -> list[DemoListEntry]:
    court, rng = draft.court_id, draft.rng
    entries: list[DemoListEntry] = []

    def entry(on: date, colour: Colour, reason: str, **subject: str) -> DemoListEntry:
        row = DemoListEntry(court_id=court, id=draft.uid(), colour=colour, reason=reason,
                            effective_on=on, set_by=judge, created_at=local_moment(on, rng),
                            **subject)
        entries.append(row)
        return row

    bank = units_by_kind[LinkageKind.BANK].id
    registry = units_by_kind[LinkageKind.REAL_ESTATE_REGISTRY].id
    market = units_by_kind[LinkageKind.MARKET_REGULATOR].id
    vehicles = units_by_kind[LinkageKind.VEHICLE_REGISTRY].id
    entry(date(2026, 3, 1), Colour.RED, "查控反馈及时，全年协助冻结扣划无一延误", unit_id=bank)
    entry(date(2026, 3, 1), Colour.RED, "不动产查封登记当日办结", unit_id=registry)
    entry(date(2026, 3, 1), Colour.WHITE, "协助情况一般", unit_id=market)
    earlier = entry(date(2026, 2, 1), Colour.WHITE, "协助情况一般", unit_id=vehicles)
    later = entry(date(2026, 8, 20), Colour.BLACK,
                  "三次逾期未反馈车辆查控结果，经督促仍未改正", unit_id=vehicles)
    earlier.ended_at = later.created_at
    # The units are the same at every scale; the persons are two more debtors per scale.
    persons = list(dict.fromkeys(d.debtor.id for d in debtors[1:1 + 2 * draft.scale]))
    for obstructive, helpful in zip(persons[::2], persons[1::2], strict=False):
        entry(date(2026, 7, 3), Colour.BLACK, "以暴力威胁方法妨碍执行人员依法执行职务",
              party_id=obstructive)
        entry(date(2026, 9, 15), Colour.RED, "主动履行全部义务并协助查找其他被执行人",
              party_id=helpful)
    return entries


def _aid(draft: CountyDraft) -> dict[str, list[Any]]:
    court, rng = draft.court_id, draft.rng
    pool = [s for s in draft.states if s.category in ("terminated", "progress", "resumed")]
    applications: list[DemoJudicialAid] = []
    payments: list[DemoAidPayment] = []
    for i in range(5 * draft.scale):
        state = pool[(i * 11) % len(pool)]
        asked, approved, paid, grounds = AID[i % 5]
        applied_on = date(2025, 11, 20) if paid and paid[0][0].year == 2025 else date(
            2026, 2 + i % 5, 6)
        aid = DemoJudicialAid(
            court_id=court, id=draft.uid(), case_id=state.case.id,
            applicant_id=state.applicant.id, amount_requested=asked, grounds=grounds,
            applied_on=applied_on, status=AidStatus.PENDING, entered_by=state.case.officer_id,
            created_at=local_moment(applied_on, rng))
        if approved is not None:
            aid.status = AidStatus.APPROVED if approved else AidStatus.REJECTED
            aid.approved_amount = approved or None
            aid.decision_reason = "符合司法救助条件" if approved else grounds
            aid.grounds = grounds if approved else "申请人称生活困难，请求给予救助"
            aid.decided_by = state.case.judge_id
            aid.decided_at = aid.created_at + timedelta(days=12)
        applications.append(aid)
        for day, amount in paid or ():
            payments.append(DemoAidPayment(
                court_id=court, id=draft.uid(), aid_id=aid.id, amount=amount, paid_on=day,
                recorded_by=state.case.officer_id,
                created_at=datetime(day.year, day.month, day.day, 3, tzinfo=UTC)))
    return {"judicial_aid": applications, "aid_payments": payments}
