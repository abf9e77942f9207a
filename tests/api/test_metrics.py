"""Sync, device, attachment and pool metrics, scraped after real traffic.

An operator's Prometheus reads ``/metrics``; these tests do what a phone and a judge do,
then parse the scrape with prometheus_client's own parser and check the numbers moved.
Counters are process-wide (one app serves the whole test session), so they are compared
before and after; gauges read from the database are exact.
"""

from __future__ import annotations

import uuid
from datetime import timedelta

from prometheus_client.parser import text_string_to_metric_families

from enforcement.models import Device, utcnow
from tests import factories
from tests.api.helpers import bearer
from tests.sync.helpers import settle


def scrape(http) -> dict[str, dict[tuple, float]]:
    """Every sample of a scrape: name → sorted label pairs → value."""
    response = http.get("/metrics")
    assert response.status_code == 200, response.text
    samples: dict[str, dict[tuple, float]] = {}
    for family in text_string_to_metric_families(response.text):
        for sample in family.samples:
            samples.setdefault(sample.name, {})[tuple(sorted(sample.labels.items()))] = (
                sample.value)
    return samples


def value(samples, name: str, **labels: str) -> float:
    return samples.get(name, {}).get(tuple(sorted(labels.items())), 0.0)


def _mutation(op: str, record_id: str, **extra):
    return {"mutation_id": uuid.uuid4().hex, "table": "lead", "op": op, "id": record_id,
            **extra}


def _push(http, tokens, mutations):
    response = http.post("/api/v1/sync/push", headers=bearer(tokens), json={
        "device_id": tokens["device_id"], "schema_version": 1, "mutations": mutations})
    assert response.status_code == 200, response.text
    return [r["status"] for r in response.json()["results"]]


def test_pushes_pulls_and_each_mutation_result_are_counted(http, world, login, session,
                                                           engine):
    phone, bench = login(world.assistant), login(world.judge_user)
    case_id = factories.create_case(session, world.court).id
    other_case = factories.create_case(session, world.court).id
    session.commit()
    before = scrape(http)

    lead = str(uuid.uuid4())
    created = {"kind": "vehicle", "description": "院里有辆新车",
               "point": {"lon": 108.305, "lat": 35.405}}
    assert _push(http, phone, [_mutation("create", lead, fields=created),
                               _mutation("create", str(uuid.uuid4()), fields=created),
                               _mutation("create", str(uuid.uuid4()), table="no_such")]
                 ) == ["applied", "applied", "rejected"]
    assert _push(http, bench, [_mutation("update", lead, base_version=1,
                                         fields={"case_id": case_id})]) == ["applied"]
    assert _push(http, phone, [
        _mutation("update", lead, base_version=1, fields={"description": "车是蓝色的"}),
    ]) == ["merged"]
    assert _push(http, phone, [_mutation("update", lead, base_version=1,
                                         base={"case_id": None},
                                         fields={"case_id": other_case})]) == ["conflict"]
    settle(engine)
    first = http.get("/api/v1/sync/pull", headers=bearer(phone))
    assert first.status_code == 200
    http.get("/api/v1/sync/pull", headers=bearer(phone),
             params={"cursor": first.json()["next_cursor"]}).raise_for_status()

    after = scrape(http)

    def moved(name, **labels):
        return value(after, name, **labels) - value(before, name, **labels)

    assert moved("gridwork_sync_pushes_total") == 4
    assert moved("gridwork_sync_pulls_total", kind="bootstrap") == 1
    assert moved("gridwork_sync_pulls_total", kind="incremental") == 1
    assert moved("gridwork_sync_mutations_total", table="lead", result="applied") == 3
    assert moved("gridwork_sync_mutations_total", table="lead", result="merged") == 1
    assert moved("gridwork_sync_mutations_total", table="lead", result="conflict") == 1
    assert moved("gridwork_sync_mutations_total", table="no_such", result="rejected") == 1
    assert value(after, "gridwork_sync_open_conflicts", court_id=world.court.id) == 1
    assert value(after, "gridwork_sync_open_conflicts", court_id=world.other_court.id) == 0


def test_devices_by_last_contact_and_attachment_bytes_per_court(http, world, login, session):
    phone = login(world.assistant)
    login(world.judge_user)
    lost = login(world.neighbour)
    http.post(f"/api/v1/devices/{lost['device_id']}/revoke", headers=bearer(lost),
              json={"reason": "lost"}).raise_for_status()
    idle = login(world.assistant_b)
    device = session.get(Device, (world.court.id, idle["device_id"]))
    device.last_seen_at = utcnow() - timedelta(days=10)
    factories.create_attachment(session, world.assistant, size_bytes=1500)
    factories.create_attachment(session, world.assistant, size_bytes=999, complete=False)
    factories.create_attachment(session, world.stranger, size_bytes=70)
    session.commit()

    samples = scrape(http)
    court = world.court.id
    assert value(samples, "gridwork_devices", court_id=court, last_seen="1d") == 2
    assert value(samples, "gridwork_devices", court_id=court, last_seen="30d") == 1
    assert value(samples, "gridwork_attachment_bytes", court_id=court) == 1500
    assert value(samples, "gridwork_attachment_bytes", court_id=world.other_court.id) == 70
    assert value(samples, "gridwork_database_up") == 1
    text = http.get("/metrics").text  # ids and counts only: no one's name or device
    for personal in (world.assistant.username, world.assistant.display_name,
                     phone["device_id"], idle["device_id"]):
        assert personal not in text


def test_pool_gauges_show_connections_in_use(http, app):
    idle = scrape(http)
    assert value(idle, "gridwork_db_pool_size") == app.config["DATABASE_POOL_SIZE"]
    with app.extensions["gridwork"].db.engine.connect():
        busy = scrape(http)
    assert (value(busy, "gridwork_db_pool_checked_out")
            == value(idle, "gridwork_db_pool_checked_out") + 1)
