"""The parties' window (issue 21) through real HTTP: the access table of query codes, the
wrong-digit lock, the rate limits, masking, what a debtor's code shows, the audit, and
evaluations that reach the judge. ``SECRETS`` are stored on the case (an address, internal
notes, a lead, a sighting, a phone, an identity number, a decision's text): no answer and
no page for a party may contain any of them."""

from __future__ import annotations

import base64
import json
from datetime import timedelta
from types import SimpleNamespace

import pytest
import sqlalchemy as sa

from enforcement.models import PartyRole, QueryCode, Role, utcnow
from enforcement.public.access import MAX_WRONG_DIGITS
from tests import factories
from tests.api.helpers import assert_problem, bearer
from tests.factories.public import SECRETS, build_window_case, create_query_code

APPLICANT_LAST_FOUR = "001x"  # 62010219850505001X, typed in lower case
DEBTOR_LAST_FOUR = "5678"
OPEN = "/api/v1/public/cases/open"


@pytest.fixture
def window(session):
    built = build_window_case(session, factories.create_court(session))
    session.commit()
    return built


def issue(http, login, window, party, judge=None):
    response = http.post("/api/v1/query-codes", headers=bearer(login(judge or window.judge)),
                         json={"case_id": window.case.id, "party_id": party.id})
    assert response.status_code == 201, response.text
    return response.json()


def open_case(client, code, last_four, **kwargs):
    return client.post(OPEN, json={"code": code, "id_last_four": last_four}, **kwargs)


def assert_no_secret(text, *more):
    for secret in (*SECRETS, *more):
        assert secret not in text, f"{secret!r} leaked"


def test_a_code_opens_its_own_case_and_nothing_else(http, login, session, window):
    issued = issue(http, login, window, window.applicant)
    assert issued["role"] == "applicant" and len(issued["code"]) == 29  # 5 groups of 5
    assert base64.b64decode(issued["qr_png"]).startswith(b"\x89PNG")
    assert issued["url"].endswith(f"/public/case?code={issued['code']}")
    other = build_window_case(session, window.court)
    other_court = build_window_case(session, factories.create_court(session))
    _, other_code = create_query_code(session, other.case, other.applicant,
                                      PartyRole.APPLICANT, other.judge)
    _, far_code = create_query_code(session, other_court.case, other_court.applicant,
                                    PartyRole.APPLICANT, other_court.judge)
    session.commit()

    for code, case in ((issued["code"], window.case), (other_code, other.case),
                       (far_code, other_court.case)):
        opened = open_case(http, code.lower().replace("-", " "), APPLICANT_LAST_FOUR)
        assert opened.status_code == 200, opened.text
        assert opened.json()["case"]["case_number"] == case.case_number
        again = http.get("/api/v1/public/case",
                         headers={"Authorization": f"Bearer {opened.json()['view_token']}"})
        assert again.json()["case_number"] == case.case_number

    assert_problem(open_case(http, "0" * 25, APPLICANT_LAST_FOUR), 404, "query_code_unknown")
    assert_problem(open_case(http, "not a code", APPLICANT_LAST_FOUR), 404, "query_code_unknown")
    assert_problem(http.get("/api/v1/public/case"), 401, "view_token_missing")
    staff_token = login(window.judge)["access_token"]  # a judge's token is no view token
    assert_problem(http.get("/api/v1/public/case",
                            headers={"Authorization": f"Bearer {staff_token}"}),
                   401, "view_token_invalid")


def test_a_revoked_code_opens_nothing_not_even_a_page_opened_before(http, login, window):
    issued = issue(http, login, window, window.applicant)
    token = open_case(http, issued["code"], APPLICANT_LAST_FOUR).json()["view_token"]
    revoked = http.post(f"/api/v1/query-codes/{issued['id']}/revoke",
                        headers=bearer(login(window.judge)))
    assert revoked.status_code == 200 and revoked.json()["revoked_at"]

    assert_problem(open_case(http, issued["code"], APPLICANT_LAST_FOUR), 404, "query_code_unknown")
    headers = {"Authorization": f"Bearer {token}"}
    assert_problem(http.get("/api/v1/public/case", headers=headers), 404, "query_code_unknown")
    assert_problem(http.post("/api/v1/public/evaluations", headers=headers, json={"rating": 5}),
                   404, "query_code_unknown")
    page = http.post("/public/case", data={"code": issued["code"],
                                           "id_last_four": APPLICANT_LAST_FOUR})
    assert page.status_code == 404 and window.case.case_number not in page.text


def test_reissuing_replaces_the_code_and_only_the_cases_judge_may(http, login, session, window):
    first = issue(http, login, window, window.applicant)
    second = issue(http, login, window, window.applicant)
    assert first["code"] != second["code"]
    assert_problem(open_case(http, first["code"], APPLICANT_LAST_FOUR), 404, "query_code_unknown")
    assert open_case(http, second["code"], APPLICANT_LAST_FOUR).status_code == 200

    other_judge = factories.create_user(session, window.court, Role.JUDGE)
    session.commit()
    body = {"case_id": window.case.id, "party_id": window.applicant.id}
    assert_problem(http.post("/api/v1/query-codes", json=body, headers=bearer(login(other_judge))),
                   403, "not_responsible_judge")
    assert_problem(http.post(f"/api/v1/query-codes/{second['id']}/revoke",
                             headers=bearer(login(other_judge))), 403, "not_responsible_judge")
    assert_problem(http.post("/api/v1/query-codes", json=body,
                             headers=bearer(login(window.officer))), 403, "forbidden")
    listed = http.get("/api/v1/query-codes", params={"case_id": window.case.id},
                      headers=bearer(login(window.officer))).json()
    assert [c["id"] for c in listed] == [second["id"], first["id"]]
    assert "code" not in listed[0] and "code_hash" not in json.dumps(listed)
    stored = session.scalars(sa.select(QueryCode.code_hash)).all()
    assert second["code"].replace("-", "") not in stored  # only the hash is kept


def test_wrong_digits_slow_one_address_then_lock_the_code_until_reissued(
        make_app, http, login, engine, window):
    code = issue(http, login, window, window.debtor)["code"]
    client = make_app().test_client()

    def from_(address, last_four):
        answer = open_case(client, code, last_four, environ_base={"REMOTE_ADDR": address})
        return SimpleNamespace(status_code=answer.status_code, headers=answer.headers,
                               text=answer.get_data(as_text=True), json=lambda: answer.json)

    for i in range(5):
        body = assert_problem(from_("10.0.0.1", "0000"), 403, "query_digits_wrong")
        assert body["tries_left"] == MAX_WRONG_DIGITS - 1 - i
    slowed = assert_problem(from_("10.0.0.1", DEBTOR_LAST_FOUR), 429, "query_code_slowed")
    assert slowed["title"]
    assert from_("10.0.0.2", DEBTOR_LAST_FOUR).status_code == 200  # the owner, elsewhere

    for i in range(MAX_WRONG_DIGITS):  # from many addresses: the code itself locks
        answer = from_(f"10.0.1.{i}", "9999")
    assert_problem(answer, 403, "query_code_locked")
    assert_problem(from_("10.0.2.1", DEBTOR_LAST_FOUR), 403, "query_code_locked")
    with engine.connect() as conn:
        wrong = conn.execute(sa.text(
            "SELECT detail FROM audit_log WHERE court_id = :c AND action = 'public.digits_wrong' "
            "ORDER BY seq"), {"c": window.court.id}).scalars().all()
    assert len(wrong) == 5 + MAX_WRONG_DIGITS and wrong[-1]["locked"] is True

    fresh = issue(http, login, window, window.debtor)["code"]
    assert open_case(client, fresh, DEBTOR_LAST_FOUR,
                     environ_base={"REMOTE_ADDR": "10.0.2.1"}).status_code == 200


def test_the_applicant_sees_progress_and_the_debtor_masked_never_a_secret(http, login, window):
    code = issue(http, login, window, window.applicant)["code"]
    opened = open_case(http, code, APPLICANT_LAST_FOUR, headers={"Accept-Language": "en"})
    case = opened.json()["case"]
    assert case["you"] == "李四光" and case["other_side"] == ["张*明"]
    assert (case["amount_owed"], case["amount_recovered"], case["amount_paid_out"]) == (
        "50000.00", "12000.00", "10000.00")
    assert case["judge_name"] == "王法官" and case["reception_days"].startswith("每周三")
    assert [(s["code"], s["done"]) for s in case["steps"]] == [
        ("serve_notice", True), ("seal_up", True), ("auction", False)]
    assert case["steps"][0]["witnessed_by"] == 2
    assert case["measures"] == [] and case["repairs"] == []
    assert_no_secret(opened.text, "张三明", window.officer.username, window.debtor.id)

    page = http.post("/public/case", data={"code": code, "id_last_four": APPLICANT_LAST_FOUR,
                                           "lang": "en"})
    assert page.status_code == 200 and "张*明" in page.text and "Judicial auction" in page.text
    assert "script" not in page.headers["Content-Security-Policy"]
    assert page.headers["Cache-Control"] == "no-store"
    assert_no_secret(page.text, "张三明", window.debtor.id)


def test_the_debtors_code_shows_the_measures_in_force_and_credit_repair(http, login, window):
    code = issue(http, login, window, window.debtor)["code"]
    opened = open_case(http, code, DEBTOR_LAST_FOUR)
    case = opened.json()["case"]
    assert case["role"] == "debtor" and case["other_side"] == ["李*光"]
    assert {m["kind"] for m in case["measures"]} == {"dishonest", "consumption_restriction"}
    assert [r["status"] for r in case["repairs"]] == ["pending"]
    assert_no_secret(opened.text, "62010219850505001X", "西峰区")

    page = http.post("/public/case", data={"code": code, "id_last_four": DEBTOR_LAST_FOUR})
    assert "纳入失信被执行人名单" in page.text and "限制高消费" in page.text
    assert "信用修复" in page.text and 'id="repair-howto"' in page.text
    assert_no_secret(page.text, "62010219850505001X", "西峰区")


def test_every_view_is_audited_with_the_address(http, login, engine, window):
    issued = issue(http, login, window, window.applicant)
    token = open_case(http, issued["code"], APPLICANT_LAST_FOUR).json()["view_token"]
    http.get("/api/v1/public/case", headers={"Authorization": f"Bearer {token}"})
    http.post("/public/case/view", data={"view_token": token, "lang": "en"})
    with engine.connect() as conn:
        rows = conn.execute(sa.text(
            "SELECT action, subject_id, ip, actor_id FROM audit_log WHERE court_id = :c "
            "AND action LIKE 'public.%' ORDER BY seq"), {"c": window.court.id}).all()
    assert [r.action for r in rows] == ["public.case_open", "public.case_view",
                                       "public.case_view"]
    assert {r.subject_id for r in rows} == {issued["id"]}
    assert all(r.ip == "127.0.0.1" and r.actor_id is None for r in rows)


def test_a_complaint_reaches_the_judge_who_answers_it_once(http, login, session, window):
    code = issue(http, login, window, window.applicant)["code"]
    token = open_case(http, code, APPLICANT_LAST_FOUR).json()["view_token"]
    headers = {"Authorization": f"Bearer {token}"}
    sent = http.post("/api/v1/public/evaluations", headers=headers,
                     json={"rating": 2, "comment": "进展慢", "complaint": "三个月没有消息"})
    assert sent.status_code == 201, sent.text
    due = sent.json()["due_at"]
    assert_problem(http.post("/api/v1/public/evaluations", headers=headers, json={"rating": 5}),
                   409, "already_evaluated")
    assert http.get("/api/v1/public/case", headers=headers).json()["evaluated"] is True

    judge = bearer(login(window.judge))
    listed = http.get("/api/v1/party-feedback", params={"complaints_only": "true"},
                      headers=judge).json()["items"]
    assert [(f["rating"], f["complaint"], f["judge_id"], f["due_at"]) for f in listed] == [
        (2, "三个月没有消息", window.judge.id, due)]
    assert http.get("/api/v1/party-feedback/overdue", headers=judge).json()["items"] == []
    other_judge = factories.create_user(session, window.court, Role.JUDGE)
    session.commit()
    path = f"/api/v1/party-feedback/{listed[0]['id']}/reply"
    assert_problem(http.post(path, json={"reply": "已督办"}, headers=bearer(login(other_judge))),
                   403, "not_responsible_judge")
    answered = http.post(path, json={"reply": "已督办，本周内联系您"}, headers=judge)
    assert answered.status_code == 200 and answered.json()["replied_by"] == window.judge.id
    assert_problem(http.post(path, json={"reply": "再答"}, headers=judge), 409,
                   "complaint_already_answered")


def test_an_unanswered_complaint_past_due_is_overdue(http, login, engine, window):
    code = issue(http, login, window, window.debtor)["code"]
    token = open_case(http, code, DEBTOR_LAST_FOUR).json()["view_token"]
    http.post("/api/v1/public/evaluations", headers={"Authorization": f"Bearer {token}"},
              json={"rating": 1, "complaint": "查封不当"})
    with engine.begin() as conn:
        conn.execute(sa.text("UPDATE party_evaluation SET due_at = :t"),
                     {"t": utcnow() - timedelta(hours=1)})
    overdue = http.get("/api/v1/party-feedback/overdue",
                       headers=bearer(login(window.officer))).json()["items"]
    assert [(o["complaint"], o["overdue"]) for o in overdue] == [("查封不当", True)]


def test_the_page_evaluates_and_says_when_the_judge_must_answer(http, login, window):
    code = issue(http, login, window, window.applicant)["code"]
    page = http.post("/public/case", data={"code": code, "id_last_four": APPLICANT_LAST_FOUR,
                                           "lang": "en"})
    token = page.text.split('name="view_token" value="', 1)[1].split('"', 1)[0]
    sent = http.post("/public/case/evaluate", data={"view_token": token, "rating": "4",
                                                     "comment": "good", "complaint": "slow",
                                                     "lang": "en"})
    assert sent.status_code == 201 and "The judge must answer your complaint by" in sent.text
    assert 'id="evaluated"' in sent.text
    refused = http.post("/public/case/evaluate", data={"view_token": token, "rating": "9"})
    assert refused.status_code == 422 and 'id="error"' in refused.text


@pytest.mark.parametrize(("language", "title"), [
    ("en", "No case answers to this query code"), ("zh-CN", "查询码无对应案件")])
def test_errors_speak_the_parties_language(http, language, title):
    body = assert_problem(open_case(http, "A" * 25, "1234",
                                    headers={"Accept-Language": language}),
                          404, "query_code_unknown")
    assert body["title"].startswith(title)


def test_one_address_and_one_code_are_rate_limited(make_app, http, login, window):
    code = issue(http, login, window, window.applicant)["code"]
    by_address = make_app(PUBLIC_RATE_LIMIT="3 per minute").test_client()
    answers = [open_case(by_address, "B" * 25, "1234") for _ in range(4)]
    assert [a.status_code for a in answers] == [404, 404, 404, 429]
    assert answers[-1].json["code"] == "too_many_requests"
    assert int(answers[-1].headers["Retry-After"]) > 0

    by_code = make_app(PUBLIC_CODE_RATE_LIMIT="2 per minute").test_client()
    answers = [open_case(by_code, code, APPLICANT_LAST_FOUR,
                         environ_base={"REMOTE_ADDR": f"10.9.0.{i}"}) for i in range(3)]
    assert [a.status_code for a in answers] == [200, 200, 429]
    other = open_case(by_code, "C" * 25, "1234", environ_base={"REMOTE_ADDR": "10.9.1.1"})
    assert other.status_code == 404  # another code is not held back


@pytest.mark.parametrize("demo", [True, False])
def test_the_command_line_issues_a_code_that_opens_the_case(make_app, http, session, demo):
    window = build_window_case(session, factories.create_court(session, is_demo=demo))
    session.commit()
    result = make_app().test_cli_runner().invoke(
        args=["public", "code", "--case", window.case.case_number])
    assert result.exit_code == 0, result.output
    code = result.output.split("Query code 查询码: ", 1)[1].split()[0]
    assert ("001X" in result.output) is demo  # a real court's numbers are never printed
    assert open_case(http, code, APPLICANT_LAST_FOUR).status_code == 200
    missing = make_app().test_cli_runner().invoke(args=["public", "code", "--case", "nope"])
    assert missing.exit_code == 1 and "case_not_found" in missing.output


def test_the_court_decides_which_nodes_the_parties_see(http, login, session, window):
    code = issue(http, login, window, window.applicant)["code"]
    token = open_case(http, code, APPLICANT_LAST_FOUR).json()["view_token"]
    judge = bearer(login(window.judge))
    nodes = {n["code"]: n for n in http.get("/api/v1/supervision/nodes", headers=judge).json()}
    assert (nodes["serve_notice"]["disclosure"], nodes["seal_up"]["disclosure"]) == (
        "always", "after")
    changed = http.patch(f"/api/v1/supervision/nodes/{nodes['seal_up']['id']}",
                         json={"disclosure": "never"},
                         headers={**judge, "If-Match": f'"{nodes["seal_up"]["version"]}"'})
    assert changed.status_code == 200, changed.text
    steps = http.get("/api/v1/public/case",
                     headers={"Authorization": f"Bearer {token}"}).json()["steps"]
    assert [s["code"] for s in steps] == ["serve_notice", "auction"]
    refused = http.patch(f"/api/v1/supervision/nodes/{nodes['auction']['id']}",
                         json={"disclosure": "sometimes"},
                         headers={**judge, "If-Match": f'"{nodes["auction"]["version"]}"'})
    assert refused.status_code == 422


def test_payouts_to_the_applicant_show_on_the_page_and_never_pass_the_amount_recovered(
        http, login, engine, window):
    code = issue(http, login, window, window.applicant)["code"]
    token = open_case(http, code, APPLICANT_LAST_FOUR).json()["view_token"]
    path = f"/api/v1/cases/{window.case.id}/payouts"
    officer = bearer(login(window.officer))
    paid = http.post(path, json={"amount": "1500.50", "paid_on": "2026-01-05"}, headers=officer)
    assert paid.status_code == 201, paid.text
    assert paid.json()["amount_paid_out"] == "11500.50"
    shown = http.get("/api/v1/public/case", headers={"Authorization": f"Bearer {token}"})
    assert shown.json()["amount_paid_out"] == "11500.50"
    too_much = http.post(path, json={"amount": "500.00", "paid_on": "2026-01-06"},
                         headers=officer)
    assert assert_problem(too_much, 409, "payout_exceeds_recovered")["amount_recovered"] == (
        "12000.00")
    with engine.connect() as conn:
        detail = conn.execute(sa.text(
            "SELECT detail FROM audit_log WHERE action = 'case.payout' AND subject_id = :c"),
            {"c": window.case.id}).scalar_one()
    assert detail["amount"] == "1500.50"
