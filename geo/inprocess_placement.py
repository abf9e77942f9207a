"""The placement rule of :mod:`geo.assignment`, decided in process with shapely 2 and numpy
for the points where the answer is certain, so that re-assigning a million records does
not cost a million GiST searches and spheroidal distances inside one PostgreSQL backend.

It decides a point only when the database rule provably gives the same answer:

* covered: the point lies farther than ``BOUNDARY_MARGIN`` from every grid's boundary, so
  PostGIS's point-in-polygon test (plain floating-point orientation) and GEOS's (robust)
  agree; then the grid of lowest (code, id) covering it, as the rule says. A lattice of
  cells lying wholly inside one grid, or touching none, settles most points without any
  geometry test (the same idea as :mod:`geo.grid_cells`);
* outside every grid: the rule's steps are replayed — planar-nearest grid, its spheroidal
  distance d1 (:mod:`geo.geodetic`, PostGIS's own algorithm), the grids within the search
  radius, the lower-bound pruning, the spheroidal distances of the survivors, the lowest
  (distance, code, id), the distance rounded to 0.1 m — and the point is left to the
  database whenever a comparison is too close to call (planar or spheroidal near-ties,
  a bound or radius within rounding, a rounding boundary, more than ``KNN_CANDIDATES``
  grids in reach, or a point beyond ``PRUNE_WITHIN_M``).

Everything not decided here is placed by the SQL rule itself (``UNDECIDED``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import shapely

from geo import geodetic
from geo.placement_rule import (
    KNN_CANDIDATES,
    MARGIN_M,
    METRES_PER_SCALED_DEGREE,
    PRUNE_WITHIN_M,
)

BOUNDARY_MARGIN = 1e-8
"""Degrees (about 1 mm): nearer a boundary than this, a point is left to the database."""
CELLS_ACROSS = 256
UNDECIDED = -1
"""Grid index of a point the database must place."""
_OUTSIDE, _MIXED = -2, -3
RELATIVE_DOUBT = 1e-6
"""Relative gap under which a bound, radius or distance comparison is left to PostgreSQL."""

Array = np.ndarray


@dataclass(frozen=True, slots=True)
class Grids:
    """One court's grids sorted by (code, id) as PostgreSQL sorts them: index = rank."""

    ids: list[str]
    polygons: Array
    max_abs_lat: float
    """``geo.grid_cells.extent``'s, as the SQL rule binds it."""
    tree: shapely.STRtree
    boundaries: Array
    edges: geodetic.Edges
    cell_origin: tuple[float, float]
    cell_size: float
    cells: Array
    """Per cell: the grid wholly covering it (alone), ``_OUTSIDE`` or ``_MIXED``."""


def prepare(ids: list[str], polygons: Array, max_abs_lat: float) -> Grids:
    """Index the grids once per re-assignment (trees, edges, lattice)."""
    tree = shapely.STRtree(polygons)
    origin, size, cells = _lattice(polygons, tree)
    return Grids(ids, polygons, max_abs_lat, tree, shapely.boundary(polygons),
                 geodetic.edges_of(polygons), origin, size, cells)


def _lattice(polygons: Array, tree: shapely.STRtree) -> tuple[tuple[float, float], float,
                                                               Array]:
    x0, y0, x1, y1 = shapely.total_bounds(polygons)
    size = max(x1 - x0, y1 - y0, 1e-6) / CELLS_ACROSS
    x0, y0 = x0 - 2 * size, y0 - 2 * size
    nx, ny = CELLS_ACROSS + 5, CELLS_ACROSS + 5
    cx, cy = np.meshgrid(np.arange(nx), np.arange(ny), indexing="ij")
    m = BOUNDARY_MARGIN
    boxes = shapely.box(x0 + cx.ravel() * size - m, y0 + cy.ravel() * size - m,
                        x0 + (cx.ravel() + 1) * size + m, y0 + (cy.ravel() + 1) * size + m)
    cell, grid = tree.query(boxes, predicate="intersects")
    count = np.bincount(cell, minlength=len(boxes))
    cells = np.where(count == 0, _OUTSIDE, _MIXED)
    alone = count[cell] == 1
    holds = shapely.contains_properly(polygons[grid[alone]], boxes[cell[alone]])
    cells[cell[alone][holds]] = grid[alone][holds]
    return (float(x0), float(y0)), size, cells.reshape(nx, ny)


@dataclass(frozen=True, slots=True)
class Placed:
    grid: Array
    """Grid index (rank) per point, ``UNDECIDED`` where the database must decide."""
    distance: Array
    """Metres to the nearest grid, rounded to 0.1 m, for points outside every grid; NaN
    for covered points."""


def place(grids: Grids, xy: Array) -> Placed:
    """Place (lon, lat) points by the rule, or leave them ``UNDECIDED``."""
    n = len(xy)
    grid = np.full(n, UNDECIDED)
    distance = np.full(n, np.nan)
    finite = np.isfinite(xy).all(axis=1)
    state = np.full(n, _MIXED)
    ix = np.floor((xy[finite, 0] - grids.cell_origin[0]) / grids.cell_size)
    iy = np.floor((xy[finite, 1] - grids.cell_origin[1]) / grids.cell_size)
    nx, ny = grids.cells.shape
    off = (ix < 0) | (iy < 0) | (ix >= nx) | (iy >= ny)
    known = np.where(off, _OUTSIDE, grids.cells[np.clip(ix, 0, nx - 1).astype(np.intp),
                                                np.clip(iy, 0, ny - 1).astype(np.intp)])
    state[finite] = known
    mixed = np.flatnonzero(finite & (state == _MIXED))
    state[mixed] = _covered(grids, xy[mixed])
    inside = state >= 0
    grid[inside] = state[inside]
    outside = np.flatnonzero(state == _OUTSIDE)
    if len(outside):
        grid[outside], distance[outside] = _nearest(grids, xy[outside])
    return Placed(grid, distance)


def _covered(grids: Grids, xy: Array) -> Array:
    """For points in mixed cells: lowest covering grid, ``_OUTSIDE``, or ``UNDECIDED``
    (within ``BOUNDARY_MARGIN`` of some boundary)."""
    points: Array = np.asarray(shapely.points(xy))
    pi, gi = grids.tree.query(points, predicate="dwithin", distance=BOUNDARY_MARGIN)
    on_edge = shapely.dwithin(grids.boundaries[gi], points[pi], BOUNDARY_MARGIN)
    result = np.full(len(xy), _OUTSIDE)
    lowest = np.full(len(xy), len(grids.ids))
    np.minimum.at(lowest, pi[~on_edge], gi[~on_edge])
    result[lowest < len(grids.ids)] = lowest[lowest < len(grids.ids)]
    result[pi[on_edge]] = UNDECIDED
    return result


def _nearest(grids: Grids, xy: Array) -> tuple[Array, Array]:
    """The rule's nearest-grid search for points outside every grid, replayed step by
    step (``geo.placement_rule.nearest_lateral``); ``UNDECIDED`` wherever a step is too
    close to call."""
    n = len(xy)
    points: Array = np.asarray(shapely.points(xy))
    doubt = np.zeros(n, dtype=bool)
    scale = np.cos(np.radians(np.minimum(89.9, np.maximum(np.abs(xy[:, 1]),
                                                           grids.max_abs_lat) + 0.1)))
    (pi, gi), _ = grids.tree.query_nearest(points, return_distance=True,
                                                all_matches=True)
    doubt[pi[np.bincount(pi, minlength=n)[pi] > 1]] = True
    first = np.zeros(n, dtype=np.intp)
    first[pi] = gi
    d1 = geodetic.distances(grids.edges, xy, first)
    doubt |= ~d1.sure | (d1.metres >= PRUNE_WITHIN_M)
    radius = (d1.metres + MARGIN_M) / (METRES_PER_SCALED_DEGREE * scale)
    qi, qg = grids.tree.query(points, predicate="dwithin",
                              distance=radius * (1 + 2 * RELATIVE_DOUBT))
    dist: Array = np.asarray(shapely.distance(grids.polygons[qg], points[qi]))
    doubt[qi[np.abs(dist - radius[qi]) <= RELATIVE_DOUBT * radius[qi]]] = True
    member = dist <= radius[qi]
    qi, qg, dist = qi[member], qg[member], dist[member]
    doubt[np.bincount(qi, minlength=n) > KNN_CANDIDATES] = True
    is_first = qg == first[qi]
    has_first = np.zeros(n, dtype=bool)
    has_first[qi[is_first]] = True
    doubt |= ~has_first
    first_planar = np.zeros(n)
    first_planar[qi[is_first]] = dist[is_first]
    others = ~is_first
    doubt[qi[others & (dist <= first_planar[qi] * (1 + geodetic.NEAR_TIE) + 1e-15)]] = True
    qi, qg = qi[others], qg[others]
    bound = METRES_PER_SCALED_DEGREE * _scaled_distance(grids.edges, xy[qi], qg, scale[qi])
    limit = d1.metres[qi] + MARGIN_M
    doubt[qi[np.abs(bound - limit) <= RELATIVE_DOUBT * limit]] = True
    kept = bound <= limit
    qi, qg = qi[kept], qg[kept]
    dk = geodetic.distances(grids.edges, xy[qi], qg)
    doubt[qi[~dk.sure]] = True
    return _choose(n, doubt, first, d1.metres, qi, qg, dk.metres)


def _choose(n: int, doubt: Array, first: Array, d1: Array, qi: Array, qg: Array,
            dk: Array) -> tuple[Array, Array]:
    """The candidate of lowest (distance, code, id) per point, its distance rounded as
    ``round(d::numeric, 1)`` rounds; near-ties and rounding boundaries are doubts."""
    point = np.concatenate([np.arange(n), qi])
    grid = np.concatenate([first, qg])
    metres = np.concatenate([d1, dk])
    order = np.lexsort((grid, metres, point))
    point, grid, metres = point[order], grid[order], metres[order]
    head = np.flatnonzero(np.r_[True, point[1:] != point[:-1]])
    best, best_grid = metres[head], grid[head]
    runner = head + 1
    has_runner = (runner < len(point)) & (point[np.minimum(runner, len(point) - 1)]
                                          == point[head])
    gap = np.where(has_runner, metres[np.minimum(runner, len(point) - 1)] - best, np.inf)
    doubt = doubt | (gap <= 1e-6 + geodetic.NEAR_TIE * best)
    tenths = best * 10.0
    doubt |= np.abs(tenths - np.floor(tenths) - 0.5) < 1e-5
    grid_out = np.where(doubt, UNDECIDED, best_grid)
    return grid_out, np.where(doubt, np.nan, np.floor(tenths + 0.5) / 10.0)


def _scaled_distance(edges: geodetic.Edges, xy: Array, grids: Array, scale: Array) -> Array:
    """The rule's ``ST_Distance(ST_Scale(grid, s, 1), ST_Scale(point, s, 1))`` for points
    outside the grid: the nearest of its edges, longitude times the point's own scale."""
    counts = edges.first[grids + 1] - edges.first[grids]
    pair = np.repeat(np.arange(len(grids)), counts)
    edge = (np.arange(len(pair)) - np.repeat(np.cumsum(counts) - counts, counts)
            + np.repeat(edges.first[grids], counts))
    s = scale[pair]
    ax, ay = edges.a[edge, 0] * s, edges.a[edge, 1]
    bx, by = edges.b[edge, 0] * s, edges.b[edge, 1]
    px, py = xy[pair, 0] * s, xy[pair, 1]
    dx, dy = bx - ax, by - ay
    length2 = dx * dx + dy * dy
    r = ((px - ax) * dx + (py - ay) * dy) / np.where(length2 > 0, length2, 1.0)
    across = np.abs((ay - py) * dx - (ax - px) * dy) / np.sqrt(np.where(length2 > 0, length2,
                                                                      1.0))
    to_a, to_b = np.hypot(px - ax, py - ay), np.hypot(px - bx, py - by)
    d = np.where((r <= 0) | (length2 == 0), to_a, np.where(r >= 1, to_b, across))
    best = np.full(len(grids), np.inf)
    np.minimum.at(best, pair, d)
    return best
