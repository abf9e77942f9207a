"""Mapbox vector tiles (MVT) of one layer, rendered by PostGIS with ``ST_AsMVT``.

A tile is addressed as ``z/x/y`` in the Web Mercator (XYZ) scheme. The caller passes the
rows it may show as a SQLAlchemy ``Select`` of property columns plus the geometry column
(EPSG:4326), already limited to the caller's court and scope; this module only adds the
tile's bounding-box test (GiST-indexed ``&&`` on the tile grown by its buffer, so
shapes just outside still draw their edge), clips to the tile and encodes it.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

MAX_ZOOM = 22
EXTENT = 4096
BUFFER = 64
MEDIA_TYPE = "application/vnd.mapbox-vector-tile"
WEB_MERCATOR_BOUND = 20037508.342789244


class TileOutOfRange(ValueError):
    """z/x/y names no tile: z outside 0–22, or x/y outside 0 … 2^z − 1."""

    code = "tile_out_of_range"


def check_tile(z: int, x: int, y: int) -> None:
    if not 0 <= z <= MAX_ZOOM:
        raise TileOutOfRange(f"zoom {z} is outside 0–{MAX_ZOOM}")
    size = 1 << z
    if not (0 <= x < size and 0 <= y < size):
        raise TileOutOfRange(f"x and y must be in 0–{size - 1} at zoom {z}")


def tile_statement(layer: str, rows: sa.Select[*tuple[Any, ...]], geom: Any, z: int, x: int,
                   y: int) -> sa.Select[Any]:
    """One ``bytea``: the MVT of ``rows`` in tile z/x/y as layer ``layer`` (empty if none)."""
    check_tile(z, x, y)
    envelope = sa.func.ST_TileEnvelope(z, x, y)
    margin = sa.func.ST_TileEnvelope(z, x, y, sa.func.ST_MakeEnvelope(
        -WEB_MERCATOR_BOUND, -WEB_MERCATOR_BOUND, WEB_MERCATOR_BOUND, WEB_MERCATOR_BOUND, 3857
    ), BUFFER / EXTENT)
    mvt_geom = sa.func.ST_AsMVTGeom(
        sa.func.ST_Transform(geom, 3857), envelope, EXTENT, BUFFER, True
    ).label("mvt_geom")
    inner = (rows.add_columns(mvt_geom)
             .where(geom.op("&&")(sa.func.ST_Transform(margin, 4326)))
             .subquery("tile_rows"))
    return (sa.select(sa.func.ST_AsMVT(sa.literal_column("tile_rows"),
                                       sa.literal(layer, sa.Text), EXTENT,
                                       sa.literal("mvt_geom", sa.Text)))
            .select_from(inner).where(inner.c.mvt_geom.is_not(None)))
