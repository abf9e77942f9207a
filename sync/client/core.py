"""The reference sync client: what a phone app does, in a few hundred lines.

Offline, edits change the local store and queue a mutation (with the version and values
they were based on). ``sync()`` pushes the outbox then pulls. Every call retries network
errors, 5xx and 429 with exponential back-off and full jitter (honouring ``Retry-After``);
a retried push sends the same mutation ids, so the server applies it once. A pull applies
each page and stores its cursor in one local transaction: upserts, tombstones, evictions
(records that left the device's scope). The client knows the protocol only: nothing of
the server's code.
"""

from __future__ import annotations

import random
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from sync.client.store import LocalStore
from sync.client.transport import NetworkError, Reply, Transport

API = "/api/v1"
RETRYABLE = frozenset({429, 500, 502, 503, 504})


class DeviceRevoked(Exception):
    """The server revoked this device and told it to wipe; the local store is now empty."""


class SyncError(Exception):
    """The server refused a request for good (not worth retrying)."""

    def __init__(self, reply: Reply) -> None:
        detail = reply.body.get("detail") if isinstance(reply.body, dict) else None
        super().__init__(f"{reply.status} {reply.code or ''} {detail or ''}".strip())
        self.reply = reply


@dataclass(frozen=True, slots=True)
class Backoff:
    """Delays between attempts: ``min(cap, base * 2**n)`` scaled by a random factor in
    [0, 1) ("full jitter"), never less than the server's ``Retry-After``."""

    attempts: int = 6
    base: float = 0.5
    cap: float = 30.0

    def delay(self, attempt: int, retry_after: float | None, rng: random.Random) -> float:
        wait = rng.random() * min(self.cap, self.base * 2 ** attempt)
        return max(wait, retry_after or 0.0)


@dataclass
class PullStats:
    pages: int = 0
    upserts: int = 0
    deletes: int = 0
    evictions: int = 0
    bootstrap: bool = False


class SyncClient:
    def __init__(self, store: LocalStore, transport: Transport, *, username: str,
                 password: str | None, device_id: str, schema_version: int = 1,
                 backoff: Backoff | None = None, batch_size: int = 200,
                 page_size: int = 500, sleep: Callable[[float], None] = time.sleep,
                 rng: random.Random | None = None) -> None:
        self.store, self.transport = store, transport
        self.username, self.password, self.device_id = username, password, device_id
        self.schema_version, self.batch_size, self.page_size = schema_version, batch_size, page_size
        self.backoff = backoff or Backoff()
        self.sleep, self.rng = sleep, rng or random.Random()

    # -- session ------------------------------------------------------------------------
    def login(self) -> dict[str, Any]:
        if self.password is None:
            raise SyncError(Reply(401, {"code": "password_needed",
                                        "detail": "give --password to sign in"}))
        reply = self._send("POST", "/auth/login", json={
            "username": self.username, "password": self.password, "device_id": self.device_id,
            "device_name": "gridwork reference client", "platform": "python"}, auth=False)
        self._keep_tokens(reply.body)
        return dict(reply.body)

    def _keep_tokens(self, body: Mapping[str, Any]) -> None:
        with self.store.transaction():
            for key in ("access_token", "refresh_token", "user_id", "court_id", "role"):
                self.store.put(key, str(body[key]))
            self.store.put("device_id", self.device_id)

    def _renew(self) -> None:
        """A fresh access token: by refresh token, else by password."""
        refresh = self.store.get("refresh_token")
        if refresh:
            reply = self._send("POST", "/auth/refresh", json={"refresh_token": refresh},
                               auth=False, ok=(200, 401))
            if reply.status == 200:
                self._keep_tokens(reply.body)
                return
        self.login()

    # -- offline edits -------------------------------------------------------------------
    def create(self, table: str, fields: dict[str, Any], record_id: str | None = None) -> str:
        record_id = record_id or str(uuid.uuid4())
        with self.store.transaction():
            self.store.save(table, {"id": record_id, "version": 0, **fields})
            self.store.enqueue(table, "create", record_id, fields)
        return record_id

    def edit(self, table: str, record_id: str, fields: dict[str, Any]) -> None:
        """Change a record offline. A record the server refused is fixed this way: it is
        sent again whole, as the create it still is."""
        with self.store.transaction():
            local = self.store.record(table, record_id)
            if local is None:
                raise KeyError(f"{table} {record_id} is not on this device")
            if any(r["table"] == table and r["id"] == record_id for r in self.store.refused()):
                fixed = {k: v for k, v in {**local, **fields}.items() if k not in ("id",
                                                                                   "version")}
                self.store.enqueue(table, "create", record_id, fixed)
                self.store.save(table, {**local, **fields})
                return
            # The values this edit is based on, as last pulled; none for a record the
            # server has not sent back yet (its values are only this device's own).
            base = ({name: local[name] for name in fields if name in local}
                    if local["version"] else None)
            self.store.enqueue(table, "update", record_id, fields,
                               local["version"] or None, base or None)
            self.store.save(table, {**local, **fields})

    def discard(self, table: str, record_id: str) -> None:
        """Let a refused record go: it leaves this device (the server lists it until
        someone discards it there too)."""
        with self.store.transaction():
            if not any(r["table"] == table and r["id"] == record_id
                       for r in self.store.refused()):
                raise KeyError(f"{table} {record_id} is not a refused record on this device")
            self.store.forget(table, [record_id])

    def delete(self, table: str, record_id: str) -> None:
        with self.store.transaction():
            local = self.store.record(table, record_id)
            if local is None:
                raise KeyError(f"{table} {record_id} is not on this device")
            self.store.enqueue(table, "delete", record_id, {}, local["version"] or None)
            self.store.forget(table, [record_id])

    # -- push and pull -------------------------------------------------------------------
    def push(self) -> list[dict[str, Any]]:
        """Send the outbox oldest first, in batches; one result per mutation."""
        results: list[dict[str, Any]] = []
        while batch := self.store.outbox(self.batch_size):
            reply = self._send("POST", "/sync/push", json={
                "device_id": self.device_id, "schema_version": self.schema_version,
                "mutations": [m.to_json() for m in batch]})
            answered = reply.body["results"]
            with self.store.transaction():
                self.store.settle(answered)
                for result in answered:
                    self._adopt(result)
            results += answered
        return results

    def _adopt(self, result: Mapping[str, Any]) -> None:
        """Where the server kept its own values (a conflict, a merge), hold what the server
        holds: the pull would not resend an unchanged record. A refused create stays here
        as it was made (``store.refused()``): fixed with ``edit`` or let go with
        ``discard``, never dropped unseen."""
        table, record_id = result["table"], result["id"]
        server = result.get("server_values")
        if server and server.get("deleted") is True:
            self.store.forget(table, [record_id])
        elif server:
            pending = self.store.pending_fields(table, record_id)
            if pending is not None:
                self.store.save(table, {**server, "id": record_id,
                                        "version": result["version"], **pending})

    def pull(self, progress: Callable[[int], object] | None = None) -> PullStats:
        """Pull until the server has nothing more; each page is applied with its cursor."""
        stats = PullStats(bootstrap=self.store.get("cursor") is None)
        more = True
        while more:
            params: dict[str, int | str] = {"limit": self.page_size,
                                            "schema_version": self.schema_version}
            cursor = self.store.get("cursor")
            if cursor:
                params["cursor"] = cursor
            reply = self._send("GET", "/sync/pull", params=params, ok=(200, 409))
            if reply.status == 409:
                if reply.code != "resync_required":
                    raise SyncError(reply)
                self.store.drop_synced()  # away too long: start again, keep the outbox
                stats.bootstrap = True
                continue
            page = reply.body
            self._apply(page, stats)
            stats.pages += 1
            if progress is not None:
                progress(sum(len(c["upserts"]) for c in page["changes"].values()))
            more = bool(page["has_more"])
        return stats

    def _apply(self, page: Mapping[str, Any], stats: PullStats) -> None:
        with self.store.transaction():
            for table, changes in page["changes"].items():
                for row in changes["upserts"]:
                    pending = self.store.pending_fields(table, row["id"])
                    if pending is None:
                        continue  # deleted here; the delete is on its way
                    self.store.save(table, {**row, **pending})  # keep unsent edits on top
                self.store.forget(table, changes["deletes"])
                stats.upserts += len(changes["upserts"])
                stats.deletes += len(changes["deletes"])
            for table, ids in (page.get("evictions") or {}).items():
                self.store.forget(table, ids)
                stats.evictions += len(ids)
            self.store.put("cursor", page["next_cursor"])

    def sync(self, progress: Callable[[int], object] | None = None
             ) -> tuple[list[dict[str, Any]], PullStats]:
        return self.push(), self.pull(progress)

    def server_conflicts(self, status: str = "open") -> list[dict[str, Any]]:
        return list(self._send("GET", "/sync/conflicts", params={"status": status}).body)

    def server_rejections(self, status: str = "open") -> list[dict[str, Any]]:
        return list(self._send("GET", "/sync/rejections", params={"status": status}).body)

    # -- the wire --------------------------------------------------------------------------
    def _send(self, method: str, path: str, *, json: Any = None,
              params: Mapping[str, Any] | None = None, auth: bool = True,
              ok: tuple[int, ...] = (200,)) -> Reply:
        renewed = False
        attempt = 0
        while True:
            headers = {"Accept-Language": "en"}
            if auth:
                if not self.store.get("access_token"):
                    self.login()
                headers["Authorization"] = f"Bearer {self.store.get('access_token')}"
            try:
                reply = self.transport.request(method, API + path, json=json, params=params,
                                               headers=headers)
            except NetworkError:
                reply = None
            if reply is not None and reply.status in ok:
                return reply
            if reply is not None and reply.status == 403 and reply.code == "device_revoked":
                self.store.wipe()
                raise DeviceRevoked("this device was revoked: local data wiped")
            if reply is not None and reply.status == 401 and auth and not renewed:
                renewed = True
                self._renew()
                continue
            if reply is not None and reply.status not in RETRYABLE:
                raise SyncError(reply)
            attempt += 1
            if attempt >= self.backoff.attempts:
                if reply is None:
                    raise NetworkError(f"{method} {path}: no answer after {attempt} attempts")
                raise SyncError(reply)
            self.sleep(self.backoff.delay(attempt - 1, _retry_after(reply), self.rng))


def _retry_after(reply: Reply | None) -> float | None:
    if reply is None:
        return None
    value = {k.lower(): v for k, v in reply.headers.items()}.get("retry-after")
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None
