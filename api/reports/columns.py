"""Column headers of the report files, in Chinese and English (docs/reports.md explains
each figure)."""

from __future__ import annotations

from api.reports.export import Column as C

OUTCOME_COLUMNS = (
    C("label", "分组", "Group"),
    C("leads_submitted", "上报线索数", "Leads submitted"),
    C("leads_accepted", "采纳线索数", "Leads accepted"),
    C("leads_rejected", "不予采纳数", "Leads rejected"),
    C("leads_duplicate", "重复线索数", "Duplicate leads"),
    C("median_hours_to_triage", "审查用时中位数（小时）", "Median hours to triage"),
    C("leads_with_outcome", "产生成效的线索数", "Leads that led to an outcome"),
    C("debtors_located", "查找到被执行人", "Debtors located"),
    C("property_sealed", "查封扣押冻结财产", "Property sealed, frozen or seized"),
    C("settlements", "达成和解", "Settlements"),
    C("amount_recovered", "执行到位金额（元）", "Amount recovered (yuan)"),
    C("amount_through_leads", "其中经线索到位（元）", "Of which through leads (yuan)"),
    C("lead_share", "线索到位占比", "Share of all recovered money through leads"),
)

GROUP_HEADERS = {
    "township": ("乡镇", "Township"), "village": ("村（网格）", "Village grid"),
    "assistant": ("网格协执员", "Grid assistant"), "round": ("执行批次", "Round"),
    "month": ("月份", "Month"),
}
NO_GROUP = ("（未归属）", "(none)")
TOTAL = ("合计", "Total")

VISIT_RESULTS = {
    "debtor_met": ("见到被执行人", "Debtor met"),
    "debtor_absent": ("被执行人不在", "Debtor absent"),
    "paid": ("当场履行", "Paid"), "settled": ("达成和解", "Settled"),
    "property_found": ("发现财产", "Property found"), "refused": ("拒不配合", "Refused"),
    "address_wrong": ("地址有误", "Address wrong"), "other": ("其他", "Other"),
}
OUTCOME_KINDS = {
    "debtor_located": ("查找到被执行人", "Debtor located"),
    "debtor_detained": ("司法拘留", "Debtor detained"),
    "property_found": ("发现财产", "Property found"),
    "property_sealed": ("查封财产", "Property sealed"),
    "property_frozen": ("冻结财产", "Property frozen"),
    "property_seized": ("扣押财产", "Property seized"),
    "payment_received": ("执行到位", "Payment received"),
    "settlement_reached": ("达成和解", "Settlement reached"),
    "no_result": ("无结果", "No result"),
}

_COMPARED = {"targets": ("目标数", "targets"), "visits": ("走访数", "visits"),
             "outcomes": ("成效数", "outcomes"), "amount_recovered": ("到位金额", "amount")}

ROUND_COLUMNS = (
    C("seq", "批次序号", "Seq"), C("name", "执行批次", "Round"),
    C("starts_on", "开始日期", "Starts on"), C("ends_on", "结束日期", "Ends on"),
    C("targets", "目标数", "Targets"), C("visits", "走访数", "Visits made"),
    *(C(f"visit_{k}", f"走访结果：{zh}", f"Visits: {en}") for k, (zh, en) in VISIT_RESULTS.items()),
    C("outcomes", "成效数", "Outcomes"),
    *(C(f"outcome_{k}", f"成效：{zh}", f"Outcomes: {en}") for k, (zh, en) in OUTCOME_KINDS.items()),
    C("amount_recovered", "执行到位金额（元）", "Amount recovered (yuan)"),
    *(col for name, (zh, en) in _COMPARED.items() for col in (
        C(f"{name}_delta", f"{zh}较上一批次增减", f"{en}: change on previous round"),
        C(f"{name}_ratio", f"{zh}为上一批次的倍数", f"{en}: ratio to previous round"))),
)

ASSISTANT_COLUMNS = (
    C("display_name", "网格协执员", "Grid assistant"), C("grids", "所在网格", "Grids served"),
    C("leads", "上报线索数", "Leads"), C("leads_accepted", "采纳线索数", "Leads accepted"),
    C("useful_leads", "有效线索数", "Useful leads"),
    C("task_answers", "任务回复数", "Answers to tasks"), C("sightings", "查人报告数", "Sightings"),
    C("amount_through_leads", "经线索到位金额（元）", "Recovered through leads (yuan)"),
    C("rewards_pending", "待审奖励（元）", "Rewards pending (yuan)"),
    C("rewards_approved", "已批奖励（元）", "Rewards approved (yuan)"),
    C("last_active_at", "最近活动时间", "Last active"),
)

REWARD_COLUMNS = (
    C("created_at", "记录时间", "Earned at"), C("assistant_name", "网格协执员", "Grid assistant"),
    C("lead_id", "线索编号", "Lead"), C("outcome_kind", "成效类型", "Outcome"),
    C("occurred_on", "成效日期", "Outcome date"), C("amount", "奖励金额（元）", "Amount (yuan)"),
    C("status", "审批状态", "Status"), C("decided_at", "审批时间", "Decided at"),
    C("decision_note", "审批意见", "Note"),
)
REWARD_STATUSES = {"pending": ("待审批", "pending"), "approved": ("已批准", "approved"),
                   "rejected": ("不予批准", "rejected")}

CREDIT_COLUMNS = (
    C("month", "月份", "Month"),
    C("dishonest_listed", "纳入失信名单", "Listed as dishonest debtors"),
    C("consumption_restricted", "限制消费", "Consumption restricted"),
    C("exit_restricted", "限制出境", "Exit restricted"),
    C("measures_lifted", "解除措施", "Measures lifted"),
    C("lifted_by_repair", "其中经信用修复解除", "Of which by credit repair"),
    C("repairs_approved", "信用修复准予", "Credit repairs approved"),
    C("repairs_rejected", "信用修复驳回", "Credit repairs rejected"),
    C("notices_issued", "联合惩戒通知", "Joint punishment notices"),
    C("notice_copies", "通知送达单位次数", "Notice copies to units"),
    C("aid_payments", "司法救助发放笔数", "Judicial aid payments"),
    C("aid_paid", "司法救助发放金额（元）", "Judicial aid paid (yuan)"),
)
