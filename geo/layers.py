"""Writing a boundary layer: upsert by (court, code) and linking villages to townships.

A re-import of a corrected file must update boundaries in place: grid ids are referenced by
leads, cases and assistants' assignments, so a grid keeps its id for as long as it keeps
its code. Grids missing from a file are left alone (they may be referenced; retiring a
grid is a separate decision). Tables are arguments: ``geo`` knows no domain model.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import shapely
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from geo.boundaries import Boundary

STAGE = "boundary_stage"
CHUNK = 200
SAME_WITHIN_DEG = 1e-7
"""A boundary that moved less than this (about 1 cm) is unchanged: a file that went through
a reprojection and back differs from the stored one only by floating-point noise."""

Progress = Callable[[int], None]
"""Called with how many more features were handled."""


@dataclass(frozen=True, slots=True)
class Upserted:
    created: list[str]
    updated: list[str]
    unchanged: list[str]


def stage_boundaries(conn: Connection, boundaries: Sequence[Boundary],
                     progress: Progress | None = None) -> None:
    """Load the file's boundaries into the temporary table ``STAGE`` (gone at commit)."""
    conn.execute(sa.text(
        f"CREATE TEMPORARY TABLE {STAGE} (code text PRIMARY KEY, name text NOT NULL, "
        "geom geometry(MultiPolygon, 4326) NOT NULL) ON COMMIT DROP"
    ))
    insert = sa.text(f"INSERT INTO {STAGE} (code, name, geom) "
                     "VALUES (:code, :name, ST_GeomFromWKB(:wkb, 4326))")
    for start in range(0, len(boundaries), CHUNK):
        chunk = boundaries[start:start + CHUNK]
        conn.execute(insert, [{"code": b.code, "name": b.name, "wkb": shapely.to_wkb(b.geom)}
                              for b in chunk])
        if progress:
            progress(len(chunk))


def upsert_staged(conn: Connection, table: str, court_id: str) -> Upserted:
    """Create or update the grids of ``table`` by code from ``STAGE``; report which codes
    did what."""
    rows = conn.execute(sa.text(f"""
        INSERT INTO {table} AS t (court_id, id, code, name, geom, area_m2)
        SELECT :court, gen_random_uuid()::text, s.code, s.name, s.geom,
               ST_Area(s.geom::geography)
        FROM {STAGE} AS s ORDER BY s.code
        ON CONFLICT (court_id, code) DO UPDATE
        SET name = EXCLUDED.name, geom = EXCLUDED.geom, area_m2 = EXCLUDED.area_m2,
            version = t.version + 1, updated_at = now()
        WHERE t.name IS DISTINCT FROM EXCLUDED.name
           OR (NOT ST_Equals(t.geom, EXCLUDED.geom)
               AND ST_HausdorffDistance(t.geom, EXCLUDED.geom) > :same_within_deg)
        RETURNING t.code, (t.xmax = 0) AS inserted
    """), {"court": court_id, "same_within_deg": SAME_WITHIN_DEG}).all()
    created = sorted(r.code for r in rows if r.inserted)
    updated = sorted(r.code for r in rows if not r.inserted)
    written = set(created) | set(updated)
    staged = conn.execute(sa.text(f"SELECT code FROM {STAGE} ORDER BY code")).scalars()
    unchanged = [code for code in staged if code not in written]
    return Upserted(created, updated, unchanged)


@dataclass(frozen=True, slots=True)
class Linked:
    relinked: list[str]
    """Children whose parent changed (or was set for the first time)."""
    orphans: list[str]
    """Children that no parent area touches."""


def link_to_parents(conn: Connection, child_table: str, parent_table: str,
                    parent_column: str, court_id: str) -> Linked:
    """Link every child area of a court to the parent area holding most of it.

    Ranked by planar (degree) intersection area: within one county it orders candidates
    as the metric area would; ties go to the lowest parent code. Skipped when the court
    has no parent areas yet (villages imported before townships keep their links).
    """
    has_parents = conn.execute(sa.text(
        f"SELECT EXISTS (SELECT 1 FROM {parent_table} WHERE court_id = :court)"
    ), {"court": court_id}).scalar()
    if not has_parents:
        return Linked([], [])
    rows = conn.execute(sa.text(f"""
        WITH best AS (
            SELECT c.court_id, c.id, c.code, (
                SELECT p.id FROM {parent_table} AS p
                WHERE p.court_id = c.court_id AND p.geom && c.geom
                  AND ST_Relate(p.geom, c.geom, '2********')
                ORDER BY ST_Area(ST_Intersection(p.geom, c.geom)) DESC, p.code LIMIT 1
            ) AS parent_id
            FROM {child_table} AS c WHERE c.court_id = :court
        ), changed AS (
            UPDATE {child_table} AS c SET {parent_column} = b.parent_id,
                   version = c.version + 1, updated_at = now()
            FROM best AS b
            WHERE c.court_id = b.court_id AND c.id = b.id
              AND c.{parent_column} IS DISTINCT FROM b.parent_id
            RETURNING c.code
        )
        SELECT (SELECT array_agg(code ORDER BY code) FROM changed) AS relinked,
               (SELECT array_agg(code ORDER BY code) FROM best WHERE parent_id IS NULL)
                   AS orphans
    """), {"court": court_id}).one()
    return Linked(list(rows.relinked or []), list(rows.orphans or []))
