"""Listing leads: filters, newest first, cursor pagination that sees every row once."""

from __future__ import annotations

from datetime import timedelta

from enforcement.models import LeadKind, LeadStatus, utcnow
from tests import factories
from tests.api.helpers import assert_problem


def test_pagination_walks_every_row_exactly_once(http, world, session):
    start = utcnow()
    made = {
        factories.create_lead(session, world.assistant, world.village_a,
                              created_at=start - timedelta(minutes=i % 5)).id
        for i in range(23)
    }  # several rows share a created_at: the id breaks the tie
    session.commit()
    seen: list[str] = []
    url = "/api/v1/leads?limit=5&kind=vehicle"
    pages = 0
    while url:
        response = http.get(url, headers=world.headers(world.judge_user))
        assert response.status_code == 200, response.text
        body = response.json()
        seen += [item["id"] for item in body["items"]]
        created = [item["created_at"] for item in body["items"]]
        assert created == sorted(created, reverse=True)
        pages += 1
        link = response.headers.get("Link")
        assert (link is None) == (body["next_cursor"] is None)
        url = link[1:link.index(">")] if link else None
        if url:
            assert "kind=vehicle" in url and "limit=5" in url
    assert pages == 5
    assert len(seen) == len(set(seen)) == 23
    assert set(seen) == made


def test_next_cursor_in_the_body_works_too(http, world, session):
    for _ in range(3):
        factories.create_lead(session, world.assistant, world.village_a)
    session.commit()
    headers = world.headers(world.assistant)
    first = http.get("/api/v1/leads?limit=2", headers=headers).json()
    second = http.get(f"/api/v1/leads?limit=2&cursor={first['next_cursor']}",
                      headers=headers).json()
    assert len(first["items"]) == 2 and len(second["items"]) == 1
    assert second["next_cursor"] is None


def test_filters(http, world, session):
    a = factories.create_lead(session, world.assistant, world.village_a, 108.305, 35.405)
    b = factories.create_lead(session, world.neighbour, world.village_b, 108.315, 35.405,
                              kind=LeadKind.REAL_ESTATE, status=LeadStatus.UNDER_REVIEW)
    old = factories.create_lead(session, world.assistant, world.village_a,
                                created_at=utcnow() - timedelta(days=10))
    session.commit()
    headers = world.headers(world.judge_user)

    def ids(query):
        response = http.get(f"/api/v1/leads?{query}", headers=headers)
        assert response.status_code == 200, response.text
        return {item["id"] for item in response.json()["items"]}

    assert ids("") == {a.id, b.id, old.id}
    assert ids("status=under_review") == {b.id}
    assert ids("status=under_review&status=submitted") == {a.id, b.id, old.id}
    assert ids("kind=real_estate") == {b.id}
    assert ids(f"village_grid_id={world.village_a.id}") == {a.id, old.id}
    assert ids(f"township_id={world.township.id}") == {a.id, b.id, old.id}
    assert ids(f"author_id={world.neighbour.id}") == {b.id}
    assert ids("bbox=108.31,35.40,108.32,35.41") == {b.id}
    since = (utcnow() - timedelta(days=1)).isoformat().replace("+00:00", "Z")
    assert ids(f"from={since}") == {a.id, b.id}
    assert ids(f"to={since}") == {old.id}


def test_bad_list_arguments_are_422(http, world):
    headers = world.headers(world.judge_user)
    for query, code in [("limit=0", "validation_failed"), ("limit=201", "validation_failed"),
                        ("bbox=1,2,3", "validation_failed"), ("status=lost", "validation_failed"),
                        ("cursor=bm9wZQ", "invalid_cursor"), ("cursor=%%%", "invalid_cursor")]:
        assert_problem(http.get(f"/api/v1/leads?{query}", headers=headers), 422, code)
