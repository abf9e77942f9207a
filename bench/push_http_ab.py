"""The push row over HTTP, two source trees alternating, with where the CPU went (issue #20).

    DATABASE_URL=... .venv/bin/python -m bench.push_http_ab [--before DIR] [--rounds 3]
                                                            [--total 20000] [--database NAME]

Row 1 of ``bench.run`` without Kinto (two and a half minutes of a run that measures the
push in seven seconds): ``--total`` lead creates by 20 devices in batches of 100 through
gunicorn (``gunicorn.conf.py``), then the same rows through psycopg ``executemany`` in one
transaction, each round. With ``--before DIR`` (e.g. a ``git worktree`` of the base
commit) a server of that tree and one of this tree serve the same database and take turns,
so that the noise of a shared machine hits both alike. Each push phase also reports the
CPU seconds the gunicorn workers, the database's PostgreSQL backends and this process (the
20 client threads) used, per 1,000 mutations: on two cores the three share the machine, so
the row's figure is their sum, not the server's alone.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from pathlib import Path
from typing import Any

from bench.common import ROOT, database_url, progress
from bench.demo_data import lead_fields, migrated_seeded, serving_assistants
from bench.gridwork_server import SERVER_PIDS, Phone, serving

DEVICES, BATCH = 20, 100
TICK = os.sysconf("SC_CLK_TCK")


def _cpu(pid: int) -> float:
    """User + system CPU seconds of one process (0 once it has gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (FileNotFoundError, ProcessLookupError):
        return 0.0
    return (int(fields[11]) + int(fields[12])) / TICK


def _workers(base: str) -> list[int]:
    master = SERVER_PIDS[base]
    return [int(p) for p in
            Path(f"/proc/{master}/task/{master}/children").read_text().split()]


def _backends(database: str) -> list[int]:
    """PostgreSQL backends connected to ``database`` (by their process title)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            title = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        if title.startswith("postgres: ") and f" {database} " in title:
            found.append(int(entry.name))
    return found


def _cpu_of(pids: list[int]) -> dict[int, float]:
    return {pid: _cpu(pid) for pid in pids}


def _used(before: dict[int, float], after: dict[int, float]) -> float:
    return sum(after[pid] - before.get(pid, 0.0) for pid in after)


def push_phase(base: str, database: str, phones: list[Phone],
               work: list[list[list[dict[str, Any]]]]) -> dict[str, float]:
    """All devices push their batches at once; seconds and CPU seconds per party."""
    workers, backends = _workers(base), _backends(database)
    w0, b0, c0 = _cpu_of(workers), _cpu_of(backends), time.process_time()

    def device(k: int) -> list[str]:
        return [r["status"] for batch in work[k] for r in phones[k].push(batch)]

    started = time.perf_counter()
    with ThreadPoolExecutor(DEVICES) as pool:
        statuses = [s for part in pool.map(device, range(DEVICES)) for s in part]
    took = time.perf_counter() - started
    client = time.process_time() - c0
    server = _used(w0, _cpu_of(workers))
    database_cpu = _used(b0, _cpu_of(backends + [p for p in _backends(database)
                                                  if p not in b0]))
    bad = [s for s in statuses if s != "applied"]
    if bad:
        raise RuntimeError(f"{len(bad)} mutations not applied: {sorted(set(bad))}")
    return {"seconds": took, "server": server, "database": database_cpu, "client": client}


def executemany_phase(url: str, work: list[list[list[dict[str, Any]]]]) -> float:
    """``bench.run.raw_insert_seconds``: the same leads as plain rows, one transaction."""
    from bench.run import raw_insert_seconds

    return raw_insert_seconds(url, work)


def fresh_work(assistants: list[tuple[str, float, float]], total: int
               ) -> list[list[list[dict[str, Any]]]]:
    per_device = total // DEVICES
    work = []
    for _, lon, lat in assistants:
        mutations = [{"mutation_id": f"m-{uuid.uuid4().hex[:12]}-{i}", "table": "lead",
                      "op": "create", "id": str(uuid.uuid4()), "fields": lead_fields(i, lon, lat)}
                     for i in range(per_device)]
        work.append([mutations[s:s + BATCH] for s in range(0, per_device, BATCH)])
    return work


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="the push row over HTTP, A/B of two trees / "
                                     "两个版本交替测量推送吞吐")
    parser.add_argument("--before", help="source tree of the 'before' arm / 对照版本目录")
    parser.add_argument("--rounds", type=int, default=3, help="rounds / 轮数")
    parser.add_argument("--total", type=int, default=20_000, help="creates per push phase")
    parser.add_argument("--database", default="gridwork_push_http_ab",
                        help="scratch database / 临时数据库")
    args = parser.parse_args(argv)
    url = migrated_seeded(database_url(), args.database, 1)
    assistants = serving_assistants(url, DEVICES)
    trees = ([("before", Path(args.before).resolve())] if args.before else []) + [
        ("after", ROOT)]
    figures: dict[str, list[dict[str, float]]] = {name: [] for name, _ in trees}
    raw: list[float] = []
    with ExitStack() as stack:
        bases = {name: stack.enter_context(serving(url, f"ab-{name}", root))
                 for name, root in trees}
        phones = {name: [Phone(base, user, f"ab-{name}-{k:02d}-{uuid.uuid4().hex[:6]}")
                         for k, (user, _, _) in enumerate(assistants)]
                  for name, base in bases.items()}
        for name, base in bases.items():  # warm up: every worker imports and connects
            push_phase(base, args.database, phones[name], fresh_work(assistants, 2000))
        for r in range(args.rounds):
            for name, base in bases.items():
                load = os.getloadavg()[0]
                got = push_phase(base, args.database, phones[name],
                                 fresh_work(assistants, args.total))
                got["load"] = load
                figures[name].append(got)
                per = 1000 / args.total
                progress(f"round {r + 1}, {name}: {args.total / got['seconds']:,.0f} "
                         f"mutations/s (load {load:.1f}); CPU s per 1,000: server "
                         f"{got['server'] * per:.2f}, database {got['database'] * per:.2f}, "
                         f"client {got['client'] * per:.2f}")
            seconds = executemany_phase(url, fresh_work(assistants, args.total))
            raw.append(seconds)
            progress(f"round {r + 1}, executemany: {args.total / seconds:,.0f} rows/s")
        for each in phones.values():
            for phone in each:
                phone.close()
    raw_rate = args.total / statistics.median(raw)
    for name, rounds in figures.items():
        rate = args.total / statistics.median(g["seconds"] for g in rounds)
        print(f"{name}: median {rate:,.0f} mutations/s = {rate / raw_rate:.0%} of executemany "
              f"(median {raw_rate:,.0f} rows/s); rounds "
              + ", ".join(f"{args.total / g['seconds']:,.0f}" for g in rounds), flush=True)


if __name__ == "__main__":
    main()
