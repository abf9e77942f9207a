"""Coordinate datums used by phones in China: WGS-84, GCJ-02 and BD-09.

Chinese map SDKs (AMap, Tencent: GCJ-02; Baidu: BD-09) report positions shifted by a
published obfuscation. Gridwork stores WGS-84, so every reported point is converted
here. The forward formulas are the widely used open-source ones (eviltransform,
coordtransform); the inverses are found by fixed-point iteration, which converges to
well under a millimetre, far inside the 0.5 m the court needs. Points outside China's
bounding box are not shifted by GCJ-02, exactly as the phones do.

Pure functions, no dependencies: ``geo`` never imports ``enforcement`` or ``api``.
"""

from __future__ import annotations

import math
from collections.abc import Callable

Point = tuple[float, float]
"""(lon, lat) in degrees."""

_A = 6378245.0  # Krasovsky 1940 semi-major axis, as GCJ-02 uses
_EE = 0.00669342162296594323  # its first eccentricity squared
_X_PI = math.pi * 3000.0 / 180.0
_EARTH_RADIUS_M = 6371008.8
_INVERSE_TOLERANCE_DEG = 1e-9  # about 0.1 mm
_INVERSE_MAX_STEPS = 30

DATUMS = ("wgs84", "gcj02", "bd09")


def out_of_china(lon: float, lat: float) -> bool:
    """The rough box outside which GCJ-02 leaves coordinates unchanged."""
    return not (72.004 <= lon <= 137.8347 and 0.8293 <= lat <= 55.8271)


def _shift_lat(x: float, y: float) -> float:
    ret = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * math.sqrt(abs(x))
    ret += (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2.0 / 3.0
    ret += (20.0 * math.sin(y * math.pi) + 40.0 * math.sin(y / 3.0 * math.pi)) * 2.0 / 3.0
    ret += (160.0 * math.sin(y / 12.0 * math.pi) + 320.0 * math.sin(y * math.pi / 30.0)) * 2 / 3
    return ret


def _shift_lon(x: float, y: float) -> float:
    ret = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * math.sqrt(abs(x))
    ret += (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2.0 / 3.0
    ret += (20.0 * math.sin(x * math.pi) + 40.0 * math.sin(x / 3.0 * math.pi)) * 2.0 / 3.0
    ret += (150.0 * math.sin(x / 12.0 * math.pi) + 300.0 * math.sin(x / 30.0 * math.pi)) * 2 / 3
    return ret


def wgs84_to_gcj02(lon: float, lat: float) -> Point:
    """What a GCJ-02 phone would report for a true (WGS-84) position."""
    if out_of_china(lon, lat):
        return lon, lat
    dlat = _shift_lat(lon - 105.0, lat - 35.0)
    dlon = _shift_lon(lon - 105.0, lat - 35.0)
    radlat = lat / 180.0 * math.pi
    magic = 1 - _EE * math.sin(radlat) ** 2
    sqrtmagic = math.sqrt(magic)
    dlat = (dlat * 180.0) / ((_A * (1 - _EE)) / (magic * sqrtmagic) * math.pi)
    dlon = (dlon * 180.0) / (_A / sqrtmagic * math.cos(radlat) * math.pi)
    return lon + dlon, lat + dlat


def gcj02_to_bd09(lon: float, lat: float) -> Point:
    """Baidu's further shift of a GCJ-02 position."""
    z = math.sqrt(lon * lon + lat * lat) + 0.00002 * math.sin(lat * _X_PI)
    theta = math.atan2(lat, lon) + 0.000003 * math.cos(lon * _X_PI)
    return z * math.cos(theta) + 0.0065, z * math.sin(theta) + 0.006


def _invert(forward: Callable[[float, float], Point], lon: float, lat: float) -> Point:
    """Solve ``forward(x) == (lon, lat)`` by fixed-point iteration.

    The shifts are small and smooth, so subtracting the residual converges in a few steps.
    """
    x, y = lon, lat
    for _ in range(_INVERSE_MAX_STEPS):
        fx, fy = forward(x, y)
        dx, dy = fx - lon, fy - lat
        x, y = x - dx, y - dy
        if abs(dx) < _INVERSE_TOLERANCE_DEG and abs(dy) < _INVERSE_TOLERANCE_DEG:
            break
    return x, y


def gcj02_to_wgs84(lon: float, lat: float) -> Point:
    """The true position behind a GCJ-02 report (inverse by iteration, error < 1 mm)."""
    if out_of_china(lon, lat):
        return lon, lat
    return _invert(wgs84_to_gcj02, lon, lat)


def bd09_to_gcj02(lon: float, lat: float) -> Point:
    """Undo Baidu's shift (iterated, so it is the exact inverse of ``gcj02_to_bd09``)."""
    return _invert(gcj02_to_bd09, lon, lat)


def bd09_to_wgs84(lon: float, lat: float) -> Point:
    gcj = bd09_to_gcj02(lon, lat)
    if out_of_china(*gcj):
        return lon, lat
    return gcj02_to_wgs84(*gcj)


def wgs84_to_bd09(lon: float, lat: float) -> Point:
    if out_of_china(lon, lat):
        return lon, lat
    return gcj02_to_bd09(*wgs84_to_gcj02(lon, lat))


def to_wgs84(lon: float, lat: float, datum: str) -> Point:
    """Convert a reported point in ``datum`` (``wgs84``, ``gcj02`` or ``bd09``) to WGS-84."""
    if datum == "wgs84":
        return lon, lat
    if datum == "gcj02":
        return gcj02_to_wgs84(lon, lat)
    if datum == "bd09":
        return bd09_to_wgs84(lon, lat)
    raise ValueError(f"unknown datum {datum!r}")


def distance_m(a: Point, b: Point) -> float:
    """Great-circle distance in metres (haversine on the mean Earth radius)."""
    lon1, lat1, lon2, lat2 = map(math.radians, (*a, *b))
    h = (math.sin((lat2 - lat1) / 2) ** 2
         + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2)
    return 2 * _EARTH_RADIUS_M * math.asin(math.sqrt(min(1.0, h)))
