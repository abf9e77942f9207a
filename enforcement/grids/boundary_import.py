"""Importing township or village boundaries, and re-assigning every located record.

One transaction: the file is read and validated first (a bad file changes nothing), then
the stored layers are made relatable, the layer is upserted by code, villages are linked to
townships, overlaps and gaps are measured, and every lead, sighting, visit, task answer,
case address and debtor home of the court is re-placed with set-based SQL. Either all of it
commits or none of it does; a shape PostGIS cannot relate is a ``ValidationFailed`` naming
the feature.
"""

from __future__ import annotations

import enum
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Connection
from sqlmodel import Session

from enforcement.errors import NotFound, ValidationFailed
from enforcement.infrastructure.db import Database
from enforcement.models import Court
from geo import layers, relatable, topology
from geo.assignment import reassign
from geo.boundaries import BoundaryFile, BoundaryFileError, read_boundaries
from geo.placement_rule import PointTable, Reassigned


class GridLevel(enum.StrEnum):
    TOWNSHIP = "township"
    VILLAGE = "village"


LEVEL_TABLES = {GridLevel.TOWNSHIP: "township", GridLevel.VILLAGE: "village_grid"}

POINT_TABLES = (
    PointTable("lead"),
    PointTable("sighting"),
    PointTable("visit"),
    PointTable("task_answer"),
    PointTable("enforcement_case", "address_point"),
    PointTable("party", "home_point", flags=False),
)
"""Every located record. A party has no outside flag: a debtor living outside every grid
is placed in the nearest one (its assistant is the one likeliest to meet them)."""

Progress = Callable[[int, int, str], None]
"""``progress(advance, total, label)``: ``advance`` more steps of ``total`` are done."""


@dataclass(slots=True)
class GridImportReport:
    level: GridLevel
    court_id: str
    source_crs: str
    reprojected: bool
    features: int
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    repaired: list[str] = field(default_factory=list)
    overlaps: list[topology.Overlap] = field(default_factory=list)
    gaps: list[topology.Gap] = field(default_factory=list)
    stored_repaired: list[str] = field(default_factory=list)
    """Grids already stored that were invalid and were repaired so they can be compared."""
    relinked: list[str] = field(default_factory=list)
    orphans: list[str] = field(default_factory=list)
    reassigned: list[Reassigned] = field(default_factory=list)
    encoding: str = "UTF-8"
    notes: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def moved(self) -> int:
        return sum(r.moved for r in self.reassigned)


@dataclass(frozen=True, slots=True)
class SourceOptions:
    """How to read the file when it does not say (or says wrongly): ``--name-field``,
    ``--code-field``, ``--encoding``, ``--crs``, ``--layer``."""

    name_field: str | None = None
    code_field: str | None = None
    encoding: str | None = None
    crs: str | None = None
    layer: str | None = None


def import_grids(db: Database, path: str | Path, level: GridLevel, *,
                 court_code: str | None = None, name_field: str | None = None,
                 code_field: str | None = None, options: SourceOptions | None = None,
                 progress: Progress | None = None) -> GridImportReport:
    """Import one boundary file into one court's township or village layer."""
    started = time.perf_counter()
    options = options or SourceOptions(name_field, code_field)
    source = _read(path, options)
    total = len(source.boundaries) + len(POINT_TABLES) + 2

    def step(advance: int, label: str) -> None:
        if progress:
            progress(advance, total, label)

    with db.unit_of_work() as session:
        court_id = resolve_court(session, court_code)
        conn = session.connection()
        conn.execute(sa.text("SELECT pg_advisory_xact_lock(hashtext('grid_import:' || :c))"),
                     {"c": court_id})
        # JIT compiles the per-row placement for ~1 s and then saves nothing (measured).
        conn.execute(sa.text("SET LOCAL jit = off"))
        report = GridImportReport(level, court_id, source.source_crs, source.reprojected,
                                  len(source.boundaries), repaired=source.repaired,
                                  encoding=source.encoding, notes=source.notes)
        layers.stage_boundaries(conn, source.boundaries, lambda n: step(n, "boundaries"))
        try:
            with relatable.relating(conn, list(LEVEL_TABLES.values()), court_id):
                _write_layer(conn, report)
                _check_layer(conn, report)
        except relatable.UnrelatableBoundary as exc:
            raise ValidationFailed(exc.message, code=exc.code) from None
        step(2, "topology")
        for target in POINT_TABLES:
            report.reassigned.append(reassign(conn, target, court_id))
            step(1, target.table)
        session.commit()
    report.seconds = time.perf_counter() - started
    return report


def _read(path: str | Path, options: SourceOptions) -> BoundaryFile:
    try:
        return read_boundaries(path, name_field=options.name_field,
                               code_field=options.code_field, encoding=options.encoding,
                               crs=options.crs, layer=options.layer)
    except BoundaryFileError as exc:
        raise ValidationFailed(exc.message, code=exc.code) from None


def _write_layer(conn: Connection, report: GridImportReport) -> None:
    """Stored shapes made relatable, then the staged file upserted and villages relinked."""
    for table in LEVEL_TABLES.values():
        report.stored_repaired += relatable.make_stored_relatable(conn, table, report.court_id)
    relatable.make_staged_valid(conn, layers.STAGE)
    table = LEVEL_TABLES[report.level]
    written = layers.upsert_staged(conn, table, report.court_id)
    report.created, report.updated, report.unchanged = (
        written.created, written.updated, written.unchanged)
    linked = layers.link_to_parents(conn, "village_grid", "township", "township_id",
                                    report.court_id)
    report.relinked, report.orphans = linked.relinked, linked.orphans


def _check_layer(conn: Connection, report: GridImportReport) -> None:
    table = LEVEL_TABLES[report.level]
    report.overlaps = topology.overlaps(conn, table, report.court_id)
    report.gaps = topology.gaps(conn, table, report.court_id)


def resolve_court(session: Session, court_code: str | None) -> str:
    """The court to import into: the one named by code, or the only court there is."""
    if court_code:
        court_id = session.execute(
            sa.select(Court.id).where(Court.code == court_code)).scalar_one_or_none()
        if court_id is None:
            raise NotFound(f"no court with code {court_code!r}", code="court_not_found")
        return court_id
    ids = session.execute(sa.select(Court.id).limit(2)).scalars().all()
    if len(ids) != 1:
        raise ValidationFailed(
            "there is no court yet" if not ids else "several courts exist: name one (--court)",
            code="court_required")
    return ids[0]
