"""The credit repair certificate (信用修复证明) as PDF, in Chinese.

Drawn on the visit sheet's CJK document (``api.rounds.sheet_pdf.cjk_pdf``): the same
embedded font, the same 503 ``pdf_font_missing`` when the server has none.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from api.rounds.sheet_pdf import cjk_pdf

TITLE = "信用修复证明"
MEASURE_ZH = {"dishonest": "纳入失信被执行人名单", "consumption_restriction": "限制消费",
              "exit_restriction": "限制出境"}
GROUNDS_ZH = {"paid_in_full": "已全部履行生效法律文书确定的义务",
              "keeps_settlement": "已与申请执行人达成和解协议并正在履行"}


def _day(value: date | datetime | None) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = value.astimezone(ZoneInfo("Asia/Shanghai")).date()
    return f"{value.year}年{value.month}月{value.day}日"


def render_certificate_pdf(facts: dict[str, Any], font: str) -> bytes:
    """PDF of ``enforcement.credit.repair.certificate_facts``'s answer, one A4 page."""
    pdf = cjk_pdf(font, orientation="P")
    pdf.set_title(f"{TITLE} · {facts['case_number']}")
    pdf.add_page()
    pdf.set_font("cjk", size=20)
    pdf.cell(w=0, h=16, text=TITLE, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("cjk", size=10)
    pdf.cell(w=0, h=8, text=f"编号：{facts['repair_id']}", align="C", new_x="LMARGIN",
             new_y="NEXT")
    pdf.ln(6)
    measures = "、".join(MEASURE_ZH.get(k, k) for k in facts["measure_kinds"])
    body = (f"被执行人{facts['party_name']}在本院（{facts['case_number']}）执行案件中，"
            f"{GROUNDS_ZH.get(facts['grounds'], '')}。经审查，本院决定对其进行信用修复，"
            f"自{_day(facts['effective_on'])}起解除对其采取的{measures}措施。")
    pdf.set_font("cjk", size=13)
    pdf.multi_cell(w=0, h=9, text="　　" + body, new_x="LMARGIN", new_y="NEXT")
    if facts["decision_reason"]:
        pdf.ln(3)
        pdf.multi_cell(w=0, h=9, text=f"　　审查意见：{facts['decision_reason']}",
                       new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    pdf.multi_cell(w=0, h=9, text="　　特此证明。", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(20)
    pdf.cell(w=0, h=9, text=f"决定日期：{_day(facts['decided_at'])}", align="R",
             new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())
