"""Sightings over HTTP, and the urgent feed of a township's officers."""

from __future__ import annotations

from datetime import timedelta

import pytest

from enforcement.models import Role, utcnow
from geo.datum import distance_m, wgs84_to_gcj02
from tests import factories
from tests.api.helpers import assert_problem


def _report(http, world, user=None, **body):
    payload = {"seen_at": utcnow().isoformat(), "point": {"lon": 108.305, "lat": 35.405},
               "vehicle_plate": "甘M12345", "companions": "一名女子", "confidence": 4} | body
    return http.post("/api/v1/sightings", json=payload,
                     headers=world.headers(user or world.assistant))


def _links(http, url, headers):
    """Every page of a list, following ``Link: rel="next"``; returns the pages' ids."""
    pages = []
    while url:
        response = http.get(url, headers=headers)
        assert response.status_code == 200, response.text
        pages.append([item["id"] for item in response.json()["items"]])
        link = response.headers.get("Link")
        assert (link is None) == (response.json()["next_cursor"] is None)
        url = link[1:link.index(">")] if link else None
    return pages


def test_a_sighting_is_placed_in_its_grid_and_keeps_the_reported_point(http, world):
    true_position = (108.3151, 35.4052)
    lon, lat = wgs84_to_gcj02(*true_position)
    response = _report(http, world, point={"lon": lon, "lat": lat, "datum": "gcj02"},
                       urgent=True)
    assert response.status_code == 201, response.text
    sighting = response.json()
    assert distance_m((sighting["point"]["lon"], sighting["point"]["lat"]), true_position) < 0.5
    assert sighting["reported"]["datum"] == "gcj02"
    assert sighting["village_grid_id"] == world.village_b.id
    assert sighting["township_id"] == world.township.id
    assert (sighting["author_id"], sighting["confidence"], sighting["urgent"]) == (
        world.assistant.id, 4, True)
    assert response.headers["ETag"] == '"1"'
    assert response.headers["Location"].endswith(f"/api/v1/sightings/{sighting['id']}")


def test_a_retry_with_the_same_id_returns_the_stored_sighting(http, world):
    sighting_id = "abcdefgh12345678"
    assert _report(http, world, id=sighting_id).status_code == 201
    retry = _report(http, world, id=sighting_id)
    assert retry.status_code == 200 and retry.json()["id"] == sighting_id
    assert_problem(_report(http, world, user=world.neighbour, id=sighting_id),
                   409, "sighting_exists")


@pytest.mark.parametrize("field", ["author_id", "court_id", "village_grid_id", "township_id",
                                   "created_at", "version", "outside_grid"])
def test_server_owned_fields_are_refused_by_name(http, world, field):
    body = assert_problem(_report(http, world, **{field: "x"}), 422, "unknown_field")
    assert field in body["errors"]["json"]


@pytest.mark.parametrize(("body", "field"), [
    ({"confidence": 0}, "confidence"), ({"confidence": 6}, "confidence"),
    ({"point": None}, "point"), ({"seen_at": "yesterday"}, "seen_at"),
    ({"vehicle_plate": "x" * 17}, "vehicle_plate"),
    ({"party_id": "0b7e4c1e-8a1b-4bde-a1f5-3c2d0e9f7a55"}, "party_id"),
])
def test_bad_input_is_a_422_naming_the_field(http, world, body, field):
    problem = assert_problem(_report(http, world, **body), 422, "validation_failed")
    assert field in problem["errors"]["json"]


def test_patch_needs_if_match_and_refuses_a_stale_version(http, world):
    sighting = _report(http, world).json()
    url = f"/api/v1/sightings/{sighting['id']}"
    headers = world.headers(world.assistant)
    assert_problem(http.patch(url, json={"notes": "改"}, headers=headers),
                   428, "precondition_required")
    fresh = http.patch(url, json={"urgent": True, "point": {"lon": 108.315, "lat": 35.405}},
                       headers={**headers, "If-Match": '"1"'})
    assert fresh.status_code == 200, fresh.text
    assert fresh.headers["ETag"] == '"2"'
    assert fresh.json()["village_grid_id"] == world.village_b.id
    stale = http.patch(url, json={"notes": "再改"}, headers={**headers, "If-Match": '"1"'})
    assert assert_problem(stale, 412, "precondition_failed")["current_version"] == 2


def test_filters_and_pagination(http, world, session):
    start = utcnow()
    made = [factories.create_sighting(session, world.assistant, world.village_a,
                                      created_at=start - timedelta(minutes=i % 3)).id
            for i in range(7)]
    urgent = factories.create_sighting(session, world.assistant_b, world.village_b,
                                       108.315, 35.405, urgent=True)
    session.commit()
    headers = world.headers(world.judge_user)
    pages = _links(http, f"/api/v1/sightings?limit=3&village_grid_id={world.village_a.id}",
                   headers)
    assert [len(p) for p in pages] == [3, 3, 1]
    assert sorted(i for page in pages for i in page) == sorted(made)

    def ids(query):
        return {i["id"] for i in http.get(f"/api/v1/sightings?{query}",
                                          headers=headers).json()["items"]}

    assert ids("urgent=true") == {urgent.id}
    assert ids(f"author_id={world.assistant_b.id}") == {urgent.id}
    assert ids("bbox=108.31,35.40,108.32,35.41") == {urgent.id}
    assert len(ids(f"township_id={world.township.id}")) == 8


# --------------------------------------------------------------------------- the feed


@pytest.fixture
def townships(world, session):
    """A second township of the court; an officer on each township, and a judge on none."""
    other = factories.create_township(session, world.court, 108.5, 35.4)
    other_village = factories.create_village(session, other, 108.5, 35.4)
    here = world.users[Role.OFFICER]
    there = factories.create_user(session, world.court, Role.OFFICER)
    factories.assign_grid(session, here, world.village_b)
    factories.assign_grid(session, there, other_village)
    session.commit()
    return {"here": here, "there": there, "other_village": other_village}


def _feed(http, world, user, query=""):
    response = http.get(f"/api/v1/feed?{query}", headers=world.headers(user))
    assert response.status_code == 200, response.text
    return response.json()["items"]


def test_an_urgent_sighting_is_at_once_in_its_townships_feed_only(http, world, townships):
    quiet = _report(http, world).json()
    urgent = _report(http, world, urgent=True, notes="刚进了院子").json()
    here = _feed(http, world, townships["here"])
    assert [item["id"] for item in here] == [urgent["id"]]
    assert here[0]["type"] == "sighting" and here[0]["text"] == "刚进了院子"
    assert here[0]["township_id"] == world.township.id
    assert quiet["id"] not in {item["id"] for item in here}
    assert _feed(http, world, townships["there"]) == []
    assert [i["id"] for i in _feed(http, world, world.judge_user)] == [urgent["id"]]


def test_urgent_open_leads_are_in_the_feed_too(http, world, session, townships):
    lead = factories.create_lead(session, world.assistant, world.village_a, urgency="urgent")
    factories.create_lead(session, world.assistant, world.village_a, urgency="urgent",
                          status="closed")
    factories.create_lead(session, world.assistant, world.village_a)
    session.commit()
    assert [(i["type"], i["id"]) for i in _feed(http, world, townships["here"])] == [
        ("lead", lead.id)]


def test_the_feed_pages_newest_first_across_sightings_and_leads(http, world, session,
                                                                 townships):
    start = utcnow()
    made = [factories.create_sighting(session, world.assistant, world.village_a, urgent=True,
                                      created_at=start - timedelta(minutes=i)).id
            for i in range(5)]
    made += [factories.create_lead(session, world.assistant, world.village_a, urgency="urgent",
                                   created_at=start - timedelta(minutes=i, seconds=30)).id
             for i in range(3)]
    factories.create_sighting(session, world.assistant, townships["other_village"],
                              108.505, 35.405, urgent=True)
    session.commit()
    pages = _links(http, "/api/v1/feed?limit=3", world.headers(townships["here"]))
    assert [len(p) for p in pages] == [3, 3, 2]
    seen = [i for page in pages for i in page]
    assert len(set(seen)) == 8 and set(seen) == set(made)
    assert seen[:3] == [made[0], made[5], made[1]]  # newest first, kinds interleaved


def test_only_court_staff_read_the_feed(http, world):
    assert_problem(http.get("/api/v1/feed", headers=world.headers(world.assistant)),
                   403, "forbidden")
