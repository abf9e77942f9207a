"""Grid layers as GeoJSON FeatureCollections, built by PostGIS in one query.

Phones draw the grids over their own map, often on a slow connection, so the collection
can be simplified: ``simplify_m`` is a tolerance in ground metres. Each polygon is
projected to Web Mercator, simplified there with ``ST_SimplifyPreserveTopology`` at
``simplify_m / cos(latitude)`` Mercator units (Mercator stretches ground distances by
``1 / cos(latitude)``, so this is the tolerance in metres at the polygon's latitude), and
projected back (still a MultiPolygon). Each polygon stays valid; shared borders of
neighbours are simplified independently and may part by up to the tolerance. Coordinates
are written with 6 decimals (about 0.1 m). Tables and columns are arguments: ``geo``
knows no domain model.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import sqlalchemy as sa
from sqlalchemy.engine import Connection

COORDINATE_DECIMALS = 6
MEDIA_TYPE = "application/geo+json"


def simplified(geom: str, simplify_m: float | None) -> str:
    """SQL for ``geom`` (EPSG:4326) simplified by ``simplify_m`` ground metres, or as is."""
    if not simplify_m:
        return geom
    return (f"ST_Multi(ST_Transform(ST_SimplifyPreserveTopology(ST_Transform({geom}, 3857), "
            f"{float(simplify_m)!r} / cos(radians(ST_Y(ST_PointOnSurface({geom}))))), 4326))")


def feature_collection(conn: Connection, table: str, properties: Sequence[str], *,
                       where: str, params: Mapping[str, object], order_by: str = "code",
                       simplify_m: float | None = None) -> str:
    """The rows of ``table`` matching ``where`` as a FeatureCollection (JSON text)."""
    props = ", ".join(f"'{name}', {name}" for name in properties)
    sql = f"""
        SELECT json_build_object('type', 'FeatureCollection', 'features',
                   coalesce(json_agg(json_build_object(
                       'type', 'Feature', 'id', id,
                       'geometry', ST_AsGeoJSON({simplified("geom", simplify_m)},
                                                {COORDINATE_DECIMALS})::json,
                       'properties', json_build_object({props})
                   ) ORDER BY {order_by}), '[]'::json))::text
        FROM {table} WHERE {where}
    """
    return conn.execute(sa.text(sql), params).scalar_one()
