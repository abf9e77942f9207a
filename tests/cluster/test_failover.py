"""Losing a machine under sync traffic loses no acknowledged push (issue #28).

Phones (the reference client, retrying as a real app does) create leads offline and
push and pull through HAProxy while a part of the set dies:

* the leader PostgreSQL node (Patroni and PostgreSQL, SIGKILL): Patroni promotes the
  synchronous standby; every create a push acknowledged is on the new leader exactly once,
  no phone holds a lead the server lacks, the audit chain verifies;
* an API host (SIGKILL to gunicorn and its workers): the other host serves on;
* etcd: the leader can no longer prove it leads and stops taking writes; a push is
  refused with 503 problem+json and leaves nothing behind, and applies once etcd is back.
"""

from __future__ import annotations

import os
import signal
import time
import uuid
from typing import Any

import pytest
import requests
import sqlalchemy as sa

from tests import factories
from tests.cluster.conftest import (
    API,
    PHONES,
    check_fleet,
    hacluster,
    kill_node,
    write_figures,
    write_probe,
)

TRAFFIC_BEFORE = 8.0
"""Seconds of traffic before the kill: every phone has signed in, pushed and pulled."""
TRAFFIC_AFTER = 10.0
"""Seconds of traffic once writes are back, before the phones settle."""


@pytest.mark.timeout(420)
def test_the_leader_dies_mid_traffic_and_no_acknowledged_push_is_lost(ha_engine, fleet):
    phones = fleet(PHONES)
    old = hacluster.leader()
    assert old is not None
    phones.start()
    time.sleep(TRAFFIC_BEFORE)
    with phones.lock:
        before = len(phones.acknowledged)
    assert before > 0, f"no push went through before the kill: {dict(phones.seen)}"

    killed_at = time.monotonic()
    kill_node(old)
    promoted = writable = None
    while writable is None:
        now = time.monotonic()
        assert now - killed_at < 120, "no new leader took writes within two minutes"
        if promoted is None and hacluster.leader() not in (None, old):
            promoted = now - killed_at
        if promoted is not None and write_probe():
            writable = time.monotonic() - killed_at
        time.sleep(0.2)
    new = hacluster.leader()
    assert new not in (None, old)
    time.sleep(TRAFFIC_AFTER)
    with phones.lock:
        seen_during = dict(phones.seen)
    phones.finish()

    counts = check_fleet(ha_engine, phones)
    assert counts["lost"] == 0 and counts["duplicated"] == 0
    assert counts["acknowledged"] > before, "no push was acknowledged after the failover"
    write_figures("leader-killed", {
        "phones": len(phones.phones), "old_leader": f"pg{old}", "new_leader": f"pg{new}",
        "seconds_to_promote": round(promoted or 0, 1),
        "seconds_without_writes": round(writable, 1),
        "syncs": phones.syncs, "errors_phones_saw": seen_during,
        "phones_gave_up_a_sync": len(phones.gave_up), **counts})


@pytest.mark.timeout(300)
def test_an_api_host_dies_mid_traffic_and_the_other_serves_on(ha_engine, fleet):
    phones = fleet(min(PHONES, 20))
    phones.start()
    time.sleep(TRAFFIC_BEFORE / 2)
    host = hacluster.pid_of("api1")
    assert host is not None
    with phones.lock:
        before = len(phones.acknowledged)
    hacluster._group_signal(host, signal.SIGKILL)
    time.sleep(TRAFFIC_AFTER)
    with phones.lock:
        after = len(phones.acknowledged)
        seen_during = dict(phones.seen)
    phones.finish()
    assert after > before, "nothing was acknowledged once a host was gone"
    assert requests.get(f"{API}/healthz", timeout=10).status_code == 200
    counts = check_fleet(ha_engine, phones)
    assert counts["lost"] == 0 and counts["duplicated"] == 0
    write_figures("api-host-killed", {
        "phones": len(phones.phones), "syncs": phones.syncs,
        "errors_phones_saw": seen_during, "phones_gave_up_a_sync": len(phones.gave_up),
        **counts})


@pytest.mark.timeout(300)
def test_without_etcd_writes_are_refused_cleanly_and_apply_once_it_is_back(ha_engine, fleet):
    phones = fleet(2)
    phone = phones.phones[0]
    tokens = requests.post(f"{API}/api/v1/auth/login", json={
        "username": phone.username, "password": factories.PASSWORD,
        "device_id": phone.device_id}, timeout=30).json()
    headers = {"Authorization": f"Bearer {tokens['access_token']}", "Accept-Language": "en"}
    batch = [{"mutation_id": uuid.uuid4().hex, "table": "lead", "op": "create",
              "id": str(uuid.uuid4()), "fields": {"kind": "other", "description": f"#{i}"}}
             for i in range(50)]
    body = {"device_id": phone.device_id, "schema_version": 1, "mutations": batch}

    stopped_at = time.monotonic()
    hacluster.stop_daemon("etcd", timeout=5)
    refusals: list[requests.Response] = []
    while time.monotonic() - stopped_at < 90:
        answer = requests.post(f"{API}/api/v1/sync/push", json=body, headers=headers,
                               timeout=60)
        if answer.status_code == 503:
            refusals.append(answer)
            if len(refusals) >= 3:
                break
        time.sleep(1)
    refused_after = time.monotonic() - stopped_at
    assert len(refusals) >= 3, "writes went on without etcd"
    for answer in refusals:
        assert answer.headers["Content-Type"].startswith("application/problem+json")
        assert answer.json()["code"] in ("database_unavailable", "service_unavailable")
        assert int(answer.headers["Retry-After"]) > 0

    # Whatever pushes were answered before the leader stepped down applied whole; the
    # refused ones left nothing. Either way the retry below must make it exactly once.
    hacluster.start_etcd()
    back: dict[str, Any] = {}
    deadline = time.monotonic() + 120
    while "answer" not in back:
        assert time.monotonic() < deadline, "writes did not come back with etcd"
        answer = requests.post(f"{API}/api/v1/sync/push", json=body, headers=headers,
                               timeout=60)
        if answer.status_code == 200:
            back["answer"] = answer.json()
        else:
            assert answer.status_code == 503, answer.text
            time.sleep(1)
    writes_back_after = time.monotonic() - stopped_at
    assert {r["status"] for r in back["answer"]["results"]} <= {"applied"}
    ids = {m["id"] for m in batch}
    with ha_engine.connect() as conn:
        found = conn.execute(sa.text("SELECT count(*) FROM lead WHERE id = ANY(:ids)"),
                             {"ids": list(ids)}).scalar_one()
        receipts = conn.execute(sa.text(
            "SELECT count(*) FROM sync_receipt WHERE mutation_id = ANY(:m)"),
            {"m": [m["mutation_id"] for m in batch]}).scalar_one()
    assert found == len(batch) == receipts
    write_figures("etcd-stopped", {
        "seconds_until_writes_refused": round(refused_after, 1),
        "seconds_until_writes_back": round(writes_back_after, 1),
        "refusals": [r.json()["code"] for r in refusals]})


@pytest.mark.timeout(240)
def test_the_sign_in_limit_is_shared_by_the_api_hosts(cluster, ha_engine, fleet):
    from tests.cluster.conftest import heal

    phones = fleet(1)
    heal(limit="4 per minute")
    try:
        wrong = {"username": phones.phones[0].username, "password": "not-it",
                 "device_id": "guess"}
        answers = [requests.post(f"{API}/api/v1/auth/login", json=wrong, timeout=30)
                   for _ in range(6)]
    finally:
        os.environ.pop("LOGIN_RATE_LIMIT", None)
    # Round robin sends these to both hosts in turn: counted apart, each would allow 4.
    statuses = [a.status_code for a in answers]
    assert statuses[:4] == [401] * 4 and statuses[4:] == [429, 429], statuses
    assert answers[4].headers["Content-Type"].startswith("application/problem+json")
