"""The high-availability set of ``make cluster`` (scripts/hacluster.py), driven by tests that
kill its parts. Collected only under ``make cluster-test`` (GRIDWORK_CLUSTER_TEST=1).

Each test gets a cluster whose every part runs, its own court in the database
``gridwork_cluster_test`` (made and migrated through the write port), and phones that
talk to the API hosts through HAProxy; after the test everything killed is started again
(a killed PostgreSQL node rejoins as a replica) so the next test starts whole.
"""

from __future__ import annotations

import contextlib
import json
import os
import random
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlmodel import Session

from enforcement.models import Role
from sync.client import Backoff, HttpTransport, LocalStore, NetworkError, Reply, SyncClient
from sync.client.core import SyncError
from tests import factories

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "scripts"))
import hacluster  # the same helpers as `make cluster`; stdlib only
import pgcluster

DATABASE = "gridwork_cluster_test"
API = f"http://{hacluster.HOST}:{hacluster.HTTP_PORT}"
PHONES = int(os.environ.get("GRIDWORK_CLUSTER_PHONES", "50"))
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
# Every phone signs in from 127.0.0.1 (HAProxy's X-Forwarded-For): a limit per address
# fit for a real court would make the fleet wait; test_shared_limits sets its own.
TEST_RATE_LIMIT = "100000 per minute"

pytestmark = pytest.mark.no_db  # the cluster's own database, never the private cluster's

# The API hosts sign tokens and seal personal data with the keys in .data/ha/keys.json:
# the factories below must seal with the same key.
os.environ.update(hacluster.keys())


def _retry(what: str, func: Any, timeout: float = 120) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        try:
            return func()
        except Exception:
            if time.monotonic() > deadline:
                raise AssertionError(f"{what}: still failing after {timeout:.0f} s") from None
            time.sleep(0.5)


def heal(limit: str = TEST_RATE_LIMIT) -> None:
    """Start whatever is not running, wait for a leader and a synchronous standby, and the
    API hosts on the test database."""
    os.environ["LOGIN_RATE_LIMIT"] = limit
    try:
        hacluster.cmd_start()
        hacluster.cmd_api(DATABASE)
    finally:
        os.environ.pop("LOGIN_RATE_LIMIT", None)


@pytest.fixture(scope="session")
def cluster() -> Iterator[str]:
    """The test database, made afresh and migrated through the write port."""
    from alembic import command

    from enforcement.infrastructure.db_migrations import alembic_config

    hacluster.cmd_start()
    admin = sa.create_engine(hacluster.write_url("postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)'))
    admin.dispose()
    hacluster.ensure_db(DATABASE)
    url = hacluster.write_url(DATABASE)
    command.upgrade(alembic_config(url=url), "head")
    heal()
    yield url


@pytest.fixture
def ha_engine(cluster: str) -> Iterator[sa.Engine]:
    """Through the write port: whichever node leads now. Pre-pinged, as the app's."""
    eng = sa.create_engine(cluster, pool_pre_ping=True)
    yield eng
    eng.dispose()


@pytest.fixture(autouse=True)
def whole_again(cluster: str) -> Iterator[None]:
    heal()
    yield
    heal()


# --------------------------------------------------------------------------- the fleet


class CountingTransport(HttpTransport):
    """HTTP through HAProxy, counting what the phone saw: statuses other than 200 and
    requests with no answer at all."""

    def __init__(self, base_url: str, seen: Counter[str], lock: threading.Lock) -> None:
        super().__init__(base_url, timeout=30)
        self.seen, self.lock = seen, lock

    def request(self, method: str, path: str, **kwargs: Any) -> Reply:
        try:
            reply = super().request(method, path, **kwargs)
        except NetworkError:
            with self.lock:
                self.seen["no answer"] += 1
            raise
        if reply.status != 200:
            with self.lock:
                self.seen[f"{reply.status} {reply.code or ''}".strip()] += 1
        return reply


@dataclass
class Fleet:
    """Phones that create leads offline and sync, each in a thread, until stopped."""

    court_id: str
    phones: list[SyncClient]
    acknowledged: dict[str, str] = field(default_factory=dict)
    """mutation id -> lead id, for every create a push answered ``applied``."""
    seen: Counter[str] = field(default_factory=Counter)
    gave_up: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    stop: threading.Event = field(default_factory=threading.Event)
    threads: list[threading.Thread] = field(default_factory=list)
    syncs: int = 0

    def start(self) -> None:
        for number, phone in enumerate(self.phones):
            thread = threading.Thread(target=self._run, args=(number, phone), daemon=True)
            self.threads.append(thread)
            thread.start()

    def _sync(self, phone: SyncClient) -> None:
        results, _ = phone.sync()
        with self.lock:
            self.syncs += 1
            for result in results:
                if result["status"] == "applied":
                    self.acknowledged[result["mutation_id"]] = result["id"]

    def _run(self, number: int, phone: SyncClient) -> None:
        rng = random.Random(number)
        while not self.stop.is_set():
            for _ in range(rng.randint(1, 3)):
                phone.create("lead", {"kind": "other",
                                      "description": f"phone {number} {uuid.uuid4().hex[:8]}"})
            try:
                self._sync(phone)
            except (SyncError, NetworkError) as error:  # the outbox keeps the mutations
                with self.lock:
                    self.gave_up.append(f"phone {number}: {error}")
            self.stop.wait(rng.uniform(0.5, 1.5))

    def finish(self) -> None:
        """Stop the traffic, then let every phone push what it still holds and pull."""
        self.stop.set()
        for thread in self.threads:
            thread.join(120)
        for phone in self.phones:
            self._sync(phone)
            self._sync(phone)  # the second pull brings what the others pushed last


@pytest.fixture
def fleet(ha_engine: sa.Engine, tmp_path: Path) -> Iterator[Any]:
    """``fleet(n)``: n signed-in phones, one grid assistant each, in a new court."""
    made: list[Fleet] = []

    def make(count: int = PHONES) -> Fleet:
        with Session(ha_engine) as session:
            court = factories.create_court(session)
            village = factories.create_village(session,
                                               factories.create_township(session, court))
            users = [factories.create_user(session, court, Role.GRID_ASSISTANT)
                     for _ in range(count)]
            for user in users:
                factories.assign_grid(session, user, village)
            session.commit()
            names, court_id = [u.username for u in users], court.id
        built = Fleet(court_id, [])
        for number, name in enumerate(names):
            device = f"ha-{number}-{uuid.uuid4().hex[:6]}"
            built.phones.append(SyncClient(
                LocalStore(tmp_path / f"{device}.sqlite3"),
                CountingTransport(API, built.seen, built.lock), username=name,
                password=factories.PASSWORD, device_id=device,
                backoff=Backoff(attempts=80, base=0.2, cap=2.0)))
        for phone in built.phones:
            phone.login()
            phone.sync()
        made.append(built)
        return built

    yield make
    for built in made:
        built.stop.set()


def check_fleet(engine: sa.Engine, fleet: Fleet) -> dict[str, int]:
    """Every acknowledged create is on the leader exactly once, nothing else is, no phone
    holds a lead the server lacks, and the court's audit chain verifies."""
    from enforcement.infrastructure.audit import verify_chain
    from enforcement.models import Court

    assert not any(phone.store.outbox(1) for phone in fleet.phones), "a phone kept unsent work"
    with engine.connect() as conn:
        server = dict(conn.execute(sa.text(
            "SELECT id, description FROM lead WHERE court_id = :c"), {"c": fleet.court_id}).all())
        receipts = Counter(conn.execute(sa.text(
            "SELECT mutation_id FROM sync_receipt WHERE court_id = :c AND table_name = 'lead'"),
            {"c": fleet.court_id}).scalars())
    acknowledged = set(fleet.acknowledged.values())
    assert len(acknowledged) == len(fleet.acknowledged)
    missing = acknowledged - set(server)
    assert not missing, f"{len(missing)} acknowledged leads are not on the leader"
    extra = set(server) - acknowledged
    assert not extra, f"{len(extra)} leads on the leader that no push acknowledged"
    assert all(receipts[m] == 1 for m in fleet.acknowledged), "a mutation was applied twice"
    for phone in fleet.phones:
        held = phone.store.records("lead").get("lead", {})
        lacking = set(held) - set(server)
        assert not lacking, f"{phone.device_id} holds {len(lacking)} leads the server lacks"
        for lead_id, row in held.items():
            assert row["description"] == server[lead_id]
    with Session(engine) as session:
        court = session.get(Court, fleet.court_id)
        assert court is not None
        report = verify_chain(session, court)
    assert report.ok, report.problem
    return {"acknowledged": len(fleet.acknowledged), "on_leader": len(server),
            "duplicated": sum(n - 1 for n in receipts.values() if n > 1),
            "lost": len(missing), "audit_entries": report.entries}


def write_figures(name: str, figures: Mapping[str, Any]) -> None:
    """What a failover cost, for docs/deploy.md: printed and kept in test-artifacts/."""
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / f"cluster-{name}.json").write_text(json.dumps(figures, indent=2) + "\n")
    print(f"\n{name}: {json.dumps(figures)}")


# --------------------------------------------------------------------------- killing


def kill_node(node: int) -> None:
    """The machine of a PostgreSQL node dies: SIGKILL to its Patroni and its PostgreSQL."""
    patroni, postmaster = hacluster.node_pids(node)
    assert patroni and postmaster, f"pg{node} is not running"
    hacluster._group_signal(patroni, 9)
    for pid in (patroni, postmaster,
                *pgcluster._orphans(hacluster.base_dir() / f"pg{node}")):
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, 9)


def write_probe(timeout: float = 1.0) -> bool:
    """Whether a write transaction commits through HAProxy's write port right now."""
    import psycopg

    try:
        with psycopg.connect(host=hacluster.HOST, port=hacluster.WRITE_PORT, user="postgres",
                             dbname=DATABASE, connect_timeout=timeout, autocommit=True) as conn:
            conn.execute("SET statement_timeout = '2s'")
            conn.execute("SELECT pg_current_xact_id()")
            return True
    except psycopg.Error:
        return False


def run(argv: list[str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(argv, capture_output=True, text=True, timeout=120, check=False)
