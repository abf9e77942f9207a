"""Write the demo county into the database: one transaction, Core bulk inserts.

``load_demo(engine)`` generates the county (``seed.county``) and inserts every table in
foreign-key order. It does nothing when the demo court is already there, and refuses to
touch a database that holds a real court.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from geoalchemy2.shape import from_shape
from shapely.geometry.base import BaseGeometry
from sqlalchemy.engine import Connection, Engine
from tqdm import tqdm

from enforcement.accounts.passwords import hash_password
from enforcement.models import metadata
from enforcement.reports import rewards
from seed.county import DemoCounty, generate_county, record_values
from seed.records.court import DemoLogin
from seed.reference import COURT_CODE, DEMO_PASSWORD

CHUNK = 1000
_LOCK_KEY = 0x67726964_0001
"""pg_advisory_xact_lock key: two loaders at once take turns instead of colliding."""


class DemoRefused(RuntimeError):
    """The database holds real (non-demo) courts, so demo data must not go into it."""

    def __init__(self, courts: int) -> None:
        super().__init__(
            f"Refusing to load demo data: the database holds {courts} real (non-demo) "
            "court(s). Load the demo only into an empty or demo-only database.\n"
            f"拒绝加载演示数据：数据库中已有 {courts} 个正式（非演示）法院的数据。"
            "请仅在空数据库或仅含演示数据的数据库中加载演示数据。"
        )
        self.courts = courts


@dataclass
class LoadReport:
    already_loaded: bool
    court_id: str | None
    scale: int
    seed: int
    counts: dict[str, int] = field(default_factory=dict)
    generate_seconds: float = 0.0
    load_seconds: float = 0.0
    logins: list[DemoLogin] = field(default_factory=list)
    password: str = DEMO_PASSWORD

    @property
    def total_rows(self) -> int:
        return sum(self.counts.values())


def _rows(table: sa.Table, records: Iterable[Any], extra: dict[str, Any]) -> list[dict[str, Any]]:
    """Records as insert parameters: geometries as EWKB, ``updated_at`` from ``created_at``."""
    columns = set(table.c.keys())
    has_updated = "updated_at" in columns
    out = []
    for record in records:
        values = record_values(record)
        for key, value in values.items():
            if isinstance(value, BaseGeometry):
                values[key] = from_shape(value, srid=4326)
        if has_updated and "updated_at" not in values:
            values["updated_at"] = values["created_at"]
        values.update(extra)
        out.append(values)
    if out:
        unknown = set(out[0]) - columns
        if unknown:
            raise RuntimeError(f"{table.name}: no such column(s) {sorted(unknown)}")
    return out


def _demo_court(conn: Connection) -> tuple[str, bool] | None:
    court = metadata.tables["court"]
    row = conn.execute(
        sa.select(court.c.id, court.c.is_demo).where(court.c.code == COURT_CODE)
    ).first()
    return (row.id, row.is_demo) if row else None


def load_demo(engine: Engine, scale: int = 1, seed: int = 2024,
              progress: bool = True) -> LoadReport:
    """Generate the demo county and insert it in one transaction (all or nothing).

    Returns ``already_loaded=True`` without writing when the demo court (code 621025) is
    there. Raises ``DemoRefused`` when any court with ``is_demo = false`` exists.
    """
    started = time.perf_counter()
    court = metadata.tables["court"]
    with engine.begin() as conn:
        conn.execute(sa.select(sa.func.pg_advisory_xact_lock(_LOCK_KEY)))
        real = conn.execute(
            sa.select(sa.func.count()).select_from(court).where(court.c.is_demo.is_(False))
        ).scalar_one()
        if real:
            raise DemoRefused(real)
        existing = _demo_court(conn)
        if existing is not None:
            return LoadReport(already_loaded=True, court_id=existing[0], scale=scale,
                              seed=seed, load_seconds=time.perf_counter() - started)

        county: DemoCounty = generate_county(scale=scale, seed=seed)
        generated = time.perf_counter()
        password_hash = hash_password(county.password)  # once: Argon2 is slow on purpose

        tables = county.tables()
        total = sum(len(rows) for _, rows in tables)
        bar = tqdm(total=total, unit="row", desc="demo county", file=sys.stderr,
                   disable=True if not progress else None, leave=False)
        try:
            for name, records in tables:
                table = metadata.tables[name]
                extra = {"password_hash": password_hash} if name == "user_account" else {}
                bar.set_description(name)
                for start in range(0, len(records), CHUNK):
                    chunk = _rows(table, records[start:start + CHUNK], extra)
                    conn.execute(table.insert(), chunk)
                    bar.update(len(chunk))
        finally:
            bar.close()

        rewards.earn_missing(conn, county.court.id)  # what the seeded useful leads earned

        for name in ("township", "village_grid"):
            table = metadata.tables[name]
            conn.execute(
                table.update()
                .where(table.c.court_id == county.court.id)
                .values(area_m2=sa.func.ST_Area(sa.cast(table.c.geom, _geography())))
            )

    # A county loaded at once is thousands of rows in tables the planner last saw nearly
    # empty: without fresh statistics its first pulls were planned as nested loops over
    # "tiny" tables and took minutes (the scopes' subqueries ran once per row).
    with engine.connect() as conn:
        conn.execute(sa.text("ANALYZE " + ", ".join(f'"{name}"' for name, _ in tables)))
        conn.commit()
    finished = time.perf_counter()
    return LoadReport(
        already_loaded=False, court_id=county.court.id, scale=scale, seed=seed,
        counts=county.counts(), generate_seconds=generated - started,
        load_seconds=finished - generated, logins=county.logins, password=county.password,
    )


def _geography() -> Any:
    from geoalchemy2 import Geography

    return Geography(srid=4326)
