"""Rounds compared: targets, visits, results and money per round, against the round before,
checked against counts made here over the factory records."""

from __future__ import annotations

import csv
import io
import random
from collections import Counter
from datetime import date, timedelta
from decimal import Decimal

import openpyxl
import pytest

from enforcement.models import LeadStatus, OutcomeKind, Role, RoundStatus, VisitResult
from tests import factories
from tests.api.helpers import assert_problem


@pytest.fixture
def rounds(session, world):
    """Three rounds that went out, a draft and a cancelled one (left out), with targets,
    visits and outcomes (some recorded on the round, some only through a lead on it)."""
    rng = random.Random(11)
    officer = world.users[Role.OFFICER]
    case = factories.create_case(session, world.court)
    made = []
    for n, status in enumerate([RoundStatus.DONE, RoundStatus.DONE, RoundStatus.LOCKED,
                                RoundStatus.DRAFT, RoundStatus.CANCELLED]):
        starts = date(2025, 3, 1) + timedelta(days=60 * n)
        rnd = factories.create_round(session, world.judge_user, status=status, seq=n + 1,
                                     starts_on=starts, ends_on=starts + timedelta(days=4))
        targets = rng.randrange(3, 9)
        for _ in range(targets):
            factories.create_round_target(session, rnd, case_id=case.id)
        results = [rng.choice(list(VisitResult)) for _ in range(rng.randrange(1, targets + 1))]
        for result in results:
            factories.create_visit(session, officer, result, round_id=rnd.id)
        deleted = factories.create_visit(session, officer, VisitResult.PAID, round_id=rnd.id)
        deleted.deleted_at = deleted.created_at
        kinds: list[OutcomeKind] = []
        money = Decimal("0")
        lead = factories.create_lead(session, world.assistant, world.village_a,
                                     round_id=rnd.id, status=LeadStatus.OUTCOME_RECORDED)
        for i in range(rng.randrange(1, 6)):
            kind = rng.choice(list(OutcomeKind))
            amount = Decimal(rng.randrange(100, 5000)) if kind == "payment_received" \
                else Decimal("0")
            via_lead = i % 2 == 1
            factories.create_outcome(session, officer, kind, amount=amount, case_id=case.id,
                                     lead_id=lead.id if via_lead else None,
                                     round_id=None if via_lead else rnd.id)
            kinds.append(kind)
            money += amount
        made.append({"round": rnd, "targets": targets, "results": Counter(results),
                     "kinds": Counter(kinds), "amount": money,
                     "outcomes": sum(1 for k in kinds if k != OutcomeKind.NO_RESULT)})
    # An outcome with no round counts for none.
    factories.create_outcome(session, officer, OutcomeKind.PAYMENT_RECEIVED, case_id=case.id)
    session.commit()
    return made[:3]


def test_each_round_against_the_one_before(http, world, rounds):
    response = http.get("/api/v1/reports/rounds", headers=world.headers(world.judge_user))
    assert response.status_code == 200, response.text
    items = response.json()["items"]
    assert [i["round_id"] for i in items] == [r["round"].id for r in rounds]
    previous = None
    for item, want in zip(items, rounds, strict=True):
        visits = sum(want["results"].values())
        assert (item["targets"], item["visits"], item["outcomes"]) == (
            want["targets"], visits, want["outcomes"])
        assert item["visit_results"] == {r.value: want["results"][r] for r in VisitResult}
        assert item["outcome_kinds"] == {k.value: want["kinds"][k] for k in OutcomeKind}
        assert Decimal(item["amount_recovered"]) == want["amount"]
        compared = item["compared"]
        if previous is None:
            assert all(c == {"previous": None, "delta": None, "ratio": None}
                       for c in compared.values())
        else:
            before = sum(previous["results"].values())
            assert Decimal(compared["visits"]["previous"]) == before
            assert Decimal(compared["visits"]["delta"]) == visits - before
            assert compared["visits"]["ratio"] == pytest.approx(visits / before, abs=1e-4)
            assert Decimal(compared["amount_recovered"]["delta"]) == (
                want["amount"] - previous["amount"])
            assert Decimal(compared["targets"]["delta"]) == want["targets"] - previous["targets"]
        previous = want


def test_a_period_still_compares_with_the_round_before_it(http, world, rounds):
    second = rounds[1]["round"]
    response = http.get("/api/v1/reports/rounds", params={"from": second.starts_on.isoformat(),
                                                          "to": second.starts_on.isoformat()},
                        headers=world.headers(world.users[Role.OFFICER]))
    [item] = response.json()["items"]
    assert item["round_id"] == second.id
    assert Decimal(item["compared"]["targets"]["previous"]) == rounds[0]["targets"]


def test_files(http, world, rounds):
    judge = world.headers(world.judge_user)
    response = http.get("/api/v1/reports/rounds", params={"format": "csv"}, headers=judge)
    table = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert table[0][:6] == ["批次序号", "执行批次", "开始日期", "结束日期", "目标数", "走访数"]
    assert [row[1] for row in table[1:]] == [r["round"].name for r in rounds]
    assert [int(row[4]) for row in table[1:]] == [r["targets"] for r in rounds]
    assert table[1][table[0].index("目标数较上一批次增减")] == ""
    response = http.get("/api/v1/reports/rounds", params={"format": "xlsx"},
                        headers=judge | {"Accept-Language": "en"})
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][4:6] == ("Targets", "Visits made")
    assert [r[5] for r in rows[1:]] == [sum(r["results"].values()) for r in rounds]
    assert 'filename="rounds-all.xlsx"' in response.headers["Content-Disposition"]


def test_access(http, world, rounds, session):
    for role in (Role.GRID_ASSISTANT, Role.DEPUTY, Role.MEDIATOR, Role.ADMIN):
        assert_problem(http.get("/api/v1/reports/rounds",
                                headers=world.headers(world.users[role])), 403, "forbidden")
    other_judge = factories.create_user(session, world.other_court, Role.JUDGE)
    session.commit()
    assert http.get("/api/v1/reports/rounds",
                    headers=world.headers(other_judge)).json() == {"items": []}
    assert_problem(http.get("/api/v1/reports/rounds"), 401, "token_missing")
