"""CPU a lead-create push costs, per mutation, through the whole app in one process (issue #20).

    DATABASE_URL=... .venv/bin/python -m bench.push_cpu --database NAME [--sizes 100,1000]
                                                        [--pushes 4000]

Pushes batches of new leads of one grid assistant through Flask's test client (request
parsing, the use case, the response: everything but gunicorn's socket), and reports per
mutation the wall time, this process's CPU and the CPU of the database's PostgreSQL
backends (read from /proc: the server runs on this machine). CPU seconds move much less
with the load of a shared machine than wall time does, so two source trees can be compared
by running this from each in turn (``bench/profile-findings.md``, finding 20). The
database must exist (e.g. one ``bench.push_ab`` or ``bench.push_http_ab`` made).
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import time
import uuid
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import make_url

from bench.common import database_url
from bench.demo_data import lead_fields, serving_assistants
from bench.pull_profile import TestPhone

TICK = os.sysconf("SC_CLK_TCK")




def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of one process (0 once it has gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / TICK


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="CPU per pushed mutation, in-process / "
                                     "进程内测量每条推送的CPU")
    parser.add_argument("--database", required=True, help="existing scratch database / 数据库")
    parser.add_argument("--sizes", default="100,1000", help="mutations per push / 每批条数")
    parser.add_argument("--pushes", type=int, default=4000,
                        help="mutations measured per size / 每种批量测量的条数")
    args = parser.parse_args(argv)
    url = make_url(database_url()).set(drivername="postgresql+psycopg",
                                       database=args.database).render_as_string(
                                           hide_password=False)
    from api import create_app
    from api.smorest import db

    app = create_app({"DATABASE_URL": url, "LOGIN_RATE_LIMIT": "100000 per minute",
                      "LOG_LEVEL": "WARNING"})
    client = app.test_client()
    backends: set[int] = set()  # the PostgreSQL processes of the app's connections
    with app.app_context():
        engine = db().engine
    engine.dispose()
    sa.event.listen(engine, "connect",
                    lambda connection, _record: backends.add(connection.info.backend_pid))
    username, lon, lat = serving_assistants(url, 1)[0]
    phone = TestPhone(client, username)

    def body(size: int) -> str:
        return json.dumps({"device_id": phone.device_id, "schema_version": 1, "mutations": [
            {"mutation_id": uuid.uuid4().hex, "table": "lead", "op": "create",
             "id": str(uuid.uuid4()), "fields": lead_fields(i, lon, lat)}
            for i in range(size)]})

    def push(data: str) -> Any:
        answer = client.post("/api/v1/sync/push", data=data, content_type="application/json",
                             headers=phone.headers)
        assert answer.status_code == 200, answer.get_json()
        assert {r["status"] for r in answer.get_json()["results"]} == {"applied"}

    for _ in range(5):  # connections, prepared statements, caches
        push(body(100))
    gc.collect()
    gc.freeze()  # as gunicorn.conf.py's post_worker_init does
    for size in (int(s) for s in args.sizes.split(",")):
        bodies = [body(size) for _ in range(max(1, args.pushes // size))]
        before = {pid: cpu_seconds(pid) for pid in backends}
        cpu0, wall0 = time.process_time(), time.perf_counter()
        for data in bodies:
            push(data)
        wall, app_cpu = time.perf_counter() - wall0, time.process_time() - cpu0
        db_cpu = sum(cpu_seconds(pid) - before.get(pid, 0.0)
                     for pid in set(backends))
        n = size * len(bodies) / 1e6
        print(f"{size:>5} x {len(bodies)}: wall {wall / n:,.0f} µs/mutation; CPU: app "
              f"{app_cpu / n:,.0f}, database {db_cpu / n:,.0f}, sum "
              f"{(app_cpu + db_cpu) / n:,.0f} µs/mutation (load {os.getloadavg()[0]:.1f})",
              flush=True)


if __name__ == "__main__":
    main()
