"""What the benches read from and add to a loaded demo county: plain SQL through psycopg,
the assistants to sign in as, and the leads they push. Shared by every bench module, so
none of them imports another's runner."""

from __future__ import annotations

import sys
import time
from typing import Any

import psycopg
import sqlalchemy as sa
from alembic import command

from bench.common import plain_url, progress, recreate_database, timed


def query(url: str, sql: str, **params: Any) -> list[Any]:
    with psycopg.connect(plain_url(url), autocommit=True) as conn:
        cursor = conn.execute(sql, params)
        return cursor.fetchall() if cursor.description else []


def busiest_assistant(url: str) -> tuple[str, str, str, float, float]:
    """The grid assistant who wrote the most leads and still serves a grid (so that they
    can push new ones): username, user id, court id, and a point inside their grid."""
    return tuple(query(url, """
        SELECT u.username, u.id, u.court_id, ST_X(p), ST_Y(p) FROM user_account u
        JOIN lead l ON l.court_id = u.court_id AND l.author_id = u.id
        JOIN LATERAL (
            SELECT ST_PointOnSurface(g.geom) AS p FROM grid_assignment a
            JOIN village_grid g ON g.court_id = a.court_id AND g.id = a.village_grid_id
            WHERE a.court_id = u.court_id AND a.user_id = u.id AND a.ended_on IS NULL
            ORDER BY g.code LIMIT 1) AS grid ON true
        WHERE u.role = 'grid_assistant' AND u.is_active
        GROUP BY u.court_id, u.id, u.username, grid.p
        ORDER BY count(*) DESC, u.username LIMIT 1
    """)[0])  # type: ignore[return-value]


def serving_assistants(url: str, n: int) -> list[tuple[str, float, float]]:
    """``n`` assistants who serve a village grid, each with a point inside that grid."""
    return [tuple(r) for r in query(url, """
        SELECT DISTINCT ON (u.username) u.username, ST_X(p), ST_Y(p)
        FROM user_account u
        JOIN grid_assignment a ON a.court_id = u.court_id AND a.user_id = u.id
             AND a.ended_on IS NULL
        JOIN village_grid g ON g.court_id = a.court_id AND g.id = a.village_grid_id,
             LATERAL ST_PointOnSurface(g.geom) AS p
        WHERE u.role = 'grid_assistant' AND u.is_active
        ORDER BY u.username LIMIT %(n)s
    """, n=n)]


def top_up_leads(url: str, court_id: str, total: int, author_id: str | None = None) -> int:
    """Insert leads (copies of one of the court's, new ids) until the court, or the author
    when given, holds ``total``; returns how many."""
    mine = "AND author_id = %(u)s" if author_id else ""
    have = query(url, f"SELECT count(*) FROM lead WHERE court_id = %(c)s {mine}",
                 c=court_id, u=author_id)[0][0]
    missing = max(0, total - have)
    if missing:
        query(url, f"""
            INSERT INTO lead (court_id, id, author_id, kind, urgency, status, description,
                              point, datum, village_grid_id, township_id, outside_grid,
                              amount_recovered, version, created_at, updated_at)
            SELECT l.court_id, gen_random_uuid()::text, l.author_id, l.kind, l.urgency,
                   'submitted', 'bench ' || n, l.point, l.datum, l.village_grid_id,
                   l.township_id, l.outside_grid, 0, 1, now(), now()
            FROM generate_series(1, %(n)s) AS n,
                 LATERAL (SELECT * FROM lead WHERE court_id = %(c)s {mine} LIMIT 1) AS l
        """, n=missing, c=court_id, u=author_id)
        query(url, "ANALYZE lead, sync_change")  # as after any bulk load
    return missing


def lead_fields(i: int, lon: float, lat: float) -> dict[str, Any]:
    return {"kind": "vehicle", "urgency": "normal",
            "description": f"bench lead {i}: 白色面包车停在村口",
            "point": {"lon": lon + (i % 37) * 1e-5, "lat": lat + (i % 41) * 1e-5,
                      "datum": "wgs84"}}


def migrated_seeded(server_url: str, name: str, scale: int) -> str:
    """A fresh database ``name``, migrated to head and loaded with the demo county."""
    from enforcement.infrastructure.db_migrations import alembic_config, database_url
    from seed.load import load_demo

    url = recreate_database(server_url, name)
    progress(f"{name}: migrating")
    command.upgrade(alembic_config(url=url), "head")
    progress(f"{name}: loading the demo county at scale {scale}")
    engine = sa.create_engine(database_url(url))
    report, seconds = timed(load_demo, engine, scale=scale, progress=False)
    # Statistics, as a database in service has them: without, the first pulls ran on the
    # planner's guesses until autovacuum came by (1.5 s each, then 60 ms, in one run).
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.exec_driver_sql("ANALYZE")
    engine.dispose()
    progress(f"{name}: {report.total_rows:,} rows loaded in {seconds:.0f} s")
    return url


def wait_for_horizon(url: str, timeout: float = 300) -> None:
    """Wait until the pull horizon passes the newest feed row: a transaction left open
    anywhere on the cluster holds it back, and a bootstrap timed before would deliver
    only part of the scope (one measured 0 records)."""
    deadline = time.monotonic() + timeout
    while query(url, "SELECT coalesce(max(xid), 0) >= pg_snapshot_xmin(pg_current_snapshot())"
                "::text::bigint FROM sync_change")[0][0]:
        if time.monotonic() > deadline:
            sys.exit("the pull horizon did not pass the newest change: a long transaction "
                     "on the cluster holds it back")
        time.sleep(0.2)
