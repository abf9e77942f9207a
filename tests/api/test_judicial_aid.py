"""Judicial aid (司法救助) applications, decisions, payments and yearly totals, over HTTP."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import sqlalchemy as sa

from enforcement.models import (
    AidStatus,
    AuditEntry,
    JudicialAid,
    JudicialAidPayment,
    PartyRole,
    Role,
)
from tests import factories
from tests.api.helpers import assert_problem

R = Role
BASE = "/api/v1/judicial-aid"


def _case_with_applicant(session, court):
    case, debtor = factories.create_debtor_case(session, court)
    applicant = factories.create_party(session, court, name="李四")
    factories.add_party(session, case, applicant, PartyRole.APPLICANT)
    return case, applicant, debtor


def test_an_application_is_decided_by_a_judge_and_paid_up_to_the_approval(
        http, world, session):
    case, applicant, _ = _case_with_applicant(session, world.court)
    session.commit()
    officer, judge = world.headers(world.users[R.OFFICER]), world.headers(world.judge_user)
    body = {"case_id": case.id, "applicant_id": applicant.id, "amount_requested": "8000.00",
            "grounds": "申请人因病丧失劳动能力，被执行人无财产可供执行",
            "applied_on": "2026-03-02"}

    created = http.post(BASE, json=body, headers=officer)
    assert created.status_code == 201, created.text
    aid = created.json()
    assert (aid["status"], aid["amount_requested"], aid["amount_paid"]) == (
        "pending", "8000.00", "0.00")
    url = f"{BASE}/{aid['id']}"
    assert created.headers["Location"].endswith(url)
    assert_problem(http.post(f"{url}/payments", json={"amount": "100", "paid_on": "2026-04-01"},
                             headers=officer), 409, "aid_not_approved")
    assert_problem(http.post(f"{url}/decision", headers=officer, json={
        "decision": "approved", "approved_amount": "5000", "reason": "符合条件"}),
        403, "forbidden")
    for bad in ({"approved_amount": "9000.00"}, {"approved_amount": None},
                {"approved_amount": "0"}, {"reason": ""}, {"decision": "maybe"}):
        assert_problem(http.post(f"{url}/decision", headers=judge, json={
            "decision": "approved", "approved_amount": "5000", "reason": "符合条件", **bad}),
            422, "validation_failed")

    decided = http.post(f"{url}/decision", headers=judge, json={
        "decision": "approved", "approved_amount": "5000.00", "reason": "符合司法救助条件"})
    assert decided.status_code == 200, decided.text
    assert (decided.json()["status"], decided.json()["approved_amount"]) == (
        "approved", "5000.00")
    assert_problem(http.post(f"{url}/decision", headers=judge, json={
        "decision": "rejected", "reason": "改变主意"}), 409, "aid_already_decided")

    first = http.post(f"{url}/payments", json={"amount": "3000.00", "paid_on": "2026-04-01"},
                      headers=officer)
    assert first.status_code == 201, first.text
    assert first.json()["amount_paid"] == "3000.00"
    problem = assert_problem(http.post(f"{url}/payments", headers=judge, json={
        "amount": "2000.01", "paid_on": "2026-05-01"}), 409, "aid_payment_exceeds_approved")
    assert problem["detail"]
    for bad in ({"amount": "0"}, {"amount": "-5"}, {"paid_on": "1999-12-31"},
                {"amount": "abc"}):
        assert_problem(http.post(f"{url}/payments", headers=judge, json={
            "amount": "10", "paid_on": "2026-05-01", **bad}), 422, "validation_failed")
    last = http.post(f"{url}/payments", json={"amount": "2000", "paid_on": "2026-05-01",
                                              "note": "第二笔"}, headers=judge)
    assert last.status_code == 201
    shown = http.get(url, headers=officer).json()
    assert shown["amount_paid"] == "5000.00"
    assert [(p["amount"], p["paid_on"]) for p in shown["payments"]] == [
        ("3000.00", "2026-04-01"), ("2000.00", "2026-05-01")]
    assert_problem(http.post(f"{url}/payments", json={"amount": "0.01",
                                                      "paid_on": "2026-05-02"},
                             headers=judge), 409, "aid_payment_exceeds_approved")

    session.expire_all()
    paid = session.scalar(sa.select(sa.func.sum(JudicialAidPayment.amount)).where(
        JudicialAidPayment.aid_id == aid["id"]))
    assert paid == Decimal("5000.00")
    actions = list(session.scalars(sa.select(AuditEntry.action).where(
        AuditEntry.subject_id == aid["id"]).order_by(AuditEntry.seq)))
    assert actions == ["judicial_aid.apply", "judicial_aid.decide", "judicial_aid.pay",
                       "judicial_aid.pay"]


def test_only_the_winning_party_applies_and_a_rejection_is_never_paid(http, world, session):
    case, applicant, debtor = _case_with_applicant(session, world.court)
    session.commit()
    judge = world.headers(world.judge_user)
    body = {"case_id": case.id, "applicant_id": debtor.id, "amount_requested": "1000",
            "grounds": "生活困难"}
    problem = assert_problem(http.post(BASE, json=body, headers=judge), 422,
                             "party_not_applicant")
    assert "applicant_id" in problem["errors"]["json"]
    for bad in ({"amount_requested": "0"}, {"amount_requested": "10000000000"},
                {"grounds": ""}, {"case_id": "nope"}, {"applied_on": "2200-01-01"},
                {"applicant_id": applicant.id, "case_id": factories.create_case(
                    session, world.other_court).id}):
        session.commit()
        assert_problem(http.post(BASE, json={**body, "applicant_id": applicant.id, **bad},
                                 headers=judge), 422, "validation_failed")
    session.expire_all()
    assert session.scalar(sa.select(sa.func.count()).select_from(JudicialAid)) == 0

    aid = http.post(BASE, json={**body, "applicant_id": applicant.id}, headers=judge).json()
    assert aid["applied_on"] == datetime.now(UTC).date().isoformat()
    rejected = http.post(f"{BASE}/{aid['id']}/decision", headers=judge, json={
        "decision": "rejected", "approved_amount": "500", "reason": "申请人有稳定收入"}).json()
    assert (rejected["status"], rejected["approved_amount"]) == ("rejected", None)
    assert_problem(http.post(f"{BASE}/{aid['id']}/payments", headers=judge, json={
        "amount": "1", "paid_on": "2026-11-20"}), 409, "aid_not_approved")


def test_aid_stays_in_its_court_and_with_court_staff(http, world, session):
    case, applicant, _ = _case_with_applicant(session, world.court)
    mine = factories.create_judicial_aid(session, case, applicant, world.judge_user)
    foreign_case, foreign_applicant, _ = _case_with_applicant(session, world.other_court)
    foreign_judge = factories.create_user(session, world.other_court, R.JUDGE)
    theirs = factories.create_judicial_aid(session, foreign_case, foreign_applicant,
                                           foreign_judge, status=AidStatus.APPROVED,
                                           approved_amount=Decimal("100"))
    session.commit()
    judge = world.headers(world.judge_user)
    assert [a["id"] for a in http.get(BASE, headers=judge).json()["items"]] == [mine.id]
    assert_problem(http.get(f"{BASE}/{theirs.id}", headers=judge), 404,
                   "judicial_aid_not_found")
    assert_problem(http.post(f"{BASE}/{theirs.id}/payments", headers=judge, json={
        "amount": "1", "paid_on": "2026-11-20"}), 404, "judicial_aid_not_found")
    assert_problem(http.post(f"{BASE}/{theirs.id}/decision", headers=judge, json={
        "decision": "rejected", "reason": "x"}), 404, "judicial_aid_not_found")
    for role in (R.GRID_ASSISTANT, R.MEDIATOR, R.DEPUTY, R.LIAISON_UNIT, R.ADMIN):
        headers = world.headers(world.users[role])
        assert_problem(http.get(f"{BASE}/{mine.id}", headers=headers), 403, "forbidden")
        assert_problem(http.get(BASE, headers=headers), 403, "forbidden")
        assert_problem(http.get(f"{BASE}/totals", params={"year": 2026}, headers=headers),
                       403, "forbidden")
    totals = http.get(f"{BASE}/totals", params={"year": 2026},
                      headers=world.headers(foreign_judge)).json()
    assert totals["applications"] == 1  # their own, not ours as well


def test_totals_per_year_count_applications_decisions_and_payments_by_their_own_day(
        http, world, session):
    case, applicant, _ = _case_with_applicant(session, world.court)
    judge_user = world.judge_user
    late_2025 = factories.create_judicial_aid(
        session, case, applicant, judge_user, applied_on=date(2025, 12, 20),
        amount_requested=Decimal("6000"), status=AidStatus.APPROVED,
        approved_amount=Decimal("4000"), decided_by=judge_user.id,
        decided_at=datetime(2026, 1, 5, tzinfo=UTC), decision_reason="符合条件")
    for amount, day in (("1500", date(2025, 12, 30)), ("2500", date(2026, 2, 1))):
        session.add(JudicialAidPayment(court_id=world.court.id, aid_id=late_2025.id,
                                       amount=Decimal(amount), paid_on=day,
                                       recorded_by=judge_user.id))
    factories.create_judicial_aid(session, case, applicant, judge_user,
                                  applied_on=date(2026, 6, 1), amount_requested=Decimal("300"),
                                  status=AidStatus.REJECTED, decided_by=judge_user.id,
                                  decided_at=datetime(2026, 6, 9, tzinfo=UTC))
    factories.create_judicial_aid(session, case, applicant, judge_user,
                                  applied_on=date(2026, 11, 2))
    session.commit()
    officer = world.headers(world.users[R.OFFICER])

    def totals(year):
        got = http.get(f"{BASE}/totals", params={"year": year}, headers=officer)
        assert got.status_code == 200, got.text
        return got.json()

    assert totals(2025) == {"year": 2025, "applications": 1, "amount_requested": "6000.00",
                            "approved": 0, "rejected": 0, "amount_approved": "0.00",
                            "payments": 1, "amount_paid": "1500.00"}
    assert totals(2026) == {"year": 2026, "applications": 2, "amount_requested": "5300.00",
                            "approved": 1, "rejected": 1, "amount_approved": "4000.00",
                            "payments": 1, "amount_paid": "2500.00"}
    assert totals(2024)["applications"] == 0 and totals(2024)["amount_paid"] == "0.00"
    for bad in ({}, {"year": "abc"}, {"year": 1999}):
        assert_problem(http.get(f"{BASE}/totals", params=bad, headers=officer), 422,
                       "validation_failed")

    listed = http.get(BASE, params={"year": 2026, "status": "pending"}, headers=officer).json()
    assert [a["applied_on"] for a in listed["items"]] == ["2026-11-02"]
    in_2025 = http.get(BASE, params={"year": 2025}, headers=officer).json()["items"]
    assert [(a["id"], a["amount_paid"]) for a in in_2025] == [(late_2025.id, "4000.00")]
    page = http.get(BASE, params={"limit": 2}, headers=officer).json()
    assert len(page["items"]) == 2 and page["next_cursor"]
    rest = http.get(BASE, params={"limit": 2, "cursor": page["next_cursor"]},
                    headers=officer).json()
    assert len(rest["items"]) == 1 and rest["next_cursor"] is None


def test_payments_at_the_same_moment_cannot_together_pass_the_approval(http, world, session):
    """The application row is locked while a payment is checked and written, so of two
    payments that each fit but together would not, exactly one goes through."""
    from concurrent.futures import ThreadPoolExecutor

    case, applicant, _ = _case_with_applicant(session, world.court)
    aid = factories.create_judicial_aid(session, case, applicant, world.judge_user,
                                        status=AidStatus.APPROVED,
                                        approved_amount=Decimal("5000.00"))
    session.commit()
    headers = world.headers(world.users[R.OFFICER])  # sign in before the race

    def pay(_: int) -> int:
        return http.post(f"{BASE}/{aid.id}/payments", headers=headers, json={
            "amount": "3000.00", "paid_on": "2026-11-20"}).status_code

    with ThreadPoolExecutor(2) as pool:
        statuses = sorted(pool.map(pay, range(2)))
    assert statuses == [201, 409]
    assert http.get(f"{BASE}/{aid.id}", headers=headers).json()["amount_paid"] == "3000.00"


def test_applications_export_as_csv_and_xlsx_with_headers_in_the_callers_language(
        http, world, session):
    import csv
    import io

    import openpyxl

    case, applicant, _ = _case_with_applicant(session, world.court)
    factories.create_judicial_aid(session, case, applicant, world.judge_user,
                                  applied_on=date(2026, 3, 1))
    factories.create_judicial_aid(session, case, applicant, world.judge_user,
                                  applied_on=date(2026, 5, 1), status=AidStatus.APPROVED,
                                  approved_amount=Decimal("1200.50"))
    factories.create_judicial_aid(session, case, applicant, world.judge_user,
                                  applied_on=date(2025, 5, 1))
    session.commit()
    officer = world.headers(world.users[R.OFFICER])

    got = http.get(BASE, params={"format": "csv", "year": 2026}, headers=officer)
    assert got.status_code == 200, got.text
    assert got.headers["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(got.content.decode("utf-8-sig"))))
    assert rows[0][:3] == ["申请日期", "案号", "申请人"]
    assert [(r[0], r[1], r[5], r[6]) for r in rows[1:]] == [
        ("2026-03-01", case.case_number, "待审批", ""),
        ("2026-05-01", case.case_number, "已批准", "1200.50")]

    got = http.get(BASE, params={"format": "xlsx"},
                   headers={**officer, "Accept-Language": "en"})
    assert got.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(got.content)).active
    assert sheet.cell(1, 1).value == "Applied on" and sheet.max_row == 4
    assert_problem(http.get(BASE, params={"format": "pdf"}, headers=officer), 422,
                   "validation_failed")
    assert_problem(http.get(BASE, params={"format": "csv"},
                            headers=world.headers(world.users[R.LIAISON_UNIT])),
                   403, "forbidden")
    session.expire_all()
    exports = list(session.scalars(sa.select(AuditEntry).where(
        AuditEntry.court_id == world.court.id, AuditEntry.action == "report.export")
        .order_by(AuditEntry.seq)))
    assert [(e.detail["report"], e.detail["format"], e.detail["rows"]) for e in exports] == [
        ("judicial_aid", "csv", 2), ("judicial_aid", "xlsx", 3)]
