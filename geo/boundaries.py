"""Reading township and village boundaries from GeoJSON or Shapefile (.shp or .zip).

Boundaries come from county land offices as whatever their GIS exported: a Shapefile in
CGCS2000 Gauss-Krüger metres, a GeoJSON from a web tool, sometimes a polygon that crosses
itself. This module turns such a file into clean EPSG:4326 MultiPolygons with a code and a
name each, or raises ``BoundaryFileError`` saying exactly what is wrong, before anything
touches the database.

It uses ``pyogrio.raw`` (GDAL bundled, no geopandas): WKB arrays and field arrays are all an
import needs, and geopandas would add pandas for nothing. Pure: no database, no Flask.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pyogrio
import pyogrio.errors
import pyogrio.raw
import shapely
from pyproj import CRS, Transformer
from pyproj.exceptions import CRSError
from shapely.geometry import MultiPolygon, Polygon
from shapely.geometry.base import BaseGeometry

WGS84 = CRS.from_epsg(4326)

NAME_FIELDS = ("name", "名称", "xzqmc", "mc", "cunmc", "xzmc")
CODE_FIELDS = ("code", "编码", "代码", "xzqdm", "dm", "cundm", "xzdm")
"""Field names tried, case-insensitively, when the caller names none (common exports)."""

SUFFIXES = (".geojson", ".json", ".shp", ".zip")


class BoundaryFileError(ValueError):
    """A boundary file that cannot be imported. ``code`` is stable; the message says why."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True, slots=True)
class Boundary:
    """One area of the file, ready to store: WGS-84 MultiPolygon, valid."""

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

    @property
    def repaired(self) -> list[str]:
        return [b.code for b in self.boundaries if b.repaired]


def read_boundaries(path: str | Path, *, name_field: str | None = None,
                    code_field: str | None = None) -> BoundaryFile:
    """Read, reproject, repair and validate every polygon of a boundary file."""
    path = Path(path)
    meta, geometries, fields = _read(path)
    columns = [str(name) for name in meta["fields"]]
    code_col = _pick_field(columns, code_field, CODE_FIELDS, "code")
    name_col = _pick_field(columns, name_field, NAME_FIELDS, "name")
    codes = _text_values(fields[columns.index(code_col)], code_col)
    names = _text_values(fields[columns.index(name_col)], name_col)
    _check_unique(codes)
    crs = _source_crs(meta.get("crs"))
    shapes = _to_shapes(geometries)
    reprojected = not crs.equals(WGS84, ignore_axis_order=True)
    if reprojected:
        shapes = _reproject(shapes, crs)
    _check_lonlat(shapes, crs)
    boundaries = []
    for index, (code, name, shape) in enumerate(zip(codes, names, shapes, strict=True)):
        geom, repaired = repair(shape, where=f"feature {index + 1} ({code})")
        boundaries.append(Boundary(code, name, geom, repaired))
    return BoundaryFile(boundaries, crs.to_string(), reprojected, code_col, name_col)


def _read(path: Path) -> tuple[dict[str, Any], np.ndarray, Sequence[np.ndarray]]:
    if not path.is_file():
        raise BoundaryFileError("boundary_file_unreadable", f"no such file: {path}")
    if path.suffix.lower() not in SUFFIXES:
        raise BoundaryFileError(
            "boundary_file_unreadable",
            f"{path.name}: expected a GeoJSON (.geojson/.json) or Shapefile (.shp or .zip)",
        )
    try:
        meta, _fids, geometries, fields = pyogrio.raw.read(str(path))
    except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError,
            pyogrio.errors.FieldError, pyogrio.errors.GeometryError) as exc:
        raise BoundaryFileError(
            "boundary_file_unreadable", f"{path.name} is not a readable GeoJSON or Shapefile"
        ) from exc
    if geometries is None or len(geometries) == 0:
        raise BoundaryFileError("boundary_file_empty", f"{path.name} holds no features")
    return meta, geometries, fields


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


def _text_values(values: np.ndarray, field: str) -> list[str]:
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


def _source_crs(value: str | None) -> CRS:
    if not value:
        raise BoundaryFileError(
            "boundary_crs_unknown",
            "the file does not say its coordinate system (a Shapefile needs its .prj)",
        )
    try:
        return CRS.from_user_input(value)
    except CRSError as exc:
        raise BoundaryFileError(
            "boundary_crs_unknown", f"unknown coordinate system: {value[:80]}"
        ) from exc


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


def _check_lonlat(shapes: list[BaseGeometry], crs: CRS) -> None:
    """Metres mislabelled as degrees (a common export mistake) land far off the globe."""
    west, south, east, north = shapely.total_bounds(np.array(shapes, dtype=object))
    if not (-180 <= west <= east <= 180 and -90 <= south <= north <= 90):
        raise BoundaryFileError(
            "boundary_crs_unknown",
            f"coordinates do not fit the stated system {crs.to_string()}: "
            "they are not longitude and latitude after conversion",
        )


def repair(shape: BaseGeometry, *, where: str = "feature") -> tuple[MultiPolygon, bool]:
    """A valid MultiPolygon of the polygonal parts of ``shape``, and whether it was repaired.

    ``make_valid`` splits a bow-tie into its two triangles and may yield lines or points
    where a ring touched itself; those carry no area and are dropped.
    """
    shape = shapely.force_2d(shape)
    repaired = not shape.is_valid
    if repaired:
        shape = shapely.make_valid(shape)
    polygons = _polygons(shape)
    if not polygons:
        raise BoundaryFileError("boundary_not_polygons", f"{where} has no area left after repair")
    return MultiPolygon(polygons), repaired


def _polygons(shape: BaseGeometry) -> list[Polygon]:
    if isinstance(shape, Polygon):
        return [] if shape.is_empty else [shape]
    if hasattr(shape, "geoms"):
        return [p for part in shape.geoms for p in _polygons(part)]
    return []
