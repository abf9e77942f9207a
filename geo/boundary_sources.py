"""Opening what land offices send: Shapefile (.shp or .zip), GeoJSON, GeoPackage, KML/KMZ.

One layer of one file is read with ``pyogrio.raw`` (GDAL bundled) into WKB and field
arrays. This module decides which layer and how its text is to be decoded; it does not
look at the geometry. Pure: no database, no Flask.
"""

from __future__ import annotations

import zipfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from geo.attribute_text import UNDECLARED, check_encoding

SUFFIXES = (".geojson", ".json", ".shp", ".zip", ".gpkg", ".kml", ".kmz")
KINDS = "Shapefile (.shp or .zip), GeoJSON, GeoPackage (.gpkg) or KML/KMZ"

def _gdal_errors() -> tuple[type[BaseException], ...]:
    """What reading a broken file raises. pyogrio (GDAL, and pandas through it: ~55 MB) is
    imported on the first import of a boundary file, not by every API worker."""
    import pyogrio.errors

    return (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError,
            pyogrio.errors.FieldError, pyogrio.errors.GeometryError,
            pyogrio.errors.CRSError, RuntimeError, OSError, zipfile.BadZipFile)


class BoundaryFileError(ValueError):
    """A boundary file that cannot be imported. ``code`` is stable; the message says why."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True, slots=True)
class RawLayer:
    """One layer as GDAL read it. ``text`` says how its strings were decoded: ``forced``
    (``--encoding``), ``declared`` (by the format, a ``.cpg`` or the DBF language id), or
    ``undeclared`` (a DBF that says nothing: each char is one byte, still to be decoded)."""

    meta: Mapping[str, Any]
    geometries: np.ndarray
    fields: dict[str, np.ndarray]
    text: str
    encoding: str


def read_layer(path: Path, *, layer: str | None = None,
               encoding: str | None = None) -> RawLayer:
    """Read one polygon layer of ``path``, or raise ``BoundaryFileError``."""
    if not path.is_file():
        raise BoundaryFileError("boundary_file_unreadable", f"no such file: {path}")
    if path.suffix.lower() not in SUFFIXES:
        raise BoundaryFileError("boundary_file_unreadable",
                                f"{path.name}: expected a {KINDS}")
    forced = _codec(encoding) if encoding else None
    import pyogrio
    import pyogrio.raw

    try:
        source = _gdal_path(path)
        name = _pick_layer(path, source, layer)
        info = pyogrio.read_info(source, layer=name)
        undeclared = (not forced and info["driver"] == "ESRI Shapefile"
                      and info["encoding"] == UNDECLARED)
        read_as = forced or (UNDECLARED if undeclared else None)
        meta, _fids, geometries, values = pyogrio.raw.read(source, layer=name,
                                                           encoding=read_as)
    except _gdal_errors() as exc:
        raise BoundaryFileError(
            "boundary_file_unreadable", f"{path.name} is not a readable {KINDS}") from exc
    if geometries is None or len(geometries) == 0:
        raise BoundaryFileError("boundary_file_empty", f"{path.name} holds no features")
    fields = {str(f): v for f, v in zip(meta["fields"], values, strict=True)}
    text = "forced" if forced else "undeclared" if undeclared else "declared"
    return RawLayer(meta, geometries, fields, text, forced or info["encoding"] or "UTF-8")


def _codec(encoding: str) -> str:
    try:
        return check_encoding(encoding)
    except LookupError:
        raise BoundaryFileError("boundary_encoding_unknown",
                                f"unknown encoding {encoding!r} (try GBK, GB18030 or UTF-8)"
                                ) from None


def _gdal_path(path: Path) -> str:
    """A KMZ is a zip with a KML inside; GDAL's LIBKML reads it whole but loses the
    attribute schema, so the KML inside is read instead."""
    if path.suffix.lower() != ".kmz":
        return str(path)
    with zipfile.ZipFile(path) as archive:
        kml = [n for n in archive.namelist() if n.lower().endswith(".kml")]
    if not kml:
        raise BoundaryFileError("boundary_file_unreadable", f"{path.name} holds no .kml")
    return f"/vsizip/{path.resolve()}/{sorted(kml, key=lambda n: (n != 'doc.kml', n))[0]}"


def _pick_layer(path: Path, source: str, wanted: str | None) -> str | None:
    import pyogrio

    layers = [(str(n), str(kind)) for n, kind in pyogrio.list_layers(source)]
    names = [n for n, _ in layers]
    if wanted:
        if wanted not in names:
            raise BoundaryFileError("boundary_layer_missing",
                                    f"{path.name} has no layer {wanted!r}; "
                                    f"it has: {', '.join(names)}")
        return wanted
    polygonal = [n for n, kind in layers if "Polygon" in kind or kind == "Unknown"]
    if len(layers) > 1 and len(polygonal) != 1:
        raise BoundaryFileError("boundary_layer_ambiguous",
                                f"{path.name} has {len(layers)} layers "
                                f"({', '.join(names[:10])}): choose one with --layer")
    return polygonal[0] if polygonal else None
