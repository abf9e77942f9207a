"""A phone whose clock is wrong pushes leads: a little ahead is believed, far ahead is not.

Each mutation is judged on its own: one with an observation time beyond the allowed
clock drift is rejected (``implausible_time``, nothing written) while the rest of the
batch applies; the retry of the same batch answers the same.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from enforcement.infrastructure.times import CLOCK_SKEW
from tests.api.helpers import bearer


def _lead(observed_at: datetime | str) -> dict:
    when = observed_at if isinstance(observed_at, str) else observed_at.isoformat()
    return {"mutation_id": uuid.uuid4().hex, "table": "lead", "op": "create",
            "id": str(uuid.uuid4()), "fields": {"kind": "other", "description": "钟不准的手机",
                                                "observed_at": when}}


def test_future_times_beyond_the_drift_allowed_are_refused_per_mutation(http, world, login):
    phone = login(world.assistant)
    now = datetime.now(UTC)
    batch = [
        _lead(now + timedelta(hours=2)),                    # a clock a little fast
        _lead(now - timedelta(days=1)),                     # yesterday, as it should be
        _lead(now + CLOCK_SKEW + timedelta(days=1)),        # beyond the drift allowed
        _lead("2099-01-01T00:00:00Z"),                      # a clock set by hand
        _lead("1999-12-31T23:00:00+00:00"),                 # before any Gridwork data
    ]
    body = {"device_id": phone["device_id"], "schema_version": 1, "mutations": batch}
    pushed = http.post("/api/v1/sync/push", headers=bearer(phone), json=body)
    assert pushed.status_code == 200, pushed.text
    results = pushed.json()["results"]
    assert [r["status"] for r in results] == [
        "applied", "applied", "rejected", "rejected", "rejected"]
    assert {r["code"] for r in results[2:]} == {"implausible_time"}

    mine = http.get("/api/v1/leads", headers=bearer(phone)).json()["items"]
    assert {lead["id"] for lead in mine} == {batch[0]["id"], batch[1]["id"]}
    ahead = next(lead for lead in mine if lead["id"] == batch[0]["id"])
    assert datetime.fromisoformat(ahead["observed_at"]) > now  # kept as the phone sent it
    again = http.post("/api/v1/sync/push", headers=bearer(phone), json=body)
    assert again.json() == pushed.json()


def test_rest_and_sync_share_one_rule(http, world):
    headers = world.headers(world.assistant)
    far = (datetime.now(UTC) + CLOCK_SKEW + timedelta(days=1)).isoformat()
    refused = http.post("/api/v1/leads", headers=headers,
                        json={"kind": "other", "observed_at": far})
    assert refused.status_code == 422
    near = (datetime.now(UTC) + timedelta(hours=2)).isoformat()
    assert http.post("/api/v1/leads", headers=headers,
                     json={"kind": "other", "observed_at": near}).status_code == 201
