"""An officer's round in the field app: sign in, see today's stops of their team in the
planned order on a map drawn from the grid outlines (no tiles, nothing from the internet),
lose the network, record visits, close and reopen the app, get the network back: the visits
reach the server once and the round summary counts them, and the day's progress says so.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import requests
import sqlalchemy as sa
from sqlmodel import Session

from enforcement.models import Court, Role, RoundStatus, Visit
from tests import factories
from tests.browser.field_app.conftest import Village, sign_in, unlock
from tests.sync.helpers import settle


def _round(engine: Any, village: Village) -> tuple[Any, Any, list[Any], Any]:
    """A locked round whose team the officer leads: three stops today in 东关村 (created out
    of order), one tomorrow."""
    today = datetime.now(ZoneInfo("Asia/Shanghai")).date()
    with Session(engine, expire_on_commit=False) as session:
        court = session.get(Court, village.assistant.court_id)
        officer = factories.create_user(session, court, Role.OFFICER)
        rnd = factories.create_round(session, officer, status=RoundStatus.LOCKED,
                                     starts_on=today, ends_on=today + timedelta(days=3),
                                     name="东关村集中执行")
        team = factories.create_round_team(session, rnd, officer, name="一组")
        stops = {}
        for seq, lon in ((3, 108.308), (1, 108.302), (2, 108.305)):
            case, _ = factories.create_debtor_case(session, court, village_grid_id=village.grid_id,
                                                   address=f"东关村{seq}组")
            stops[seq] = factories.create_round_target(
                session, rnd, team_id=team.id, day=today, seq=seq, case_id=case.id,
                village_grid_id=village.grid_id, point=factories.point(lon, 35.405))
        later = factories.create_round_target(
            session, rnd, team_id=team.id, day=today + timedelta(days=1), seq=1,
            village_grid_id=village.grid_id, point=factories.point(108.306, 35.406))
        session.commit()
    return officer, rnd, [stops[1], stops[2], stops[3]], later


def _summary(live_server: str, officer: Any, round_id: str) -> dict[str, Any]:
    token = requests.post(f"{live_server}/api/v1/auth/login", json={
        "username": officer.username, "password": factories.PASSWORD,
        "device_id": "api-check"}, timeout=30).json()["access_token"]
    response = requests.get(f"{live_server}/api/v1/rounds/{round_id}/summary",
                            headers={"Authorization": f"Bearer {token}"}, timeout=30)
    assert response.status_code == 200, response.text
    return response.json()


def test_an_officer_records_a_rounds_visits_offline_and_the_summary_counts_them(
        phone: Any, village: Village, live_server: str, engine: Any) -> None:
    officer, rnd, stops, later = _round(engine, village)
    page = phone.new_page()
    sign_in(page, officer.username)

    # Today's stops in the team's order, the next day's apart; the map shows each stop
    # over the village outlines the phone holds.
    page.wait_for_selector("#stops > li >> nth=2")
    assert page.inner_text("header h1") == "执行干警"
    assert page.eval_on_selector_all("#stops > li", "(items) => items.map((i) => i.dataset.id)") \
        == [s.id for s in stops]
    assert "东关村1组" in page.inner_text("#stops > li >> nth=0")
    assert page.locator(f"#later li[data-id='{later.id}']").count() == 1
    assert page.locator("#round-map .map-stop").count() == 3
    assert page.locator(f"#round-map .map-village[data-id='{village.grid_id}']").count() == 1
    assert page.locator("#round-map .map-here").count() == 1
    first = page.locator(f"#round-map .map-stop[data-id='{stops[0].id}'] circle")
    third = page.locator(f"#round-map .map-stop[data-id='{stops[2].id}'] circle")
    assert float(first.get_attribute("cx")) < float(third.get_attribute("cx"))  # west to east
    assert "0 / 3" in page.inner_text("#round-progress")

    phone.set_offline(True)
    page.wait_for_selector("#offline")
    for stop, result, amount in ((stops[0], "debtor_met", ""), (stops[1], "paid", "500")):
        page.click(f"#stops > li[data-id='{stop.id}'] button.record")
        page.select_option("#visit-result", result)
        if amount:
            page.fill("#visit-amount", amount)
        page.fill("#visit-notes", f"走访{stop.seq}")
        page.click("#visit-submit")
        page.wait_for_selector(f"#stops > li.recorded[data-id='{stop.id}']")
    assert "2 / 3" in page.inner_text("#round-progress")
    assert "待发送 2" in page.inner_text("#round-progress")
    with Session(engine) as session:  # nothing left the phone
        assert session.scalars(sa.select(Visit).where(Visit.round_id == rnd.id)).all() == []

    # Closed and reopened offline: the visits are still there, waiting.
    page.wait_for_timeout(1000)  # LokiJS saves to IndexedDB every 200 ms
    page.close()
    page = phone.new_page()
    page.goto("/app/")
    unlock(page)  # the password opens the phone's data, offline too
    page.wait_for_selector("#round-progress:has-text('待发送 2')")

    phone.set_offline(False)
    page.wait_for_selector("#round-progress:has-text('待发送 0')")
    settle(engine)  # the visits' writes are below the pull horizon (other runs may hold it)
    page.click("#sync")  # the next sync brings the stops as the court now has them
    page.wait_for_selector(f"#stops > li.visited[data-id='{stops[1].id}']")
    assert page.locator(f"#stops > li.planned[data-id='{stops[2].id}']").count() == 1
    assert "2 / 3" in page.inner_text("#round-progress")

    summary = _summary(live_server, officer, rnd.id)
    assert summary["status"] == "running"
    assert (summary["targets"], summary["visits"], summary["visited"]) == (4, 2, 2)
    assert summary["results"]["debtor_met"] == 1 and summary["results"]["paid"] == 1
    assert Decimal(str(summary["amount_collected"])) == Decimal("500")
    assert Decimal(str(summary["outcomes"]["payment_received"]["amount"])) == Decimal("500")
    with Session(engine) as session:
        visits = session.scalars(sa.select(Visit).where(Visit.round_id == rnd.id)).all()
    assert sorted(v.notes for v in visits) == ["走访1", "走访2"]  # each once
    assert all(v.officer_id == officer.id and v.village_grid_id == village.grid_id
               for v in visits)
    assert phone.problems == []
