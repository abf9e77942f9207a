"""The outcome report: figures checked against counts made here in Python over the very
records the factories stored, for every grouping; CSV and XLSX files; access."""

from __future__ import annotations

import csv
import io
import random
import statistics
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import openpyxl
import pytest
import sqlalchemy as sa

from enforcement.models import AuditEntry, LeadStatus, OutcomeKind, Role
from tests import factories
from tests.api.helpers import assert_problem

SHANGHAI = ZoneInfo("Asia/Shanghai")
S = LeadStatus
TRIAGED = {S.ACCEPTED, S.REJECTED, S.DUPLICATE, S.ASSIGNED, S.VERIFIED, S.NOT_FOUND,
           S.OUTCOME_RECORDED, S.CLOSED}
ACCEPTED = TRIAGED - {S.REJECTED, S.DUPLICATE}


@dataclass
class LeadIn:
    id: str
    township: str
    village: str
    author: str
    round: str | None
    created_at: datetime
    status: LeadStatus
    triaged_at: datetime | None


@dataclass
class OutcomeIn:
    lead: LeadIn | None
    township: str
    village: str
    round: str | None
    kind: OutcomeKind
    amount: Decimal
    occurred_on: date


@pytest.fixture
def county(session, world):
    """Three villages in two townships, an assistant each, two rounds; 40 leads and
    30 outcomes with random (seeded) attributes, some just across month boundaries."""
    rng = random.Random(7)
    t2 = factories.create_township(session, world.court, 108.5, 35.4, name="永和镇")
    village_c = factories.create_village(session, t2, 108.5, 35.4, name="罗沟村")
    assistant_c = factories.create_user(session, world.court, Role.GRID_ASSISTANT)
    factories.assign_grid(session, assistant_c, village_c)
    judge = world.judge_user
    rounds = [factories.create_round(session, judge, starts_on=date(2025, m, 3),
                                     ends_on=date(2025, m, 7)) for m in (2, 3)]
    places = [(world.assistant, world.village_a), (world.assistant_b, world.village_b),
              (assistant_c, village_c)]
    cases = {v.id: factories.create_case(session, world.court, township_id=v.township_id,
                                         village_grid_id=v.id) for _, v in places}
    leads: list[LeadIn] = []
    for n in range(40):
        author, village = rng.choice(places)
        created = datetime(2025, 1, 20, tzinfo=UTC) + timedelta(hours=rng.randrange(0, 24 * 80))
        if n == 0:
            created = datetime(2025, 1, 31, 17, 30, tzinfo=UTC)  # 1 February in Shanghai
        status = rng.choice(list(LeadStatus))
        triaged = created + timedelta(hours=rng.uniform(1, 200)) if status in TRIAGED else None
        rnd = rng.choice([None, *rounds])
        lead = factories.create_lead(session, author, village, case_id=cases[village.id].id,
                                     status=status, triaged_at=triaged, created_at=created,
                                     round_id=rnd.id if rnd else None)
        leads.append(LeadIn(lead.id, village.township_id, village.id, author.id,
                            rnd.id if rnd else None, created, status, triaged))
    outcomes: list[OutcomeIn] = []
    for n in range(30):
        kind = rng.choice(list(OutcomeKind))
        amount = Decimal(rng.randrange(100, 90000)) if kind == OutcomeKind.PAYMENT_RECEIVED \
            else Decimal("0")
        on = date(2025, 1, 25) + timedelta(days=rng.randrange(0, 90))
        if n % 3:  # through a lead; sometimes the round is only on the lead
            lead = rng.choice(leads)
            own_round = lead.round if rng.random() < 0.5 else None
            factories.create_outcome(session, judge, kind, lead_id=lead.id, amount=amount,
                                     occurred_on=on, round_id=own_round,
                                     case_id=cases[lead.village].id)
            outcomes.append(OutcomeIn(lead, lead.township, lead.village,
                                      own_round or lead.round, kind, amount, on))
        else:
            _, village = rng.choice(places)
            rnd = rng.choice([None, *rounds])
            factories.create_outcome(session, judge, kind, amount=amount, occurred_on=on,
                                     case_id=cases[village.id].id,
                                     round_id=rnd.id if rnd else None)
            outcomes.append(OutcomeIn(None, village.township_id, village.id,
                                      rnd.id if rnd else None, kind, amount, on))
    session.commit()
    return leads, outcomes


LEAD_KEYS = {
    "township": lambda lead: lead.township, "village": lambda lead: lead.village,
    "assistant": lambda lead: lead.author, "round": lambda lead: lead.round,
    "month": lambda lead: lead.created_at.astimezone(SHANGHAI).strftime("%Y-%m"),
}
OUTCOME_KEYS = {
    "township": lambda o: o.township, "village": lambda o: o.village,
    "assistant": lambda o: o.lead.author if o.lead else None, "round": lambda o: o.round,
    "month": lambda o: o.occurred_on.strftime("%Y-%m"),
}


def _expected(leads: list[LeadIn], outcomes: list[OutcomeIn], group_by: str,
              start: date | None, end: date | None) -> dict[Any, dict[str, Any]]:
    """Each group's figures, counted one record at a time; key ``"total"`` for the court."""
    def within(day: date) -> bool:
        return (start is None or day >= start) and (end is None or day <= end)

    useful = {o.lead.id for o in outcomes if o.lead and o.kind != OutcomeKind.NO_RESULT}
    groups: dict[Any, dict[str, Any]] = defaultdict(lambda: defaultdict(int))
    hours: dict[Any, list[float]] = defaultdict(list)
    for lead in leads:
        if not within(lead.created_at.astimezone(SHANGHAI).date()):
            continue
        for key in (LEAD_KEYS[group_by](lead), "total"):
            g = groups[key]
            g["leads_submitted"] += 1
            g["leads_accepted"] += lead.status in ACCEPTED
            g["leads_rejected"] += lead.status == S.REJECTED
            g["leads_duplicate"] += lead.status == S.DUPLICATE
            g["leads_with_outcome"] += lead.id in useful
            if lead.triaged_at:
                hours[key].append((lead.triaged_at - lead.created_at).total_seconds() / 3600)
    all_money = sum((o.amount for o in outcomes if within(o.occurred_on)), Decimal("0"))
    for o in outcomes:
        if not within(o.occurred_on):
            continue
        for key in (OUTCOME_KEYS[group_by](o), "total"):
            g = groups[key]
            g["debtors_located"] += o.kind in (OutcomeKind.DEBTOR_LOCATED,
                                               OutcomeKind.DEBTOR_DETAINED)
            g["property_sealed"] += o.kind in (OutcomeKind.PROPERTY_SEALED,
                                               OutcomeKind.PROPERTY_FROZEN,
                                               OutcomeKind.PROPERTY_SEIZED)
            g["settlements"] += o.kind == OutcomeKind.SETTLEMENT_REACHED
            g["amount_recovered"] += o.amount
            g["amount_through_leads"] += o.amount if o.lead else 0
    for key, g in groups.items():
        g["median_hours_to_triage"] = statistics.median(hours[key]) if hours[key] else None
        money = Decimal(g.get("amount_through_leads", 0))
        g["lead_share"] = float(money / all_money) if all_money else None
    return groups


def _compare(row: dict[str, Any], want: dict[str, Any]) -> None:
    for name in ("leads_submitted", "leads_accepted", "leads_rejected", "leads_duplicate",
                 "leads_with_outcome", "debtors_located", "property_sealed", "settlements"):
        assert row[name] == want.get(name, 0), (row["key"], name)
    for name in ("amount_recovered", "amount_through_leads"):
        assert Decimal(row[name]) == Decimal(want.get(name, 0)), (row["key"], name)
    if want["median_hours_to_triage"] is None:
        assert row["median_hours_to_triage"] is None
    else:
        assert row["median_hours_to_triage"] == pytest.approx(want["median_hours_to_triage"],
                                                              abs=0.051)
    if want["lead_share"] is None:
        assert row["lead_share"] is None
    else:
        assert row["lead_share"] == pytest.approx(want["lead_share"], abs=0.00006)


@pytest.mark.parametrize("group_by", ["township", "village", "assistant", "round", "month"])
@pytest.mark.parametrize("period", [(None, None), (date(2025, 2, 1), date(2025, 3, 15))])
def test_figures_match_an_independent_count(http, world, county, group_by, period):
    leads, outcomes = county
    start, end = period
    params = {"group_by": group_by, **({"from": start.isoformat(), "to": end.isoformat()}
                                       if start else {})}
    response = http.get("/api/v1/reports/outcomes", params=params,
                        headers=world.headers(world.judge_user))
    assert response.status_code == 200, response.text
    body = response.json()
    want = _expected(leads, outcomes, group_by, start, end)
    assert {row["key"] for row in body["rows"]} == set(want) - {"total"}
    for row in body["rows"]:
        _compare(row, want[row["key"]])
    _compare(body["total"], want["total"])
    if group_by == "month" and start is None:
        assert [r["key"] for r in body["rows"]] == sorted(r["key"] for r in body["rows"])
    if group_by == "township":
        assert {r["label"] for r in body["rows"] if r["key"]} <= {"山河镇", "永和镇"}


def test_csv_and_xlsx_in_chinese_and_english_and_audited(http, world, county, engine):
    judge = world.headers(world.judge_user)
    params = {"group_by": "township", "from": "2025-02-01", "to": "2025-03-15"}
    body = http.get("/api/v1/reports/outcomes", params=params, headers=judge).json()

    response = http.get("/api/v1/reports/outcomes", params=params | {"format": "csv"},
                        headers=judge)
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/csv")
    assert ('filename="outcomes-township-2025-02-01_2025-03-15.csv"'
            in response.headers["Content-Disposition"])
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:2] == ["乡镇", "上报线索数"] and rows[0][-1] == "线索到位占比"
    assert len(rows) == 1 + len(body["rows"]) + 1
    assert rows[-1][0] == "合计"
    assert rows[-1][1] == str(body["total"]["leads_submitted"])
    assert rows[-1][10] == body["total"]["amount_recovered"]
    by_label = {r[0]: r for r in rows[1:-1]}
    for row in body["rows"]:
        assert by_label[row["label"] or "（未归属）"][2] == str(row["leads_accepted"])

    english = http.get("/api/v1/reports/outcomes", params=params | {"format": "xlsx"},
                       headers=judge | {"Accept-Language": "en"})
    assert english.status_code == 200
    assert english.headers["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    assert "outcomes-township-2025-02-01_2025-03-15.xlsx" in english.headers[
        "Content-Disposition"]
    sheet = openpyxl.load_workbook(io.BytesIO(english.content)).active
    table = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert table[0][:2] == ["Township", "Leads submitted"]
    assert len(table) == 1 + len(body["rows"]) + 1
    assert table[-1][0] == "Total"
    assert table[-1][1] == body["total"]["leads_submitted"]
    assert table[-1][10] == pytest.approx(float(body["total"]["amount_recovered"]))

    with engine.connect() as conn:
        exports = conn.execute(sa.select(AuditEntry.detail).where(
            AuditEntry.court_id == world.court.id, AuditEntry.action == "report.export",
        ).order_by(AuditEntry.seq)).scalars().all()
    assert [(e["report"], e["format"], e["from"]) for e in exports] == [
        ("outcomes", "csv", "2025-02-01"), ("outcomes", "xlsx", "2025-02-01")]


def test_who_may_read_it(http, world, county, session):
    for role in (Role.JUDGE, Role.OFFICER):
        response = http.get("/api/v1/reports/outcomes",
                            headers=world.headers(world.users[role]))
        assert response.status_code == 200
        assert response.json()["total"]["leads_submitted"] == 40
    for role in (Role.GRID_ASSISTANT, Role.DEPUTY, Role.MEDIATOR, Role.ADMIN,
                 Role.LIAISON_UNIT):
        for fmt in ("json", "csv"):
            response = http.get("/api/v1/reports/outcomes", params={"format": fmt},
                                headers=world.headers(world.users[role]))
            assert_problem(response, 403, "forbidden")
    other_judge = factories.create_user(session, world.other_court, Role.JUDGE)
    session.commit()
    other = http.get("/api/v1/reports/outcomes", params={"group_by": "assistant"},
                     headers=world.headers(other_judge)).json()
    assert other["rows"] == [] and other["total"]["leads_submitted"] == 0
    assert other["total"]["amount_recovered"] == "0.00"


@pytest.mark.parametrize("params", [
    {"group_by": "county"}, {"from": "2025-03-01", "to": "2025-02-01"},
    {"format": "pdf"}, {"from": "yesterday"},
])
def test_bad_arguments_are_422(http, world, params):
    response = http.get("/api/v1/reports/outcomes", params=params,
                        headers=world.headers(world.judge_user))
    assert_problem(response, 422, "validation_failed")
