"""Datum conversions: round trips to well under 0.5 m, and no shift outside China."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from geo.datum import (
    bd09_to_gcj02,
    bd09_to_wgs84,
    distance_m,
    gcj02_to_bd09,
    gcj02_to_wgs84,
    to_wgs84,
    wgs84_to_bd09,
    wgs84_to_gcj02,
)

CHINA_LON = st.floats(75.0, 134.0)
CHINA_LAT = st.floats(18.0, 53.0)


@given(CHINA_LON, CHINA_LAT)
def test_gcj02_round_trip_is_within_half_a_metre(lon: float, lat: float) -> None:
    back = gcj02_to_wgs84(*wgs84_to_gcj02(lon, lat))
    assert distance_m((lon, lat), back) < 0.5


@given(CHINA_LON, CHINA_LAT)
def test_bd09_round_trip_is_within_half_a_metre(lon: float, lat: float) -> None:
    back = bd09_to_wgs84(*wgs84_to_bd09(lon, lat))
    assert distance_m((lon, lat), back) < 0.5


@given(CHINA_LON, CHINA_LAT)
def test_the_gcj02_shift_is_the_few_hundred_metres_phones_show(lon: float, lat: float) -> None:
    assert 1 < distance_m((lon, lat), wgs84_to_gcj02(lon, lat)) < 1200


def test_bd09_is_gcj02_shifted_again() -> None:
    gcj = wgs84_to_gcj02(108.3, 35.4)
    assert wgs84_to_bd09(108.3, 35.4) == gcj02_to_bd09(*gcj)
    assert distance_m(gcj, gcj02_to_bd09(*gcj)) > 100


@given(st.floats(-180, 180), st.floats(-90, 90))
def test_points_outside_china_are_unchanged(lon: float, lat: float) -> None:
    if 72.004 <= lon <= 137.8347 and 0.8293 <= lat <= 55.8271:
        return
    assert wgs84_to_gcj02(lon, lat) == (lon, lat)
    assert gcj02_to_wgs84(lon, lat) == (lon, lat)
    assert to_wgs84(lon, lat, "gcj02") == (lon, lat)


def test_wgs84_passes_through() -> None:
    assert to_wgs84(108.3, 35.4, "wgs84") == (108.3, 35.4)


def test_forward_formulas_match_the_published_reference_values() -> None:
    """The examples in the README of the open-source ``coordtransform`` library."""
    assert wgs84_to_gcj02(116.404, 39.915) == (116.41024449916938, 39.91640428150164)
    assert gcj02_to_bd09(116.404, 39.915) == (116.41036949371029, 39.92133699351021)
    # Its BD-09 → GCJ-02 is a one-step approximation; ours iterates, within 5 cm of it.
    assert distance_m(bd09_to_gcj02(116.404, 39.915), (116.39762729119315, 39.90865673957631)) < 0.1
