"""The web console in a real browser (Playwright on Debian's Chromium, internet shut out):
sign in, see the grids, triage a lead, plan a round and see its routes, download a report.

Each test checks what a judge or officer would notice on the page, and what the API then
holds. A failed test leaves its screenshot in test-artifacts/ (see conftest.py).
"""

from __future__ import annotations

import csv
import io
import re
import struct
import zlib
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import requests
import sqlalchemy as sa
from openpyxl import load_workbook
from sqlmodel import Session

from enforcement.models import Lead, Role, User, utcnow
from tests import factories
from tests.api.helpers import bearer, upload_file


def _png(width: int = 4, height: int = 3) -> bytes:
    """A small valid PNG (red), as a phone's photo of a lead."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))
    rows = b"".join(b"\x00" + b"\xff\x00\x00" * width for _ in range(height))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2,
                                                                0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


@dataclass
class County:
    judge: User
    officer: User
    assistant: User
    township_name: str
    earlier_lead: Lead
    cases: int


@pytest.fixture
def county(engine: Any) -> County:
    """One township of three village grids, a judge, an officer and an assistant, eight
    open cases with addresses in the township, a sighting, and an earlier lead about the
    same debtor as the one the test reports; plus a second court the console must not show."""
    with Session(engine, expire_on_commit=False) as session:
        court = factories.create_court(session)
        township = factories.create_township(session, court, 108.30, 35.40, size=0.03,
                                             name="山河镇")
        villages = [factories.create_village(session, township, 108.30 + 0.01 * k, 35.40,
                                             size=0.01, name=f"{name}村")
                    for k, name in enumerate(("东关", "西坡", "南岭"))]
        for k in range(3):
            factories.create_village(session, township, 108.30 + 0.01 * k, 35.41,
                                     size=0.01, name=f"北{k}村")
        judge = factories.create_user(session, court, Role.JUDGE)
        officer = factories.create_user(session, court, Role.OFFICER)
        assistant = factories.create_user(session, court, Role.GRID_ASSISTANT)
        factories.assign_grid(session, assistant, villages[0])
        for k in range(8):
            lon, lat = 108.302 + 0.0035 * k, 35.403 + 0.002 * (k % 3)
            factories.create_debtor_case(session, court, villages[k % 3],
                                         address_point=factories.point(lon, lat),
                                         address=f"山河镇{k}号")
        factories.create_sighting(session, assistant, villages[0], 108.304, 35.404)
        earlier = factories.create_lead(session, assistant, villages[0], 108.305, 35.405,
                                        debtor_text="王大锤", description="上周见过他的车",
                                        created_at=utcnow() - timedelta(hours=5))
        other = factories.create_court(session)
        other_township = factories.create_township(session, other, 108.30, 35.40,
                                                   name="别县镇")
        factories.create_village(session, other_township, 108.30, 35.40)
        session.commit()
        return County(judge, officer, assistant, "山河镇", earlier, 8)


def _sign_in(page: Any, base: str, user: User, password: str = factories.PASSWORD) -> None:
    page.goto(f"{base}/console/")
    page.fill("input[name=username]", user.username)
    page.fill("input[name=password]", password)
    page.click("#login-form button[type=submit]")


def _api_token(base: str, user: User) -> dict[str, str]:
    response = requests.post(f"{base}/api/v1/auth/login", timeout=30, json={
        "username": user.username, "password": factories.PASSWORD,
        "device_id": f"test-api-{user.id[:8]}"})
    assert response.status_code == 200, response.text
    return bearer(response.json())


def test_sign_in_and_see_the_grids_leads_sightings_and_cases(live_server, page, county):
    _sign_in(page, live_server, county.judge, password="wrong password")
    page.wait_for_selector("#login-error .notice.error")
    assert page.inner_text("#login-error").strip()  # the API's 401 title, in Chinese

    _sign_in(page, live_server, county.judge)
    page.wait_for_selector("#main-map[data-loaded=true]")
    grid_map = page.locator("#main-map")
    assert grid_map.get_attribute("data-townships") == "1"
    assert grid_map.get_attribute("data-villages") == "6"
    assert page.locator("#main-map path.leaflet-interactive").count() == 6
    assert grid_map.get_attribute("data-leads") == "1"
    assert grid_map.get_attribute("data-sightings") == "1"
    assert grid_map.get_attribute("data-cases") == str(county.cases)
    assert "线索 1 条" in page.inner_text("#map-status")
    assert page.inner_text("#nav-triage") == "线索分诊"

    page.click("#lang-switch")
    page.wait_for_selector("#main-map[data-loaded=true]")
    assert page.inner_text("#nav-triage") == "Lead triage"
    assert "1 leads" in page.inner_text("#map-status")


def test_triage_a_lead_with_its_photo_and_possible_duplicate(live_server, page, county,
                                                             engine):
    assistant = _api_token(live_server, county.assistant)
    with requests.Session() as http:
        http.request = _based(http.request, live_server)  # type: ignore[method-assign]
        photo = upload_file(http, assistant, _png(), content_type="image/png")
        reported = http.post("/api/v1/leads", headers=assistant, json={
            "kind": "debtor_whereabouts", "description": "王大锤今天在村口小卖部",
            "debtor_text": "王大锤", "point": {"lon": 108.3052, "lat": 35.4051,
                                              "datum": "wgs84"},
            "attachments": [{"sha256": photo["sha256"], "caption": "小卖部门口"}]})
        assert reported.status_code == 201, reported.text
    lead_id = reported.json()["id"]
    with engine.begin() as conn:  # the server flags duplicates by party or case only
        conn.execute(sa.update(Lead).where(Lead.id == lead_id)
                     .values(possible_duplicate_of_id=county.earlier_lead.id))

    _sign_in(page, live_server, county.judge)
    page.wait_for_selector("#main-map[data-loaded=true]")
    page.click("#nav-triage")
    queue = page.locator("#triage-queue li[data-lead-id]")
    queue.first.wait_for()
    assert queue.count() == 2
    assert queue.first.get_attribute("data-lead-id") == lead_id  # newest first
    queue.first.click()
    cards = page.locator("#triage-detail .lead-card")
    cards.nth(1).wait_for()
    assert "王大锤今天在村口小卖部" in cards.nth(0).inner_text()
    assert "上周见过他的车" in cards.nth(1).inner_text()  # the possible duplicate beside it
    photo_img = page.locator(".lead-card img.photo[src^='blob:']")
    photo_img.wait_for()  # fetched with the token, shown from memory
    assert photo_img.evaluate("img => img.decode().then(() => img.naturalWidth)") == 4
    assert page.locator("#triage-map .dot").count() == 2  # both pins on the map

    page.fill("#triage-actions input[name=duplicate_of_id]", "")
    page.click("#action-duplicate")
    page.wait_for_selector("#triage-feedback .notice.error")  # refused by the API: 422
    assert page.inner_text("#triage-feedback").strip()

    page.click("#action-accept")
    page.wait_for_selector("#triage-feedback .notice.ok")
    assert page.locator("#triage-detail .lead-card [data-status]").first.get_attribute(
        "data-status") == "accepted"
    assert page.locator("#triage-queue li[data-lead-id]").count() == 1
    judge = _api_token(live_server, county.judge)
    lead = requests.get(f"{live_server}/api/v1/leads/{lead_id}", headers=judge, timeout=30)
    assert lead.json()["status"] == "accepted"
    history = requests.get(f"{live_server}/api/v1/leads/{lead_id}/transitions",
                           headers=judge, timeout=30).json()
    assert [step["to_status"] for step in history][-2:] == ["under_review", "accepted"]

    page.select_option("#triage-actions select[name=officer_id]", county.judge.id)
    page.click("#action-assign")
    page.wait_for_selector("#triage-feedback .notice.ok:has-text('已指派')")
    assert page.locator("#triage-detail .lead-card [data-status]").first.get_attribute(
        "data-status") == "assigned"
    lead = requests.get(f"{live_server}/api/v1/leads/{lead_id}", headers=judge, timeout=30)
    assert lead.json()["status"] == "assigned"
    assert lead.json()["assigned_officer_id"] == county.judge.id


def _based(send: Any, base: str) -> Any:
    def request(method: str, url: str, *args: Any, **kwargs: Any) -> Any:
        kwargs.setdefault("timeout", 30)
        return send(method, base + url if url.startswith("/") else url, *args, **kwargs)
    return request


def test_plan_a_round_move_a_stop_and_lock(live_server, page, county):
    _sign_in(page, live_server, county.officer)
    page.wait_for_selector("#main-map[data-loaded=true]")
    page.click("#nav-rounds")
    page.wait_for_selector("#round-map[data-villages='6']")
    page.wait_for_selector("#round-form")  # the map picks the area once the form is there
    page.locator("#round-map path.leaflet-interactive").first.click(force=True)
    assert page.inner_text("#area-summary") == "已选 1 个"  # the township
    page.click("#create-round")
    page.wait_for_selector("#round-title[data-status=planned]")
    round_map = page.locator("#round-map")
    routes = int(round_map.get_attribute("data-routes"))
    assert routes >= 1
    assert round_map.get_attribute("data-stops") == str(county.cases)
    assert page.locator("#round-map path.route-line").count() == routes
    assert page.locator("#round-map .stop").count() == county.cases

    round_id = page.get_attribute("#round-title", "data-round-id")
    headers = _api_token(live_server, county.officer)
    before = requests.get(f"{live_server}/api/v1/rounds/{round_id}", headers=headers,
                          timeout=30).json()
    first_route = before["plan"]["routes"][0]
    moved = first_route["stops"][0]
    other_team = next(t["id"] for t in before["teams"] if t["id"] != first_route["team_id"])
    page.select_option(f"select.move[data-target-id='{moved['target_id']}']", other_team)
    page.click("#replan")
    page.wait_for_selector("#round-feedback .notice.ok:has-text('已按调整重新规划')")
    after = requests.get(f"{live_server}/api/v1/rounds/{round_id}", headers=headers,
                         timeout=30).json()
    team_of_case = {s["case_id"]: r["team_id"] for r in after["plan"]["routes"]
                    for s in r["stops"]}
    assert team_of_case[moved["case_id"]] == other_team
    assert page.locator("#round-map .stop").count() == county.cases

    page.click("#lock-round")
    page.wait_for_selector("#round-title[data-status=locked]")
    assert page.is_disabled("#plan-round")
    with page.expect_popup() as sheet:
        page.click("#sheet-pdf")
    assert sheet.value.url.startswith("blob:")


def test_outcomes_chart_and_downloads(live_server, page, county, tmp_path: Path):
    _sign_in(page, live_server, county.judge)
    page.wait_for_selector("#main-map[data-loaded=true]")
    page.click("#nav-outcomes")
    page.wait_for_selector("#outcomes-grid")
    rows = int(page.get_attribute("#outcomes-table", "data-rows"))
    assert rows >= 1
    assert page.locator("#outcomes-chart rect.bar").count() == rows
    assert county.township_name in page.inner_text("#outcomes-grid")

    with page.expect_download() as csv_download:
        page.click("#download-csv")
    csv_path = tmp_path / "outcomes.csv"
    csv_download.value.save_as(csv_path)
    assert re.search(r"outcomes-township.*\.csv$", csv_download.value.suggested_filename)
    table = list(csv.reader(io.StringIO(csv_path.read_text(encoding="utf-8-sig"))))
    assert table[0][0] == "乡镇"
    assert any(row[0] == county.township_name for row in table[1:])
    assert table[-1][0] == "合计"

    page.click("#lang-switch")
    page.click("#nav-outcomes")
    page.wait_for_selector("#outcomes-grid")
    with page.expect_download() as xlsx_download:
        page.click("#download-xlsx")
    xlsx_path = tmp_path / "outcomes.xlsx"
    xlsx_download.value.save_as(xlsx_path)
    sheet = load_workbook(xlsx_path, read_only=True).active
    values = [row for row in sheet.iter_rows(values_only=True)]
    assert values[0][0] == "Township"
    assert values[-1][0] == "Total"


def test_an_assistant_sees_the_map_but_no_triage_rights(live_server, page, county):
    """The console shows what the API allows: an assistant's own leads; the court's triage
    queue and rounds answer with the API's refusal."""
    _sign_in(page, live_server, county.assistant)
    page.wait_for_selector("#main-map[data-loaded=true]")
    assert page.get_attribute("#main-map", "data-leads") == "1"  # their own lead
    assert page.get_attribute("#main-map", "data-cases") == "0"  # no amounts for them
    page.click("#nav-rounds")
    page.wait_for_selector("#screen .notice.error")
