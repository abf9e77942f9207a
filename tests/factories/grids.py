"""Townships, village grids, who serves them, and boundary files as land offices export them."""

from __future__ import annotations

from typing import Any

from geoalchemy2.elements import WKTElement
from geoalchemy2.shape import from_shape
from shapely.geometry import MultiPolygon, box
from sqlmodel import Session

from enforcement.models import (
    Court,
    GridAssignment,
    Township,
    User,
    VillageGrid,
)
from tests.factories.accounts import unique


def square(lon: float, lat: float, size: float = 0.01) -> Any:
    """A square MultiPolygon of ``size`` degrees with its south-west corner at lon/lat."""
    return from_shape(MultiPolygon([box(lon, lat, lon + size, lat + size)]), srid=4326)


def create_township(session: Session, court: Court, lon: float = 108.3, lat: float = 35.4,
                    size: float = 0.1, **overrides: Any) -> Township:
    values: dict[str, Any] = {
        "court_id": court.id, "code": unique("T"), "name": "山河镇",
        "geom": square(lon, lat, size),
    }
    township = Township(**(values | overrides))
    session.add(township)
    session.flush()
    return township


def create_village(session: Session, township: Township, lon: float = 108.3,
                   lat: float = 35.4, size: float = 0.01, **overrides: Any) -> VillageGrid:
    values: dict[str, Any] = {
        "court_id": township.court_id, "township_id": township.id, "code": unique("V"),
        "name": "东关村", "geom": square(lon, lat, size),
    }
    village = VillageGrid(**(values | overrides))
    session.add(village)
    session.flush()
    return village


def assign_grid(session: Session, user: User, village: VillageGrid) -> GridAssignment:
    assignment = GridAssignment(court_id=user.court_id, user_id=user.id,
                                village_grid_id=village.id)
    session.add(assignment)
    session.flush()
    return assignment


def point(lon: float, lat: float) -> WKTElement:
    return WKTElement(f"POINT({lon!r} {lat!r})", srid=4326)


BOUNDARY_DRIVERS = {".shp": "ESRI Shapefile", ".gpkg": "GPKG", ".kml": "KML"}


def write_boundary_file(path: Any, features: list[tuple[str, str, Any]], *,
                        crs: str | None = "EPSG:4326", code_field: str = "code",
                        name_field: str = "name", encoding: str = "UTF-8", cpg: bool = True,
                        layer: str | None = None) -> Any:
    """Write ``(code, name, shapely geometry)`` features as a real GeoJSON, Shapefile,
    GeoPackage or KML (by ``path``'s suffix) with pyogrio. A Shapefile's attribute table is
    written in ``encoding``; ``cpg=False`` then deletes the ``.cpg`` that says so, as many
    exports lack one, and ``crs=None`` leaves it without ``.prj``."""
    import warnings
    from pathlib import Path

    import numpy as np
    import pyogrio.raw
    import shapely

    suffix = Path(path).suffix.lower()
    shapefile = suffix == ".shp"
    kinds = {g.geom_type for _, _, g in features}
    geometry_type = next(iter(kinds)) if len(kinds) == 1 else "Unknown"
    if shapefile and kinds <= {"Polygon", "MultiPolygon"}:
        geometry_type = "Polygon"
    columns = [np.array([f[0] for f in features], dtype=object),
               np.array([f[1] for f in features], dtype=object)]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # "'crs' was not provided"
        pyogrio.raw.write(
            str(path), np.array([shapely.to_wkb(g) for _, _, g in features], dtype=object),
            columns, fields=[code_field, name_field], geometry_type=geometry_type, crs=crs,
            driver=BOUNDARY_DRIVERS.get(suffix, "GeoJSON"), layer=layer,
            encoding=encoding if shapefile else None, append=layer is not None and
            Path(path).exists(),
        )
    if shapefile and not cpg:
        Path(path).with_suffix(".cpg").unlink()
    return path


def zip_shapefile(shp: Any) -> Any:
    """The Shapefile's parts (.shp/.shx/.dbf/.prj/.cpg) zipped next to it."""
    import zipfile
    from pathlib import Path

    shp = Path(shp)
    target = shp.with_suffix(".zip")
    with zipfile.ZipFile(target, "w") as archive:
        for part in sorted(shp.parent.glob(shp.stem + ".*")):
            if part.suffix != ".zip":
                archive.write(part, part.name)
    return target
