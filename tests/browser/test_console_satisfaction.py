"""The console's "parties' satisfaction" screen: the report per judge, and the judge
answering a party's complaint, which then leaves the list and counts as answered."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from sqlmodel import Session

from enforcement.models import PartyEvaluation, PartyRole, utcnow
from tests import factories
from tests.factories.public import build_window_case, create_query_code


def test_a_judge_reads_the_satisfaction_and_answers_a_complaint(live_server, page, engine):
    with Session(engine, expire_on_commit=False) as session:
        window = build_window_case(session, factories.create_court(session))
        for rating, complaint in ((5, None), (2, "三个月没有消息")):
            code, _ = create_query_code(session, window.case, window.applicant,
                                        PartyRole.APPLICANT, window.judge,
                                        revoked_at=utcnow() if complaint is None else None)
            session.add(PartyEvaluation(
                court_id=window.court.id, case_id=window.case.id, query_code_id=code.id,
                role=code.role, rating=rating, complaint=complaint, judge_id=window.judge.id,
                township_id=window.township_id,
                due_at=utcnow() + timedelta(days=10) if complaint else None))
        session.commit()

    page.goto(f"{live_server}/console/#satisfaction")
    page.fill("input[name=username]", window.judge.username)
    page.fill("input[name=password]", factories.PASSWORD)
    page.click("#login-form button[type=submit]")
    page.wait_for_selector("#satisfaction-grid")
    grid = page.inner_text("#satisfaction-grid")
    assert "王法官" in grid and "3.50" in grid
    assert page.get_attribute("#complaints", "data-count") == "1"
    page.fill("#complaints textarea[name=reply]", "已督办，本周内联系您")
    page.click("#complaints button[type=submit]")
    page.wait_for_selector("#complaints[data-count='0']")
    with engine.connect() as conn:
        replied = conn.execute(sa.text(
            "SELECT replied_by FROM party_evaluation WHERE complaint IS NOT NULL "
            "AND case_id = :c"), {"c": window.case.id}).scalar_one()
    assert replied == window.judge.id
