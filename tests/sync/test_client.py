"""The reference client over real HTTP: offline work reaches the other devices, clashes
are kept as conflicts on the phone, network failures are retried with back-off (honouring
Retry-After) without applying anything twice, a revoked device is refused everywhere and
wipes itself, and the command line works against a running server."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from typing import Any

import pytest
import requests
from sqlmodel import Session

from enforcement.models import Role
from sync.client import Backoff, DeviceRevoked, NetworkError, Reply, SyncClient
from tests import factories
from tests.sync.client_helpers import http_client, records
from tests.sync.conftest import receipts_count, settle


@pytest.fixture
def people(engine: Any) -> dict[str, Any]:
    with Session(engine, expire_on_commit=False) as session:
        court = factories.create_court(session)
        village = factories.create_village(session, factories.create_township(session, court))
        users = {role: factories.create_user(session, court, role)
                 for role in (Role.GRID_ASSISTANT, Role.JUDGE, Role.ADMIN)}
        factories.assign_grid(session, users[Role.GRID_ASSISTANT], village)
        cases = [factories.create_case(session, court) for _ in range(2)]
        session.commit()
    return {"assistant": users[Role.GRID_ASSISTANT], "judge": users[Role.JUDGE],
            "admin": users[Role.ADMIN], "case": cases[0], "case2": cases[1]}


def _lead(text: str) -> dict[str, Any]:
    return {"kind": "vehicle", "description": text,
            "point": {"lon": 108.305, "lat": 35.405, "datum": "gcj02"}}


def test_offline_work_reaches_the_other_phone_and_the_bench(live_server, engine, people,
                                                            tmp_path):
    phone_a = http_client(live_server, people["assistant"], tmp_path)
    phone_b = http_client(live_server, people["assistant"], tmp_path)
    bench = http_client(live_server, people["judge"], tmp_path)
    ids = [phone_a.create("lead", _lead(f"三轮车 #{i}")) for i in range(3)]
    phone_a.edit("lead", ids[0], {"description": "三轮车，蓝色"})
    phone_a.delete("lead", ids[2])

    results, _ = phone_a.sync()
    # the edit and delete of a lead the phone created are based on no server version
    assert {r["status"] for r in results} <= {"applied", "merged"} and len(results) == 5
    settle(engine)
    phone_b.sync()
    bench.sync()
    for device in (phone_a, phone_b, bench):
        held = records(device)
        assert set(held) == set(ids[:2])
        assert held[ids[0]]["description"] == "三轮车，蓝色"
        assert held[ids[0]]["village_grid_id"] is not None  # placed by the server
    again = phone_b.pull()
    assert (again.upserts, again.deletes, again.bootstrap) == (0, 0, False)


def test_a_clash_is_kept_as_a_conflict_on_the_phone(live_server, engine, people, tmp_path):
    phone = http_client(live_server, people["assistant"], tmp_path)
    bench = http_client(live_server, people["judge"], tmp_path)
    lead_id = phone.create("lead", _lead("院里有车"))
    phone.sync()
    settle(engine)
    bench.pull()
    other_case = people["case2"]
    bench.edit("lead", lead_id, {"case_id": people["case"].id})
    phone.edit("lead", lead_id, {"case_id": other_case.id, "description": "院里有两辆车"})
    bench.sync()

    results, _ = phone.sync()
    assert results[0]["status"] == "conflict"
    [kept] = phone.store.conflicts()
    assert (kept["field"], kept["client_value"]) == ("case_id", other_case.id)
    assert [c["id"] for c in phone.server_conflicts()] == [kept["id"]]
    settle(engine)
    phone.pull()
    local = records(phone)[lead_id]
    assert (local["case_id"], local["description"]) == (people["case"].id, "院里有两辆车")


class Flaky:
    """Fails the first requests as scripted, then passes through."""

    def __init__(self, inner: Any, script: list[Any]) -> None:
        self.inner, self.script = inner, script

    def request(self, method: str, path: str, **kwargs: Any) -> Reply:
        if self.script and path.endswith("/sync/push"):
            step = self.script.pop(0)
            if step == "lost":
                raise NetworkError("connection reset")
            if step == "answer lost":
                self.inner.request(method, path, **kwargs)
                raise NetworkError("connection reset")
            return step
        return self.inner.request(method, path, **kwargs)


def test_a_refused_record_stays_on_the_phone_to_be_fixed_or_let_go(live_server, engine,
                                                                   people, tmp_path):
    """A phone whose clock is years ahead: the server refuses its leads. They stay on the
    phone and in the server's list; one is fixed and resent, the other let go."""
    phone = http_client(live_server, people["assistant"], tmp_path)
    bench = http_client(live_server, people["judge"], tmp_path)
    future = "2040-05-01T08:00:00+00:00"
    fixable = phone.create("lead", {**_lead("院里停着一辆新三轮"), "observed_at": future})
    hopeless = phone.create("lead", {**_lead("重复上报"), "observed_at": future})
    results, _ = phone.sync()
    assert [r["code"] for r in results] == ["implausible_time"] * 2
    assert {r["id"] for r in phone.store.refused()} == {fixable, hopeless}
    assert set(records(phone)) == {fixable, hopeless}  # nothing vanished from the phone
    listed = bench.server_rejections()
    assert {(r["record_id"], r["code"]) for r in listed} == {
        (fixable, "implausible_time"), (hopeless, "implausible_time")}

    phone.edit("lead", fixable, {"observed_at": "2026-11-30T08:00:00+00:00"})
    phone.discard("lead", hopeless)
    results, _ = phone.sync()
    assert [(r["id"], r["status"]) for r in results] == [(fixable, "applied")]
    settle(engine)
    phone.pull()
    assert phone.store.refused() == []
    assert set(records(phone)) == {fixable}
    assert records(phone)[fixable]["version"] >= 1
    assert {r["record_id"] for r in bench.server_rejections()} == {hopeless}
    assert {r["record_id"] for r in bench.server_rejections("fixed")} == {fixable}


def test_retries_back_off_honour_retry_after_and_apply_once(live_server, engine, people,
                                                            tmp_path):
    waits: list[float] = []
    phone = http_client(live_server, people["assistant"], tmp_path, sleep=waits.append)
    phone.login()
    phone.transport = Flaky(phone.transport, [
        "lost", Reply(503, {"code": "service_unavailable"}), "answer lost",
        Reply(429, {"code": "too_many_requests"}, {"Retry-After": "7"})])
    phone.backoff = Backoff(attempts=6, base=0.5, cap=30)
    for i in range(4):
        phone.create("lead", _lead(f"#{i}"))

    results = phone.push()
    assert [r["status"] for r in results] == ["applied"] * 4
    assert receipts_count(engine) == 4  # the answer lost half-way did not apply twice
    assert len(waits) == 4
    assert all(0 <= w <= 0.5 * 2 ** n for n, w in enumerate(waits[:3]))
    assert waits[3] >= 7


def test_gives_up_after_the_last_attempt_and_keeps_the_outbox(people, tmp_path):
    phone = http_client("http://127.0.0.1:9", people["assistant"], tmp_path,
                        backoff=Backoff(attempts=3, base=0.0, cap=0.0))
    phone.store.put("access_token", "x")
    phone.create("lead", _lead("离线"))
    with pytest.raises(NetworkError):
        phone.push()
    assert len(phone.store.outbox()) == 1


def _revoke(live_server: str, admin: Any, device_id: str) -> None:
    token = requests.post(f"{live_server}/api/v1/auth/login", json={
        "username": admin.username, "password": factories.PASSWORD, "device_id": "admin-pc"},
        timeout=30).json()["access_token"]
    answer = requests.post(f"{live_server}/api/v1/devices/{device_id}/revoke",
                           json={"reason": "lost"}, timeout=30,
                           headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 200, answer.text


def test_a_revoked_device_is_refused_everywhere_and_wipes_itself(live_server, engine, people,
                                                                 tmp_path):
    phone: SyncClient = http_client(live_server, people["assistant"], tmp_path)
    phone.create("lead", _lead("院里有车"))
    phone.sync()
    token, refresh = phone.store.get("access_token"), phone.store.get("refresh_token")
    _revoke(live_server, people["admin"], phone.device_id)

    bearer = {"Authorization": f"Bearer {token}"}
    answers = [
        requests.get(f"{live_server}/api/v1/sync/pull", headers=bearer, timeout=30),
        requests.post(f"{live_server}/api/v1/sync/push", headers=bearer, timeout=30, json={
            "device_id": phone.device_id, "schema_version": 1, "mutations": []}),
        requests.get(f"{live_server}/api/v1/sync/conflicts", headers=bearer, timeout=30),
        requests.get(f"{live_server}/api/v1/leads", headers=bearer, timeout=30),
        requests.post(f"{live_server}/api/v1/auth/login", timeout=30, json={
            "username": people["assistant"].username, "password": factories.PASSWORD,
            "device_id": phone.device_id}),
    ]
    for answer in answers:
        assert answer.status_code == 403, answer.text
        assert (answer.json()["code"], answer.json()["wipe"]) == ("device_revoked", True)
    # its refresh token is dead too (the client then signs in, and is told to wipe)
    assert requests.post(f"{live_server}/api/v1/auth/refresh", json={"refresh_token": refresh},
                         timeout=30).status_code == 401

    phone.create("lead", _lead("还没推送"))
    with pytest.raises(DeviceRevoked):
        phone.sync()
    assert phone.store.records() == {} and phone.store.outbox() == []
    assert phone.store.get("access_token") is None and phone.store.conflicts() == []


def test_the_command_line_plays_a_phone(live_server, engine, people, tmp_path):
    base = [sys.executable, "-m", "sync.client", "--server", live_server,
            "--user", people["assistant"].username, "--device", "cli-phone",
            "--store", str(tmp_path / "cli.sqlite3")]
    env_password = {"GRIDWORK_PASSWORD": factories.PASSWORD}

    def run(*args: str) -> Any:
        done = subprocess.run([*base, *args], capture_output=True, text=True, timeout=120,
                              env={**os.environ, **env_password}, check=False)
        assert done.returncode == 0, done.stderr
        return json.loads(done.stdout)

    assert run("login")["role"] == "grid_assistant"
    lead_id = run("create-lead", "--kind", "vehicle", "--description", "三轮车",
                  "--lon", "108.305", "--lat", "35.405")["id"]
    run("edit", lead_id, "--set", "urgency=high")
    assert len(run("status")["outbox"]) == 2
    settle(engine)
    synced = run("sync")
    assert sum(synced["pushed"].values()) == 2 and "rejected" not in synced["pushed"]
    status = run("status")
    # the lead, and the phone's reference data: its village grid and township
    assert status["records"] == {"lead": 1, "village_grid": 1, "township": 1}
    # The lead comes back in that pull, or in the next one when the server was still
    # waiting for older transactions (of any database on it) to end: never twice.
    settle(engine)
    again = run("pull")
    assert synced["pulled"]["upserts"] + again["upserts"] == sum(status["records"].values())
    assert status["outbox"] == []
    assert run("conflicts") == {"local": [], "server": []}
    helps = subprocess.run([*base[:3], "--help"], capture_output=True, text=True, check=True)
    assert "模拟一部手机" in helps.stdout and "Simulate a phone" in helps.stdout
