"""PostGIS's spheroidal point-to-polygon distance, ``ST_Distance(g::geography, p::geography)``,
for many pairs at once in numpy, so that grid assignment can run outside the database and
still store the distance the database rule stores (rounded to 0.1 m).

PostGIS 3 measures it in two steps (liblwgeom ``lwgeodetic.c``, ``lwspheroid.c``): on the
unit sphere it finds, over every ring edge, the point nearest to the given point
(``edge_distance_to_point``: the projection on the edge's great circle when it falls inside
the edge, else the nearer end); then it measures the geodesic on the WGS-84 ellipsoid
between the given point and that nearest point (``geod_inverse`` of PROJ, which pyproj
wraps). This module follows the same steps with the same formulas (``robust_cross_product``,
``edge_point_in_cone``...), so its figures agree with PostGIS's to far below a millimetre.
It also says when a figure could still differ: two edges (or rings) almost equally near on
the sphere with different nearest points, a projection on the fuzzy edge of PostGIS's
"inside the edge" test, or a point so near a long edge that PostGIS's great-circle edges
could put it inside the grid (distance 0). The caller leaves those to the database.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import shapely
from pyproj import Geod

WGS84_A = 6378137.0
WGS84_B = WGS84_A * (1.0 - 1.0 / 298.257223563)
GEOD = Geod(a=WGS84_A, f=(WGS84_A - WGS84_B) / WGS84_A)
"""PostGIS's spheroid for SRID 4326: ``spheroid_init(a, b)`` sets f = (a - b) / a."""
FP_TOLERANCE = 1e-12
SPHERE_RADIUS_MIN, SPHERE_RADIUS_MAX = 6.33e6, 6.41e6
"""Metres per radian of sphere angle, bounds on the ellipsoid for distances under 100 km
(the meridian radius at the equator is 6,335 km, the normal radius at the poles 6,400 km)."""
NEAR_TIE = 1e-9
"""Relative gap under which two sphere distances count as equal (PostGIS may pick either)."""
PRESELECT = 1.05
"""Edges whose flat-earth distance is within 5 % of the nearest edge's are measured."""
CONE_FUZZ = 1e-14
"""Gap of ``edge_point_in_cone``'s dot products under which its answer may differ here."""

Array = np.ndarray


@dataclass(frozen=True, slots=True)
class Edges:
    """Every ring edge of some polygons, as PostGIS's geodetic code sees them."""

    owner: Array
    """Polygon index of each edge; edges of one polygon are consecutive."""
    ring: Array
    """Ring number of each edge (unique over all polygons)."""
    first: Array
    """Index of each polygon's first edge, and the number of edges at the end."""
    start: Array
    end: Array
    """(lat, lon) in radians of each edge's ends."""
    vs: Array
    ve: Array
    normal: Array
    vcp: Array
    vs_dot_vcp: Array
    a: Array
    b: Array
    """(lon, lat) in degrees of each edge's ends, for the planar pre-selection."""
    degenerate: Array
    """Zero-length edges (``geographic_point_equals``): their distance is to the start."""
    bulge_m: float
    """Above every gap between a straight lon/lat edge and its great-circle arc, metres."""


def _cart(lat: Array, lon: Array) -> Array:
    """``geog2cart``."""
    return np.stack([np.cos(lat) * np.cos(lon), np.cos(lat) * np.sin(lon), np.sin(lat)],
                    axis=-1)


def _normalize(v: Array) -> Array:
    d = np.sqrt(v[..., 0] * v[..., 0] + v[..., 1] * v[..., 1] + v[..., 2] * v[..., 2])
    safe = np.where(np.abs(d) <= FP_TOLERANCE, np.inf, d)
    return v / safe[..., None]


def _dot(a: Array, b: Array) -> Array:
    return a[..., 0] * b[..., 0] + a[..., 1] * b[..., 1] + a[..., 2] * b[..., 2]


def _robust_cross(p: Array, q: Array) -> Array:
    """``robust_cross_product`` of two (lat, lon) arrays."""
    lon_qpp = (q[:, 1] + p[:, 1]) / -2.0
    lon_qmp = (q[:, 1] - p[:, 1]) / 2.0
    s_minus = np.sin(p[:, 0] - q[:, 0])
    s_plus = np.sin(p[:, 0] + q[:, 0])
    return np.stack([
        s_minus * np.sin(lon_qpp) * np.cos(lon_qmp) - s_plus * np.cos(lon_qpp) * np.sin(lon_qmp),
        s_minus * np.cos(lon_qpp) * np.cos(lon_qmp) + s_plus * np.sin(lon_qpp) * np.sin(lon_qmp),
        np.cos(p[:, 0]) * np.cos(q[:, 0]) * np.sin(q[:, 1] - p[:, 1])], axis=-1)


def _sphere_distance(s: Array, e: Array) -> Array:
    """``sphere_distance`` between (lat, lon) arrays, in radians."""
    d_lon = e[..., 1] - s[..., 1]
    cos_d_lon = np.cos(d_lon)
    cos_lat_e, sin_lat_e = np.cos(e[..., 0]), np.sin(e[..., 0])
    cos_lat_s, sin_lat_s = np.cos(s[..., 0]), np.sin(s[..., 0])
    a1 = (cos_lat_e * np.sin(d_lon)) ** 2
    a2 = (cos_lat_s * sin_lat_e - sin_lat_s * cos_lat_e * cos_d_lon) ** 2
    b = sin_lat_s * sin_lat_e + cos_lat_s * cos_lat_e * cos_d_lon
    return np.arctan2(np.sqrt(a1 + a2), b)


def radians(lonlat: Array) -> Array:
    """``geographic_point_init``: (lon, lat) degrees → (lat, lon) radians."""
    return np.stack([np.pi * lonlat[:, 1] / 180.0, np.pi * lonlat[:, 0] / 180.0], axis=-1)


def edges_of(polygons: Array) -> Edges:
    """The edges of (multi)polygons, in order, with what each distance needs precomputed."""
    parts, part_owner = shapely.get_parts(polygons, return_index=True)
    rings, ring_part = shapely.get_rings(parts, return_index=True)
    coords, coord_ring = shapely.get_coordinates(rings, return_index=True)
    same_ring = coord_ring[1:] == coord_ring[:-1]
    start_at = np.flatnonzero(same_ring)
    ring = coord_ring[start_at]
    owner = part_owner[ring_part[ring]]
    start, end = radians(coords[start_at]), radians(coords[start_at + 1])
    vs, ve = _cart(start[:, 0], start[:, 1]), _cart(end[:, 0], end[:, 1])
    vcp = _normalize(vs + ve)
    theta = _sphere_distance(start, end)
    lat_max = np.minimum(np.maximum(np.abs(start[:, 0]), np.abs(end[:, 0])) + theta,
                         np.radians(89.0))
    bulge = float(np.max(theta * theta / 8.0 * np.tan(lat_max), initial=0.0))
    return Edges(
        owner=owner, ring=ring,
        first=np.searchsorted(owner, np.arange(len(polygons) + 1)),
        start=start, end=end, vs=vs, ve=ve, a=coords[start_at], b=coords[start_at + 1],
        normal=_normalize(_robust_cross(start, end)), vcp=vcp, vs_dot_vcp=_dot(vs, vcp),
        degenerate=(np.abs(start[:, 0] - end[:, 0]) <= FP_TOLERANCE)
        & (np.abs(start[:, 1] - end[:, 1]) <= FP_TOLERANCE),
        bulge_m=4.0 * bulge * SPHERE_RADIUS_MAX + 1.0)


@dataclass(frozen=True, slots=True)
class Distances:
    metres: Array
    """PostGIS's ``ST_Distance(grid::geography, point::geography)`` for each pair."""
    sure: Array
    """False where PostGIS might compute a different figure (see the module docstring)."""


def distances(edges: Edges, xy: Array, grids: Array) -> Distances:
    """Spheroidal distance from (lon, lat) point ``xy[i]`` to polygon ``grids[i]``, for
    every i. Points inside a polygon are not expected here.

    Only the edges that a local flat-earth distance puts within ``PRESELECT`` of the
    polygon's nearest are measured on the sphere (the others are farther on the sphere
    too, by a wide margin): a grid has tens of edges, a point is near one or two."""
    counts = edges.first[grids + 1] - edges.first[grids]
    pair = np.repeat(np.arange(len(grids)), counts)
    edge = (np.arange(len(pair)) - np.repeat(np.cumsum(counts) - counts, counts)
            + np.repeat(edges.first[grids], counts))
    flat = _flat_distance(edges, edge, xy[pair], np.cos(np.radians(xy[:, 1]))[pair])
    flat_min = np.full(len(grids), np.inf)
    np.minimum.at(flat_min, pair, flat)
    near = flat <= flat_min[pair] * PRESELECT + edges.bulge_m / 50_000.0 + 1e-9
    pair, edge = pair[near], edge[near]
    gp = radians(xy)
    d, nearest, fuzzy = _edge_distances(edges, edge, gp[pair])
    best = np.full(len(grids), np.inf)
    np.minimum.at(best, pair, d)
    is_best = d == best[pair]
    chosen = np.full(len(grids), -1)
    chosen[pair[is_best][::-1]] = np.flatnonzero(is_best)[::-1]  # first best edge
    close = d <= best[pair] * (1.0 + NEAR_TIE) + 1e-15
    other_point = np.abs(nearest - nearest[chosen[pair]]).max(axis=1) > 1e-13
    other_ring = edges.ring[edge] != edges.ring[edge[chosen[pair]]]
    unsure = close & (other_point | fuzzy)
    unsure |= (d <= best[pair] * 1.02) & other_ring
    doubt = np.zeros(len(grids), dtype=bool)
    np.logical_or.at(doubt, pair, unsure)
    q = nearest[chosen]
    _, _, metres = GEOD.inv(gp[:, 1] * 180.0 / np.pi, gp[:, 0] * 180.0 / np.pi,
                            q[:, 1] * 180.0 / np.pi, q[:, 0] * 180.0 / np.pi)
    metres = np.round(np.asarray(metres) * 1e8) / 1e8
    return Distances(metres, ~doubt & (metres > edges.bulge_m))


def _flat_distance(edges: Edges, edge: Array, xy: Array, c: Array) -> Array:
    """Point-to-segment distance in degrees with longitude scaled by ``c``, the cosine of
    the point's latitude: within a few per cent of the sphere's for the distances here."""
    a, b = edges.a[edge], edges.b[edge]
    dx, dy = (b[:, 0] - a[:, 0]) * c, b[:, 1] - a[:, 1]
    wx, wy = (xy[:, 0] - a[:, 0]) * c, xy[:, 1] - a[:, 1]
    length2 = dx * dx + dy * dy
    t = np.clip((wx * dx + wy * dy) / np.where(length2 > 0, length2, 1.0), 0.0, 1.0)
    ex, ey = wx - t * dx, wy - t * dy
    return np.sqrt(ex * ex + ey * ey)


def _edge_distances(edges: Edges, edge: Array, gp: Array) -> tuple[Array, Array, Array]:
    """``edge_distance_to_point`` for each (edge, point): sphere distance, nearest point
    (lat, lon), and whether the inside-the-edge test was too close to call."""
    p = _cart(gp[:, 0], gp[:, 1])
    n = edges.normal[edge]
    k = _normalize(p - n * _dot(p, n)[:, None])
    gk = np.stack([np.arcsin(k[:, 2]), np.arctan2(k[:, 1], k[:, 0])], axis=-1)
    vp = _cart(gk[:, 0], gk[:, 1])
    on_circle = np.abs(_dot(n, vp)) <= FP_TOLERANCE
    vp_dot = _dot(vp, edges.vcp[edge])
    vs_dot = edges.vs_dot_vcp[edge]
    antipodal = np.all(edges.vs[edge] == -edges.ve[edge], axis=1)
    in_cone = antipodal | (vp_dot > vs_dot) | (np.abs(vp_dot - vs_dot) < 2e-16)
    fuzzy = np.abs(vp_dot - vs_dot) < CONE_FUZZ
    d1 = np.where(on_circle & in_cone, _sphere_distance(gp, gk), 1e9)
    d2 = _sphere_distance(gp, edges.start[edge])
    d3 = _sphere_distance(gp, edges.end[edge])
    nearest = np.where((d2 < d1)[:, None], edges.start[edge], gk)
    d = np.minimum(d1, d2)
    nearest = np.where((d3 < d)[:, None], edges.end[edge], nearest)
    d = np.minimum(d, d3)
    degenerate = edges.degenerate[edge]
    d = np.where(degenerate, d2, d)
    nearest = np.where(degenerate[:, None], edges.start[edge], nearest)
    return d, nearest, fuzzy & ~degenerate
