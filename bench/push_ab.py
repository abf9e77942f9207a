"""In-process A/B of a lead-create push: one by one against batch-wise (issue #9 row 1).

    DATABASE_URL=... .venv/bin/python -m bench.push_ab [--sizes 100,1000] [--rounds 3]
                                                       [--profile] [--reuse]

Both arms run ``enforcement.syncing.usecases.push`` in the same process on the same database,
alternating, so that the noise of a shared machine hits both alike; the ratio is the
finding. "one by one" is the registry with the lead spec's ``create_many`` taken away (the
engine then applies every mutation in its own savepoint, as before the batch path). Each
push writes fresh leads of one grid assistant and commits. ``--profile`` adds one cProfile
run per arm and size (top functions by own time) and counts the statements sent.
"""

from __future__ import annotations

import argparse
import cProfile
import dataclasses
import io
import pstats
import statistics
import time
import uuid
from typing import Any

import sqlalchemy as sa

from bench.common import database_url, progress
from bench.demo_data import lead_fields, migrated_seeded, serving_assistants
from enforcement.accounts.principal import Principal
from enforcement.infrastructure.db import Database
from enforcement.leads.settings import LeadSettings
from enforcement.models import Device, Role
from enforcement.syncing import usecases as syncing
from enforcement.syncing.registry import registry_for
from sync.protocol import Mutation, Op
from sync.spec import Registry

SETTINGS = LeadSettings(manual_position=True)
"""The default court's (``FIELD_APP_MANUAL_POSITION``); the bench's leads are GPS fixes."""
COURT = registry_for(SETTINGS)


def one_by_one(registry: Registry) -> Registry:
    """The same registry without any ``create_many``: every mutation on its own."""
    if not any(f.name == "create_many" for f in dataclasses.fields(next(iter(
            registry.specs.values())))):
        return registry  # code from before the batch path
    specs = {table: dataclasses.replace(spec, create_many=None, existing=None)
             for table, spec in registry.specs.items()}
    return dataclasses.replace(registry, specs=specs)


def assistant(db: Database, url: str) -> tuple[Principal, float, float]:
    username, lon, lat = serving_assistants(url, 1)[0]
    device = f"bench-ab-{uuid.uuid4().hex[:8]}"
    with db.engine.begin() as conn:
        user_id, court_id = conn.execute(sa.text(
            "SELECT id, court_id FROM user_account WHERE username = :u"), {"u": username}).one()
        conn.execute(sa.insert(Device).values(court_id=court_id, id=device, user_id=user_id))
    return Principal(user_id, court_id, Role.GRID_ASSISTANT, device, username), lon, lat


def batch(size: int, lon: float, lat: float) -> list[Mutation]:
    return [Mutation(uuid.uuid4().hex, "lead", Op.CREATE, str(uuid.uuid4()),
                     lead_fields(i, lon, lat)) for i in range(size)]


def push_once(db: Database, who: Principal, registry: Registry, mutations: list[Mutation]
              ) -> float:
    started = time.perf_counter()
    results = syncing.push(db, SETTINGS, who, who.device_id, 2, mutations, registry=registry)
    took = time.perf_counter() - started
    bad = {r.status.value for r in results} - {"applied"}
    if bad:
        raise RuntimeError(f"not applied: {bad}")
    return took


def statements(db: Database, fn: Any) -> int:
    count = 0

    def seen(*_args: Any) -> None:
        nonlocal count
        count += 1

    sa.event.listen(db.engine, "before_cursor_execute", seen)
    try:
        fn()
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", seen)
    return count


def profile(db: Database, who: Principal, registry: Registry, size: int, lon: float,
            lat: float) -> str:
    mutations = batch(size, lon, lat)
    profiler = cProfile.Profile()
    profiler.enable()
    took = push_once(db, who, registry, mutations)
    profiler.disable()
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(15)
    return f"{took:.3f} s under the profiler\n" + "\n".join(out.getvalue().splitlines()[:40])


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="A/B of a lead-create push in-process / "
                                     "进程内对比逐条与批量推送")
    parser.add_argument("--sizes", default="100,1000", help="mutations per push / 每批条数")
    parser.add_argument("--rounds", type=int, default=3, help="pushes per arm / 每组次数")
    parser.add_argument("--database", default="gridwork_push_ab",
                        help="scratch database / 临时数据库")
    parser.add_argument("--reuse", action="store_true",
                        help="keep the database if it exists / 复用已有数据库")
    parser.add_argument("--profile", action="store_true", help="cProfile each arm / 性能剖析")
    parser.add_argument("--arms", default="one_by_one,batch", help="arms to run / 对比组")
    args = parser.parse_args(argv)
    server_url = database_url()
    if args.reuse:
        url = sa.engine.make_url(server_url).set(
            drivername="postgresql+psycopg", database=args.database
        ).render_as_string(hide_password=False)
    else:
        url = migrated_seeded(server_url, args.database, 1)
    db = Database(url)
    who, lon, lat = assistant(db, url)
    arms = {"one_by_one": one_by_one(COURT), "batch": COURT}
    arms = {name: arms[name] for name in args.arms.split(",")}
    push_once(db, who, COURT, batch(10, lon, lat))  # warm up connections and caches
    for size in (int(s) for s in args.sizes.split(",")):
        times: dict[str, list[float]] = {name: [] for name in arms}
        for _ in range(args.rounds):
            for name, registry in arms.items():
                times[name].append(push_once(db, who, registry, batch(size, lon, lat)))
        for name, registry in arms.items():
            median = statistics.median(times[name])
            mutations = batch(size, lon, lat)
            sent = statements(db, lambda r=registry, m=mutations: push_once(db, who, r, m))
            print(f"{size:>5} creates, {name:>10}: " + " ".join(f"{t:.3f}" for t in times[name])
                  + f" s; median {median:.3f} s = {size / median:,.0f} mutations/s; "
                  f"{sent} statements", flush=True)
        if args.profile:
            for name, registry in arms.items():
                progress(f"profile, {size} creates, {name}")
                print(f"--- profile: {size} creates, {name}\n"
                      + profile(db, who, registry, size, lon, lat), flush=True)
    db.dispose()


if __name__ == "__main__":
    main()
