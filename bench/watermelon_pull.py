"""Time the busiest assistant's WatermelonDB pulls on the demo county (issue #20), in-process.

    .venv/bin/python -m bench.watermelon_pull [--reuse] [--runs 20] [--explain] [--no-write]

Loads the demo county into a scratch database (``--reuse`` keeps the last one; DATABASE_URL
names the server), signs the grid assistant with the most leads in on two devices over the
Flask test client (no HTTP: the figures are the server's work), and times
``GET /api/v1/sync/watermelon``: a bootstrap (no ``last_pulled_at``), an incremental pull
with nothing new, and an incremental pull that brings 10 leads the other device pushed just
before (the push is not timed). p50 / p95 over ``--runs`` pulls each (nearest rank). The
baseline, measured in the same run, is the raw-SQL floor of an incremental pull: the feed
query alone (the scoped ``sync_change`` read the pull starts with), over psycopg with the
SQL SQLAlchemy compiles. ``--explain`` prints ``EXPLAIN (ANALYZE, BUFFERS)`` of the pull's
scope statements (the feed read, and ``_arrived``/``_evicted`` as they were before the fix,
for the record). The table is appended to bench/results.md (``--no-write``: printed only).
Findings: bench/profile-findings.md, finding 6.
"""

from __future__ import annotations

import argparse
import os
import platform
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import psycopg
import sqlalchemy as sa
from sqlalchemy.engine import make_url

from bench.common import ROOT, database_url, percentile, plain_url, progress
from bench.demo_data import busiest_assistant, lead_fields, migrated_seeded
from bench.pull_profile import TestPhone

RESULTS = ROOT / "bench" / "results.md"


class WatermelonPhone(TestPhone):
    """A signed-in device over Flask's test client (signed in as the profile's phone is),
    pulling as WatermelonDB does."""

    def pull(self, last_pulled_at: int | None) -> dict[str, Any]:  # type: ignore[override]
        query = {"schema_version": 1,
                 **({"last_pulled_at": str(last_pulled_at)} if last_pulled_at else {})}
        answer = self.client.get("/api/v1/sync/watermelon", query_string=query,
                                 headers=self.headers)
        assert answer.status_code == 200, answer.get_json()
        return answer.get_json()

    def push_leads(self, n: int, lon: float, lat: float) -> None:
        """``n`` new leads over the native push (another device of the same assistant)."""
        answer = self.client.post("/api/v1/sync/push", headers=self.headers, json={
            "device_id": self.device_id, "schema_version": 1, "mutations": [
                {"mutation_id": uuid.uuid4().hex, "table": "lead", "op": "create",
                 "id": str(uuid.uuid4()), "fields": lead_fields(k, lon, lat)}
                for k in range(n)]})
        assert answer.status_code == 200, answer.get_json()


def records(answer: dict[str, Any]) -> int:
    return sum(len(c["created"]) + len(c["updated"]) for c in answer["changes"].values())


def _ms(func: Callable[[], Any]) -> tuple[Any, float]:
    started = time.perf_counter()
    result = func()
    return result, (time.perf_counter() - started) * 1000


def feed_sql(app: Any, user_id: str, court_id: str, device_id: str) -> tuple[str, Any]:
    """The pull's first statement (the scoped feed read) as PostgreSQL receives it."""
    from enforcement.accounts.principal import Principal
    from enforcement.models import Role
    from enforcement.syncing.registry import REGISTRY
    from sync.tables import sync_change

    actor = Principal(user_id=user_id, court_id=court_id, role=Role.GRID_ASSISTANT,
                      device_id=device_id, username="bench")
    c = sync_change.c
    since = sa.bindparam("since", 0, type_=sa.BigInteger)
    scopes = [sa.and_(c.table_name == spec.feed_name, spec.scope(actor, sync_change))
              for spec in REGISTRY.specs.values()]
    own = sa.and_(c.op == "delete", c.author_id == actor.user_id,
                  c.table_name.in_([s.feed_name for s in REGISTRY.specs.values()]))
    stmt = sa.select(c.table_name, c.record_id, c.op).where(
        c.court_id == court_id, c.xid >= since, sa.or_(*scopes, own)).order_by(c.xid, c.seq)
    from sqlalchemy.dialects import postgresql

    compiled = stmt.compile(dialect=postgresql.dialect(paramstyle="pyformat"),
                                   compile_kwargs={"render_postcompile": True})
    return str(compiled), dict(compiled.params)


def explain(url: str, sql: str, params: dict[str, Any], label: str) -> None:
    with psycopg.connect(plain_url(url), autocommit=True) as conn:
        plan = conn.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params).fetchall()
    print(f"\n===== {label} =====")
    print("\n".join(row[0] for row in plan))


def explain_old_scopes(url: str, user_id: str, court_id: str, device_id: str,
                       since: int) -> None:
    """``EXPLAIN (ANALYZE, BUFFERS)`` of the per-table ``NOT IN`` statements the pull ran
    before finding 6 (kept here so that the before can be shown on any database)."""
    from sqlalchemy.dialects import postgresql

    from enforcement.accounts.principal import Principal
    from enforcement.models import Role
    from enforcement.syncing.registry import REGISTRY
    from sync.tables import sync_change, sync_device_base

    actor = Principal(user_id=user_id, court_id=court_id, role=Role.GRID_ASSISTANT,
                      device_id=device_id, username="bench")
    b, c = sync_device_base.c, sync_change.c
    for name, spec in REGISTRY.specs.items():
        held = sa.select(b.record_id).where(b.court_id == court_id, b.device_id == device_id,
                                            b.table_name == name)
        arrived = sa.select(c.record_id).where(
            c.court_id == court_id, c.table_name == spec.feed_name, c.op == "upsert",
            c.xid < since, spec.scope(actor, sync_change), c.record_id.not_in(held))
        in_scope = sa.select(c.record_id).where(
            c.court_id == court_id, c.table_name == spec.feed_name,
            spec.scope(actor, sync_change))
        evicted = sa.select(b.record_id).where(b.court_id == court_id,
                                               b.device_id == device_id, b.table_name == name,
                                               b.record_id.not_in(in_scope))
        for label, stmt in (("_arrived", arrived), ("_evicted", evicted)):
            compiled = stmt.compile(dialect=postgresql.dialect(paramstyle="pyformat"),
                                   compile_kwargs={"render_postcompile": True})
            explain(url, str(compiled), dict(compiled.params), f"{label} {name} (before)")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Time the assistant's WatermelonDB pulls. "
                                     "测量助理的 WatermelonDB 拉取耗时。")
    parser.add_argument("--database", default="gridwork_wmpull",
                        help="scratch database / 临时数据库名")
    parser.add_argument("--reuse", action="store_true",
                        help="keep the scratch database of the last run / 复用上次的数据库")
    parser.add_argument("--runs", type=int, default=20, help="pulls per kind / 每类次数")
    parser.add_argument("--explain", action="store_true",
                        help="EXPLAIN (ANALYZE, BUFFERS) the scope statements / 执行计划")
    parser.add_argument("--label", default="", help="a note for the results / 结果备注")
    parser.add_argument("--no-write", action="store_true",
                        help="do not append to bench/results.md / 不写入结果文件")
    args = parser.parse_args(argv)
    server_url = database_url()
    url = (make_url(server_url).set(drivername="postgresql+psycopg", database=args.database)
           .render_as_string(hide_password=False) if args.reuse
           else migrated_seeded(server_url, args.database, 1))
    username, user_id, court_id, lon, lat = busiest_assistant(url)

    from api import create_app

    app = create_app({"DATABASE_URL": url, "TESTING": True,
                      "LOGIN_RATE_LIMIT": "100000 per minute", "LOG_LEVEL": "WARNING"})
    client = app.test_client()
    phone, writer = WatermelonPhone(client, username), WatermelonPhone(client, username)
    boots: list[float] = []
    for _ in range(args.runs):
        answer, ms = _ms(lambda: WatermelonPhone(client, username).pull(None))
        boots.append(ms)
    held = records(answer)
    progress(f"bootstrap: {held:,} records")
    last = phone.pull(None)["timestamp"]
    idle: list[float] = []
    for _ in range(args.runs):
        answer, ms = _ms(lambda at=last: phone.pull(at))
        assert records(answer) == 0, answer
        last = answer["timestamp"]
        idle.append(ms)
    busy: list[float] = []
    for _ in range(args.runs):
        writer.push_leads(10, lon, lat)
        new = 0
        while new < 10:  # (a transaction elsewhere on the server may hold the horizon back)
            answer, ms = _ms(lambda at=last: phone.pull(at))
            new += len(answer["changes"]["lead"]["created"])
            last = answer["timestamp"]
        assert new == 10, new
        busy.append(ms)
    for label, ms in (("bootstrap", boots), ("nothing new", idle), ("10 new", busy)):
        progress(f"{label}: p50 {percentile(ms, 50):.1f} ms, p95 {percentile(ms, 95):.1f} ms")
    sql, params = feed_sql(app, user_id, court_id, phone.device_id)
    params["since"] = last
    raw: list[float] = []
    with psycopg.connect(plain_url(url), autocommit=True) as conn:
        conn.execute(sql, params).fetchall()  # (prepared, warm)
        for _ in range(args.runs):
            raw.append(_ms(lambda: conn.execute(sql, params).fetchall())[1])
    if args.explain:
        explain(url, sql, params, "feed read (incremental)")
        explain_old_scopes(url, user_id, court_id, phone.device_id, last)

    rows = [("bootstrap", boots, f"{held:,} records"), ("incremental, nothing new", idle, ""),
            ("incremental, 10 new leads", busy, ""),
            ("baseline: feed query alone (raw SQL)", raw, "the pull's first statement")]
    lines = ["| pull | p50 ms | p95 ms | note |", "|---|---|---|---|"]
    lines += [f"| {label} | {percentile(ms, 50):.1f} | {percentile(ms, 95):.1f} | {note} |"
              for label, ms, note in rows]
    table = "\n".join(lines)
    print(table)
    if not args.no_write:
        load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
        note = f", {args.label}" if args.label else ""
        with RESULTS.open("a", encoding="utf-8") as out:
            out.write(f"\n## WatermelonDB pull, busiest assistant of the demo county "
                      f"({datetime.now(UTC):%Y-%m-%d %H:%M} UTC{note})\n\n"
                      f"`python -m bench.watermelon_pull`: in-process (Flask test client), "
                      f"{args.runs} pulls per row, nearest-rank percentiles; "
                      f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
                      f"load average {load}.\n\n{table}\n")


if __name__ == "__main__":
    main()
