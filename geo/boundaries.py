"""Turning a boundary file into clean WGS-84 MultiPolygons with a code and a name each.

Boundaries come from county land offices as whatever their GIS exported: a Shapefile in
CGCS2000 Gauss-Krüger metres with a GBK attribute table, a GeoJSON from a web tool,
sometimes a polygon that crosses itself. This module turns such a file into valid EPSG:4326
MultiPolygons on a fixed grid, or raises ``BoundaryFileError`` saying exactly what is
wrong, before anything touches the database. Opening the file and decoding its text is
``geo.boundary_sources``; its coordinate system, ``geo.source_crs``.

It uses ``pyogrio.raw`` (GDAL bundled, no geopandas): WKB arrays and field arrays are all an
import needs, and geopandas would add pandas for nothing. Pure: no database, no Flask.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import shapely
from pyproj import CRS, Transformer
from shapely.geometry import MultiPolygon, Polygon
from shapely.geometry.base import BaseGeometry

from geo import attribute_text, source_crs
from geo.boundary_sources import BoundaryFileError, RawLayer, read_layer

__all__ = ["Boundary", "BoundaryFile", "BoundaryFileError", "read_boundaries", "repair"]

WGS84 = source_crs.WGS84
GRID_DEG = 1e-9
"""Every stored vertex lies on this grid (about 0.1 mm). PostGIS's GEOS (3.11 on Debian 12)
cannot relate two valid shapes whose vertices differ by a few ulps ("side location
conflict"); on one grid such vertices coincide exactly."""

NAME_FIELDS = ("name", "名称", "xzqmc", "mc", "cunmc", "xzmc")
CODE_FIELDS = ("code", "编码", "代码", "xzqdm", "dm", "cundm", "xzdm")
"""Field names tried, case-insensitively, when the caller names none (common exports)."""


@dataclass(frozen=True, slots=True)
class Boundary:
    """One area of the file, ready to store: WGS-84 MultiPolygon, valid, on ``GRID_DEG``."""

    code: str
    name: str
    geom: MultiPolygon
    repaired: bool


@dataclass(frozen=True, slots=True)
class BoundaryFile:
    boundaries: list[Boundary]
    source_crs: str
    reprojected: bool
    code_field: str
    name_field: str
    encoding: str = "UTF-8"
    notes: list[str] = field(default_factory=list)
    """Things the operator should know: an assumed system, an approximate datum, a guessed
    encoding."""

    @property
    def repaired(self) -> list[str]:
        return [b.code for b in self.boundaries if b.repaired]


def read_boundaries(path: str | Path, *, name_field: str | None = None,
                    code_field: str | None = None, encoding: str | None = None,
                    crs: str | None = None, layer: str | None = None) -> BoundaryFile:
    """Read, reproject, repair and validate every polygon of a boundary file.

    ``encoding`` forces the attribute table's encoding, ``crs`` its coordinate system
    (both otherwise from the file), ``layer`` the layer of a file holding several.
    """
    raw = read_layer(Path(path), layer=layer, encoding=encoding)
    columns = list(raw.fields)
    code_col = _pick_field(columns, code_field, CODE_FIELDS, "code")
    name_col = _pick_field(columns, name_field, NAME_FIELDS, "name")
    text, used, notes = _decode(raw, [code_col, name_col])
    codes = _text_values(text[code_col], code_col)
    names = _text_values(text[name_col], name_col)
    _check_unique(codes)
    shapes = _to_shapes(raw.geometries)
    source = source_crs.resolve(raw.meta.get("crs"), crs, _bounds(shapes))
    notes += [source.note] if source.note else []
    raw_bounds = _bounds(shapes)
    reprojected = not source.crs.equals(WGS84, ignore_axis_order=True)
    if reprojected:
        shapes = _reproject(shapes, source.crs)
    _check_lonlat(shapes, source.crs, raw_bounds)
    boundaries = []
    for index, (code, name, shape) in enumerate(zip(codes, names, shapes, strict=True)):
        geom, repaired = repair(shape, where=f"feature {index + 1} ({code} {name})")
        boundaries.append(Boundary(code, name, geom, repaired))
    return BoundaryFile(boundaries, source_crs.label(source.crs), reprojected, code_col,
                        name_col, used, notes)


def _decode(raw: RawLayer, fields: list[str]) -> tuple[dict[str, list], str, list[str]]:
    """The text of ``fields``, the encoding it was read in, and a note when it was guessed."""
    columns = {f: list(raw.fields[f]) for f in fields}
    try:
        if raw.text == "undeclared":
            used, columns = attribute_text.decode_undeclared(columns)
            return columns, used, [f"the attribute table does not say its encoding (no .cpg); "
                                   f"its text reads as {used}"]
        attribute_text.check_sensible(columns, strict=raw.text != "forced")
    except attribute_text.UndecodableText as exc:
        read = ("as " + raw.encoding if raw.text != "undeclared"
                else "as " + " or ".join(attribute_text.CANDIDATES))
        raise BoundaryFileError(
            "boundary_text_undecodable",
            f"field '{exc.field}' of feature {exc.feature} does not read as text {read} "
            f"({exc.value[:20]!r}): name the file's encoding with --encoding "
            "(e.g. --encoding GBK)") from None
    return columns, raw.encoding, []


def _pick_field(columns: list[str], wanted: str | None, defaults: Sequence[str],
                role: str) -> str:
    by_lower = {c.lower(): c for c in columns}
    for candidate in [wanted] if wanted else defaults:
        if candidate.lower() in by_lower:
            return by_lower[candidate.lower()]
    asked = f"'{wanted}'" if wanted else " or ".join(f"'{d}'" for d in defaults[:3])
    raise BoundaryFileError(
        "boundary_field_missing",
        f"no {role} field {asked}; the file has: {', '.join(columns) or '(no fields)'}"
        f" (choose one with --{role}-field)",
    )


def _text_values(values: Sequence[object], field: str) -> list[str]:
    texts = ["" if v is None else str(v).strip() for v in values]
    texts = [t[:-2] if t.endswith(".0") and t[:-2].isdigit() else t for t in texts]
    blank = [i + 1 for i, t in enumerate(texts) if not t or t.lower() == "nan"]
    if blank:
        raise BoundaryFileError(
            "boundary_field_empty",
            f"field '{field}' is empty in feature(s) {', '.join(map(str, blank[:10]))}",
        )
    return texts


def _check_unique(codes: list[str]) -> None:
    duplicates = sorted(code for code, count in Counter(codes).items() if count > 1)
    if duplicates:
        raise BoundaryFileError(
            "boundary_code_duplicate", f"codes used twice: {', '.join(duplicates[:10])}"
        )


def _to_shapes(geometries: np.ndarray) -> list[BaseGeometry]:
    shapes = shapely.from_wkb(geometries, on_invalid="ignore")
    bad = [i + 1 for i, s in enumerate(shapes)
           if s is None or s.is_empty or s.geom_type not in ("Polygon", "MultiPolygon")]
    if bad:
        kinds = sorted({"empty" if s is None or s.is_empty else s.geom_type
                        for s in (shapes[i - 1] for i in bad)})
        raise BoundaryFileError(
            "boundary_not_polygons",
            f"feature(s) {', '.join(map(str, bad[:10]))} are not polygons ({', '.join(kinds)})",
        )
    return list(shapes)


def _reproject(shapes: list[BaseGeometry], crs: CRS) -> list[BaseGeometry]:
    transformer = Transformer.from_crs(crs, WGS84, always_xy=True)
    moved = shapely.transform(np.array(shapes, dtype=object),
                              lambda xy: np.column_stack(transformer.transform(xy[:, 0],
                                                                               xy[:, 1])))
    return list(moved)


def _bounds(shapes: list[BaseGeometry]) -> tuple[float, float, float, float]:
    west, south, east, north = shapely.total_bounds(np.array(shapes, dtype=object))
    return float(west), float(south), float(east), float(north)


def _check_lonlat(shapes: list[BaseGeometry], crs: CRS,
                  raw_bounds: tuple[float, float, float, float]) -> None:
    """Metres mislabelled as degrees (a common export mistake), or eastings with a zone
    number read in a system without one, land far off the globe."""
    bounds = _bounds(shapes)
    if not (np.isfinite(bounds).all() and source_crs.looks_like_degrees(bounds)):
        hint = source_crs.gauss_kruger_hint(raw_bounds) if crs.is_projected or \
            not source_crs.looks_like_degrees(raw_bounds) else ""
        raise BoundaryFileError(
            "boundary_crs_unknown",
            f"coordinates do not fit the stated system {source_crs.label(crs)}: they are "
            f"not longitude and latitude after conversion; name the right one with "
            f"--crs EPSG:…{hint}",
        )


def repair(shape: BaseGeometry, *, where: str = "feature") -> tuple[MultiPolygon, bool]:
    """A valid MultiPolygon of the polygonal parts of ``shape`` on ``GRID_DEG``, and whether
    it had to be repaired (it was invalid).

    Runs after reprojection, which can itself fold a ring that was barely valid.
    ``make_valid`` splits a bow-tie into its two triangles and may yield lines or points
    where a ring touched itself; those carry no area and are dropped. Snapping to the grid
    keeps the result valid (GEOS snap-rounds and unions what meets).
    """
    shape = shapely.force_2d(shape)
    repaired = not shape.is_valid
    if repaired:
        shape = shapely.make_valid(shape)
    polygons = _polygons(shapely.set_precision(MultiPolygon(_polygons(shape)), GRID_DEG))
    if not polygons:
        raise BoundaryFileError("boundary_not_polygons", f"{where} has no area left after repair")
    geom = MultiPolygon(polygons)
    if not geom.is_valid:  # snap-rounding is meant to prevent this; never store it invalid
        geom = MultiPolygon(_polygons(shapely.make_valid(geom)))
    return geom, repaired


def _polygons(shape: BaseGeometry) -> list[Polygon]:
    if isinstance(shape, Polygon):
        return [] if shape.is_empty else [shape]
    if hasattr(shape, "geoms"):
        return [p for part in shape.geoms for p in _polygons(part)]
    return []
