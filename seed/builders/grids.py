"""Township and village grids: the county outline (a wobbly ellipse the size of
Zhengning), ten townships as Voronoi cells of spread seeds, and 7-13 villages in each, 100
in all. The showcase village, where assistant1..3 work, is the county seat's middle one.
"""

from __future__ import annotations

import math
from collections import defaultdict
from datetime import date

import shapely
from shapely.geometry import MultiPoint, MultiPolygon, Point, Polygon
from shapely.geometry.base import BaseGeometry

from seed.context import CountyDraft
from seed.places import Place, multi, to_lonlat
from seed.records.court import DemoTownship, DemoVillage
from seed.reference import (
    REGION_CODE,
    SURNAME_LIST,
    SURNAME_WEIGHTS,
    TOWNSHIP_NAMES,
    VILLAGE_BODY_B,
    VILLAGE_HEAD_C,
    VILLAGE_PREFIX_B,
    VILLAGE_SUFFIX_A,
    VILLAGE_TAIL_C,
)
from seed.values import local_moment


def build_geography(draft: CountyDraft) -> None:
    """The outline, townships and villages, the places to sample points in, the showcase
    village and which townships border each other."""
    rng = draft.rng
    # County outline: a wobbly ellipse of ~41 km x 35 km, in local kilometres.
    a, b = 20.5, 17.5
    harmonics = [(k, rng.uniform(0.02, 0.07) / math.sqrt(k - 1), rng.uniform(0, 2 * math.pi))
                 for k in range(2, 7)]
    coords = []
    n = 96
    for i in range(n):
        theta = 2 * math.pi * i / n
        r = a * b / math.hypot(b * math.cos(theta), a * math.sin(theta))
        r *= 1 + sum(amp * math.cos(k * theta + ph) for k, amp, ph in harmonics)
        r *= 1 + rng.uniform(-0.012, 0.012)
        coords.append((round(r * math.cos(theta), 4), round(r * math.sin(theta), 4)))
    outline_km = Polygon(coords)
    assert outline_km.is_valid

    # Township seeds, kept apart, the county seat (山河镇) nearest the centre.
    inner = outline_km.buffer(-2.5)
    seeds = _spread_points(draft, inner, 10, 8.0)
    seeds.sort(key=lambda p: p.x * p.x + p.y * p.y)
    seat, rest = seeds[0], seeds[1:]
    rest.sort(key=lambda p: (math.atan2(p.x, p.y) + 2 * math.pi) % (2 * math.pi))
    seeds = [seat, *rest]
    cells = shapely.voronoi_polygons(
        MultiPoint(seeds), extend_to=outline_km.envelope.buffer(20), ordered=True
    )
    townships_km = [multi(cell.intersection(outline_km)) for cell in cells.geoms]

    counts = [rng.randint(7, 13) for _ in range(10)]
    while sum(counts) != 100:
        i = rng.randrange(10)
        if sum(counts) > 100 and counts[i] > 7:
            counts[i] -= 1
        elif sum(counts) < 100 and counts[i] < 13:
            counts[i] += 1

    draft.outline = to_lonlat(outline_km)
    draft.townships = []
    draft.villages = []
    draft.places = []
    draft.places_by_township = defaultdict(list)
    township_km: dict[str, MultiPolygon] = {}
    used_names: set[str] = set(TOWNSHIP_NAMES)
    created = local_moment(date(2022, 3, 1), rng)
    margin = 0.0003  # degrees, ~27-33 m
    for t_index, (name, geom_km) in enumerate(zip(TOWNSHIP_NAMES, townships_km, strict=True)):
        code = f"{REGION_CODE}{100 + t_index}"
        township = DemoTownship(
            court_id=draft.court_id, id=draft.uid(), code=code, name=name,
            geom=multi(to_lonlat(geom_km)), created_at=created,
        )
        draft.townships.append(township)
        township_km[township.id] = geom_km
        count = counts[t_index]
        spacing = 0.62 * math.sqrt(geom_km.area / count)
        vseeds = _spread_points(draft, geom_km.buffer(-0.25), count, spacing)
        vseeds.sort(key=lambda p: (-round(p.y, 1), p.x))
        vcells = shapely.voronoi_polygons(
            MultiPoint(vseeds), extend_to=geom_km.envelope.buffer(10), ordered=True
        )
        for v_index, vcell in enumerate(vcells.geoms):
            vgeom = multi(to_lonlat(multi(vcell.intersection(geom_km))))
            vname = _village_name(draft, used_names)
            village = DemoVillage(
                court_id=draft.court_id, id=draft.uid(), township_id=township.id,
                code=f"{code}{201 + v_index}", name=vname, geom=vgeom,
                households=rng.randrange(140, 820),
                committee_phone=f"0934-52{rng.randrange(10**5):05d}",
                created_at=created,
            )
            shapely.prepare(vgeom)
            place = Place(
                village=village, township=township, geom=vgeom, boundary=vgeom.boundary,
                bounds=vgeom.bounds, margin=margin,
                centre=vgeom.representative_point(),
            )
            draft.villages.append(village)
            draft.places.append(place)
            draft.places_by_township[township.id].append(place)
    # The showcase village: in the county seat, nearest the township's middle.
    seat_places = draft.places_by_township[draft.townships[0].id]
    seat_mid = draft.townships[0].geom.representative_point()
    draft.showcase = min(seat_places, key=lambda p: p.centre.distance(seat_mid))
    # Neighbouring townships (for rounds over 2-3 townships).
    draft.neighbours = {}
    for t in draft.townships:
        gk = township_km[t.id]
        draft.neighbours[t.id] = [
            o.id for o in draft.townships
            if o.id != t.id and gk.distance(township_km[o.id]) < 1e-6
        ]


def _spread_points(draft: CountyDraft, area: BaseGeometry, count: int,
                   spacing: float) -> list[Point]:
    rng = draft.rng
    minx, miny, maxx, maxy = area.bounds
    shapely.prepare(area)
    while True:
        points: list[Point] = []
        attempts = 0
        while len(points) < count and attempts < 4000:
            attempts += 1
            p = Point(rng.uniform(minx, maxx), rng.uniform(miny, maxy))
            if area.contains(p) and all(p.distance(q) >= spacing for q in points):
                points.append(p)
        if len(points) == count:
            return points
        spacing *= 0.85


def _village_name(draft: CountyDraft, used: set[str]) -> str:
    rng = draft.rng
    while True:
        pattern = rng.random()
        if pattern < 0.4:
            stem = rng.choices(SURNAME_LIST[:40], SURNAME_WEIGHTS[:40])[0] + "家" + \
                rng.choice(VILLAGE_SUFFIX_A)
        elif pattern < 0.7:
            stem = rng.choice(VILLAGE_PREFIX_B) + rng.choice(VILLAGE_BODY_B)
        else:
            stem = rng.choice(VILLAGE_HEAD_C) + rng.choice(VILLAGE_TAIL_C)
        name = stem + "村"
        if name not in used:
            used.add(name)
            return name
