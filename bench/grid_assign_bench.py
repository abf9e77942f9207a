"""Measure boundary import and set-based re-assignment of many located records.

    DATABASE_URL=postgresql://postgres@127.0.0.1:54329/postgres \\
        PYTHONPATH=. .venv/bin/python bench/grid_assign_bench.py \\
        [--points 100000] [--side 10] [--table lead|party]

Creates ``gridwork_bench_geo`` on the server of DATABASE_URL (dropped first), migrates it,
imports a side × side block of 0.01° village grids, inserts ``points`` leads (or parties)
at random (about 9 % outside every grid), then times a re-import that places them all, and
one that shifts every inner border by 0.002° and so moves about a sixth of them.
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

import sqlalchemy as sa
from alembic import command
from shapely.geometry import box
from sqlalchemy.engine import make_url

from enforcement.db import Database
from enforcement.db_migrations import alembic_config, database_url
from enforcement.grid_import import GridLevel, import_grids
from tests import factories

NAME = "gridwork_bench_geo"
LON, LAT, STEP = 108.0, 35.0, 0.01


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


def grid_file(folder: Path, side: int, shift: float) -> Path:
    features = []
    for i in range(side):
        for j in range(side):
            west = LON + i * STEP + (shift if i else 0)
            east = LON + (i + 1) * STEP + (shift if i + 1 < side else 0)
            features.append((f"V{i:02d}{j:02d}", f"村{i}-{j}",
                             box(west, LAT + j * STEP, east, LAT + (j + 1) * STEP)))
    return factories.write_boundary_file(folder / f"grid{shift}.geojson", features)


INSERTS = {
    "lead": """
        INSERT INTO lead (court_id, id, author_id, kind, urgency, status, description,
                          point, datum)
        SELECT :court, gen_random_uuid()::text, :author, 'vehicle', 'normal', 'submitted',
               'bench', ST_SetSRID(ST_Point(:lon + random() * :span, :lat + random() * :span),
                                   4326), 'wgs84'
        FROM generate_series(1, :n)
    """,
    "party": """
        INSERT INTO party (court_id, id, kind, name, home_point)
        SELECT :court, gen_random_uuid()::text, 'person', 'bench',
               ST_SetSRID(ST_Point(:lon + random() * :span, :lat + random() * :span), 4326)
        FROM generate_series(1, :n)
    """,
}
"""Leads carry the sync trigger (every changed row is also written to the change feed);
parties do not, so the two together show what the trigger costs."""


def insert_points(db: Database, table: str, court_id: str, author_id: str, points: int,
                  side: int) -> None:
    with db.engine.begin() as conn:
        conn.execute(sa.text(INSERTS[table]), {
            "court": court_id, "author": author_id, "n": points, "lon": LON, "lat": LAT,
            "span": side * STEP * 1.05})
        conn.exec_driver_sql(f"ANALYZE {table}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--points", type=int, default=100_000)
    parser.add_argument("--side", type=int, default=10)
    parser.add_argument("--table", choices=sorted(INSERTS), default="lead")
    args = parser.parse_args()
    db = Database(fresh_database())
    from sqlmodel import Session

    from enforcement.models import Role
    with Session(db.engine, expire_on_commit=False) as session:
        court = factories.create_court(session)
        author = factories.create_user(session, court, Role.OFFICER)
        session.commit()
    with tempfile.TemporaryDirectory() as tmp:
        first = import_grids(db, grid_file(Path(tmp), args.side, 0.0), GridLevel.VILLAGE)
        print(f"import {first.features} villages (no records): {first.seconds * 1000:,.0f} ms")
        insert_points(db, args.table, court.id, author.id, args.points, args.side)
        placed = import_grids(db, grid_file(Path(tmp), args.side, 0.0001), GridLevel.VILLAGE)
        print(f"re-import placing {args.points:,} new {args.table} rows: {placed.seconds:,.2f} s "
              f"(moved {placed.moved:,})")
        shifted = import_grids(db, grid_file(Path(tmp), args.side, 0.002), GridLevel.VILLAGE)
        print(f"re-import shifting borders 0.002°: {shifted.seconds:,.2f} s "
              f"(updated {sum(r.updated for r in shifted.reassigned):,}, "
              f"moved {shifted.moved:,})")
    db.dispose()


if __name__ == "__main__":
    main()
