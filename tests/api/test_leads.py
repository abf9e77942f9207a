"""Leads over HTTP: placement on grids, datums, duplicates, ids, mass assignment, ETags."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from enforcement.models import utcnow
from geo.datum import distance_m, wgs84_to_gcj02
from tests import factories
from tests.api.helpers import assert_problem


def _submit(http, world, user=None, **body):
    payload = {"kind": "vehicle", "description": "一辆三轮车",
               "point": {"lon": 108.305, "lat": 35.405}} | body
    return http.post("/api/v1/leads", json=payload, headers=world.headers(user or world.assistant))


def test_a_gcj02_point_is_stored_as_wgs84_within_half_a_metre(http, world):
    true_position = (108.3051, 35.4052)
    lon, lat = wgs84_to_gcj02(*true_position)
    response = _submit(http, world, point={"lon": lon, "lat": lat, "datum": "gcj02",
                                           "accuracy_m": 12})
    assert response.status_code == 201, response.text
    lead = response.json()
    stored = (lead["point"]["lon"], lead["point"]["lat"])
    assert distance_m(stored, true_position) < 0.5
    assert lead["reported"] == {"lon": lon, "lat": lat, "datum": "gcj02", "accuracy_m": 12}
    assert lead["village_grid_id"] == world.village_a.id
    assert lead["township_id"] == world.township.id
    assert lead["outside_grid"] is False
    assert lead["status"] == "submitted"
    assert lead["author_id"] == world.assistant.id
    assert response.headers["ETag"] == '"1"'
    assert response.headers["Location"].endswith(f"/api/v1/leads/{lead['id']}")


def test_a_point_on_the_shared_boundary_goes_to_exactly_one_grid(http, world, engine):
    on_edge = {"lon": 108.31, "lat": 35.405}
    with engine.connect() as conn:
        covering = conn.execute(sa.text(
            "SELECT count(*) FROM village_grid WHERE court_id = :c AND "
            "ST_Covers(geom, ST_SetSRID(ST_MakePoint(108.31, 35.405), 4326))"),
            {"c": world.court.id}).scalar()
    assert covering == 2
    grids = {_submit(http, world, point=on_edge).json()["village_grid_id"] for _ in range(3)}
    assert grids == {world.village_a.id}  # the lower code, every time


def test_a_point_outside_every_grid_is_flagged_with_the_nearest_grid(http, world):
    lead = _submit(http, world, point={"lon": 108.33, "lat": 35.405}).json()
    assert lead["outside_grid"] is True
    assert lead["village_grid_id"] == world.village_b.id
    assert lead["nearest_grid_distance_m"] == pytest.approx(908, rel=0.01)


@pytest.mark.parametrize(("dlon", "hours", "same_debtor", "flagged"), [
    (0.003, 47, True, True),     # ~270 m, 47 h
    (0.007, 1, True, False),     # ~630 m
    (0.001, 49, True, False),    # 49 h apart
    (0.001, 1, False, False),    # another debtor
])
def test_duplicates_within_500_m_and_48_h_are_flagged(http, world, session, dlon, hours,
                                                      same_debtor, flagged):
    _, debtor = factories.create_debtor_case(session, world.court, world.village_a)
    other = factories.create_party(session, world.court, world.village_a)
    earlier = factories.create_lead(session, world.neighbour, world.village_a, 108.301, 35.405,
                                    party_id=debtor.id, observed_at=utcnow())
    session.commit()
    observed = (utcnow() + timedelta(hours=hours)).isoformat()
    lead = _submit(http, world, party_id=debtor.id if same_debtor else other.id,
                   observed_at=observed, point={"lon": 108.301 + dlon, "lat": 35.405}).json()
    assert lead["possible_duplicate_of_id"] == (earlier.id if flagged else None)


@pytest.mark.parametrize("lead_id", ["7d0c8f8e-3b1a-4a53-9a57-0c6f0f6b9a11", "abcdefgh12345678"])
def test_the_phone_may_choose_the_id_and_a_retry_returns_the_same_lead(http, world, lead_id):
    first = _submit(http, world, id=lead_id)
    assert first.status_code == 201, first.text
    retry = _submit(http, world, id=lead_id)
    assert retry.status_code == 200
    assert retry.json()["id"] == first.json()["id"] == lead_id
    taken = _submit(http, world, user=world.neighbour, id=lead_id)
    assert_problem(taken, 409, "lead_exists")


@pytest.mark.parametrize("field", ["status", "author_id", "court_id", "village_grid_id",
                                   "township_id", "created_at", "version", "outside_grid"])
def test_server_owned_fields_are_refused_by_name(http, world, field):
    body = assert_problem(_submit(http, world, **{field: "x"}), 422, "unknown_field")
    assert field in body["errors"]["json"]


@pytest.mark.parametrize(("body", "field"), [
    ({"point": {"lon": 200, "lat": 35}}, "point"),
    ({"point": {"lon": 108, "lat": 35, "datum": "mars"}}, "point"),
    ({"kind": "treasure"}, "kind"),
    ({"id": "not an id"}, "id"),
    ({"description": "x" * 10_001}, "description"),
    ({"observed_at": "yesterday"}, "observed_at"),
    ({"case_id": "0b7e4c1e-8a1b-4bde-a1f5-3c2d0e9f7a55"}, "case_id"),
])
def test_bad_input_is_a_422_naming_the_field(http, world, body, field):
    problem = assert_problem(_submit(http, world, **body), 422, "validation_failed")
    assert field in problem["errors"]["json"]


def test_not_json_is_a_4xx_problem(http, world):
    response = http.post("/api/v1/leads", data="{oops", headers=world.headers(
        world.assistant, **{"Content-Type": "application/json"}))
    assert 400 <= response.status_code < 500
    assert response.headers["Content-Type"].startswith("application/problem+json")


def test_patch_needs_if_match_and_refuses_a_stale_version(http, world):
    lead = _submit(http, world).json()
    url = f"/api/v1/leads/{lead['id']}"
    headers = world.headers(world.assistant)
    assert_problem(http.patch(url, json={"description": "改"}, headers=headers),
                   428, "precondition_required")
    fresh = http.patch(url, json={"description": "改", "point": {"lon": 108.315, "lat": 35.405}},
                       headers={**headers, "If-Match": '"1"'})
    assert fresh.status_code == 200, fresh.text
    assert fresh.headers["ETag"] == '"2"'
    assert fresh.json()["village_grid_id"] == world.village_b.id
    stale = http.patch(url, json={"description": "再改"}, headers={**headers, "If-Match": '"1"'})
    assert assert_problem(stale, 412, "precondition_failed")["current_version"] == 2
    assert http.get(url, headers=headers).headers["ETag"] == '"2"'


def test_the_author_cannot_edit_once_review_starts(http, world):
    lead = _submit(http, world).json()
    judge = world.headers(world.users["judge"])
    step = http.post(f"/api/v1/leads/{lead['id']}/transitions", json={"to": "under_review"},
                     headers=judge)
    assert step.status_code == 201, step.text
    edit = http.patch(f"/api/v1/leads/{lead['id']}", json={"description": "改"},
                      headers=world.headers(world.assistant, **{"If-Match": '"2"'}))
    assert_problem(edit, 409, "lead_not_editable")


def test_an_assistant_without_a_grid_cannot_report(http, world, session):
    loner = factories.create_user(session, world.court)
    session.commit()
    assert_problem(_submit(http, world, user=loner), 403, "no_grid_assignment")
