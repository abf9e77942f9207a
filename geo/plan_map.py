"""Draw a planned round as a PNG: grid outlines, targets and each team's routes.

No internet map tiles (court networks are often offline, and tiles of China carry GCJ-02
offsets); the village grids are the base map. Labels are ASCII so the picture needs no CJK
font on the server. Pure: takes shapely geometries and coordinates, returns bytes.
"""

from __future__ import annotations

import io
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from shapely.geometry.base import BaseGeometry

if TYPE_CHECKING:
    import matplotlib.pyplot as plt

LonLat = tuple[float, float]


@dataclass(frozen=True, slots=True)
class MapRoute:
    label: str
    """e.g. 'Team 1': ASCII, see the module docstring; shown once per team in the legend."""
    team: int
    """Index of the team: routes of one team share a colour, days differ in dash."""
    day: int
    path: Sequence[LonLat]


@dataclass(slots=True)
class PlanMap:
    title: str
    outlines: Sequence[BaseGeometry] = ()
    area: BaseGeometry | None = None
    routes: Sequence[MapRoute] = ()
    unassigned: Sequence[LonLat] = ()
    bases: Sequence[LonLat] = field(default_factory=list)


DASHES = ("-", "--", "-.", ":")


def render_png(plan_map: PlanMap, *, width_in: float = 8.0, dpi: int = 110) -> bytes:
    """The map as PNG bytes, square-ish, longitude scaled by cos(latitude) to look right."""
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(width_in, width_in), dpi=dpi)
    try:
        _draw_outlines(ax, plan_map)
        colours = plt.get_cmap("tab10")
        labelled: set[int] = set()
        for route in plan_map.routes:
            xs, ys = zip(*route.path, strict=True) if route.path else ((), ())
            label = route.label if route.team not in labelled else "_nolegend_"
            labelled.add(route.team)
            ax.plot(xs, ys, DASHES[route.day % len(DASHES)], color=colours(route.team % 10),
                    linewidth=1.4, marker="o", markersize=3, label=label)
        if plan_map.unassigned:
            ux, uy = zip(*plan_map.unassigned, strict=True)
            ax.scatter(ux, uy, marker="x", s=18, color="0.35", label="not planned")
        if plan_map.bases:
            bx, by = zip(*plan_map.bases, strict=True)
            ax.scatter(bx, by, marker="s", s=60, color="black", zorder=5, label="team base")
        _frame(ax, plan_map)
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png", bbox_inches="tight")
        return buffer.getvalue()
    finally:
        plt.close(fig)


def _pyplot() -> Any:
    """matplotlib's pyplot, imported on the first map: ~40 MB that an API worker which
    never draws one does not hold (bench row 7, memory per worker)."""
    import matplotlib

    matplotlib.use("Agg")  # no display on a server; must precede pyplot
    import matplotlib.pyplot

    return matplotlib.pyplot


def _draw_outlines(ax: plt.Axes, plan_map: PlanMap) -> None:
    for outline in plan_map.outlines:
        for polygon in getattr(outline, "geoms", [outline]):
            xs, ys = polygon.exterior.xy
            ax.plot(xs, ys, color="0.75", linewidth=0.6)
    if plan_map.area is not None:
        for polygon in getattr(plan_map.area, "geoms", [plan_map.area]):
            xs, ys = polygon.exterior.xy
            ax.fill(xs, ys, color="#f4efe1", zorder=0)
            ax.plot(xs, ys, color="0.3", linewidth=1.2)


def _frame(ax: plt.Axes, plan_map: PlanMap) -> None:
    if plan_map.area is not None:
        minx, miny, maxx, maxy = plan_map.area.bounds
        pad = 0.05 * max(maxx - minx, maxy - miny, 1e-3)
        ax.set_xlim(minx - pad, maxx + pad)
        ax.set_ylim(miny - pad, maxy + pad)
    mid_lat = sum(ax.get_ylim()) / 2
    ax.set_aspect(1 / max(math.cos(math.radians(mid_lat)), 0.1))
    ax.set_title(plan_map.title, fontsize=10)
    ax.set_xlabel("longitude (WGS-84); day 1 solid, 2 dashed, 3 dash-dot, 4 dotted",
                  fontsize=8)
    ax.set_ylabel("latitude", fontsize=8)
    ax.tick_params(labelsize=7)
    if ax.get_legend_handles_labels()[0]:
        ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
