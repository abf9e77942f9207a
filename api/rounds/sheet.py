"""The printable visit sheet: one page per team and day, in Chinese, no external assets.

Printed from the browser (Ctrl+P); every style is inline so it prints offline.
"""

from __future__ import annotations

from typing import Any

from jinja2 import Environment

_ENV = Environment(autoescape=True, trim_blocks=True, lstrip_blocks=True)

TEMPLATE = _ENV.from_string("""<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8">
<title>{{ round.name }} · 走访清单</title>
<style>
body { font-family: "Noto Sans CJK SC", "Microsoft YaHei", "SimSun", sans-serif; margin: 1.5em; }
h1 { font-size: 1.3em; } h2 { font-size: 1.1em; margin-top: 1.5em; }
table { border-collapse: collapse; width: 100%; font-size: 0.9em; }
th, td { border: 1px solid #444; padding: 4px 6px; vertical-align: top; text-align: left; }
th { background: #eee; } .muted { color: #555; font-size: 0.85em; }
section { page-break-after: always; } section:last-child { page-break-after: auto; }
td.sign { width: 7em; }
</style></head><body>
<h1>{{ round.name }}</h1>
<p class="muted">执行日期：{{ round.starts_on }} 至 {{ round.ends_on }}　状态：{{ status }}</p>
{% for team in teams %}
{% for day in team.days %}
<section>
<h2>{{ team.team }}{% if team.vehicle %}（车辆 {{ team.vehicle }}）{% endif %} · {{ day.day }}</h2>
<p class="muted">出发 {{ day.leaves }}，预计返回 {{ day.returns }}，共 {{ day.stops|length }} 户</p>
<table>
<thead><tr><th>序号</th><th>预计到达</th><th>案号</th><th>被执行人</th><th>地址</th>
<th>任务</th><th class="sign">结果 / 签名</th></tr></thead>
<tbody>
{% for stop in day.stops %}
<tr><td>{{ stop.seq }}</td><td>{{ stop.eta }}</td><td>{{ stop.case_number }}</td>
<td>{{ stop.debtor }}</td><td>{{ stop.village }} {{ stop.address }}</td>
<td>{{ stop.todo }}
{% if stop.cause %}<br><span class="muted">{{ stop.cause }}</span>{% endif %}</td>
<td></td></tr>
{% endfor %}
</tbody></table>
</section>
{% endfor %}
{% else %}
<p>本轮没有安排走访。</p>
{% endfor %}
</body></html>
""")

STATUS_ZH = {"draft": "草稿", "planned": "已排程", "locked": "已锁定", "running": "执行中",
             "done": "已完成", "cancelled": "已取消"}


def clock(seconds: int) -> str:
    return f"{seconds // 3600:02d}:{seconds % 3600 // 60:02d}"


def render_sheet(sheet: dict[str, Any]) -> str:
    """HTML of ``enforcement.rounds.outputs.visit_sheet``'s answer."""
    teams = [{**team, "days": [{**day, "leaves": clock(day["leaves_s"]),
                                "returns": clock(day["returns_s"])} for day in team["days"]]}
             for team in sheet["teams"] if team["days"]]
    return TEMPLATE.render(round=sheet["round"], teams=teams,
                           status=STATUS_ZH.get(sheet["round"]["status"], ""))
