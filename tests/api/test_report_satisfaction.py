"""The parties' satisfaction report (issue 21) against counts made here in plain SQL, with
evaluations on both sides of a China month boundary (UTC 17:00 on the last day is already
the 1st in Beijing) and complaints answered on time, late, and not at all."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa

from enforcement.models import PartyEvaluation, PartyRole, Role, utcnow
from tests import factories
from tests.api.helpers import bearer
from tests.factories.public import build_window_case, create_query_code

T0 = datetime(2026, 1, 31, 16, 30, tzinfo=UTC)  # 2026-02-01 00:30 in Beijing
INDEPENDENT = """
SELECT {key} AS key,
       count(*) AS evaluations,
       round(sum(rating)::numeric / count(*), 2) AS average_rating,
       sum(CASE WHEN rating IN (4, 5) THEN 1 ELSE 0 END) AS satisfied,
       sum(CASE WHEN complaint IS NOT NULL THEN 1 ELSE 0 END) AS complaints,
       sum(CASE WHEN complaint IS NOT NULL AND replied_at IS NOT NULL THEN 1 ELSE 0 END)
         AS answered,
       sum(CASE WHEN replied_at IS NOT NULL AND replied_at <= due_at THEN 1 ELSE 0 END)
         AS answered_on_time,
       sum(CASE WHEN complaint IS NOT NULL AND replied_at IS NULL AND due_at < now()
           THEN 1 ELSE 0 END) AS overdue
  FROM party_evaluation
 WHERE court_id = :court
   AND (created_at AT TIME ZONE 'Asia/Shanghai')::date BETWEEN :start AND :end
 GROUP BY 1
"""
KEYS = {"judge": "judge_id", "township": "township_id",
        "month": "to_char(date_trunc('month', created_at AT TIME ZONE 'Asia/Shanghai'), "
                 "'YYYY-MM')"}


@pytest.fixture
def evaluated(session):
    """Two cases with different judges and townships; twelve evaluations, one per code."""
    court = factories.create_court(session)
    first, second = build_window_case(session, court), build_window_case(session, court)
    rows = []
    plan = [  # (case, minutes after T0, rating, complaint, answered after hours, due days)
        (first, -60, 5, None, None, 10), (first, 10, 4, None, None, 10),
        (first, 20, 2, "太慢", 30, 10), (first, 24 * 60 * 3, 1, "不理人", 24 * 20, 10),
        (first, 24 * 60 * 5, 3, "未答复", None, -1), (second, -90, 5, None, None, 10),
        (second, 40, 1, "查封不当", 5, 10), (second, 24 * 60 * 40, 4, None, None, 10),
        (second, 24 * 60 * 41, 2, "还没结", None, 10), (first, 24 * 60 * 60, 5, None, None, 10),
        (second, -24 * 60 * 10, 3, None, None, 10), (first, 24 * 60 * 70, 4, "态度好", 2, 10),
    ]
    for case, minutes, rating, complaint, hours, due_days in plan:
        code, _ = create_query_code(session, case.case, case.applicant, PartyRole.APPLICANT,
                                    case.judge, revoked_at=utcnow())  # re-issued since
        at = T0 + timedelta(minutes=minutes)
        due = (at + timedelta(days=due_days) if due_days > 0 else utcnow() - timedelta(days=1))
        rows.append(PartyEvaluation(
            court_id=court.id, case_id=case.case.id, query_code_id=code.id, role=code.role,
            rating=rating, complaint=complaint, judge_id=case.judge.id,
            township_id=case.township_id, created_at=at,
            due_at=due if complaint else None,
            replied_at=at + timedelta(hours=hours) if complaint and hours else None,
            replied_by=case.judge.id if complaint and hours else None,
            reply="已处理" if complaint and hours else None))
    session.add_all(rows)
    officer = factories.create_user(session, court, Role.OFFICER)
    session.commit()
    return court, officer


@pytest.mark.parametrize("group_by", ["judge", "township", "month"])
@pytest.mark.parametrize(("start", "end"), [(date(2026, 1, 1), date(2026, 12, 31)),
                                            (date(2026, 2, 1), date(2026, 2, 28))])
def test_each_figure_matches_an_independent_count(http, login, engine, evaluated, group_by,
                                                  start, end):
    court, officer = evaluated
    report = http.get("/api/v1/reports/satisfaction", headers=bearer(login(officer)),
                      params={"group_by": group_by, "from": start.isoformat(),
                              "to": end.isoformat()})
    assert report.status_code == 200, report.text
    with engine.connect() as conn:
        expected = {r.key: r for r in conn.execute(sa.text(INDEPENDENT.format(
            key=KEYS[group_by])), {"court": court.id, "start": start, "end": end})}
        hours = dict(conn.execute(sa.text(
            f"SELECT {KEYS[group_by]}, avg(extract(epoch FROM replied_at - created_at) / 3600) "
            "FROM party_evaluation WHERE court_id = :court AND replied_at IS NOT NULL AND "
            "(created_at AT TIME ZONE 'Asia/Shanghai')::date BETWEEN :start AND :end "
            "GROUP BY 1"), {"court": court.id, "start": start, "end": end}).all())
    rows = report.json()["rows"]
    assert {r["key"] for r in rows} == set(expected)
    for row in rows:
        want = expected[row["key"]]
        for figure in ("evaluations", "satisfied", "complaints", "answered",
                       "answered_on_time", "overdue"):
            assert row[figure] == getattr(want, figure), (row["key"], figure)
        assert Decimal(row["average_rating"]) == want.average_rating
        got_hours = row["average_answer_hours"]
        assert (got_hours is None) == (row["key"] not in hours)
        if got_hours is not None:
            assert abs(Decimal(got_hours) - Decimal(hours[row["key"]])) <= Decimal("0.05")
    total = report.json()["total"]
    assert total["evaluations"] == sum(r.evaluations for r in expected.values())
    assert total["complaints"] == sum(r.complaints for r in expected.values())


def test_the_month_boundary_is_chinas(http, login, evaluated):
    _, officer = evaluated
    rows = http.get("/api/v1/reports/satisfaction", headers=bearer(login(officer)),
                    params={"group_by": "month"}).json()["rows"]
    by_month = {r["key"]: r["evaluations"] for r in rows}
    # from 16:00 UTC on 31 January it is February in Beijing; 15:30 and 15:00 UTC are not
    assert by_month["2026-01"] == 3 and by_month["2026-02"] == 5


def test_judges_labelled_by_name_and_the_report_is_court_staffs(http, login, session,
                                                                evaluated):
    court, officer = evaluated
    rows = http.get("/api/v1/reports/satisfaction", headers=bearer(login(officer)),
                    params={"group_by": "judge"}).json()["rows"]
    assert {r["label"] for r in rows} == {"王法官"}
    assistant = factories.create_user(session, court, Role.GRID_ASSISTANT)
    deputy = factories.create_user(session, court, Role.DEPUTY)
    session.commit()
    for user in (assistant, deputy):
        assert http.get("/api/v1/reports/satisfaction",
                        headers=bearer(login(user))).status_code == 403
