"""Open work grouped by distance and per grid, for picking a round's area."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from pyproj import Geod

from enforcement.models import CaseStatus, LeadStatus, Role
from tests import factories
from tests.api.helpers import assert_problem, bearer

# Three cases and a lead within ~150 m of each other; one case ~1.2 km away.
NEAR = [(108.3010, 35.4010), (108.3015, 35.4012), (108.3008, 35.4019)]
FAR = (108.3090, 35.4090)
SEEN = datetime(2026, 10, 30, 19, 30, tzinfo=UTC)


def _scene(session):
    court = factories.create_court(session)
    village = factories.create_village(session, factories.create_township(session, court))
    judge = factories.create_user(session, court, Role.JUDGE)
    assistant = factories.create_user(session, court)
    owed = [Decimal("12000.00"), Decimal("3000.50"), Decimal("800.00")]
    near = [factories.create_case(session, court, address_point=factories.point(*p),
                                  village_grid_id=village.id, township_id=village.township_id,
                                  amount_owed=amount, amount_recovered=Decimal("500.00"))
            for p, amount in zip(NEAR, owed, strict=True)]
    far = factories.create_case(session, court, address_point=factories.point(*FAR),
                                village_grid_id=village.id, township_id=village.township_id)
    factories.create_case(session, court, address_point=factories.point(*NEAR[0]),
                          status=CaseStatus.CLOSED)  # closed work is not open work
    lead = factories.create_lead(session, assistant, village, 108.3012, 35.4015)
    factories.create_lead(session, assistant, village, 108.3011, 35.4011,
                          status=LeadStatus.REJECTED)
    factories.create_sighting(session, assistant, village, case_id=near[1].id, seen_at=SEEN)
    other = factories.create_court(session)  # another court's case on the same spot
    factories.create_case(session, other, address_point=factories.point(*NEAR[0]))
    session.commit()
    return judge, assistant, near, far, lead, sum(owed) - 3 * Decimal("500.00")


def test_near_targets_form_one_cluster_with_totals(http, session, login):
    judge, _, near, far, lead, outstanding = _scene(session)
    spread = max(Geod(ellps="WGS84").inv(*a, *b)[2] for a in NEAR for b in NEAR)
    assert spread < 150  # the fixture is what the test says it is

    answer = http.get("/api/v1/geo/clusters?distance_m=300&min_size=2",
                      headers=bearer(login(judge)))
    assert answer.status_code == 200, answer.text
    (cluster,) = answer.json()
    assert cluster["cases"] == 3 and cluster["leads"] == 1
    assert sorted(cluster["case_ids"]) == sorted(c.id for c in near)
    assert cluster["lead_ids"] == [lead.id]
    assert Decimal(cluster["amount_outstanding"]) == outstanding
    assert cluster["freshest_sighting"].startswith("2026-10-30T19:30")
    assert 108.300 < cluster["lon"] < 108.302 and 35.400 < cluster["lat"] < 35.402

    singles = http.get("/api/v1/geo/clusters?distance_m=300&min_size=1",
                       headers=bearer(login(judge))).json()
    assert len(singles) == 2
    assert [far.id] in [c["case_ids"] for c in singles]


def test_grid_totals_count_open_work(http, session, login):
    judge, _, _, _, _, outstanding = _scene(session)
    (totals,) = http.get("/api/v1/geo/grid-totals", headers=bearer(login(judge))).json()
    assert totals["open_cases"] == 4 and totals["open_leads"] == 1
    assert Decimal(totals["amount_outstanding"]) == outstanding + Decimal("50000.00")


def test_assistants_do_not_see_amounts_so_not_clusters(http, session, login):
    judge, assistant, *_ = _scene(session)
    assert_problem(http.get("/api/v1/geo/clusters", headers=bearer(login(assistant))),
                   403, "forbidden")
    assert_problem(http.get("/api/v1/geo/grid-totals", headers=bearer(login(assistant))),
                   403, "forbidden")
    assert_problem(http.get("/api/v1/geo/clusters?distance_m=5",
                            headers=bearer(login(judge))), 422, "validation_failed")
