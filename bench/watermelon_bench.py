"""Measure the WatermelonDB protocol on a fresh database with the demo county.

    DATABASE_URL=postgresql://postgres@127.0.0.1:54329/postgres \\
        .venv/bin/python -m bench.watermelon_bench [--records 1000]

Uses ``bench.sync_bench``'s fresh database (dropped first) and prints: the bootstrap pull
of the demo assistant with the most leads, a push of ``records`` new leads as
WatermelonDB sends them, the pull that follows, and a push of edits to all of them.
"""

from __future__ import annotations

import argparse
import secrets
import string

import sqlalchemy as sa
from sqlmodel import Session

from bench.sync_bench import fresh_database, principal_for, timed
from enforcement import syncing_watermelon
from enforcement.db import Database
from enforcement.db_migrations import database_url
from enforcement.models import Lead, Role, User
from seed.load import load_demo

ALPHABET = string.ascii_letters + string.digits


def raw_lead(i: int) -> dict:
    return {"id": "".join(secrets.choice(ALPHABET) for _ in range(16)), "_status": "created",
            "_changed": "", "kind": "vehicle", "description": f"bench {i}", "urgency": "normal",
            "lon": 108.3 + i % 50 * 0.001, "lat": 35.4, "datum": "wgs84", "accuracy_m": None}


def count(answer: dict) -> int:
    return sum(len(t["created"]) + len(t["updated"]) + len(t["deleted"])
               for t in answer["changes"].values())


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--records", type=int, default=1000)
    args = parser.parse_args()
    url = fresh_database()
    engine = sa.create_engine(database_url(url))
    load_demo(engine, progress=False)
    db = Database(url)
    with Session(engine) as session:
        top = session.execute(
            sa.select(User).join(Lead, sa.and_(Lead.court_id == User.court_id,
                                               Lead.author_id == User.id))
            .where(User.role == Role.GRID_ASSISTANT)
            .group_by(User.court_id, User.id).order_by(sa.func.count().desc()).limit(1)
        ).scalar_one()
    phone = principal_for(db, top)
    first, _ = timed(f"bootstrap pull of {top.username}",
                     lambda: syncing_watermelon.pull(db, phone, None, 1))
    print(f"  {count(first)} records")
    leads = [raw_lead(i) for i in range(args.records)]
    _, push_s = timed(f"push of {args.records} created leads", lambda: syncing_watermelon.push(
        db, phone, first["timestamp"], 1, {"lead": {"created": leads}}))
    print(f"  {args.records / push_s:,.0f} records/s")
    again, _ = timed("the pull after it", lambda: syncing_watermelon.pull(
        db, phone, first["timestamp"], 1))
    print(f"  {count(again)} records")
    edits = [{**lead, "_status": "updated", "description": "edited"} for lead in leads]
    _, edit_s = timed(f"push of {args.records} edited leads", lambda: syncing_watermelon.push(
        db, phone, again["timestamp"], 1, {"lead": {"updated": edits}}))
    print(f"  {args.records / edit_s:,.0f} records/s")
    db.dispose()
    engine.dispose()


if __name__ == "__main__":
    main()
