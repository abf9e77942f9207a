"""What the push row's baseline would measure if it wrote what a push writes (issue #20).

    DATABASE_URL=... .venv/bin/python -m bench.push_floor --database NAME [--rows 5000]
                                                          [--rounds 3]

Row 1's baseline is psycopg ``executemany`` of bare lead rows in one transaction (the
feed trigger included). A push also places each lead (grid and township: two more
foreign keys), writes its first transition and a receipt (the mutation and its result as
JSON). Each variant below adds one of those to the same executemany, in its own
transaction rolled back, the variants alternating; rows/s per variant, medians. The last
line is the database's own ceiling for a push's writes done row by row; "set-based" is
the same writes as a push sends them (one INSERT per table per 100 rows, values in a JSON
document: ``sync.bulk``). The database must hold the demo county (``bench.push_ab`` or
``bench.push_http_ab`` make one).
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import psycopg
from sqlalchemy.engine import make_url

from bench.common import database_url, plain_url
from bench.demo_data import lead_fields, query

LEAD = """
    INSERT INTO lead (court_id, id, author_id, kind, urgency, status, description, point,
                      datum, outside_grid, amount_recovered, version, created_at, updated_at,
                      village_grid_id, township_id, device_id, reported_lon, reported_lat)
    VALUES (%s, %s, %s, %s, %s, 'submitted', %s, ST_SetSRID(ST_MakePoint(%s, %s), 4326),
            'wgs84', false, 0, 1, %s, %s, %s, %s, %s, %s, %s)"""
TRANSITION = """
    INSERT INTO lead_transition (court_id, id, lead_id, from_status, to_status, actor_id,
                                 detail, at)
    VALUES (%s, %s, %s, NULL, 'submitted', %s, '{}', %s)"""
RECEIPT = """
    INSERT INTO sync_receipt (court_id, device_id, mutation_id, table_name, record_id,
                              result, mutation)
    VALUES (%s, %s, %s, 'lead', %s, %s::jsonb, %s::jsonb)"""


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="the push row's baseline plus what a push "
                                     "writes / 基准加上推送的各项写入")
    parser.add_argument("--database", required=True, help="existing database / 数据库")
    parser.add_argument("--rows", type=int, default=5000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args(argv)
    url = make_url(database_url()).set(database=args.database).render_as_string(
        hide_password=False)
    court, author, device, grid, township, lon, lat = query(url, """
        SELECT u.court_id, u.id, d.id, g.id, g.township_id, ST_X(ST_PointOnSurface(g.geom)),
               ST_Y(ST_PointOnSurface(g.geom))
        FROM user_account u
        JOIN device d ON d.court_id = u.court_id AND d.user_id = u.id
        JOIN grid_assignment a ON a.court_id = u.court_id AND a.user_id = u.id
             AND a.ended_on IS NULL
        JOIN village_grid g ON g.court_id = a.court_id AND g.id = a.village_grid_id
        WHERE u.role = 'grid_assistant' LIMIT 1""")[0]

    def leads(placed: bool) -> list[tuple[Any, ...]]:
        now = datetime.now(UTC)
        out = []
        for i in range(args.rows):
            f = lead_fields(i, lon, lat)
            out.append((court, str(uuid.uuid4()), author, f["kind"], f["urgency"],
                        f["description"], f["point"]["lon"], f["point"]["lat"], now, now,
                        grid if placed else None, township if placed else None,
                        device if placed else None, f["point"]["lon"] if placed else None,
                        f["point"]["lat"] if placed else None))
        return out

    def run(cur: psycopg.Cursor[Any], trigger: bool, placed: bool, transitions: bool,
            receipts: bool) -> None:
        if not trigger:
            cur.execute("ALTER TABLE lead DISABLE TRIGGER USER")  # the feed's triggers
        rows = leads(placed)
        cur.executemany(LEAD, rows)
        if transitions:
            cur.executemany(TRANSITION, [(court, str(uuid.uuid4()), r[1], author, r[8])
                                         for r in rows])
        if receipts:
            cur.executemany(RECEIPT, [_receipt(court, device, r) for r in rows])

    def set_based(cur: psycopg.Cursor[Any]) -> None:
        from sqlalchemy import create_engine
        from sqlalchemy.orm import Session

        from enforcement.models import Lead, LeadStatus, LeadTransition
        from enforcement.models.base import table_of
        from sync.bulk import insert_rows
        from sync.tables import sync_receipt

        engine = create_engine(make_url(url).set(drivername="postgresql+psycopg"))
        now = datetime.now(UTC)
        with Session(engine) as session:
            for start in range(0, args.rows, 100):
                batch = leads_cache[start:start + 100]
                insert_rows(session, table_of(Lead), [_lead_row(r, now) for r in batch])
                insert_rows(session, table_of(LeadTransition), [
                    {"court_id": court, "id": str(uuid.uuid4()), "lead_id": r[1],
                     "from_status": None, "to_status": LeadStatus.SUBMITTED, "actor_id": author,
                     "reason": None, "detail": {}, "at": now} for r in batch])
                insert_rows(session, sync_receipt, [
                    dict(zip(("court_id", "device_id", "mutation_id", "record_id", "result",
                              "mutation"), _receipt(court, device, r, as_json=False),
                             strict=True)) | {"table_name": "lead"} for r in batch])
            session.rollback()
        engine.dispose()

    leads_cache = leads(True)
    variants: dict[str, Callable[[psycopg.Cursor[Any]], None]] = {
        "executemany, no feed trigger": lambda c: run(c, False, False, False, False),
        "executemany (row 1's baseline)": lambda c: run(c, True, False, False, False),
        "+ placed (grid, township, device, reported point)":
            lambda c: run(c, True, True, False, False),
        "+ transitions": lambda c: run(c, True, True, True, False),
        "+ receipts (what a push writes, row by row)": lambda c: run(c, True, True, True, True),
        "the same writes set-based, 100 rows a statement": set_based,
    }
    seconds: dict[str, list[float]] = {name: [] for name in variants}
    for _ in range(args.rounds):
        for name, variant in variants.items():
            with psycopg.connect(plain_url(url)) as conn, conn.cursor() as cur:
                started = time.perf_counter()
                variant(cur)
                seconds[name].append(time.perf_counter() - started)
                conn.rollback()
    base = args.rows / statistics.median(seconds["executemany (row 1's baseline)"])
    for name, took in seconds.items():
        rate = args.rows / statistics.median(took)
        print(f"{name:<52} {rate:>8,.0f} rows/s  ({rate / base:.0%} of the baseline; "
              + " / ".join(f"{args.rows / t:,.0f}" for t in took) + ")", flush=True)


def _receipt(court: str, device: str, row: tuple[Any, ...], as_json: bool = True
             ) -> tuple[Any, ...]:
    mutation_id, record_id = uuid.uuid4().hex, row[1]
    result = {"mutation_id": mutation_id, "table": "lead", "id": record_id,
              "status": "applied", "version": 1, "code": None, "detail": None,
              "conflicts": [], "rejected_fields": {}, "server_values": None}
    mutation = {"mutation_id": mutation_id, "table": "lead", "op": "create", "id": record_id,
                "fields": {"kind": row[3], "urgency": row[4], "description": row[5],
                           "point": {"lon": row[6], "lat": row[7], "datum": "wgs84"}},
                "base_version": None, "base": None}
    if as_json:
        return court, device, mutation_id, record_id, json.dumps(result), json.dumps(mutation)
    return court, device, mutation_id, record_id, result, mutation


def _lead_row(row: tuple[Any, ...], now: datetime) -> dict[str, Any]:
    from enforcement.models import Datum, LeadKind, LeadStatus, Urgency

    return {"court_id": row[0], "id": row[1], "author_id": row[2], "kind": LeadKind(row[3]),
            "urgency": Urgency(row[4]), "status": LeadStatus.SUBMITTED, "description": row[5],
            "point": f"SRID=4326;POINT({row[6]!r} {row[7]!r})", "datum": Datum.WGS84,
            "outside_grid": False, "amount_recovered": 0, "version": 1, "created_at": now,
            "updated_at": now, "village_grid_id": row[10], "township_id": row[11],
            "device_id": row[12], "reported_lon": row[13], "reported_lat": row[14]}


if __name__ == "__main__":
    main()
