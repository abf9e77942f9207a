"""Measure the sync engine on a fresh database with the demo county.

    DATABASE_URL=postgresql://postgres@127.0.0.1:54329/postgres \\
        .venv/bin/python bench/sync_bench.py [--mutations 1000] [--rounds 10]

Creates ``gridwork_bench_sync`` on the server of DATABASE_URL (dropped first), migrates it,
loads the demo county and prints: the bootstrap pull of the demo assistant with the most
leads, a 1,000-mutation push (creates, then updates) at the use-case level, a pull of every
change after ``rounds`` such pushes, and the trigger's cost on bulk inserts.
"""

from __future__ import annotations

import argparse
import time
import uuid
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from alembic import command
from sqlalchemy.engine import make_url
from sqlmodel import Session

from enforcement import syncing
from enforcement.db import Database
from enforcement.db_migrations import alembic_config, database_url
from enforcement.models import Device, Lead, Role, User
from enforcement.principal import Principal
from seed.load import load_demo
from sync.protocol import Mutation, Op

NAME = "gridwork_bench_sync"


def timed(label: str, func: Callable[[], Any]) -> tuple[Any, float]:
    started = time.perf_counter()
    result = func()
    elapsed = time.perf_counter() - started
    print(f"{label}: {elapsed * 1000:,.0f} ms")
    return result, elapsed


def fresh_database() -> str:
    server = make_url(database_url())
    admin = sa.create_engine(server.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f"DROP DATABASE IF EXISTS {NAME} WITH (FORCE)")
        conn.exec_driver_sql(f"CREATE DATABASE {NAME}")
    admin.dispose()
    url = server.set(database=NAME).render_as_string(hide_password=False)
    command.upgrade(alembic_config(url=url), "head")
    return url


def principal_for(db: Database, user: User) -> Principal:
    device_id = f"bench-{uuid.uuid4().hex[:8]}"
    with db.unit_of_work() as session:
        session.add(Device(court_id=user.court_id, id=device_id, user_id=user.id))
        session.commit()
    return Principal(user.id, user.court_id, Role(user.role), device_id, user.username)


def pull_everything(db: Database, who: Principal, limit: int) -> tuple[int, int]:
    cursor, more, rows, pages = None, True, 0, 0
    while more:
        page = syncing.pull(db, who, cursor, limit, 1)
        rows += sum(len(t.upserts) + len(t.deletes) for t in page.changes.values())
        cursor, more, pages = page.next_cursor, page.has_more, pages + 1
    return rows, pages


def creates(n: int) -> list[Mutation]:
    return [Mutation(uuid.uuid4().hex, "lead", Op.CREATE, str(uuid.uuid4()),
                     {"kind": "vehicle", "description": f"bench {i}",
                      "point": {"lon": 108.3 + i % 50 * 0.001, "lat": 35.4, "datum": "wgs84"}})
            for i in range(n)]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--mutations", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=10)
    args = parser.parse_args()
    url = fresh_database()
    engine = sa.create_engine(database_url(url))
    timed("load demo county (trigger records every row)",
                      lambda: load_demo(engine, progress=False))
    db = Database(url)
    with Session(engine) as session:
        top = session.execute(
            sa.select(User).join(Lead, sa.and_(Lead.court_id == User.court_id,
                                               Lead.author_id == User.id))
            .where(User.role == Role.GRID_ASSISTANT)
            .group_by(User.court_id, User.id).order_by(sa.func.count().desc()).limit(1)
        ).scalar_one()
        judge = session.execute(sa.select(User).where(User.role == Role.JUDGE)).scalars().first()
        feed_rows = session.execute(sa.text("SELECT count(*) FROM sync_change")).scalar_one()
    print(f"feed rows after the demo load: {feed_rows}")
    assistant, bench = principal_for(db, top), principal_for(db, judge)
    (rows, pages), _ = timed(f"bootstrap pull of {top.username} (limit 500)",
                             lambda: pull_everything(db, assistant, 500))
    print(f"  {rows} records in {pages} pages")

    batch = creates(args.mutations)
    _, push_s = timed(f"push of {args.mutations} creates",
                      lambda: syncing.push(db, assistant, assistant.device_id, 1, batch))
    print(f"  {args.mutations / push_s:,.0f} mutations/s")
    edits = [Mutation(uuid.uuid4().hex, "lead", Op.UPDATE, m.id,
                      {"description": "edited", "urgency": "high"}, 1) for m in batch]
    _, edit_s = timed(f"push of {args.mutations} updates",
                      lambda: syncing.push(db, assistant, assistant.device_id, 1, edits))
    print(f"  {args.mutations / edit_s:,.0f} mutations/s")
    timed(f"replay of the {args.mutations} updates (receipts only)",
          lambda: syncing.push(db, assistant, assistant.device_id, 1, edits))

    for _ in range(args.rounds - 1):
        syncing.push(db, bench, bench.device_id, 1, creates(args.mutations))
    (rows, pages), pull_s = timed("judge pulls the whole court (limit 1000)",
                                  lambda: pull_everything(db, bench, 1000))
    print(f"  {rows} records in {pages} pages, {rows / pull_s:,.0f} records/s")
    trigger_cost(engine)
    db.dispose()
    engine.dispose()


def trigger_cost(engine: sa.Engine, n: int = 10_000) -> None:
    """Bulk insert of ``n`` leads with the change trigger on, then off (rolled back)."""
    insert = sa.text(
        "INSERT INTO lead (court_id, id, author_id, kind, description, urgency, status, "
        "amount_recovered, outside_grid, version, created_at, updated_at) "
        "SELECT court_id, gen_random_uuid()::text, id, 'other', 'x', 'normal', 'submitted', "
        "0, false, 1, now(), now() FROM user_account, generate_series(1, :n) "
        "WHERE role = 'grid_assistant' LIMIT :n")
    for label, disable in (("with trigger", False), ("without trigger", True)):
        with engine.connect() as conn:
            if disable:
                conn.exec_driver_sql("ALTER TABLE lead DISABLE TRIGGER sync_change")
            started = time.perf_counter()
            conn.execute(insert, {"n": n})
            elapsed = time.perf_counter() - started
            conn.rollback()
        print(f"insert {n} leads {label}: {elapsed * 1000:,.0f} ms")


if __name__ == "__main__":
    main()
