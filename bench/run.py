"""The benchmark suite of issue #9: ``make bench`` (or ``.venv/bin/python -m bench.run``).

Sets up what it needs (databases ``gridwork_bench``, ``gridwork_bench_x10`` and
``kinto_bench`` on the server of DATABASE_URL, Kinto's virtualenv in .bench/), serves
Gridwork and Kinto under gunicorn on loopback ports, runs the rows, prints one table and
writes it with the machine's description to bench/results.md. See bench/README.md.

    .venv/bin/python -m bench.run [--quick]
        [--only poll,poll-mixed,poll-ha,bootstrap,incremental,push,load,assign,plan]

``--quick`` (or BENCH_SCALE=quick, or BENCH_SCALE=0.1 for a tenth of every count) runs
a short version of every row; its results go to bench/results-quick.md.
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import psycopg
import requests
import shapely
import sqlalchemy as sa
from sqlalchemy.engine import make_url

from bench.common import (
    ROOT,
    Row,
    database_url,
    median,
    percentile,
    plain_url,
    progress,
    timed,
)
from bench.demo_data import (
    busiest_assistant,
    lead_fields,
    migrated_seeded,
    query,
    serving_assistants,
    top_up_leads,
    wait_for_horizon,
)
from bench.gridwork_server import Phone, serving
from bench.kinto_peer import Kinto
from bench.kinto_peer import running as kinto_running
from bench.load import row_load
from bench.poll import row_poll
from bench.poll_mixed import row_poll_mixed, two_hosts

ROWS = ("poll", "poll-mixed", "poll-ha", "bootstrap", "incremental", "push", "load", "assign",
        "plan")
PAGE = 1000
"""Records per pull page, for Gridwork and for Kinto alike."""
BATCH = 100
DEVICES = 20
WORKERS, THREADS = 4, 4
"""gunicorn.conf.py's defaults on this 2-core machine; Kinto gets the same."""


@dataclass(frozen=True)
class Scale:
    factor: float
    x10: int

    def count(self, full: int, least: int = 1) -> int:
        return max(least, round(full * self.factor))


def scale_from(args: argparse.Namespace) -> Scale:
    raw = os.environ.get("BENCH_SCALE", "").strip()
    if args.quick or raw == "quick":
        return Scale(0.1, 2)
    factor = float(raw) if raw else 1.0
    return Scale(factor, 10 if factor >= 1 else 2)


# --------------------------------------------------------------------------- databases


# --------------------------------------------------------------------------- rows


def row_bootstrap(base: str, url: str, kinto: Kinto, label: str, username: str,
                  rounds: int, target: str = "", limit_s: float | None = None,
                  times_kinto: float | None = None) -> Row:
    """Bootstrap pull of one assistant's scope (median of ``rounds``) vs Kinto ``_since``.
    Met when faster than ``limit_s`` and at least ``times_kinto`` times Kinto's rate
    (issue #20: 10,000 records ≥ 2× Kinto and < 0.25 s; demo scale ≤ Kinto's time)."""
    phone = Phone(base, username, f"bench-boot-{uuid.uuid4().hex[:8]}")
    seconds = []
    records: list[dict[str, Any]] = []
    for _ in range(rounds):
        (records, _), took = timed(phone.bootstrap, PAGE)
        seconds.append(took)
    phone.close()
    n = len(records)
    collection = "pull-" + re.sub(r"[^a-z0-9]+", "-", label.lower()).strip("-")
    kinto.create_collection(collection)
    with requests.Session() as session:
        for start in range(0, n, 1000):
            kinto.batch_put(session, "loader", collection, records[start:start + 1000])
    kinto_seconds = [timed(kinto.read_since, collection, PAGE)[1] for _ in range(rounds)]
    ours, theirs = median(seconds), median(kinto_seconds)
    progress(f"bootstrap {label}: {n:,} records in {ours:.3f} s; Kinto {theirs:.3f} s")
    return Row(f"2 bootstrap pull, {label}: {n:,} records", n / ours, "records/s",
               "Kinto _since read", n / theirs, target,
               None if limit_s is None and times_kinto is None else (
                   (limit_s is None or ours < limit_s)
                   and (times_kinto is None or theirs / ours >= times_kinto)),
               note=f"{ours * 1000:,.0f} ms total (Kinto {theirs * 1000:,.0f} ms)")


def row_bootstrap_court(base: str, url: str, total: int, rounds: int) -> Row:
    """Bootstrap pull of a court-wide officer once the court holds ``total`` leads (issue
    #20: a court's whole caseload on one device), median of ``rounds``. No Kinto baseline
    (loading 100,000 records into it takes longer than the rest of the suite); the note
    gives the time per record, to compare with the 10,000-record row."""
    username, court_id = query(url, """
        SELECT username, court_id FROM user_account WHERE role = 'officer' AND is_active
        ORDER BY username LIMIT 1""")[0]
    added = top_up_leads(url, court_id, total)
    phone = Phone(base, username, f"bench-court-{uuid.uuid4().hex[:8]}")
    seconds, n = [], 0
    for _ in range(rounds):
        (records, _), took = timed(phone.bootstrap, PAGE)
        seconds.append(took)
        n = len(records)
    phone.close()
    ours = median(seconds)
    progress(f"bootstrap, court-wide officer: {n:,} records in {ours:.3f} s")
    return Row(f"2 bootstrap pull, court-wide officer: {n:,} records", n / ours, "records/s",
               note=f"{ours:,.2f} s total, {ours / n * 1e6:,.0f} µs per record; the court "
                    f"was topped up with {added:,} leads to {total:,}")


def row_incremental(base: str, url: str, who: tuple[str, str, str, float, float],
                    samples: int, new_rounds: int) -> list[Row]:
    """Pulls from an up-to-date cursor: nothing new, then 10 new records each time."""
    username, _, _, lon, lat = who
    phone = Phone(base, username, f"bench-incr-{uuid.uuid4().hex[:8]}")
    writer = Phone(base, username, f"bench-write-{uuid.uuid4().hex[:8]}")
    _, cursor = phone.bootstrap(PAGE)
    idle = []
    for _ in range(samples):
        page, took = timed(phone.pull, cursor, PAGE)
        assert not any(c["upserts"] for c in page["changes"].values())
        idle.append(took * 1000)
    busy = []
    for r in range(new_rounds):
        writer.push([{"mutation_id": uuid.uuid4().hex, "table": "lead", "op": "create",
                      "id": str(uuid.uuid4()), "fields": lead_fields(r * 10 + k, lon, lat)}
                     for k in range(10)])
        wait_for_horizon(url)  # (untimed) a transaction open elsewhere would hold them back
        page, took = timed(phone.pull, cursor, PAGE)
        got = sum(len(c["upserts"]) for c in page["changes"].values())
        if got != 10:
            raise RuntimeError(f"incremental pull returned {got} records, expected 10")
        cursor = page["next_cursor"]
        busy.append(took * 1000)
    phone.close()
    writer.close()
    rows = []
    # issue #20's goals: an up-to-date phone's poll under 5 ms, one bringing 10 records
    # under 10 ms (p95)
    for label, ms, goal in (("nothing new", idle, 5), ("10 new records", busy, 10)):
        p50, p95, p99 = (percentile(ms, p) for p in (50, 95, 99))
        progress(f"incremental pull, {label}: p50 {p50:.1f} ms, p95 {p95:.1f} ms, "
                 f"p99 {p99:.1f} ms ({len(ms)} pulls)")
        rows.append(Row(f"3 incremental pull, {label} (p95)", p95, "ms", "", None,
                        f"p95 < {goal} ms", p95 < goal, higher_is_better=False,
                        note=f"p50 {p50:.1f} / p95 {p95:.1f} / p99 {p99:.1f} ms, "
                             f"{len(ms)} pulls"))
    return rows


def row_push(base: str, url: str, kinto: Kinto, total: int) -> Row:
    """``total`` lead creates by 20 devices in batches of 100, vs Kinto and executemany."""
    assistants = serving_assistants(url, DEVICES)
    if len(assistants) < DEVICES:
        raise RuntimeError(f"only {len(assistants)} assistants serve a grid")
    per_device = total // DEVICES
    progress(f"push: signing in {DEVICES} devices")
    phones = [Phone(base, name, f"bench-push-{k:02d}") for k, (name, _, _) in
              enumerate(assistants)]
    work = []
    for k, (_, lon, lat) in enumerate(assistants):
        mutations = [{"mutation_id": f"m-{k}-{i}", "table": "lead", "op": "create",
                      "id": str(uuid.uuid4()), "fields": lead_fields(i, lon, lat)}
                     for i in range(per_device)]
        work.append([mutations[s:s + BATCH] for s in range(0, per_device, BATCH)])
    done = total_mutations = per_device * DEVICES

    def device(k: int) -> list[str]:
        statuses = []
        for batch in work[k]:
            statuses += [r["status"] for r in phones[k].push(batch)]
        return statuses

    progress(f"push: {done:,} mutations to Gridwork")
    with ThreadPoolExecutor(DEVICES) as pool:
        statuses, ours = timed(lambda: [s for part in pool.map(device, range(DEVICES))
                                        for s in part])
    bad = [s for s in statuses if s != "applied"]
    if bad or len(statuses) != total_mutations:
        raise RuntimeError(f"push: {len(bad)} mutations not applied: {sorted(set(bad))}")
    for phone in phones:
        phone.close()
    progress(f"push: Gridwork {total_mutations / ours:,.0f} mutations/s")

    kinto.create_collection("push")
    sessions = [requests.Session() for _ in range(DEVICES)]

    def kinto_device(k: int) -> None:
        for batch in work[k]:
            kinto.batch_put(sessions[k], f"device{k}", "push",
                            [{"id": m["id"], **m["fields"]} for m in batch])

    progress(f"push: the same {total_mutations:,} records to Kinto's batch endpoint")
    with ThreadPoolExecutor(DEVICES) as pool:
        _, theirs = timed(lambda: list(pool.map(kinto_device, range(DEVICES))))
    for session in sessions:
        session.close()
    progress(f"push: Kinto {total_mutations / theirs:,.0f} mutations/s "
             f"({kinto.retries} sub-requests retried after 409 errno 122)")

    raw = raw_insert_seconds(url, work)
    progress(f"push: executemany {total_mutations / raw:,.0f} rows/s")
    ratio_kinto, share_raw = theirs / ours, raw / ours
    return Row(f"1 push, {total_mutations:,} lead creates, {DEVICES} devices x batches of "
               f"{BATCH}", total_mutations / ours, "mutations/s", "Kinto batch",
               total_mutations / theirs, ">= 5x Kinto and >= 30% of executemany",
               ratio_kinto >= 5 and share_raw >= 0.3,
               note=f"{share_raw:.0%} of psycopg executemany "
                    f"({total_mutations / raw:,.0f} rows/s in one transaction); "
                    f"Kinto retried {kinto.retries} sub-requests")


def raw_insert_seconds(url: str, work: list[list[list[dict[str, Any]]]]) -> float:
    """The same leads as plain rows through psycopg ``executemany`` in one transaction:
    the database's own limit for this table (its sync trigger included)."""
    court_id, author_id = query(url, """
        SELECT court_id, id FROM user_account WHERE role = 'grid_assistant' LIMIT 1""")[0]
    now = datetime.now(UTC)
    rows = []
    for device in work:
        for batch in device:
            for m in batch:
                f = m["fields"]
                rows.append((court_id, str(uuid.uuid4()), author_id, f["kind"], f["urgency"],
                             f["description"], f["point"]["lon"], f["point"]["lat"], now, now))
    sql = """
        INSERT INTO lead (court_id, id, author_id, kind, urgency, status, description, point,
                          datum, outside_grid, amount_recovered, version, created_at,
                          updated_at)
        VALUES (%s, %s, %s, %s, %s, 'submitted', %s,
                ST_SetSRID(ST_MakePoint(%s, %s), 4326), 'wgs84', false, 0, 1, %s, %s)
    """
    with psycopg.connect(plain_url(url)) as conn:
        started = time.perf_counter()
        with conn.cursor() as cur:
            cur.executemany(sql, rows)
        conn.commit()
        return time.perf_counter() - started


def row_worker_memory(base: str) -> Row:
    """Resident memory of each gunicorn worker right after the load row (issue #20: under
    250 MB each), read from /proc: the server runs on this machine."""
    from bench.gridwork_server import SERVER_PIDS

    master = SERVER_PIDS[base]
    children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    rss = sorted(_rss_mb(int(pid)) for pid in children)
    progress(f"worker memory: {', '.join(f'{r:.0f}' for r in rss)} MB")
    return Row("7 memory per API worker after the load row", rss[-1], "MB", target="< 250 MB",
               met=rss[-1] < 250, higher_is_better=False,
               note=f"{len(rss)} gunicorn workers, RSS {', '.join(f'{r:.0f}' for r in rss)} "
                    "MB (the largest is the figure)")


def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def row_assign(url: str, n_points: int) -> Row:
    """``n_points`` random points placed in the demo village grids by geo.assignment's
    ``reassign`` (at this size: placed in process chunk by chunk while the previous chunk
    is written with COPY and UPDATE; findings 7 and 12), vs shapely
    2 STRtree in-process with the same polygons and a planar rule."""
    from geo.assignment import reassign
    from geo.placement_rule import PointTable

    court_id = query(url, "SELECT court_id FROM village_grid LIMIT 1")[0][0]
    progress(f"assignment: {n_points:,} random points over the demo village grids")
    query(url, """
        DROP TABLE IF EXISTS bench_point;
        CREATE UNLOGGED TABLE bench_point (
            court_id text NOT NULL, id text NOT NULL, point geometry(Point, 4326),
            village_grid_id text, township_id text, outside_grid boolean,
            nearest_grid_distance_m double precision, version integer NOT NULL DEFAULT 1,
            updated_at timestamptz, PRIMARY KEY (court_id, id));
    """)
    query(url, """
        INSERT INTO bench_point (court_id, id, point)
        SELECT %(c)s, n::text,
               ST_SetSRID(ST_MakePoint(b.x0 + random() * (b.x1 - b.x0),
                                       b.y0 + random() * (b.y1 - b.y0)), 4326)
        FROM (SELECT ST_XMin(e) x0, ST_XMax(e) x1, ST_YMin(e) y0, ST_YMax(e) y1
              FROM (SELECT ST_Extent(geom) e FROM village_grid WHERE court_id = %(c)s) s) b,
             generate_series(1, %(n)s) n
    """, c=court_id, n=n_points)
    query(url, "ANALYZE bench_point")
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        result, ours = timed(reassign, conn, PointTable("bench_point"), court_id)
    engine.dispose()
    progress(f"assignment: PostGIS {n_points / ours:,.0f} points/s "
             f"({result.updated:,} placed)")

    grids = query(url, """SELECT id, ST_AsBinary(geom) FROM village_grid
                          WHERE court_id = %(c)s ORDER BY code, id""", c=court_id)
    placed = query(url, "SELECT ST_X(point), ST_Y(point), village_grid_id, outside_grid "
                        "FROM bench_point ORDER BY id")
    query(url, "DROP TABLE bench_point")
    polygons = shapely.from_wkb([bytes(g[1]) for g in grids])
    xy = np.array([(p[0], p[1]) for p in placed])
    chosen, theirs = timed(strtree_assign, polygons, xy)
    ids = np.array([g[0] for g in grids], dtype=object)
    agree = float(np.mean(ids[chosen] == np.array([p[2] for p in placed], dtype=object)))
    outside = sum(1 for p in placed if p[3])
    progress(f"assignment: shapely STRtree {n_points / theirs:,.0f} points/s; "
             f"{agree:.2%} same grid")
    return Row(f"5 assignment, {n_points:,} random points to {len(grids)} village grids",
               n_points / ours, "points/s", "shapely 2 STRtree in-process",
               n_points / theirs, ">= 200,000 points/s", n_points / ours >= 200_000,
               note=f"{ours:.1f} s (read, placed in process a chunk of pages at a time "
                    "while the previous chunk is written back with COPY and UPDATE, one "
                    "transaction; points too close to call placed by the SQL rule); "
                    f"{outside / n_points:.0%} outside every grid; "
                    f"{agree:.2%} get the same grid from both")


def strtree_assign(polygons: np.ndarray, xy: np.ndarray) -> np.ndarray:
    """The placement rule in memory: the covering grid with the lowest code (polygons come
    sorted by code), else the planar-nearest grid. Returns a grid index per point."""
    points = shapely.points(xy)
    tree = shapely.STRtree(polygons)
    point_idx, grid_idx = tree.query(points, predicate="covered_by")
    chosen = np.full(len(points), -1)
    order = np.lexsort((grid_idx, point_idx))
    first = np.unique(point_idx[order], return_index=True)[1]
    chosen[point_idx[order][first]] = grid_idx[order][first]
    outside = np.flatnonzero(chosen < 0)
    if len(outside):
        near_points, near_grids = tree.query_nearest(points[outside], all_matches=False)
        chosen[outside[near_points]] = near_grids
    return chosen


def row_plan(n_targets: int, n_teams: int, n_days: int) -> Row:
    """Planning a round with the app's solver settings, vs a greedy nearest neighbour."""
    from bench.plan_bench import demo_problem, greedy
    from geo.planning import SolverOptions, Team, plan_sweep
    from geo.travel import StraightLineRoads

    progress(f"planning: {n_targets} targets, {n_teams} teams, {n_days} days")
    targets, teams, _ = demo_problem(n_targets, n_teams)
    teams = [Team(t.id, t.lon, t.lat) for t in teams]
    days = [date(2026, 11, 2) + timedelta(days=d) for d in range(n_days)]
    travel = StraightLineRoads()
    plan, ours = timed(plan_sweep, targets, teams, days, travel, SolverOptions())
    (greedy_served, greedy_travel), theirs = timed(greedy, targets, teams, days, travel)
    served, travel_s = plan.summary["assigned"], plan.summary["travel_s"]
    per_target = travel_s / max(served, 1) / 60
    greedy_per_target = greedy_travel / max(greedy_served, 1) / 60
    progress(f"planning: VROOM {ours:.2f} s, greedy {theirs:.2f} s")
    return Row(f"6 planning, {n_targets} targets, {n_teams} teams, {n_days} days", ours, "s",
               "greedy nearest neighbour", theirs, "< 5 s", ours < 5, higher_is_better=False,
               note=f"VROOM serves {served} targets at {per_target:.1f} min driving each; "
                    f"greedy {greedy_served} at {greedy_per_target:.1f} min")


# --------------------------------------------------------------------------- report


def load_remark(loads: tuple[float, float]) -> str:
    """Say whether other work shared the machine (load above the bench's own ~2 cores)."""
    if max(loads) < 2.5:
        return ": nothing else ran; the bench's own servers and clients share the 2 cores."
    return ": the machine was shared with other work during the run, so figures are noisy."


def machine(url: str) -> list[str]:
    cpu = "unknown CPU"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        found = re.search(r"model name\s*:\s*(.+)", cpuinfo.read_text())
        cpu = found.group(1).strip() if found else cpu
    ram = "?"
    meminfo = Path("/proc/meminfo")
    if meminfo.exists():
        kb = int(re.search(r"MemTotal:\s*(\d+)", meminfo.read_text()).group(1))  # type: ignore[union-attr]
        ram = f"{kb / 1024 / 1024:.1f} GiB"
    try:
        pg, postgis = query(url, """SELECT current_setting('server_version'), (
            SELECT default_version FROM pg_available_extensions WHERE name = 'postgis')""")[0]
    except (psycopg.Error, sa.exc.ArgumentError):  # the HA set is stopped after its row
        pg, postgis = "(stopped after the run)", "?"
    return [f"- CPU: {cpu}, {os.cpu_count()} cores visible; RAM {ram}",
            f"- OS: {platform.platform()}",
            f"- PostgreSQL {pg}; PostGIS {postgis}",
            f"- Python {platform.python_version()}; shapely {shapely.__version__}",
            f"- gunicorn.conf.py: {WORKERS} workers x {THREADS} threads (gthread) for "
            "Gridwork and for Kinto"]


def fmt(value: float | None, unit: str) -> str:
    if value is None:
        return "—"
    if unit == "s":
        return f"{value:.2f} s"
    if unit == "ms":
        return f"{value:.1f} ms"
    return f"{value:,.0f} {unit}"


def table(rows: list[Row]) -> str:
    lines = ["| row | figure | baseline (same run) | ratio (> 1: Gridwork better) | target | "
             "met? |",
             "|---|---|---|---|---|---|"]
    for r in rows:
        ratio = "—"
        if r.ratio is not None:
            ratio = f"{r.ratio if r.higher_is_better else 1 / r.ratio:.2f}x"
        baseline = f"{r.baseline_name}: {fmt(r.baseline, r.unit)}" if r.baseline_name else "—"
        met = {True: "yes", False: "**no**", None: "—"}[r.met]
        lines.append(f"| {r.row} | {fmt(r.figure, r.unit)} | {baseline} | {ratio} | "
                     f"{r.target or '—'} | {met} |")
    return "\n".join(lines)


def write_results(path: Path, rows: list[Row], url: str, scale: Scale, started: datetime,
                  seconds: float, loads: tuple[float, float]) -> None:
    notes = "\n".join(f"- **{r.row}**: {r.note}" for r in rows if r.note)
    findings_file = ROOT / "bench" / "profile-findings.md"
    findings = "\n" + findings_file.read_text() if findings_file.exists() else ""
    path.write_text(f"""# Benchmark results

Written by `make bench` (bench/run.py) on {started:%Y-%m-%d %H:%M} UTC; the run took
{seconds / 60:.1f} min at scale {scale.factor:g} (x10 database at seed scale {scale.x10}).
What each row measures: bench/README.md.

## Machine

{chr(10).join(machine(url))}
- Load average (1 min) at start {loads[0]:.1f}, at end {loads[1]:.1f}{load_remark(loads)}

## Results

{table(rows)}

## Notes per row

{notes}
{findings}""")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Gridwork's benchmark suite (issue #9). "
                                     "Gridwork 基准测试套件。")
    parser.add_argument("--quick", action="store_true",
                        help="a short run of every row / 快速运行（缩小规模）")
    # poll-ha starts a high-availability set of its own (make ha-deps): asked for by name.
    parser.add_argument("--only", default=",".join(r for r in ROWS if r != "poll-ha"),
                        help=f"comma-separated rows out of {','.join(ROWS)} / 只运行这些行")
    parser.add_argument("--database", default="gridwork_bench",
                        help="name of the scratch database (dropped and created; the x10 one "
                             "gets _x10) / 基准测试使用的临时数据库名")
    parser.add_argument("--output", help="results file (default bench/results.md, "
                        "bench/results-quick.md with --quick) / 结果文件")
    args = parser.parse_args(argv)
    only = {part.strip() for part in args.only.split(",") if part.strip()}
    unknown = only - set(ROWS)
    if unknown:
        parser.error(f"unknown rows: {', '.join(sorted(unknown))}")
    scale = scale_from(args)
    output = Path(args.output) if args.output else ROOT / "bench" / (
        "results-quick.md" if scale.factor < 1 else "results.md")
    started_at, started, load0 = datetime.now(UTC), time.perf_counter(), os.getloadavg()[0]
    rows: list[Row] = []
    poll_seconds = max(3.0, 10 * min(scale.factor, 1.0))
    if only == {"poll-ha"}:  # its own HA set, its own databases: no DATABASE_URL needed
        rows += two_hosts(235, poll_seconds)
        finish(rows, output, "postgresql://127.0.0.1:1/stopped", scale, started_at,
               started, load0)
        return
    if "poll-ha" in only:
        parser.error("run poll-ha alone (--only poll-ha): it seals its data with its own key")
    server_url = database_url()
    progress(f"scale {scale.factor:g}, rows: {', '.join(r for r in ROWS if r in only)}")
    served = only & {"poll", "poll-mixed", "bootstrap", "incremental", "push", "load"}
    url = (migrated_seeded(server_url, args.database, 1) if served | (only & {"assign"})
           else make_url(server_url).set(database="postgres")
           .render_as_string(hide_password=False))
    with ExitStack() as stack:
        # Another --database gets its own Kinto database: two runs side by side never meet.
        kinto_db = ("kinto_bench" if args.database == "gridwork_bench"
                    else f"{args.database}_kinto")
        kinto = (stack.enter_context(kinto_running(server_url, WORKERS, THREADS, kinto_db))
                 if only & {"poll", "poll-mixed", "bootstrap", "push"} else None)
        if served:
            with serving(url, "demo") as base:
                who = busiest_assistant(url)
                username, user_id, court_id = who[:3]
                if kinto and "poll" in only:  # first: the demo county as phones find it
                    rows += row_poll(base, url, kinto, 235, poll_seconds)
                if kinto and "poll-mixed" in only:  # second: it adds leads and photos
                    rows += row_poll_mixed(base, url, kinto, 235, poll_seconds)
                if kinto and "bootstrap" in only:
                    rows.append(row_bootstrap(base, url, kinto, "demo scale", username,
                                              scale.count(5, 3), "≤ Kinto", times_kinto=1))
                if "incremental" in only:
                    rows += row_incremental(base, url, who, scale.count(300, 30),
                                            scale.count(100, 10))
                if kinto and "bootstrap" in only:
                    n = scale.count(10_000, 1000)
                    top_up_leads(url, court_id, n, author_id=user_id)
                    rows.append(row_bootstrap(base, url, kinto, "scope topped up",
                                              username, scale.count(5, 3),
                                              "≥ 2× Kinto, < 0.25 s", 0.25, times_kinto=2))
                if kinto and "push" in only:
                    rows.append(row_push(base, url, kinto, scale.count(20_000, 2000)))
                if "load" in only:
                    rows.append(row_load(base, url, scale.count(235, 20),
                                         180 * min(scale.factor, 1.0), scale.count(20, 5)))
                    rows.append(row_worker_memory(base))
                if "bootstrap" in only:  # last: it grows the court tenfold
                    rows.append(row_bootstrap_court(base, url, scale.count(100_000, 10_000),
                                                    scale.count(3, 2)))
        if kinto and "bootstrap" in only:
            url10 = migrated_seeded(server_url, f"{args.database}_x10", scale.x10)
            with serving(url10, f"x{scale.x10}") as base:
                username10 = busiest_assistant(url10)[0]
                rows.append(row_bootstrap(base, url10, kinto, f"seed scale {scale.x10}",
                                          username10, scale.count(5, 3)))
    if "assign" in only:
        rows.append(row_assign(url, scale.count(1_000_000, 100_000)))
    if "plan" in only:
        rows.append(row_plan(500, 10, 2))
    finish(rows, output, url, scale, started_at, started, load0)


def finish(rows: list[Row], output: Path, url: str, scale: Scale, started_at: datetime,
           started: float, load0: float) -> None:
    """Print the table and write it with the machine's description."""
    rows.sort(key=lambda r: r.row)
    print(table(rows))
    for r in rows:
        if r.note:
            print(f"  {r.row}: {r.note}")
    write_results(output, rows, url, scale, started_at, time.perf_counter() - started,
                  (load0, os.getloadavg()[0]))
    progress(f"results written to {output}")


if __name__ == "__main__":
    main()
