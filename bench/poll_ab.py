"""A/B of the empty poll between two source trees, same database, same run, alternating.

    .venv/bin/python -m bench.poll_ab --before /tmp/before-tree [--after /tmp/after-tree]
        [--rounds 3] [--seconds 10] [--pull watermelon|native]

Serves this checkout (or ``--after``) and ``--before`` (a copy of the checkout with the
change undone)
under gunicorn as ``make serve`` does, both on the database of DATABASE_URL (a demo
county ``bench.run --only poll`` loaded: it is not reloaded), signs in and bootstraps the
same assistants on each, then alternates ``--rounds`` steps of ``--seconds`` of polling
with nothing new (WatermelonDB pull) at ``--connections``, before first. Prints
requests/s, p50 / p95 and the workers' CPU per request (from /proc: it moves much
less with other work on the machine than wall time) per step with the load average
(bench/profile-findings.md, finding 11+).
"""

from __future__ import annotations

import argparse
import os
from contextlib import ExitStack
from pathlib import Path

from bench.common import database_url, progress
from bench.demo_data import query
from bench.gridwork_server import SERVER_PIDS, serving
from bench.poll import drive, native_poller, signed_in, watermelon_poller


def workers_cpu_s(base: str) -> float:
    """CPU seconds (user + system) the gunicorn workers serving ``base`` have used: per
    request, a figure the other work on a shared machine disturbs much less than wall
    time."""
    master = SERVER_PIDS[base]
    total = 0
    for pid in Path(f"/proc/{master}/task/{master}/children").read_text().split():
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


def backends_cpu_s(url: str) -> float:
    """CPU seconds the PostgreSQL backends serving the app on ``url``'s database have used
    (both trees' connections: only the tree being driven is busy during its step). A cut
    in round trips saves the database's CPU as much as the workers'."""
    total = 0
    for (pid,) in query(url, "SELECT pid FROM pg_stat_activity WHERE datname = "
                             "current_database() AND application_name LIKE 'gridwork%%'"):
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except FileNotFoundError:  # a connection closed since
            continue
        total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="A/B of the empty poll / 空轮询 A/B 对比")
    parser.add_argument("--before", required=True, help="source tree without the change")
    parser.add_argument("--after", help="source tree with the change (default: this one)")
    parser.add_argument("--pull", choices=("watermelon", "native"), default="watermelon",
                        help="which poll to time")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument("--phones", type=int, default=235)
    args = parser.parse_args(argv)
    url = database_url("the loaded bench database")
    with ExitStack() as stack:
        after = (serving(url, "after", Path(args.after)) if args.after
                 else serving(url, "after"))
        bases = {"before": stack.enter_context(serving(url, "before", Path(args.before))),
                 "after": stack.enter_context(after)}
        poller = watermelon_poller if args.pull == "watermelon" else native_poller
        pollers = {label: signed_in(base, url, args.phones, f"ab-{label}", poller)
                   for label, base in bases.items()}
        lines = []
        for r in range(args.rounds):
            for label in ("before", "after"):
                cpu, db_cpu = workers_cpu_s(bases[label]), backends_cpu_s(url)
                step = drive(bases[label], pollers[label], args.connections, args.seconds,
                             warmup=0)
                per = (workers_cpu_s(bases[label]) - cpu) / max(1, step.requests) * 1000
                db_per = (backends_cpu_s(url) - db_cpu) / max(1, step.requests) * 1000
                line = (f"| {r + 1} | {label} | {step.rps:,.0f} | {step.p50:.1f} | "
                        f"{step.p95:.1f} | {per:.2f} | {db_per:.2f} | {step.errors} | "
                        f"{os.getloadavg()[0]:.1f} |")
                progress(line)
                lines.append(line)
    print("| round | tree | requests/s | p50 ms | p95 ms | worker CPU ms per request | "
          "database CPU ms per request | errors | load (1 min) |")
    print("|---|---|---|---|---|---|---|---|---|")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
