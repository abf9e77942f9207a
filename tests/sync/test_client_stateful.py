"""The stateful proof: reference clients (two phones of one assistant, a phone of another
assistant, and the judge's bench) make random offline edits, pushes and pulls through a
network that drops requests, drops answers, duplicates requests and delivers some late,
after later ones. At the end every device equals the server for its scope, and every
mutation ever made has exactly one receipt, with each clash kept as a conflict holding the
device's value.

Over the Flask test client for speed (the HTTP path of the same client is proven in
``test_client.py`` and ``test_crash.py``).
"""

from __future__ import annotations

import random
from typing import Any

import sqlalchemy as sa
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    rule,
    run_state_machine_as_test,
)
from sqlmodel import Session

from enforcement.accounts.principal import Principal
from enforcement.infrastructure.tokens import AccessClaims, issue_access_token
from enforcement.models import Role, utcnow
from enforcement.syncing import usecases as syncing
from sync.client import LocalStore, SyncClient
from sync.tables import sync_conflict, sync_receipt
from tests import factories
from tests.sync.client_helpers import NO_WAIT, FlaskTransport, LossyNetwork, records
from tests.sync.conftest import settle

TEXTS = st.sampled_from(["车在院里", "人在镇上", "新盖了房", "牛十头", "Ünïcödé 🐄"])
FIELDS = st.sampled_from(["description", "urgency", "case_id", "debtor_text"])


def _client(app: Any, user: Any, rng: random.Random) -> SyncClient:
    """A phone already signed in (a token minted here: argon2 sign-ins would dominate the
    run; the sign-in path is proven in test_client.py)."""
    with Session(app.extensions["gridwork"].db.engine) as session:
        device_id = factories.create_device(session, user).id
        session.commit()
    client = SyncClient(LocalStore(":memory:"), LossyNetwork(FlaskTransport(app), rng),
                        username=user.username, password=factories.PASSWORD,
                        device_id=device_id, backoff=NO_WAIT, batch_size=4, page_size=3)
    client.store.put("access_token", issue_access_token(
        app.extensions["gridwork"].tokens,
        AccessClaims(user.id, user.court_id, Role(user.role).value, device_id), utcnow()))
    return client


def _truth(db: Any, user: Any) -> dict[str, dict[str, Any]]:
    """What the server holds for the user's scope: a fresh device's bootstrap."""
    with Session(db.engine) as session:
        device_id = factories.create_device(session, user).id
        session.commit()
    who = Principal(user_id=user.id, court_id=user.court_id, role=Role(user.role),
                    device_id=device_id, username=user.username)
    rows: dict[str, dict[str, Any]] = {}
    cursor, more = None, True
    while more:
        page = syncing.pull(db, who, cursor, 500, 1)
        rows.update({row["id"]: row for row in page.changes["lead"].upserts})
        cursor, more = page.next_cursor, page.has_more
    return rows


def test_devices_converge_through_a_lossy_network(app, engine, db):
    class Devices(RuleBasedStateMachine):
        @initialize(seed=st.integers(0, 2**32 - 1))
        def world(self, seed: int) -> None:
            rng = random.Random(seed)
            with Session(engine, expire_on_commit=False) as session:
                court = factories.create_court(session)
                village = factories.create_village(
                    session, factories.create_township(session, court))
                self.assistant = factories.create_user(session, court, Role.GRID_ASSISTANT)
                self.other = factories.create_user(session, court, Role.GRID_ASSISTANT)
                self.judge = factories.create_user(session, court, Role.JUDGE)
                for user in (self.assistant, self.other):
                    factories.assign_grid(session, user, village)
                self.cases = [factories.create_case(session, court, village_grid_id=village.id).id
                              for _ in range(2)]  # cases the assistants may link
                session.commit()
            self.court_id = court.id
            self.devices = [_client(app, user, random.Random(rng.random()))
                            for user in (self.assistant, self.assistant, self.other,
                                         self.judge)]

        def _pick(self, which: int, pick: int) -> str | None:
            held = sorted(records(self.devices[which]))
            return held[pick % len(held)] if held else None

        @rule(which=st.integers(0, 2), text=TEXTS)
        def create(self, which: int, text: str) -> None:
            self.devices[which].create("lead", {"kind": "other", "description": text})

        @rule(which=st.integers(0, 3), pick=st.integers(0, 99), name=FIELDS, text=TEXTS,
              choice=st.integers(0, 1))
        def edit(self, which: int, pick: int, name: str, text: str, choice: int) -> None:
            record_id = self._pick(which, pick)
            if record_id is None:
                return
            value = {"urgency": ["high", "low"][choice], "case_id": self.cases[choice]
                     }.get(name, text)
            self.devices[which].edit("lead", record_id, {name: value})

        @rule(which=st.integers(0, 3), pick=st.integers(0, 99))
        def delete(self, which: int, pick: int) -> None:
            record_id = self._pick(which, pick)
            if record_id is not None:
                self.devices[which].delete("lead", record_id)

        @rule(which=st.integers(0, 3))
        def push(self, which: int) -> None:
            self.devices[which].push()

        @rule(which=st.integers(0, 3))
        def pull(self, which: int) -> None:
            self.devices[which].pull()

        @rule(which=st.integers(0, 3))
        def sync(self, which: int) -> None:
            self.devices[which].sync()

        @rule(pick=st.integers(0, 99))
        def court_syncs_and_withdraws_a_lead(self, pick: int) -> None:
            self.devices[3].pull()
            self.delete(3, pick)
            self.devices[3].push()

        @rule(which=st.integers(0, 3))
        def late_deliveries(self, which: int) -> None:
            self.devices[which].transport.deliver_held()

        @invariant()
        def outboxes_hold_only_unanswered_mutations(self) -> None:
            for device in getattr(self, "devices", []):
                sent = device.store.results()
                assert not any(m.mutation_id in sent for m in device.store.outbox())

        def teardown(self) -> None:
            if not hasattr(self, "devices"):
                return
            for device in self.devices:
                device.transport.rate = 0
                device.transport.deliver_held()
            for _ in range(2):
                for device in self.devices:
                    device.sync()
                settle(engine)
            for device in self.devices:
                device.pull()
                assert records(device) == _truth(db, self._user_of(device))
            self._nothing_lost()

        def _user_of(self, device: SyncClient) -> Any:
            return {u.username: u for u in (self.assistant, self.other, self.judge)
                    }[device.username]

        def _nothing_lost(self) -> None:
            with engine.connect() as conn:
                receipts = dict(conn.execute(
                    sa.select(sync_receipt.c.mutation_id, sync_receipt.c.result)
                    .where(sync_receipt.c.court_id == self.court_id)).all())
                kept = {(r.mutation_id, r.field): r.client_value for r in conn.execute(
                    sa.select(sync_conflict).where(sync_conflict.c.court_id == self.court_id))}
            for device in self.devices:
                assert device.store.outbox() == []
                for mutation_id, result in device.store.results().items():
                    assert receipts[mutation_id] == result  # one receipt, the same answer
                    assert result["status"] != "rejected", result
                    for note in result["conflicts"]:
                        assert (mutation_id, note["field"]) in kept

    run_state_machine_as_test(Devices, settings=settings(
        max_examples=15, stateful_step_count=35, deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]))
