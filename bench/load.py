"""Row 4: many phones, each with a day of offline edits, syncing on a random schedule.

Threads, not asyncio: httpx is not a project dependency and a thread per simulated phone
is plenty for a few hundred phones that mostly sleep. Every device signs in first (sign-in
hashes a password on purpose, and a day does not start with 235 sign-ins at once), then
within the window each device runs its sync sessions at random moments: push what it
edited since the last session (in batches of 100), then pull until ``has_more`` is false.
"""

from __future__ import annotations

import random
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import requests

from bench.common import Row, percentile, progress
from bench.demo_data import lead_fields, query, serving_assistants
from bench.gridwork_server import Phone

OK_STATUSES = {"applied", "merged"}


@dataclass
class Tally:
    latencies_ms: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, ms: float, error: str | None = None) -> None:
        with self.lock:
            self.latencies_ms.append(ms)
            if error:
                self.errors.append(error)


def day_of_edits(k: int, creates: int, lon: float, lat: float) -> list[dict[str, Any]]:
    """``creates`` new leads, then one correction of the first (an update on version 1)."""

    mutations = [{"mutation_id": f"load-{k}-{i}", "table": "lead", "op": "create",
                  "id": str(uuid.uuid4()), "fields": lead_fields(i, lon, lat)}
                 for i in range(creates)]
    mutations.append({"mutation_id": f"load-{k}-fix", "table": "lead", "op": "update",
                      "id": mutations[0]["id"], "base_version": 1,
                      "fields": {"urgency": "high", "description": "补充：车牌已确认"}})
    return mutations


def run_device(phone: Phone, mutations: list[dict[str, Any]], moments: list[float],
               start: float, tally: Tally) -> None:
    cursor: str | None = None
    sent = 0
    for n, moment in enumerate(moments):
        time.sleep(max(0.0, start + moment - time.monotonic()))
        upto = len(mutations) if n == len(moments) - 1 else (
            len(mutations) * (n + 1) // len(moments))
        while sent < upto:
            batch = mutations[sent:min(upto, sent + 100)]
            began = time.perf_counter()
            try:
                results = phone.push(batch)
                bad = [r["status"] for r in results if r["status"] not in OK_STATUSES]
                tally.add((time.perf_counter() - began) * 1000,
                          f"push: {bad}" if bad else None)
            except requests.RequestException as exc:
                tally.add((time.perf_counter() - began) * 1000, f"push: {exc}")
                continue  # the phone retries the same batch: receipts make that safe
            sent += len(batch)
        more = True
        while more:
            began = time.perf_counter()
            try:
                page = phone.pull(cursor, 500)
            except requests.RequestException as exc:
                tally.add((time.perf_counter() - began) * 1000, f"pull: {exc}")
                break
            tally.add((time.perf_counter() - began) * 1000)
            cursor, more = page["next_cursor"], page["has_more"]


def row_load(base: str, url: str, devices: int, window_s: float, creates: int) -> Row:

    assistants = serving_assistants(url, devices)
    progress(f"load: signing in {len(assistants)} devices")
    with ThreadPoolExecutor(8) as pool:
        phones = list(pool.map(lambda a: Phone(base, a[1][0], f"bench-load-{a[0]:03d}"),
                               enumerate(assistants)))
    rng = random.Random(9)
    work = [day_of_edits(k, creates, lon, lat) for k, (_, lon, lat) in enumerate(assistants)]
    schedules = [sorted(rng.uniform(0, window_s) for _ in range(rng.randint(2, 4)))
                 for _ in assistants]
    tally = Tally()
    progress(f"load: {len(phones)} devices, {sum(map(len, work)):,} mutations, syncing at "
             f"random over {window_s:.0f} s")
    start = time.monotonic()
    with ThreadPoolExecutor(len(phones)) as pool:
        list(pool.map(lambda k: run_device(phones[k], work[k], schedules[k], start, tally),
                      range(len(phones))))
    wall = time.monotonic() - start
    for phone in phones:
        phone.close()
    expected = {m["mutation_id"] for device in work for m in device}
    receipts = query(url, """SELECT mutation_id, count(*) FROM sync_receipt
                             WHERE device_id LIKE 'bench-load-%%' GROUP BY mutation_id""")
    once = {mutation_id for mutation_id, count in receipts if count == 1}
    created = {m["id"] for device in work for m in device if m["op"] == "create"}
    stored = query(url, "SELECT count(*) FROM lead WHERE id = ANY(%(ids)s)",
                   ids=list(created))[0][0]
    complete = once == expected and stored == len(created)
    ms = tally.latencies_ms
    p50, p95, p99 = (percentile(ms, p) for p in (50, 95, 99))
    kinds = f" ({'; '.join(sorted(set(tally.errors))[:3])})" if tally.errors else ""
    rps = len(ms) / wall
    progress(f"load: {rps:,.0f} requests/s, p50 {p50:.0f} / p95 {p95:.0f} / p99 {p99:.0f} ms, "
             f"{len(tally.errors)} errors, every mutation once: {complete}")
    return Row(f"4 load, {len(phones)} devices syncing at random over {window_s:.0f} s "
               "(p95)", p95, "ms", "", None, "0 errors, p95 < 250 ms, every mutation once",
               not tally.errors and p95 < 250 and complete, higher_is_better=False,
               note=f"{len(ms):,} requests, {rps:,.1f} requests/s; p50 {p50:.0f} / "
                    f"p95 {p95:.0f} / p99 {p99:.0f} ms; {len(tally.errors)} errors{kinds}"
                    f"; every mutation on the server once: {'yes' if complete else 'NO'} "
                    f"({len(once):,}/{len(expected):,} receipts, {stored:,}/{len(created):,} "
                    "leads)")
