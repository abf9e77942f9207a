"""Enforcement rounds over HTTP on PostGIS: create, plan (VROOM), outputs, lock, access."""

from __future__ import annotations

import io
from datetime import date
from typing import Any

import pytest
import sqlalchemy as sa
from shapely.geometry import shape

from enforcement.models import AuditEntry, CaseStatus, Role, RoundTarget
from tests import factories
from tests.api.helpers import assert_problem

BASE = {"lon": 108.35, "lat": 35.45}


def _case(session: Any, world: Any, lon: float, lat: float, **overrides: Any) -> Any:
    case, party = factories.create_debtor_case(
        session, world.court, world.village_a, address_point=factories.point(lon, lat),
        address=f"山河镇{lon:.3f}号", **overrides)
    party.name = "王大锤"
    return case


@pytest.fixture
def targets(session: Any, world: Any) -> dict[str, Any]:
    """Twelve plannable cases in the township, and four that must not be planned."""
    plannable = [_case(session, world, 108.31 + 0.006 * (k % 6), 35.41 + 0.02 * (k // 6))
                 for k in range(12)]
    terminated = _case(session, world, 108.33, 35.47, status=CaseStatus.TERMINATED,
                       terminated_on=date(2024, 6, 1))
    factories.create_lead(session, world.assistant, world.village_a, 108.33, 35.47,
                          case_id=terminated.id)
    excluded = [
        _case(session, world, 108.32, 35.42, status=CaseStatus.CLOSED),
        _case(session, world, 108.34, 35.43, status=CaseStatus.TERMINATED,
              terminated_on=date(2024, 6, 1)),
        _case(session, world, 108.60, 35.60),  # outside the township
    ]
    session.commit()
    return {"plannable": [*plannable, terminated], "excluded": excluded}


def _create(http: Any, world: Any, user: Any = None, **overrides: Any) -> Any:
    body = {
        "name": "2026年第四次驻村连片集中执行", "starts_on": "2026-11-02",
        "ends_on": "2026-11-03", "area": {"township_ids": [world.township.id]},
        "teams": [
            {"name": "第一组", "start": BASE, "max_stops": 4, "vehicle": "甘M·A1234"},
            {"name": "第二组", "start": BASE, "max_stops": 3, "work_start": "13:00",
             "work_end": "22:00"},
        ],
    } | overrides
    return http.post("/api/v1/rounds", json=body,
                     headers=world.headers(user or world.users[Role.OFFICER]))


def _planned(http: Any, world: Any, **plan: Any) -> dict[str, Any]:
    created = _create(http, world)
    assert created.status_code == 201, created.text
    response = http.post(f"/api/v1/rounds/{created.json()['id']}/plan", json=plan,
                         headers=world.headers(world.users[Role.OFFICER]))
    assert response.status_code == 200, response.text
    return response.json()


def _minutes(hhmm: str) -> int:
    return int(hhmm[:2]) * 60 + int(hhmm[3:])


def test_plan_routes_are_valid_and_stored(http, world, targets, session):
    night = targets["plannable"][0]
    rnd = _planned(http, world, time_windows=[
        {"case_id": night.id, "start": "19:00", "end": "21:00"}])
    assert rnd["status"] == "planned"
    plan, teams = rnd["plan"], {t["id"]: t for t in rnd["teams"]}
    stops = [(r, s) for r in plan["routes"] for s in r["stops"]]
    routed = [s["case_id"] for _, s in stops]
    left = [u["case_id"] for u in plan["unassigned"]]
    assert len(routed) == len(set(routed)), "every target at most once"
    assert sorted(routed + left) == sorted(c.id for c in targets["plannable"])
    assert len(routed) == 13
    for route in plan["routes"]:
        team = teams[route["team_id"]]
        assert len(route["stops"]) <= team["max_stops"]
        assert route["day"] in ("2026-11-02", "2026-11-03")
        assert _minutes(team["work_start"]) * 60 <= route["leaves_s"]
        assert route["returns_s"] <= _minutes(team["work_end"]) * 60
    [(night_route, night_stop)] = [(r, s) for r, s in stops if s["case_id"] == night.id]
    assert 19 * 3600 <= night_stop["start_s"] <= 21 * 3600
    assert teams[night_route["team_id"]]["name"] == "第二组"
    rows = session.scalars(sa.select(RoundTarget).where(RoundTarget.round_id == rnd["id"])).all()
    assert sorted(r.case_id for r in rows) == sorted(routed)
    assert all(r.eta_minutes is not None and r.seq >= 1 and r.team_id for r in rows)

    again = http.post(f"/api/v1/rounds/{rnd['id']}/plan", json={},
                      headers=world.headers(world.users[Role.JUDGE]))
    assert again.status_code == 200, again.text
    session.expire_all()
    assert session.scalar(sa.select(sa.func.count()).select_from(RoundTarget).where(
        RoundTarget.round_id == rnd["id"])) == 13, "re-planning replaces the stops"


def test_outputs_geojson_sheet_and_map(http, world, targets, session):
    rnd = _planned(http, world)
    headers = world.headers(world.users[Role.OFFICER])

    geo = http.get(f"/api/v1/rounds/{rnd['id']}/plan.geojson", headers=headers)
    assert geo.status_code == 200
    assert geo.headers["Content-Type"].startswith("application/geo+json")
    features = geo.json()["features"]
    routes = [f for f in features if f["properties"]["kind"] == "route"]
    points = [f for f in features if f["properties"]["kind"] == "target"]
    assert len(routes) == len(rnd["plan"]["routes"]) and len(points) == 13
    for feature in features:
        assert shape(feature["geometry"]).is_valid
    for route in routes:
        coords = route["geometry"]["coordinates"]
        assert coords[0] == coords[-1] == [BASE["lon"], BASE["lat"]]

    sheet = http.get(f"/api/v1/rounds/{rnd['id']}/sheet", headers=headers)
    assert sheet.status_code == 200 and sheet.headers["Content-Type"].startswith("text/html")
    for case in targets["plannable"]:
        assert case.case_number in sheet.text
    assert "王大锤" in sheet.text and "预计到达" in sheet.text
    assert "http" not in sheet.text and "src=" not in sheet.text
    assert session.scalar(sa.select(sa.func.count()).select_from(AuditEntry).where(
        AuditEntry.action == "party.read_unmasked")) == 13

    png = http.get(f"/api/v1/rounds/{rnd['id']}/map.png", headers=headers)
    assert png.status_code == 200 and png.headers["Content-Type"] == "image/png"
    assert png.content[:8] == b"\x89PNG\r\n\x1a\n"
    import matplotlib.image

    assert matplotlib.image.imread(io.BytesIO(png.content), format="png").shape[2] in (3, 4)


def test_locked_round_refuses_replanning(http, world, targets):
    rnd = _planned(http, world)
    headers = world.headers(world.users[Role.JUDGE])
    locked = http.post(f"/api/v1/rounds/{rnd['id']}/lock", headers=headers)
    assert locked.status_code == 200 and locked.json()["status"] == "locked"
    assert locked.json()["locked_at"]
    assert_problem(http.post(f"/api/v1/rounds/{rnd['id']}/plan", json={}, headers=headers),
                   409, "round_locked")
    assert_problem(http.post(f"/api/v1/rounds/{rnd['id']}/lock", headers=headers),
                   409, "round_locked")
    assert http.get(f"/api/v1/rounds/{rnd['id']}/sheet", headers=headers).status_code == 200


def test_outputs_and_lock_need_a_plan(http, world):
    created = _create(http, world).json()
    headers = world.headers(world.users[Role.OFFICER])
    assert created["status"] == "draft" and created["plan"] is None
    for path in ("plan.geojson", "sheet", "map.png"):
        assert_problem(http.get(f"/api/v1/rounds/{created['id']}/{path}", headers=headers),
                       409, "round_not_planned")
    assert_problem(http.post(f"/api/v1/rounds/{created['id']}/lock", headers=headers),
                   409, "round_not_planned")


def test_other_roles_get_403_and_other_courts_404(http, world, session):
    rnd = _create(http, world).json()
    outsider = factories.create_user(session, world.other_court, Role.OFFICER)
    session.commit()
    for role in (Role.GRID_ASSISTANT, Role.DEPUTY, Role.MEDIATOR):
        headers = world.headers(world.users[role])
        assert_problem(http.get("/api/v1/rounds", headers=headers), 403, "forbidden")
        assert_problem(http.post(f"/api/v1/rounds/{rnd['id']}/plan", json={},
                                 headers=headers), 403, "forbidden")
    for path in ("", "/sheet", "/map.png", "/plan.geojson"):
        assert_problem(http.get(f"/api/v1/rounds/{rnd['id']}{path}",
                                headers=world.headers(outsider)), 404, "round_not_found")
    assert_problem(http.post(f"/api/v1/rounds/{rnd['id']}/plan", json={},
                             headers=world.headers(outsider)), 404, "round_not_found")
    assert http.get("/api/v1/rounds", headers=world.headers(outsider)).json() == {"items": []}
    listed = http.get("/api/v1/rounds", headers=world.headers(world.judge_user)).json()
    assert [r["id"] for r in listed["items"]] == [rnd["id"]]


def test_area_from_villages_or_a_polygon(http, world, targets):
    by_village = _create(http, world, area={"village_ids": [world.village_a.id]})
    assert by_village.status_code == 201, by_village.text
    polygon = {"type": "Polygon", "coordinates": [[[108.30, 35.40], [108.35, 35.40],
                                                   [108.35, 35.44], [108.30, 35.44],
                                                   [108.30, 35.40]]]}
    by_polygon = _create(http, world, area={"polygon": polygon})
    assert by_polygon.status_code == 201, by_polygon.text
    planned = http.post(f"/api/v1/rounds/{by_polygon.json()['id']}/plan", json={},
                        headers=world.headers(world.users[Role.OFFICER])).json()
    inside = {c.id for c in targets["plannable"]
              if c.address_point is not None and _in_box(c)}
    routed = {s["case_id"] for r in planned["plan"]["routes"] for s in r["stops"]}
    assert routed | {u["case_id"] for u in planned["plan"]["unassigned"]} == inside


def _in_box(case: Any) -> bool:
    from geoalchemy2.shape import to_shape

    p = to_shape(case.address_point)
    return 108.30 <= p.x <= 108.35 and 35.40 <= p.y <= 35.44


def test_bad_rounds_are_422(http, world):
    assert_problem(_create(http, world, area={"township_ids": ["nope"]}), 422, "unknown_grid")
    assert_problem(_create(http, world, area={"polygon": {"type": "Point",
                                                          "coordinates": [1, 2]}}),
                   422, "invalid_area")
    assert_problem(_create(http, world, area={}), 422, "validation_failed")
    assert_problem(_create(http, world, ends_on="2026-10-01"), 422, "validation_failed")
    assert_problem(_create(http, world, teams=[]), 422, "validation_failed")
    bad_hours = [{"name": "x", "start": BASE, "work_start": "18:00", "work_end": "08:00"}]
    assert_problem(_create(http, world, teams=bad_hours), 422, "validation_failed")
