"""The visit sheet as PDF: the same content as the HTML sheet, one page per team and day.

Drawn with fpdf2, in Python, with a CJK TrueType font embedded (subset) in the file:
no browser to start per request (headless Chromium's ``--print-to-pdf`` takes a second or
two and a process per sheet, and must be installed on the server), no system layout
libraries (WeasyPrint needs Pango). A 40-stop sheet renders in about 0.4 s. The font is
``PDF_FONT`` or the first of ``FONT_CANDIDATES`` found (Debian: ``fonts-wqy-microhei``);
with none, the endpoint answers 503 ``pdf_font_missing``.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from api.rounds.sheet import STATUS_ZH, clock
from enforcement.errors import ServiceUnavailable

if TYPE_CHECKING:  # fpdf2 (with Pillow and fontTools, ~50 MB) is imported on the first PDF
    from fpdf import FPDF

FONT_CANDIDATES = (
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
)
HEADINGS = ("序号", "预计到达", "案号", "被执行人", "地址", "任务", "结果 / 签名")
WIDTHS = (12, 18, 44, 26, 62, 80, 35)
"""Millimetres on landscape A4 (277 mm between the margins)."""


def font_path(configured: str = "") -> str:
    """The CJK font to embed; 503 when there is none."""
    for candidate in ([configured] if configured else FONT_CANDIDATES):
        if candidate and Path(candidate).is_file():
            return candidate
    raise ServiceUnavailable("no Chinese font for PDF sheets; install fonts-wqy-microhei "
                             "or set PDF_FONT", code="pdf_font_missing")


def cjk_pdf(font: str, orientation: str = "L") -> FPDF:
    """An A4 document with the CJK font ``font`` embedded as ``cjk`` (subset on output);
    the visit sheet and the credit repair certificate draw on it."""
    from fpdf import FPDF

    pdf = FPDF(orientation=orientation, unit="mm", format="A4")
    pdf.set_auto_page_break(auto=True, margin=12)
    pdf.add_font("cjk", "", font, collection_font_number=0)
    pdf.set_creator("Gridwork")
    return pdf


def render_sheet_pdf(sheet: dict[str, Any], font: str) -> bytes:
    """PDF of ``enforcement.rounds.outputs.visit_sheet``'s answer."""
    pdf = cjk_pdf(font, orientation="L")
    rnd = sheet["round"]
    pdf.set_title(f"{rnd['name']} · 走访清单")
    pages = [(team, day) for team in sheet["teams"] for day in team["days"]]
    if not pages:
        _header(pdf, rnd)
        pdf.cell(text="本轮没有安排走访。")
    for team, day in pages:
        _header(pdf, rnd)
        vehicle = f"（车辆 {team['vehicle']}）" if team["vehicle"] else ""
        pdf.set_font("cjk", size=13)
        pdf.cell(text=f"{team['team']}{vehicle} · {day['day']}", new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("cjk", size=9)
        pdf.cell(text=f"出发 {clock(day['leaves_s'])}，预计返回 {clock(day['returns_s'])}，"
                      f"共 {len(day['stops'])} 户", new_x="LMARGIN", new_y="NEXT")
        pdf.ln(2)
        _table(pdf, day["stops"])
    return bytes(pdf.output())


def _header(pdf: FPDF, rnd: dict[str, Any]) -> None:
    pdf.add_page()
    pdf.set_font("cjk", size=15)
    pdf.cell(text=rnd["name"], new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("cjk", size=9)
    pdf.cell(text=f"执行日期：{rnd['starts_on']} 至 {rnd['ends_on']}　"
                  f"状态：{STATUS_ZH.get(rnd['status'], '')}", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)


def _table(pdf: FPDF, stops: list[dict[str, Any]]) -> None:
    pdf.set_font("cjk", size=9)
    from fpdf.fonts import FontFace

    headings = FontFace(emphasis=None, fill_color=(235, 235, 235))
    with pdf.table(col_widths=WIDTHS, headings_style=headings, line_height=5,
                   text_align="LEFT") as table:
        table.row(HEADINGS)
        for stop in stops:
            todo = stop["todo"] + (f"\n{stop['cause']}" if stop["cause"] else "")
            table.row([str(stop["seq"]), stop["eta"], stop["case_number"], stop["debtor"],
                       f"{stop['village']} {stop['address']}".strip(), todo, ""])
