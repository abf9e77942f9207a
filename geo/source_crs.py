"""Which coordinate system a boundary file is in, and what converting it to WGS-84 costs.

Land offices work in CGCS2000 (geographic EPSG:4490, or Gauss-Krüger metres in 3° or 6°
zones, with or without the zone number in front of the false easting), older offices still
in Xian 1980 or Beijing 1954. pyproj knows all of them. What it cannot know is the system
of a Shapefile that lost its ``.prj``: coordinates that can only be degrees are read as
CGCS2000 (within a few centimetres of WGS-84); metres are refused with a hint at the
``--crs`` to give, since guessing a zone or datum wrong moves a county by kilometres.
"""

from __future__ import annotations

from dataclasses import dataclass

from pyproj import CRS
from pyproj.exceptions import CRSError

from geo.boundary_sources import BoundaryFileError

WGS84 = CRS.from_epsg(4326)
CGCS2000 = CRS.from_epsg(4490)
APPROXIMATE_DATUMS = ("Xian 1980", "Beijing 1954")
"""Datums PROJ converts to WGS-84 only approximately (no published parameters it holds)."""


@dataclass(frozen=True, slots=True)
class SourceCrs:
    crs: CRS
    note: str | None = None
    """What the operator should know: an assumed system or an approximate datum shift."""


def resolve(declared: str | None, forced: str | None,
            bounds: tuple[float, float, float, float]) -> SourceCrs:
    """The system to read coordinates in: ``--crs``, else the file's, else a safe guess."""
    if forced:
        return _with_note(_parse(forced, "--crs"))
    if declared:
        return _with_note(_parse(declared, "the file's"))
    if looks_like_degrees(bounds):
        return SourceCrs(CGCS2000, "the file does not say its coordinate system (no .prj); "
                                   "its coordinates are degrees, read as CGCS2000 (EPSG:4490)")
    raise BoundaryFileError(
        "boundary_crs_unknown",
        "the file does not say its coordinate system (a Shapefile needs its .prj) and its "
        f"coordinates are metres: name it with --crs EPSG:…{gauss_kruger_hint(bounds)}")


def looks_like_degrees(bounds: tuple[float, float, float, float]) -> bool:
    west, south, east, north = bounds
    return -180 <= west <= east <= 180 and -90 <= south <= north <= 90


def gauss_kruger_hint(bounds: tuple[float, float, float, float]) -> str:
    """The CGCS2000 Gauss-Krüger system that eastings like these suggest, as advice."""
    zone = int(bounds[0] // 1_000_000)
    if 13 <= zone <= 23 and int(bounds[2] // 1_000_000) == zone:
        return (f" (eastings starting {zone} suggest 6-degree zone {zone}: "
                f"EPSG:{4491 + zone - 13} in CGCS2000)")
    if 25 <= zone <= 45 and int(bounds[2] // 1_000_000) == zone:
        return (f" (eastings starting {zone} suggest 3-degree zone {zone}: "
                f"EPSG:{4513 + zone - 25} in CGCS2000)")
    if bounds[0] > 0 and bounds[2] < 1_000_000:
        return (" (eastings without a zone number: CGCS2000 3-degree zones are "
                "EPSG:4534 for 75°E to EPSG:4554 for 135°E, one per 3 degrees)")
    return ""


def _parse(value: str, whose: str) -> CRS:
    try:
        return CRS.from_user_input(value)
    except CRSError:
        raise BoundaryFileError("boundary_crs_unknown",
                                f"unknown coordinate system ({whose}): {value[:80]}") from None


def _with_note(crs: CRS) -> SourceCrs:
    geodetic = crs.geodetic_crs
    datum = geodetic.datum.name if geodetic and geodetic.datum else ""
    approximate = next((d for d in APPROXIMATE_DATUMS if d in datum), None)
    if not approximate:
        return SourceCrs(crs)
    return SourceCrs(crs, f"{approximate} is converted to WGS-84 with an approximate datum "
                          "shift (positions may be off by tens of metres, up to about "
                          "100 m); ask the land office for CGCS2000 where it matters")


def label(crs: CRS) -> str:
    """``EPSG:4545`` when the system has a code, else its name."""
    code = crs.to_epsg(min_confidence=70)
    return f"EPSG:{code}" if code else crs.name
