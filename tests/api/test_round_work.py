"""Rounds after planning, over HTTP on PostGIS: edits within the lifecycle, leads as
targets, moving a stop between teams, visits, the summary and the PDF sheet."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest
import sqlalchemy as sa
from pypdf import PdfReader

from enforcement.models import (
    AuditEntry,
    EnforcementCase,
    EnforcementRound,
    LeadKind,
    LeadStatus,
    Role,
    RoundTeam,
)
from tests import factories
from tests.api.helpers import assert_problem
from tests.api.test_rounds import BASE, _case, _create, targets  # noqa: F401  (fixture)

VISITED_AT = "2026-11-02T02:30:00Z"  # 10:30 in China, on the round's first day


def _officer(world: Any) -> Any:
    return world.users[Role.OFFICER]


def _teams(world: Any, **first: Any) -> list[dict[str, Any]]:
    return [
        {"name": "第一组", "start": BASE, "max_stops": 4, "leader_id": _officer(world).id,
         **first},
        {"name": "第二组", "start": BASE, "max_stops": 3, "work_start": "13:00",
         "work_end": "22:00"},
    ]


def _plan(http: Any, world: Any, round_id: str, **body: Any) -> dict[str, Any]:
    response = http.post(f"/api/v1/rounds/{round_id}/plan", json=body,
                         headers=world.headers(_officer(world)))
    assert response.status_code == 200, response.text
    return response.json()


def _patch(http: Any, world: Any, round_id: str, body: dict[str, Any],
           user: Any = None) -> Any:
    headers = world.headers(user or _officer(world))
    etag = http.get(f"/api/v1/rounds/{round_id}", headers=headers).headers["ETag"]
    return http.patch(f"/api/v1/rounds/{round_id}", json=body,
                      headers={**headers, "If-Match": etag})


def _locked(http: Any, world: Any) -> dict[str, Any]:
    created = _create(http, world, teams=_teams(world))
    assert created.status_code == 201, created.text
    rnd = _plan(http, world, created.json()["id"])
    locked = _patch(http, world, rnd["id"], {"status": "locked"})
    assert locked.status_code == 200, locked.text
    return locked.json()


def _stops(rnd: dict[str, Any]) -> list[dict[str, Any]]:
    return [s | {"team_id": r["team_id"], "day": r["day"]}
            for r in rnd["plan"]["routes"] for s in r["stops"]]


@pytest.mark.usefixtures("targets")
def test_edits_follow_the_lifecycle(http, world, session):
    headers = world.headers(_officer(world))
    created = _create(http, world, teams=_teams(world, member_ids=[world.judge_user.id]))
    rnd = created.json()
    assert created.headers["ETag"] == f'"{rnd["version"]}"'
    assert rnd["teams"][0]["leader_id"] == _officer(world).id
    assert rnd["teams"][0]["member_ids"] == [world.judge_user.id]
    row = session.scalars(sa.select(RoundTeam).where(RoundTeam.id == rnd["teams"][1]["id"])).one()
    assert (row.shift_start.hour, row.shift_end.hour, row.max_stops) == (13, 22, 3)
    assert "teams" not in session.get(EnforcementRound, (world.court.id, rnd["id"])).plan

    path = f"/api/v1/rounds/{rnd['id']}"
    assert_problem(http.patch(path, json={"name": "x"}, headers=headers), 428,
                   "precondition_required")
    assert_problem(http.patch(path, json={"name": "x"}, headers={**headers, "If-Match": '"99"'}),
                   412, "precondition_failed")
    assert_problem(_patch(http, world, rnd["id"], {"status": "locked"}), 409, "round_not_planned")
    renamed = _patch(http, world, rnd["id"], {"name": "第五轮"})
    assert renamed.status_code == 200 and renamed.json()["name"] == "第五轮"
    assert renamed.json()["version"] == rnd["version"] + 1

    planned = _plan(http, world, rnd["id"])
    teams = planned["teams"]
    moved = _patch(http, world, rnd["id"], {"teams": [
        {**{k: teams[0][k] for k in ("id", "name", "start", "leader_id", "member_ids")},
         "max_stops": 2}, {k: teams[1][k] for k in ("id", "name", "start")}]})
    assert moved.status_code == 200, moved.text
    assert moved.json()["status"] == "draft" and moved.json()["plan"] is None, \
        "a changed team invalidates the plan"

    planned = _plan(http, world, rnd["id"])
    assert _patch(http, world, rnd["id"], {"status": "locked"}).json()["status"] == "locked"
    assert_problem(_patch(http, world, rnd["id"], {"ends_on": "2026-11-05"}), 409,
                   "round_locked")
    assert_problem(_patch(http, world, rnd["id"], {"status": "done"}), 409,
                   "invalid_round_transition")
    vehicle = [{**{k: t[k] for k in ("id", "name", "start", "work_start", "work_end",
                                     "max_stops", "leader_id", "member_ids")},
                "vehicle": "甘M·B0002"} for t in planned["teams"]]
    swapped = _patch(http, world, rnd["id"], {"teams": vehicle})
    assert swapped.status_code == 200, swapped.text
    assert swapped.json()["status"] == "locked" and swapped.json()["plan"], \
        "a new vehicle keeps the locked plan"
    unlocked = _patch(http, world, rnd["id"], {"status": "planned"})
    assert unlocked.json()["status"] == "planned" and unlocked.json()["locked_at"] is None
    assert _patch(http, world, rnd["id"], {"status": "cancelled"}).json()["status"] == "cancelled"
    assert_problem(_patch(http, world, rnd["id"], {"name": "again"}), 409, "round_finished")


def test_bad_edits_are_422(http, world):
    rnd = _create(http, world).json()
    stranger = world.users[Role.GRID_ASSISTANT].id
    assert_problem(_create(http, world, teams=_teams(world, member_ids=[stranger])), 422,
                   "unknown_team_member")
    assert_problem(_patch(http, world, rnd["id"], {"ends_on": "2020-01-01"}), 422,
                   "validation_failed")
    assert_problem(_patch(http, world, rnd["id"], {"area": {}}), 422, "validation_failed")
    assert_problem(_patch(http, world, rnd["id"], {"area": {"village_ids": ["nope"]}}), 422,
                   "unknown_grid")
    assert_problem(_patch(http, world, rnd["id"], {"teams": [
        {"id": "0" * 16, "name": "x", "start": BASE}]}), 422, "unknown_team")
    assert_problem(_patch(http, world, rnd["id"], {"status": "exploded"}), 422,
                   "validation_failed")
    by_village = _patch(http, world, rnd["id"], {"area": {"village_ids": [world.village_a.id]}})
    assert by_village.status_code == 200 and by_village.json()["township_id"] is None


def test_accepted_leads_become_targets_once(http, world, session):
    case = _case(session, world, 108.31, 35.41)
    near = factories.create_lead(session, world.assistant, world.village_a, 108.3105, 35.4102,
                                 case_id=case.id, kind=LeadKind.DEBTOR_WHEREABOUTS,
                                 status=LeadStatus.ACCEPTED)
    moved = factories.create_lead(session, world.assistant, world.village_a, 108.36, 35.46,
                                  case_id=case.id, kind=LeadKind.DEBTOR_WHEREABOUTS,
                                  status=LeadStatus.ACCEPTED, description="回村住在其兄家中")
    caseless = factories.create_lead(session, world.assistant, world.village_a, 108.33, 35.43,
                                     kind=LeadKind.REAL_ESTATE, status=LeadStatus.ASSIGNED,
                                     debtor_text="赵四", description="新盖的两层小楼")
    factories.create_lead(session, world.assistant, world.village_a, 108.3301, 35.4301,
                                 kind=LeadKind.VEHICLE, status=LeadStatus.ACCEPTED,
                                 debtor_text="赵四", observed_at=datetime(2026, 1, 1, tzinfo=UTC))
    for status, kind in ((LeadStatus.SUBMITTED, LeadKind.VEHICLE),
                         (LeadStatus.REJECTED, LeadKind.VEHICLE),
                         (LeadStatus.ACCEPTED, LeadKind.WAGES_OR_INCOME)):
        factories.create_lead(session, world.assistant, world.village_a, 108.34, 35.44,
                              status=status, kind=kind)
    factories.create_lead(session, world.assistant, world.village_a, 108.60, 35.60,
                          status=LeadStatus.ACCEPTED, kind=LeadKind.VEHICLE)  # outside
    session.commit()

    rnd = _plan(http, world, _create(http, world).json()["id"])
    stops = _stops(rnd) + rnd["plan"]["unassigned"]
    assert sorted((s["case_id"] or "", s["lead_id"]) for s in stops) == sorted([
        (case.id, near.id), (case.id, moved.id), ("", caseless.id)])
    sheet = http.get(f"/api/v1/rounds/{rnd['id']}/sheet",
                     headers=world.headers(_officer(world))).text
    assert "回村住在其兄家中" in sheet and "赵四" in sheet and "新盖的两层小楼" in sheet


@pytest.mark.usefixtures("targets")
def test_moving_a_stop_to_another_team_sticks(http, world):
    rnd = _plan(http, world, _create(http, world).json()["id"])
    teams = {t["name"]: t["id"] for t in rnd["teams"]}
    stop = next(s for s in _stops(rnd) if s["team_id"] == teams["第一组"])
    again = _plan(http, world, rnd["id"], pinned=[
        {"target_id": stop["target_id"], "team_id": teams["第二组"], "day": "2026-11-03"}])
    [after] = [s for s in _stops(again) if s["case_id"] == stop["case_id"]]
    assert (after["team_id"], after["day"], after["pinned"]) == \
        (teams["第二组"], "2026-11-03", True)
    assert again["plan_summary"]["pinned"] == 1
    assert_problem(http.post(f"/api/v1/rounds/{rnd['id']}/plan", json={"pinned": [
        {"case_id": "0" * 16, "team_id": teams["第二组"]}]},
        headers=world.headers(_officer(world))), 422, "invalid_pin")
    assert_problem(http.post(f"/api/v1/rounds/{rnd['id']}/plan", json={"pinned": [
        {"case_id": stop["case_id"], "team_id": teams["第二组"], "day": "2030-01-01"}]},
        headers=world.headers(_officer(world))), 422, "invalid_pin")
    assert_problem(http.post(f"/api/v1/rounds/{rnd['id']}/plan", json={"pinned": [
        {"team_id": teams["第二组"]}]}, headers=world.headers(_officer(world))), 422,
        "validation_failed")


def _visit(http: Any, world: Any, round_id: str, target_id: str, user: Any = None,
           **body: Any) -> Any:
    return http.post(f"/api/v1/rounds/{round_id}/visits",
                     json={"target_id": target_id, "result": "debtor_met",
                           "visited_at": VISITED_AT} | body,
                     headers=world.headers(user or _officer(world)))


@pytest.mark.usefixtures("targets")
def test_visits_move_targets_and_add_up(http, world, session):
    created = _create(http, world, teams=_teams(world)).json()
    planned = _plan(http, world, created["id"])
    first = _stops(planned)[0]
    assert_problem(_visit(http, world, planned["id"], first["target_id"]), 409,
                   "round_not_running")
    rnd = _patch(http, world, planned["id"], {"status": "locked"}).json()
    mine = [s for s in _stops(rnd) if s["team_id"] == rnd["teams"][0]["id"]]
    judge = world.judge_user
    assert_problem(_visit(http, world, rnd["id"], mine[0]["target_id"], judge), 403,
                   "not_on_round_team")

    paid = _visit(http, world, rnd["id"], mine[0]["target_id"], id="visitpaid0000001",
                  result="paid", amount_collected="1500.00", notes="当场履行",
                  point={"lon": 108.3, "lat": 35.4, "datum": "gcj02"})
    assert paid.status_code == 201, paid.text
    assert paid.json()["amount_collected"] == "1500.00" and paid.json()["village_grid_id"]
    retry = _visit(http, world, rnd["id"], mine[0]["target_id"], id="visitpaid0000001",
                   result="paid", amount_collected="1500.00")
    assert retry.status_code == 200 and retry.json()["id"] == "visitpaid0000001"
    assert _visit(http, world, rnd["id"], mine[1]["target_id"],
                  result="debtor_absent").status_code == 201
    sealed = _visit(http, world, rnd["id"], mine[2]["target_id"], result="property_found",
                    outcome_kind="property_sealed", visited_at="2026-11-03T03:00:00Z")
    assert sealed.status_code == 201
    assert_problem(_visit(http, world, rnd["id"], mine[3]["target_id"], result="paid",
                          amount_collected="999999.00"), 409, "amount_owed_exceeded")
    assert_problem(_visit(http, world, rnd["id"], mine[3]["target_id"], result="paid"), 422,
                   "validation_failed")
    assert_problem(_visit(http, world, rnd["id"], "0" * 16), 404, "round_target_not_found")

    case = session.get(EnforcementCase, (world.court.id, mine[0]["case_id"]))
    session.refresh(case)
    assert case.amount_recovered == Decimal("1500.00")
    after = http.get(f"/api/v1/rounds/{rnd['id']}", headers=world.headers(judge)).json()
    assert after["status"] == "running", "the first visit starts the round"
    listed = http.get(f"/api/v1/rounds/{rnd['id']}/visits?limit=2",
                      headers=world.headers(judge))
    assert len(listed.json()["items"]) == 2 and listed.json()["next_cursor"]

    summary = http.get(f"/api/v1/rounds/{rnd['id']}/summary", headers=world.headers(judge))
    assert summary.status_code == 200, summary.text
    s = summary.json()
    total = len(_stops(rnd))
    assert (s["targets"], s["visited"], s["revisit"], s["not_visited"], s["visits"]) == \
        (total, 2, 1, total - 3, 3)
    assert s["results"]["paid"] == 1 and s["results"]["debtor_absent"] == 1
    assert s["results"]["refused"] == 0
    assert s["outcomes"]["payment_received"] == {"count": 1, "amount": "1500.00"}
    assert s["outcomes"]["property_sealed"]["count"] == 1
    assert s["amount_recovered"] == "1500.00"
    [team] = [t for t in s["teams"] if t["team_id"] == rnd["teams"][0]["id"]]
    assert (team["targets"], team["visits"], team["amount_collected"]) == \
        (len(mine), 3, "1500.00")
    assert team["planned_km"] > 0 and team["visited_km"] > 0
    days = {d["day"]: d for d in s["days"]}
    assert days["2026-11-02"]["visits"] == 2 and days["2026-11-03"]["visits"] == 1
    assert s["planned_km"] == pytest.approx(sum(t["planned_km"] for t in s["teams"]), abs=0.2)
    assert session.scalar(sa.select(sa.func.count()).select_from(AuditEntry).where(
        AuditEntry.action == "visit.record")) == 3
    assert_problem(_patch(http, world, rnd["id"], {"status": "planned"}), 409,
                   "invalid_round_transition")


@pytest.mark.usefixtures("targets")
def test_unlocking_a_visited_round_is_refused(http, world):
    rnd = _locked(http, world)
    stop = next(s for s in _stops(rnd) if s["team_id"] == rnd["teams"][0]["id"])
    assert _visit(http, world, rnd["id"], stop["target_id"]).status_code == 201
    assert _patch(http, world, rnd["id"], {"status": "done"}).json()["status"] == "done"
    rnd2 = _locked(http, world)
    stop = next(s for s in _stops(rnd2) if s["team_id"] == rnd2["teams"][0]["id"])
    assert _visit(http, world, rnd2["id"], stop["target_id"]).status_code == 201
    assert_problem(_patch(http, world, rnd2["id"], {"status": "locked"}), 409,
                   "invalid_round_transition")


@pytest.mark.usefixtures("targets")
def test_sheet_pdf_has_every_stop_in_chinese(http, world, session):
    rnd = _plan(http, world, _create(http, world).json()["id"])
    response = http.get(f"/api/v1/rounds/{rnd['id']}/sheet.pdf",
                        headers=world.headers(_officer(world)))
    assert response.status_code == 200, response.text
    assert response.headers["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    pages = len({(r["team_id"], r["day"]) for r in rnd["plan"]["routes"]})
    assert len(reader.pages) >= pages
    text = "".join("".join(page.extract_text().split()) for page in reader.pages)
    for stop in _stops(rnd):
        assert stop["case_number"] in text
    assert "王大锤" in text and "预计到达" in text and "第一组" in text
    fonts = {str(f) for p in reader.pages for f in p["/Resources"]["/Font"].values()}
    assert fonts, "the font is embedded"
    assert session.scalar(sa.select(sa.func.count()).select_from(AuditEntry).where(
        AuditEntry.action == "party.read_unmasked")) == len(_stops(rnd))


def test_only_the_courts_officers_and_judges_reach_round_work(http, world, session):
    rnd = _planned_round(http, world)
    outsider = factories.create_user(session, world.other_court, Role.OFFICER)
    session.commit()
    paths = ("/summary", "/visits", "/sheet.pdf")
    for role in (Role.GRID_ASSISTANT, Role.DEPUTY, Role.MEDIATOR, Role.ADMIN):
        headers = world.headers(world.users[role])
        for path in paths:
            assert_problem(http.get(f"/api/v1/rounds/{rnd['id']}{path}", headers=headers),
                           403, "forbidden")
        assert_problem(http.patch(f"/api/v1/rounds/{rnd['id']}", json={"name": "x"},
                                  headers={**headers, "If-Match": '"1"'}), 403, "forbidden")
        assert_problem(http.post(f"/api/v1/rounds/{rnd['id']}/visits", json={
            "target_id": "0" * 16, "result": "refused", "visited_at": VISITED_AT},
            headers=headers), 403, "forbidden")
    other = world.headers(outsider)
    for path in paths:
        assert_problem(http.get(f"/api/v1/rounds/{rnd['id']}{path}", headers=other), 404,
                       "round_not_found")
    assert_problem(http.patch(f"/api/v1/rounds/{rnd['id']}", json={"name": "x"},
                              headers={**other, "If-Match": f'"{rnd["version"]}"'}), 404,
                   "round_not_found")
    assert_problem(http.post(f"/api/v1/rounds/{rnd['id']}/visits", json={
        "target_id": "0" * 16, "result": "paid", "visited_at": VISITED_AT,
        "amount_collected": 1}, headers=other), 404, "round_not_found")


def _planned_round(http: Any, world: Any) -> dict[str, Any]:
    created = _create(http, world, teams=_teams(world)).json()
    return _plan(http, world, created["id"])
