"""A mediator's day in the field app: sign in, see only the cases the court assigned them,
lose the network, write two notes on a case (one proposing a settlement in instalments and
agreed), get the network back: both notes reach the server once, and the agreed one's
settlement exists with the schedule the phone proposed.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

from enforcement.models import Court, Instalment, MediationNote, Role, Settlement
from tests import factories
from tests.browser.field_app.conftest import Village, sign_in


def test_a_mediator_writes_notes_offline_and_an_agreed_one_settles_the_case(
        phone: Any, village: Village, engine: Any) -> None:
    with Session(engine, expire_on_commit=False) as session:
        court = session.get(Court, village.assistant.court_id)
        mediator = factories.create_user(session, court, Role.MEDIATOR)
        case, _ = factories.create_debtor_case(session, court)
        other, _ = factories.create_debtor_case(session, court)
        factories.assign_mediator(session, mediator, case)
        session.commit()

    page = phone.new_page()
    sign_in(page, mediator.username)
    page.wait_for_selector(f"#cases li[data-id='{case.id}']")
    assert page.inner_text("header h1") == "调解员"
    assert page.locator(f"#cases li[data-id='{other.id}']").count() == 0  # not theirs
    assert "50000" in page.inner_text(f"#cases li[data-id='{case.id}']")

    phone.set_offline(True)
    page.wait_for_selector("#offline")
    page.click(f"#cases li[data-id='{case.id}'] button")
    page.wait_for_selector("#note-form")

    page.fill("#note-place", "村委会")
    page.fill("#note-present", "李四，张三明")
    page.fill("#note-applicant", "同意分期，但要先付一部分")
    page.fill("#note-debtor", "今年收成不好，只能分期")
    page.select_option("#note-outcome", "continue")
    page.fill("#note-next-visit", "2026-12-20")
    page.click("#note-submit")
    page.wait_for_selector("#notes > li.waiting")

    # Agreed without a proposal is refused on the phone, before anything is saved.
    page.fill("#note-debtor", "同意按方案履行")
    page.select_option("#note-outcome", "agreed")
    page.click("#note-submit")
    page.wait_for_selector("#note-message.error")
    page.select_option("#proposal-kind", "instalments")
    page.fill("#proposal-total", "10000")
    page.fill("#proposal-due", "2027-01-15")
    page.fill("#proposal-count", "3")
    page.click("#note-submit")
    page.wait_for_selector("#notes > li.waiting >> nth=1")
    assert page.locator("#notes > li").count() == 2
    assert "3333.33" in page.inner_text("#notes") and "3333.34" in page.inner_text("#notes")
    with Session(engine) as session:  # nothing left the phone
        assert session.scalars(sa.select(MediationNote).where(
            MediationNote.author_id == mediator.id)).all() == []

    phone.set_offline(False)
    page.wait_for_selector("#notes > li.sent >> nth=1")
    page.click("#sync")  # a second sync sends nothing again
    page.wait_for_selector("#sync:not([disabled])")
    assert page.locator("#notes > li.waiting").count() == 0

    with Session(engine) as session:
        notes = session.scalars(sa.select(MediationNote).where(
            MediationNote.author_id == mediator.id)).all()
        assert sorted(n.outcome.value for n in notes) == ["agreed", "continue"]
        assert all(n.case_id == case.id for n in notes)
        first = next(n for n in notes if n.outcome.value == "continue")
        assert first.present == ["李四", "张三明"] and first.place == "村委会"
        assert first.next_visit_on == date(2026, 12, 20)
        agreed = next(n for n in notes if n.outcome.value == "agreed")
        settlement = session.scalars(sa.select(Settlement).where(
            Settlement.mediation_note_id == agreed.id)).one()
        assert settlement.case_id == case.id and settlement.total_amount == Decimal("10000.00")
        schedule = session.scalars(sa.select(Instalment).where(
            Instalment.settlement_id == settlement.id).order_by(Instalment.due_on)).all()
        assert [(i.due_on, i.amount) for i in schedule] == [
            (date(2027, 1, 15), Decimal("3333.33")), (date(2027, 2, 15), Decimal("3333.33")),
            (date(2027, 3, 15), Decimal("3333.34"))]
    assert phone.problems == []
