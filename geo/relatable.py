"""Keeping every shape an import compares relatable by PostGIS, and naming the one that is not.

An in-place update relates stored shapes with new ones (equality, overlaps, gaps, village
to township links). PostGIS's GEOS (3.11 on Debian 12) throws ``TopologyException: side
location conflict`` on an invalid shape, and on two valid shapes whose vertices differ by
a few ulps, which a re-import from another coordinate system produces. So before comparing,
stored shapes that are invalid are repaired (a real change: version bumped) and every
stored shape is put on the grid new shapes are on (a move under 0.1 mm: no new version).
Should GEOS still fail, ``relating`` finds the feature and the neighbour it fails on and
raises ``UnrelatableBoundary``; the caller's transaction then rolls back.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from geo.boundaries import GRID_DEG
from geo.layers import STAGE

_GEOS_FAILURE = re.compile(r"(TopologyException|GEOS\w*:)")
_POLYGONS = "ST_Multi(ST_CollectionExtract(ST_MakeValid({g}), 3))"


class UnrelatableBoundary(ValueError):
    """A shape PostGIS cannot relate. ``code`` is stable; the message names the feature."""

    code = "boundary_geometry_unrelatable"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def make_stored_relatable(conn: Connection, table: str, court_id: str) -> list[str]:
    """Repair the court's invalid shapes of ``table`` and snap all of them to ``GRID_DEG``;
    return the codes of those that were invalid."""
    rows = conn.execute(sa.text(f"""
        WITH fixed AS (
            SELECT id, NOT ST_IsValid(geom) AS invalid,
                   ST_Multi(ST_CollectionExtract(ST_ReducePrecision(
                       CASE WHEN ST_IsValid(geom) THEN geom ELSE {_POLYGONS.format(g='geom')}
                       END, :grid), 3)) AS geom
            FROM {table}
            WHERE court_id = :court
              AND (NOT ST_IsValid(geom)
                   OR ST_AsBinary(geom) <> ST_AsBinary(ST_SnapToGrid(geom, :grid)))
        )
        UPDATE {table} AS t
        SET geom = f.geom, area_m2 = ST_Area(f.geom::geography),
            version = t.version + f.invalid::int,
            updated_at = CASE WHEN f.invalid THEN now() ELSE t.updated_at END
        FROM fixed AS f
        WHERE t.court_id = :court AND t.id = f.id AND NOT ST_IsEmpty(f.geom)
        RETURNING t.code, f.invalid
    """), {"court": court_id, "grid": GRID_DEG}).all()
    return sorted(r.code for r in rows if r.invalid)


def make_staged_valid(conn: Connection, stage: str) -> None:
    """New shapes are valid for shapely's GEOS; make sure they are for PostGIS's too."""
    conn.execute(sa.text(f"UPDATE {stage} SET geom = {_POLYGONS.format(g='geom')} "
                         "WHERE NOT ST_IsValid(geom)"))


def is_geos_failure(exc: BaseException) -> bool:
    return isinstance(exc, sa.exc.DBAPIError) and bool(_GEOS_FAILURE.search(str(exc.orig)))


@contextmanager
def relating(conn: Connection, tables: Sequence[str], court_id: str) -> Iterator[None]:
    """Run the block in a savepoint; if GEOS fails in it, roll the block back and raise
    ``UnrelatableBoundary`` naming the file's feature (in ``STAGE``) that PostGIS cannot
    relate and the shape it fails on."""
    savepoint = conn.begin_nested()
    try:
        yield
    except sa.exc.DBAPIError as exc:
        savepoint.rollback()
        if not is_geos_failure(exc):
            raise
        raise UnrelatableBoundary(_culprit(conn, tables, court_id, exc)) from None
    else:
        savepoint.commit()


def _culprit(conn: Connection, tables: Sequence[str], court_id: str,
             failure: sa.exc.DBAPIError) -> str:
    """Relate each staged shape with every shape near it, one pair per savepoint."""
    candidates = [(f"the file's {STAGE}", f"SELECT code, name, geom FROM {STAGE}")] + [
        (f"stored {table}", f"SELECT code, name, geom FROM {table} WHERE court_id = :court")
        for table in tables]
    staged = conn.execute(sa.text(f"SELECT code, name FROM {STAGE} ORDER BY code")).all()
    for code, name in staged:
        for label, rows in candidates:
            neighbours = conn.execute(sa.text(f"""
                SELECT o.code, o.name FROM ({rows}) AS o, {STAGE} AS s
                WHERE s.code = :code AND o.geom && s.geom ORDER BY o.code
            """), {"court": court_id, "code": code}).all()
            for other in neighbours:
                if other.code == code and label.startswith("the file"):
                    continue
                why = _relate_error(conn, rows, court_id, code, other.code)
                if why:
                    where = "in the file" if label.startswith("the file") else label
                    return (f"{code} ({name}) cannot be compared with {other.code} "
                            f"({other.name}, {where}) by PostGIS: {why}; correct this "
                            "boundary in the GIS (or export it again) and import again")
    return f"PostGIS cannot compare the new boundaries with the stored ones: {_reason(failure)}"


def _relate_error(conn: Connection, rows: str, court_id: str, code: str,
                  other: str) -> str | None:
    savepoint = conn.begin_nested()
    try:
        conn.execute(sa.text(f"""
            SELECT ST_Relate(s.geom, o.geom), ST_Equals(s.geom, o.geom)
            FROM {STAGE} AS s, ({rows}) AS o WHERE s.code = :code AND o.code = :other
        """), {"court": court_id, "code": code, "other": other}).all()
    except sa.exc.DBAPIError as exc:
        savepoint.rollback()
        if not is_geos_failure(exc):
            raise
        return _reason(exc)
    savepoint.commit()
    return None


def _reason(exc: sa.exc.DBAPIError) -> str:
    """GEOS's own words, first line, without the advice about invalid input."""
    text = str(exc.orig).splitlines()[0]
    return text.split(". This can occur")[0].strip()
