"""Every sort order of every list pages through each row exactly once, in order.

Rows are made with many ties in the sort keys (same time, same urgency, no due date), so
the id has to break them the same way on every page. Hypothesis picks the order and the
page size; the pages joined must equal the list read in one go, whose keys must be in
order.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from enforcement.models import MediationOutcome, Urgency, utcnow
from tests import factories
from tests.api.helpers import assert_problem

ROWS = 14
URGENCY = {"low": 0, "normal": 1, "high": 2, "urgent": 3}
LAST = datetime.max.isoformat() + "+00:00"


def _t(value):
    return datetime.fromisoformat(value or LAST)


def _build(session, world, resource):
    base = utcnow().replace(microsecond=0)
    made = []
    for i in range(ROWS):
        created = {"created_at": base - timedelta(minutes=i % 3)}
        if resource == "leads":
            made.append(factories.create_lead(
                session, world.assistant, world.village_a, urgency=list(Urgency)[i % 4],
                observed_at=None if i % 4 == 0 else base - timedelta(hours=i % 5), **created))
        elif resource == "sightings":
            made.append(factories.create_sighting(
                session, world.assistant, world.village_a, urgent=i % 3 == 0,
                confidence=1 + i % 5, seen_at=base - timedelta(hours=i % 4), **created))
        elif resource == "mediation-notes":
            case = factories.create_case(session, world.court)
            made.append(factories.create_mediation_note(
                session, world.assistant, case, held_at=base - timedelta(days=i % 4),
                outcome=MediationOutcome.CONTINUE,
                next_visit_on=None if i % 3 == 0 else date(2026, 12, 1 + i % 5), **created))
        elif resource == "tasks":
            made.append(factories.create_task(
                session, world.judge_user, world.village_a,
                due_at=None if i % 3 == 0 else base + timedelta(days=i % 4), **created))
        else:
            made.append(factories.create_case(
                session, world.court, case_number=f"(2024)甘1025执{i % 7}-{i}号",
                amount_owed=Decimal(1000 * (i % 4)), filed_on=date(2024, 1, 1 + i % 5),
                **created))
    session.commit()
    return {row.id for row in made}


SORTS = {
    # resource: {sort: (descending, key of an item)}
    "leads": {
        "newest": (True, lambda i: _t(i["created_at"])),
        "oldest": (False, lambda i: _t(i["created_at"])),
        "observed": (True, lambda i: _t(i["observed_at"] or i["created_at"])),
        "urgency": (True, lambda i: (URGENCY[i["urgency"]], _t(i["created_at"]))),
    },
    "sightings": {
        "newest": (True, lambda i: _t(i["created_at"])),
        "oldest": (False, lambda i: _t(i["created_at"])),
        "seen": (True, lambda i: _t(i["seen_at"])),
        "urgency": (True, lambda i: (i["urgent"], i["confidence"], _t(i["seen_at"]))),
    },
    "mediation-notes": {
        "newest": (True, lambda i: _t(i["created_at"])),
        "oldest": (False, lambda i: _t(i["created_at"])),
        "held": (True, lambda i: _t(i["held_at"])),
        "next_visit": (False, lambda i: i["next_visit_on"] or "9999-01-01"),
    },
    "tasks": {
        "newest": (True, lambda i: _t(i["created_at"])),
        "oldest": (False, lambda i: _t(i["created_at"])),
        "due": (False, lambda i: _t(i["due_at"])),
    },
    "cases": {
        "newest": (True, lambda i: _t(i["created_at"])),
        "oldest": (False, lambda i: _t(i["created_at"])),
        "case_number": (False, None),  # the database's collation decides; checked by paging
        "filed": (True, lambda i: i["filed_on"]),
        "outstanding": (True, lambda i: Decimal(i["amount_owed"]) - Decimal(
            i["amount_recovered"])),
    },
}


def _walk(http, headers, resource, sort, limit):
    """Every page of the list, following the Link header; the ids in order."""
    url, seen = f"/api/v1/{resource}?sort={sort}&limit={limit}", []
    while url:
        response = http.get(url, headers=headers)
        assert response.status_code == 200, response.text
        seen += [item["id"] for item in response.json()["items"]]
        link = response.headers.get("Link")
        url = link[1:link.index(">")] if link else None
    return seen


@pytest.mark.parametrize("resource", list(SORTS))
def test_every_sort_pages_through_every_row_once_in_order(http, world, session, resource):
    made = _build(session, world, resource)
    headers = world.headers(world.judge_user)
    whole = {}
    for sort, (descending, key) in SORTS[resource].items():
        response = http.get(f"/api/v1/{resource}?sort={sort}&limit=200", headers=headers)
        assert response.status_code == 200, response.text
        items = response.json()["items"]
        assert {item["id"] for item in items} == made
        if key is not None:
            keys = [key(item) for item in items]
            assert keys == sorted(keys, reverse=descending), sort
        whole[sort] = [item["id"] for item in items]

    @settings(max_examples=10, deadline=None, derandomize=True)
    @given(sort=st.sampled_from(sorted(SORTS[resource])), limit=st.integers(1, 6))
    def pages_join_to_the_whole_list(sort, limit):
        assert _walk(http, headers, resource, sort, limit) == whole[sort]

    pages_join_to_the_whole_list()


def test_a_cursor_continues_only_its_own_sort(http, world, session):
    _build(session, world, "leads")
    headers = world.headers(world.judge_user)
    cursor = http.get("/api/v1/leads?sort=urgency&limit=2", headers=headers).json()["next_cursor"]
    assert http.get(f"/api/v1/leads?sort=urgency&cursor={cursor}",
                    headers=headers).status_code == 200
    for other in ("newest", "observed"):
        response = http.get(f"/api/v1/leads?sort={other}&cursor={cursor}", headers=headers)
        assert_problem(response, 422, "invalid_cursor")
