"""A/B of a pull page's values (finding 18): the definition before (rows loaded, then
Python ``*_values`` per row; leads already formatted by PostgreSQL) against this tree's
``TableValues``, in one process, alternating, on the same rows.

    DATABASE_URL=... .venv/bin/python -m bench.values_ab --before /tmp/old-tree \\
        [--database gridwork_values_prof] [--rounds 7] [--records 10000]

``--before`` is a checkout of the earlier code (``git archive``): its
``enforcement/leads/sync_pull.py`` is loaded under another name; the sightings' old
Python definition is reproduced here as it was (``load_shown`` + ``sighting_values``).
The database is a ``bench.pull_profile`` scratch database (demo county, the busiest
assistant topped up to ``--records`` leads); sightings are topped up to as many for the
court (copies, new ids), so that an officer's sighting pages are as large as the leads'.
Each arm reads every page of 1,000 ids; the figure is the median over rounds of the total.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import sys
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import make_url
from sqlmodel import Session

from bench.common import median, progress
from bench.demo_data import busiest_assistant, query, top_up_leads
from enforcement.accounts.principal import Principal
from enforcement.infrastructure.db import Database
from enforcement.infrastructure.text_shield import shield_rows
from enforcement.models import Datum, Role, Sighting
from enforcement.syncing.registry import REGISTRY

PAGE = 1000
SCHEMA = 5
"""A current phone's schema: leads with their attachments and position fields."""


def _iso(value: datetime | None) -> str | None:
    return value.astimezone(UTC).isoformat() if value is not None else None


def _sighting_values(row: Any) -> dict[str, Any]:
    """``sighting_values`` as it was before (a dict per ORM row)."""
    point = None
    if row.reported_lon is not None and row.reported_lat is not None:
        point = {"lon": row.reported_lon, "lat": row.reported_lat,
                 "datum": Datum(row.datum or Datum.WGS84).value, "accuracy_m": row.accuracy_m}
    return {"debtor_text": row.debtor_text, "seen_at": _iso(row.seen_at),
            "vehicle_plate": row.vehicle_plate, "companions": row.companions,
            "confidence": row.confidence, "urgent": row.urgent, "notes": row.notes,
            "point": point, "case_id": row.case_id, "party_id": row.party_id,
            "author_id": row.author_id, "township_id": row.township_id,
            "village_grid_id": row.village_grid_id, "outside_grid": row.outside_grid,
            "nearest_grid_distance_m": row.nearest_grid_distance_m,
            "created_at": _iso(row.created_at), "updated_at": _iso(row.updated_at)}


def _old_sightings(session: Session, principal: Principal, ids: Sequence[str]) -> int:
    rows = session.scalars(sa.select(Sighting).where(
        Sighting.court_id == principal.court_id, Sighting.id.in_(ids))).all()
    rows = shield_rows(session, principal, "sighting", rows)
    return len([{"id": r.id, "version": r.version, **_sighting_values(r)}
                for r in rows if r.deleted_at is None])


def _load_old_leads(tree: Path) -> Callable[..., Any]:
    spec = importlib.util.spec_from_file_location(
        "old_sync_pull", tree / "enforcement" / "leads" / "sync_pull.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.pull_leads  # type: ignore[no-any-return]


def _top_up_sightings(url: str, court_id: str, total: int) -> None:
    have = query(url, "SELECT count(*) FROM sighting WHERE court_id = %(c)s", c=court_id)[0][0]
    if have >= total:
        return
    query(url, """
        INSERT INTO sighting (court_id, id, author_id, seen_at, debtor_text, notes, point,
                              reported_lon, reported_lat, datum, village_grid_id, township_id,
                              outside_grid, confidence, urgent, version, created_at, updated_at)
        SELECT u.court_id, gen_random_uuid()::text, u.id, now() - n * interval '1 minute',
               'bench ' || n, '白色面包车停在村口 ' || n,
               ST_SetSRID(ST_MakePoint(108.3, 35.4), 4326), 108.3, 35.4, 'wgs84', NULL, NULL,
               true, 3, false, 1, now(), now()
        FROM generate_series(1, %(n)s) AS n,
             LATERAL (SELECT * FROM user_account WHERE court_id = %(c)s
                      AND role = 'grid_assistant' LIMIT 1) AS u
    """, n=total - have, c=court_id)
    query(url, "ANALYZE sighting")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="A/B of a pull page's values. 拉取值对比。")
    parser.add_argument("--before", required=True, help="checkout of the earlier code")
    parser.add_argument("--database", default="gridwork_values_prof")
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--records", type=int, default=10_000)
    args = parser.parse_args(argv)
    server_url = os.environ.get("DATABASE_URL")
    if not server_url:
        sys.exit("DATABASE_URL must name the PostgreSQL server to use")
    url = (make_url(server_url).set(drivername="postgresql+psycopg", database=args.database)
           .render_as_string(hide_password=False))
    _, user_id, court_id, _, _ = busiest_assistant(url)
    top_up_leads(url, court_id, args.records, author_id=user_id)
    _top_up_sightings(url, court_id, args.records)
    officer_id = query(url, "SELECT id FROM user_account WHERE court_id = %(c)s AND "
                            "role = 'officer' ORDER BY id LIMIT 1", c=court_id)[0][0]
    assistant = Principal(user_id=user_id, court_id=court_id, role=Role.GRID_ASSISTANT,
                          device_id="ab")
    officer = Principal(user_id=officer_id, court_id=court_id, role=Role.OFFICER,
                        device_id="ab")
    lead_ids = [r[0] for r in query(url, "SELECT id FROM lead WHERE court_id = %(c)s AND "
                                         "author_id = %(u)s", c=court_id, u=user_id)]
    sighting_ids = [r[0] for r in query(url, "SELECT id FROM sighting WHERE court_id = %(c)s",
                                        c=court_id)]
    old_leads = _load_old_leads(Path(args.before))
    lead_fields = REGISTRY.specs["lead"].owners(SCHEMA).keys()
    arms: dict[str, tuple[Sequence[str], Callable[[Session, Sequence[str]], int]]] = {
        "leads before": (lead_ids, lambda s, ids: len(
            old_leads(s, assistant, ids, lead_fields)[0])),
        "leads after": (lead_ids, lambda s, ids: len(
            REGISTRY.specs["lead"].pulled(s, assistant, ids, SCHEMA)[0])),
        "sightings before": (sighting_ids, lambda s, ids: _old_sightings(s, officer, ids)),
        "sightings after": (sighting_ids, lambda s, ids: len(
            REGISTRY.specs["sighting"].pulled(s, officer, ids, SCHEMA)[0])),
    }
    db = Database(url)
    times: dict[str, list[float]] = {name: [] for name in arms}
    counts: dict[str, int] = {}
    progress(f"{len(lead_ids):,} leads, {len(sighting_ids):,} sightings; load "
             f"{os.getloadavg()[0]:.1f}")
    for _ in range(args.rounds):
        for name, (ids, read) in arms.items():
            with Session(db.engine) as session:
                started = time.perf_counter()
                counts[name] = sum(read(session, ids[k:k + PAGE])
                                   for k in range(0, len(ids), PAGE))
                times[name].append(time.perf_counter() - started)
                session.rollback()
    for name, took in times.items():
        print(f"{name}: {counts[name]:,} records, median {median(took) * 1000:.0f} ms "
              f"(min {min(took) * 1000:.0f}, max {max(took) * 1000:.0f}) over {len(took)}")
    progress(f"load at the end {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
