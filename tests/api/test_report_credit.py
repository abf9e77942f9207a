"""The monthly credit report: listings and restrictions by the day they took effect,
liftings (by a repair apart), repairs by the day the judge decided, joint punishment
notices and their copies by the day issued, judicial aid by the day paid — the court's own
records only, every month present, exports audited."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime
from decimal import Decimal
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import openpyxl
import pytest
import sqlalchemy as sa

from enforcement.models import AuditEntry, JudicialAidPayment, MeasureKind, Role
from tests import factories
from tests.api.helpers import assert_problem

URL = "/api/v1/reports/credit"


@pytest.fixture
def credit_history(world, session):
    """Sep: p1 listed and restricted; Oct: p2 listed and exit-restricted, p2's listing
    lifted by a repair (approved over HTTP by the test), a notice to two units, one aid
    payment of 3,000; another court's listing in Oct that must not count."""
    judge, officer = world.judge_user, world.users[Role.OFFICER]
    case1, p1 = factories.create_debtor_case(session, world.court, world.village_a)
    case2, p2 = factories.create_debtor_case(session, world.court, world.village_a)
    factories.impose_measure(session, p1, case1, judge, imposed_on=date(2026, 9, 10))
    factories.impose_measure(session, p1, case1, judge, MeasureKind.CONSUMPTION,
                             imposed_on=date(2026, 9, 20))
    factories.impose_measure(session, p2, case2, judge, imposed_on=date(2026, 10, 5))
    factories.impose_measure(session, p2, case2, judge, MeasureKind.EXIT,
                             imposed_on=date(2026, 10, 6))
    repair = factories.create_repair(session, p2, case2, officer)
    units = [factories.create_linkage_unit(session, world.court) for _ in range(2)]
    factories.create_punishment_notice(
        session, case1, p1, judge, *units, issued_at=datetime(2026, 10, 15, 2, tzinfo=UTC))
    creditor = factories.create_party(session, world.court)
    factories.add_party(session, case1, creditor, role="applicant")
    aid = factories.create_judicial_aid(session, case1, creditor, officer, status="approved",
                                        approved_amount=Decimal("4000.00"),
                                        decided_by=judge.id, decided_at=datetime.now(UTC))
    session.add(JudicialAidPayment(court_id=world.court.id, aid_id=aid.id,
                                   amount=Decimal("3000.00"), paid_on=date(2026, 10, 30),
                                   recorded_by=officer.id))
    other_judge = factories.create_user(session, world.other_court, Role.JUDGE)
    other_case, other_party = factories.create_debtor_case(session, world.other_court)
    factories.impose_measure(session, other_party, other_case, other_judge,
                             imposed_on=date(2026, 10, 5))
    session.commit()
    return SimpleNamespace(repair=repair, other_judge=other_judge)


def _approve(http, world, repair):
    answer = http.post(f"/api/v1/credit-repairs/{repair.id}/decision",
                       headers=world.headers(world.judge_user),
                       json={"decision": "approve", "reason": "已全部履行",
                             "effective_on": "2026-10-20"})
    assert answer.status_code == 200, answer.text


def test_each_figure_counts_in_the_month_of_its_own_day(http, world, credit_history):
    _approve(http, world, credit_history.repair)
    body = http.get(URL, headers=world.headers(world.users[Role.OFFICER])).json()
    decided_month = datetime.now(ZoneInfo("Asia/Shanghai")).strftime("%Y-%m")
    rows = {r["month"]: r for r in body["rows"]}
    months, (year, month) = [], (2026, 9)
    while f"{year:04d}-{month:02d}" <= decided_month:
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    assert list(rows) == months, "every month from the first figure to the last, in order"
    sep, oct_ = rows["2026-09"], rows["2026-10"]
    assert (sep["dishonest_listed"], sep["consumption_restricted"], sep["exit_restricted"]) \
        == (1, 1, 0)
    assert (oct_["dishonest_listed"], oct_["exit_restricted"]) == (1, 1), \
        "the other court's listing is not counted"
    assert (oct_["measures_lifted"], oct_["lifted_by_repair"]) == (1, 1)
    assert (oct_["notices_issued"], oct_["notice_copies"]) == (1, 2)
    assert (oct_["aid_payments"], oct_["aid_paid"]) == (1, "3000.00")
    assert rows[decided_month]["repairs_approved"] == 1
    total = body["total"]
    assert total["month"] is None
    assert (total["dishonest_listed"], total["repairs_approved"], total["aid_paid"]) == \
        (2, 1, "3000.00")


def test_a_period_keeps_its_own_months_only(http, world, credit_history):
    body = http.get(URL, params={"from": "2026-10-01", "to": "2026-10-31"},
                    headers=world.headers(world.judge_user)).json()
    assert [r["month"] for r in body["rows"]] == ["2026-10"]
    assert body["total"]["dishonest_listed"] == 1 and body["total"]["consumption_restricted"] == 0
    empty = http.get(URL, params={"from": "2027-01-01", "to": "2027-02-28"},
                     headers=world.headers(world.judge_user)).json()
    assert [r["month"] for r in empty["rows"]] == ["2027-01", "2027-02"]
    assert empty["total"]["notices_issued"] == 0 and empty["total"]["aid_paid"] == "0.00"
    assert_problem(http.get(URL, params={"from": "2026-10-31", "to": "2026-10-01"},
                            headers=world.headers(world.judge_user)), 422, "validation_failed")


def test_exports_in_chinese_and_english_are_audited(http, world, session, credit_history):
    judge = world.headers(world.judge_user)
    zh = http.get(URL, params={"format": "csv", "from": "2026-09-01", "to": "2026-10-31"},
                  headers=judge)
    assert zh.status_code == 200 and zh.headers["Content-Type"].startswith("text/csv")
    table = list(csv.reader(io.StringIO(zh.content.decode("utf-8-sig"))))
    assert table[0][:2] == ["月份", "纳入失信名单"]
    assert [r[0] for r in table[1:]] == ["2026-09", "2026-10", "合计"]
    assert table[-1][1] == "2"
    en = http.get(URL, params={"format": "xlsx"},
                  headers={**judge, "Accept-Language": "en"})
    sheet = openpyxl.load_workbook(io.BytesIO(en.content)).active
    header = [c.value for c in sheet[1]]
    assert header[:2] == ["Month", "Listed as dishonest debtors"]
    assert sheet.cell(sheet.max_row, 1).value == "Total"
    session.expire_all()
    exports = session.scalars(sa.select(AuditEntry).where(
        AuditEntry.court_id == world.court.id, AuditEntry.action == "report.export")).all()
    assert sorted(e.detail["format"] for e in exports if e.detail["report"] == "credit") == \
        ["csv", "xlsx"]


def test_only_the_courts_judges_and_officers_read_it(http, world, credit_history):
    for role in (Role.GRID_ASSISTANT, Role.MEDIATOR, Role.DEPUTY, Role.LIAISON_UNIT,
                 Role.ADMIN):
        assert_problem(http.get(URL, headers=world.headers(world.users[role])), 403,
                       "forbidden")
    assert_problem(http.get(URL, headers=world.headers(world.stranger)), 403, "forbidden")
    theirs = http.get(URL, headers=world.headers(credit_history.other_judge)).json()["total"]
    assert (theirs["dishonest_listed"], theirs["exit_restricted"], theirs["notices_issued"],
            theirs["aid_payments"]) == (1, 0, 0, 0), "another court sees only its own"
