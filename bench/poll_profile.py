"""Profile the empty poll in process (Flask test client, no HTTP): what one costs and where.

    DATABASE_URL=<a loaded bench database> .venv/bin/python -m bench.poll_profile \
        [--pull watermelon|native] [--polls 300] [--top 30] [--cold] [--explain] [--new 10]

Signs the busiest demo assistant in on a new device, bootstraps, then polls with nothing
new ``--polls`` times: prints the wall time per poll, the SQL statements one poll sends
(with BEGIN / COMMIT / ROLLBACK, as psycopg sends them), then the same polls under cProfile
(the top functions by own and by cumulative time). ``--cold`` polls as a server whose
phones outnumber the actors it keeps built (``sync.spec.CACHED_ACTORS``) does. The database
is not reloaded (``bench.run --only poll`` or ``bench.demo_data.migrated_seeded`` loads
one). Findings: bench/profile-findings.md, 13+.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import time
import uuid
from collections import Counter
from typing import Any

import sqlalchemy as sa

from bench.common import database_url, median, percentile, progress
from bench.demo_data import busiest_assistant, lead_fields, wait_for_horizon
from bench.gridwork_server import PASSWORD
from sync import direct


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Profile the empty poll in process / "
                                     "在进程内剖析空轮询")
    parser.add_argument("--pull", choices=("watermelon", "native"), default="watermelon")
    parser.add_argument("--polls", type=int, default=300)
    parser.add_argument("--top", type=int, default=30, help="0: no cProfile / 不剖析")
    parser.add_argument("--new", type=int, default=0,
                        help="leads pushed before each native poll / 每次拉取前推送的线索数")
    parser.add_argument("--cold", action="store_true",
                        help="forget every actor's built statements before each poll, as a "
                             "server polled by more phones than it keeps does / 每次轮询前清空缓存")
    parser.add_argument("--explain", action="store_true",
                        help="EXPLAIN (ANALYZE, BUFFERS) each SELECT of one poll / 解释每条查询")
    args = parser.parse_args(argv)
    url = database_url("the loaded bench database")
    from api import create_app

    app = create_app({"DATABASE_URL": url, "TESTING": True,
                      "LOGIN_RATE_LIMIT": "100000 per minute", "LOG_LEVEL": "WARNING"})
    client = app.test_client()
    username, _, _, lon, lat = busiest_assistant(url)

    def signed_in() -> tuple[str, dict[str, str]]:
        device_id = f"prof-{uuid.uuid4().hex[:8]}"
        answer = client.post("/api/v1/auth/login", json={
            "username": username, "password": PASSWORD, "device_id": device_id})
        assert answer.status_code == 200, answer.get_json()
        return device_id, {"Authorization": f"Bearer {answer.get_json()['access_token']}"}

    _, headers = signed_in()
    writer, writer_headers = signed_in()
    state: dict[str, Any] = {"pushed": 0}
    if args.new and args.pull != "native":
        parser.error("--new is for the native pull")

    def bring() -> None:
        """(untimed) ``--new`` leads from the writer device, below the pull horizon."""
        if not args.new:
            return
        n = state["pushed"]
        answer = client.post("/api/v1/sync/push", headers=writer_headers, json={
            "device_id": writer, "schema_version": 1, "mutations": [
                {"mutation_id": uuid.uuid4().hex, "table": "lead", "op": "create",
                 "id": str(uuid.uuid4()), "fields": lead_fields(n + k, lon, lat)}
                for k in range(args.new)]})
        assert answer.status_code == 200, answer.get_json()
        state["pushed"] = n + args.new
        wait_for_horizon(url)

    from enforcement.syncing.registry import REGISTRY

    def poll() -> Any:
        if args.cold:
            REGISTRY.cache.clear()
        if args.pull == "watermelon":
            query = {"schema_version": 1, "migration": "null",
                     "last_pulled_at": state.get("timestamp", "null")}
            got = client.get("/api/v1/sync/watermelon", query_string=query, headers=headers)
            assert got.status_code == 200, got.get_json()
            state["timestamp"] = got.get_json()["timestamp"]
        else:
            query = {"schema_version": 1, **({"cursor": state["cursor"]}
                                             if "cursor" in state else {})}
            got = client.get("/api/v1/sync/pull", query_string=query, headers=headers)
            assert got.status_code == 200, got.get_json()
            body = got.get_json()
            state["cursor"] = body["next_cursor"]
            state["more"] = body["has_more"]
            if args.new and "bootstrapped" in state:
                brought = sum(len(c["upserts"]) for c in body["changes"].values())
                assert brought == args.new, f"{brought} records, expected {args.new}"
        return got

    poll()  # the bootstrap
    while state.get("more"):
        poll()
    poll()  # confirms its cursor
    state["bootstrapped"] = True
    for _ in range(5):  # warm: statement caches, prepared statements
        bring()
        poll()
    took = []
    cpu = 0.0
    for _ in range(args.polls):
        bring()
        started, cpu_started = time.perf_counter(), time.process_time()
        poll()
        took.append((time.perf_counter() - started) * 1000)
        cpu += time.process_time() - cpu_started
    cpu_ms = cpu * 1000 / args.polls
    what = f"{args.new} new" if args.new else "nothing new"
    progress(f"{args.pull}, {what}: p50 {median(took):.2f} ms, "
             f"p95 {percentile(took, 95):.2f} ms, this process's CPU {cpu_ms:.2f} ms per poll "
             f"({args.polls} polls, load {os.getloadavg()[0]:.1f})")

    db = app.extensions["gridwork"].db
    sent: list[str] = []
    selects: list[tuple[str, Any]] = []

    def count(conn: Any, cursor: Any, statement: str, parameters: Any, *rest: Any) -> None:
        sent.append(" ".join(statement.split())[:80])
        if conn is not None:
            conn.info["started"] = time.perf_counter()
        if statement.lstrip().upper().startswith(("SELECT", "WITH")):
            selects.append((statement, parameters))

    def counted(conn: Any, *rest: Any) -> None:  # each statement's round trip, in ms
        sent[-1] = f"{(time.perf_counter() - conn.info['started']) * 1000:6.2f}  {sent[-1]}"

    def begun(conn: Any) -> None:
        sent.append("BEGIN")

    def ended(label: str) -> Any:
        return lambda conn: sent.append(label)

    fetch = direct.fetch

    def fetch_counted(driver: Any, made: Any, parameters: Any, *rest: Any) -> Any:
        """Statements sent by ``sync.direct`` skip SQLAlchemy's events (findings 45, 46)."""
        count(None, None, made.sql, made.values(parameters))
        started = time.perf_counter()
        try:
            return fetch(driver, made, parameters, *rest)
        finally:
            sent[-1] = f"{(time.perf_counter() - started) * 1000:6.2f}  {sent[-1]}  (direct)"

    direct.fetch = fetch_counted
    for engine in (db.engine, db.reads):  # a unit of work's, and single reads'
        sa.event.listen(engine, "before_cursor_execute", count)
        sa.event.listen(engine, "after_cursor_execute", counted)
        sa.event.listen(engine, "begin", begun)
        sa.event.listen(engine, "commit", ended("COMMIT"))
        sa.event.listen(engine, "rollback", ended("ROLLBACK"))
    bring()
    sent.clear()
    selects.clear()
    poll()
    direct.fetch = fetch
    for engine in (db.engine, db.reads):
        sa.event.remove(engine, "before_cursor_execute", count)
        sa.event.remove(engine, "after_cursor_execute", counted)
    print(f"\n===== one poll: {len(sent)} statements =====")
    for statement in sent:
        print(f"  {statement}")
    print(Counter(s.split()[0] for s in sent))
    if args.explain:
        with db.engine.connect() as conn:
            cursor = conn.connection.driver_connection.cursor()
            for statement, parameters in selects:
                cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + statement, parameters)
                print("\n" + "\n".join(row[0] for row in cursor.fetchall()))
            conn.rollback()

    if not args.top:  # timings and statements only
        return
    profile = cProfile.Profile()
    for _ in range(args.polls):
        bring()
        profile.runcall(poll)
    for order in ("tottime", "cumulative"):
        out = io.StringIO()
        pstats.Stats(profile, stream=out).sort_stats(order).print_stats(args.top)
        print(f"\n===== {args.polls} polls under cProfile, by {order} =====\n{out.getvalue()}")


if __name__ == "__main__":
    main()
