"""A/B in one process: a pull's records marked plain where they are read
(``sync.spec.PlainRecord``: ``api.page_json`` does not walk them) against plain dicts
(walked, as before finding 34), alternating bootstraps.

    .venv/bin/python -m bench.plain_ab [--database gridwork_pullprof] [--rounds 10]
        [--user USERNAME] [--schema-version 1]

Uses the scratch database ``bench.pull_profile`` leaves (run it first); each bootstrap
is a new device of the busiest assistant (or ``--user``). Prints per arm the median (min)
wall time, this process's CPU (the test client decodes every page too, alike in both
arms) and the CPU of the PostgreSQL backends serving the database (from /proc), per
bootstrap, and the load average.
"""

from __future__ import annotations

import argparse
import os
import time

from bench.common import database_url, median, progress
from bench.demo_data import busiest_assistant
from bench.pull_profile import PAGE, TestPhone


class Backends:
    """CPU of the PostgreSQL backends connected to a database, from one call to the next
    (same machine: /proc; clock ticks, so ~10 ms resolution per reading)."""

    def __init__(self, url: str) -> None:
        import psycopg
        from sqlalchemy.engine import make_url

        u = make_url(url)
        self.database = u.database
        self.conn = psycopg.connect(host=u.host, port=u.port, user=u.username,
                                    dbname=u.database, autocommit=True)
        self.tick = os.sysconf("SC_CLK_TCK")
        self.seen: dict[int, int] = {}
        self.cpu()

    def cpu(self) -> float:
        """Seconds used since the last call by the backends alive now (a backend that
        ended meanwhile is not counted; one that started counts from its start)."""
        pids = [pid for (pid,) in self.conn.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
            (self.database,))]
        now: dict[int, int] = {}
        for pid in pids:
            try:
                with open(f"/proc/{pid}/stat") as stat:
                    fields = stat.read().rsplit(")", 1)[1].split()
            except OSError:  # gone meanwhile
                continue
            now[pid] = int(fields[11]) + int(fields[12])  # utime, stime
        used = sum(ticks - self.seen.get(pid, 0) for pid, ticks in now.items())
        self.seen = now
        return used / self.tick


def bootstrap(phone: TestPhone, schema_version: int) -> int:
    """``TestPhone.bootstrap`` at ``schema_version``; the records pulled."""
    cursor, n, more = None, 0, True
    while more:
        query = {"limit": PAGE, "schema_version": schema_version,
                 **({"cursor": cursor} if cursor else {})}
        answer = phone.client.get("/api/v1/sync/pull", query_string=query,
                                  headers=phone.headers)
        assert answer.status_code == 200, answer.get_json()
        page = answer.get_json()
        n += sum(len(c["upserts"]) for c in page["changes"].values())
        cursor, more = page["next_cursor"], page["has_more"]
    return n


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Plain records against walked dicts. "
                                     "已标记的记录与逐个检查的字典对比。")
    parser.add_argument("--database", default="gridwork_pullprof", help="scratch database")
    parser.add_argument("--rounds", type=int, default=10, help="bootstraps per arm")
    parser.add_argument("--user", help="who bootstraps (default: the busiest assistant)")
    parser.add_argument("--schema-version", type=int, default=1)
    args = parser.parse_args(argv)
    from sqlalchemy.engine import make_url

    url = (make_url(database_url()).set(drivername="postgresql+psycopg", database=args.database)
           .render_as_string(hide_password=False))
    username = args.user or busiest_assistant(url)[0]
    from api import create_app
    from enforcement.syncing import values
    from sync.spec import PlainRecord

    app = create_app({"DATABASE_URL": url, "TESTING": True,
                      "LOGIN_RATE_LIMIT": "100000 per minute", "LOG_LEVEL": "WARNING"})
    client = app.test_client()
    arms = {"dicts, walked (before)": dict, "plain records (after)": PlainRecord}
    backends = Backends(url)
    times: dict[str, list[tuple[float, float, float]]] = {arm: [] for arm in arms}
    for kind in arms.values():  # warm each arm once, untimed
        values.PlainRecord = kind  # type: ignore[misc]
        bootstrap(TestPhone(client, username), args.schema_version)
    n = 0
    for _ in range(args.rounds):
        for arm, kind in arms.items():
            values.PlainRecord = kind  # type: ignore[misc]
            phone = TestPhone(client, username)
            backends.cpu()
            wall, cpu = time.perf_counter(), time.process_time()
            n = bootstrap(phone, args.schema_version)
            times[arm].append((time.perf_counter() - wall, time.process_time() - cpu,
                               backends.cpu()))
    values.PlainRecord = PlainRecord  # type: ignore[misc]
    for arm, got in times.items():
        walls, cpus, servers = ([v[k] * 1000 for v in got] for k in range(3))
        progress(f"{arm}: {n:,} records, wall median {median(walls):.1f} ms (min "
                 f"{min(walls):.1f}), client CPU median {median(cpus):.1f} ms (min "
                 f"{min(cpus):.1f}), PostgreSQL CPU median {median(servers):.0f} ms (min "
                 f"{min(servers):.0f}); load {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
