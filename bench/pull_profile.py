"""Profile and time the pull path in-process (Flask test client, no HTTP), for rows 2 and 3.

    .venv/bin/python -m bench.pull_profile [--reuse] [--records 10000] [--profile]

Loads the demo county into a scratch database (``--reuse`` keeps the last one), tops the
busiest assistant's scope up to ``--records`` leads, then times a bootstrap of that scope,
pulls with nothing new and pulls that bring 10 records pushed by another device. With
``--profile`` each phase runs once more under cProfile and the top functions by cumulative
time are printed. Each bootstrap prints its pages' times (the first and last five show
whether a page's cost grows with what the device holds); ``--bootstrap-only`` skips the
incremental phases. Findings: bench/profile-findings.md. Used for findings 2 and 3 there;
the HTTP figures come from ``bench.run --only bootstrap,incremental``.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import time
import uuid
from collections.abc import Callable
from typing import Any

from bench.common import database_url, median, percentile, progress
from bench.demo_data import (
    busiest_assistant,
    lead_fields,
    migrated_seeded,
    top_up_leads,
    wait_for_horizon,
)
from bench.gridwork_server import PASSWORD

PAGE = 1000


class TestPhone:
    """A signed-in device over Flask's test client."""

    def __init__(self, client: Any, username: str) -> None:
        self.client, self.device_id = client, f"prof-{uuid.uuid4().hex[:8]}"
        answer = client.post("/api/v1/auth/login", json={
            "username": username, "password": PASSWORD, "device_id": self.device_id,
            "device_name": "bench", "platform": "bench", "app_version": "bench"})
        assert answer.status_code == 200, answer.get_json()
        self.headers = {"Authorization": f"Bearer {answer.get_json()['access_token']}"}

    def pull(self, cursor: str | None) -> dict[str, Any]:
        query = {"limit": PAGE, "schema_version": 1, **({"cursor": cursor} if cursor else {})}
        answer = self.client.get("/api/v1/sync/pull", query_string=query, headers=self.headers)
        assert answer.status_code == 200, answer.get_json()
        return answer.get_json()

    def bootstrap(self) -> tuple[int, str]:
        cursor, n, more = None, 0, True
        self.pages: list[float] = []  # seconds per page, in order
        while more:
            page, took = _timed(self.pull, cursor)
            self.pages.append(took)
            n += sum(len(c["upserts"]) for c in page["changes"].values())
            cursor, more = page["next_cursor"], page["has_more"]
        return n, cursor or ""

    def push(self, mutations: list[dict[str, Any]]) -> None:
        answer = self.client.post("/api/v1/sync/push", headers=self.headers, json={
            "device_id": self.device_id, "schema_version": 1, "mutations": mutations})
        assert answer.status_code == 200, answer.get_json()


def report(label: str, profile: cProfile.Profile, top: int) -> None:
    out = io.StringIO()
    pstats.Stats(profile, stream=out).sort_stats("cumulative").print_stats(top)
    print(f"\n===== {label} =====\n{out.getvalue()}")


def profiled(label: str, func: Callable[[], Any], top: int) -> None:
    profile = cProfile.Profile()
    profile.runcall(func)
    report(label, profile, top)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Profile the sync pull in-process. "
                                     "在进程内剖析同步拉取。")
    parser.add_argument("--database", default="gridwork_pullprof",
                        help="scratch database / 临时数据库名")
    parser.add_argument("--reuse", action="store_true",
                        help="keep the scratch database of the last run / 复用上次的数据库")
    parser.add_argument("--records", type=int, default=10_000,
                        help="leads in the assistant's scope / 助理范围内的线索数")
    parser.add_argument("--samples", type=int, default=100, help="pulls per phase / 每阶段次数")
    parser.add_argument("--profile", action="store_true", help="cProfile each phase / 剖析")
    parser.add_argument("--bootstraps", type=int, default=3,
                        help="bootstraps timed / 计时的全量同步次数")
    parser.add_argument("--bootstrap-only", action="store_true",
                        help="time (and profile) bootstraps only / 只测全量同步")
    parser.add_argument("--top", type=int, default=40, help="functions shown / 显示的函数数")
    args = parser.parse_args(argv)
    server_url = database_url()
    from sqlalchemy.engine import make_url

    url = (make_url(server_url).set(drivername="postgresql+psycopg", database=args.database)
           .render_as_string(hide_password=False) if args.reuse
           else migrated_seeded(server_url, args.database, 1))
    username, user_id, court_id, lon, lat = busiest_assistant(url)
    top_up_leads(url, court_id, args.records, author_id=user_id)
    wait_for_horizon(url)

    from api import create_app

    app = create_app({"DATABASE_URL": url, "TESTING": True,
                      "LOGIN_RATE_LIMIT": "100000 per minute", "LOG_LEVEL": "WARNING"})
    client = app.test_client()
    phone, writer = TestPhone(client, username), TestPhone(client, username)
    boots = []
    for _ in range(args.bootstraps):
        booted = TestPhone(client, username)
        (n, cursor), took = _timed(booted.bootstrap)
        boots.append(took)
        ms = [t * 1000 for t in booted.pages]
        progress(f"bootstrap: {n:,} records in {took:.3f} s, {len(ms)} pages; per page "
                 f"median {median(ms):.1f} ms, first 5 {median(ms[:5]):.1f} ms, "
                 f"last 5 {median(ms[-5:]):.1f} ms, slowest {max(ms):.1f} ms")
    progress(f"bootstrap: {n:,} records, median {median(boots):.3f} s of {boots}")
    if args.bootstrap_only:
        if args.profile:
            profiled("bootstrap", TestPhone(client, username).bootstrap, args.top)
        return
    _, cursor = phone.bootstrap()
    idle = [_timed(phone.pull, cursor)[1] * 1000 for _ in range(args.samples)]
    busy = []
    for r in range(args.samples // 5):
        writer.push([{"mutation_id": uuid.uuid4().hex, "table": "lead", "op": "create",
                      "id": str(uuid.uuid4()), "fields": lead_fields(r * 10 + k, lon, lat)}
                     for k in range(10)])
        wait_for_horizon(url)  # (untimed) a transaction open elsewhere would hold them back
        page, took = _timed(phone.pull, cursor)
        assert sum(len(c["upserts"]) for c in page["changes"].values()) == 10
        cursor = page["next_cursor"]
        busy.append(took * 1000)
    for label, ms in (("nothing new", idle), ("10 new", busy)):
        progress(f"incremental, {label}: p50 {percentile(ms, 50):.1f} ms, "
                 f"p95 {percentile(ms, 95):.1f} ms ({len(ms)} pulls)")
    if args.profile:
        profiled("bootstrap", TestPhone(client, username).bootstrap, args.top)
        profiled("20 pulls, nothing new",
                 lambda: [phone.pull(cursor) for _ in range(20)], args.top)

        profile = cProfile.Profile()  # the pulls only, not the pushes before them
        for _ in range(10):
            writer.push([{"mutation_id": uuid.uuid4().hex, "table": "lead", "op": "create",
                          "id": str(uuid.uuid4()), "fields": lead_fields(k, lon, lat)}
                         for k in range(10)])
            cursor = profile.runcall(phone.pull, cursor)["next_cursor"]
        report("10 pulls of 10 new", profile, args.top)


def _timed(func: Callable[..., Any], *args: Any) -> tuple[Any, float]:
    started = time.perf_counter()
    result = func(*args)
    return result, time.perf_counter() - started


if __name__ == "__main__":
    main()
