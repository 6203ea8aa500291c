"""Heights on their datums: the standard atmosphere, and each limit's span above sea level."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sharedsky.domain.errors import InvalidVolume
from sharedsky.domain.heights import (
    MAX_ALT_M,
    MIN_ALT_M,
    Datums,
    Height,
    HeightUnit,
    Reference,
    Special,
    altimeter_height_m,
    geometric_height_m,
    isa_height_m,
    isa_pressure_hpa,
    limit_span,
    pressure_altitude_span_m,
)
from sharedsky.geo import geoid
from sharedsky.geo.outlines import CircleOutline
from sharedsky.units import FT_M
from tests._hypothesis import examples

HERE = CircleOutline((35.0, 33.0), 10_000.0)


def fl(value: float) -> Height:
    return Height(value, HeightUnit.FL, Reference.STD)


# -- the standard atmosphere (ICAO Doc 7488, by geopotential height) ------------------------


@pytest.mark.parametrize(
    ("height_m", "pressure_hpa"),
    [
        (0.0, 1013.25),
        (1_000.0, 898.75),
        (3_000.0, 701.09),
        (5_000.0, 540.20),
        (11_000.0, 226.32),
        (20_000.0, 54.75),
    ],
)
def test_the_standard_atmosphere_has_the_published_pressures(
    height_m: float, pressure_hpa: float
) -> None:
    assert isa_pressure_hpa(height_m) == pytest.approx(pressure_hpa, abs=0.01)
    assert isa_height_m(pressure_hpa) == pytest.approx(height_m, abs=1.0)


def test_fl100_at_standard_qnh_is_3048_m() -> None:
    assert altimeter_height_m(100 * 30.48, 1013.25) == pytest.approx(3048.0, abs=1e-9)
    assert geometric_height_m(100 * 30.48, 1013.25) == pytest.approx(3048.0, abs=1e-6)


def test_one_hectopascal_is_about_27_ft_near_sea_level() -> None:
    step_ft = (altimeter_height_m(0.0, 1014.25) - altimeter_height_m(0.0, 1013.25)) / FT_M
    assert 26.5 < step_ft < 28.0


def test_at_qnh_950_fl100_is_about_540_m_lower() -> None:
    assert 3048.0 - altimeter_height_m(3048.0, 950.0) == pytest.approx(540.3, abs=0.5)


@settings(max_examples=examples(200))
@given(st.floats(0.0, 18_288.0), st.floats(950.0, 1050.0))
def test_every_qnh_in_range_lies_within_the_pressure_altitude_span(pa_m: float, qnh: float) -> None:
    """R-HEIGHT-2: both ways of holding a flight level, at any QNH of the range."""
    low, high = pressure_altitude_span_m(pa_m, Datums())
    for height in (altimeter_height_m(pa_m, qnh), geometric_height_m(pa_m, qnh)):
        assert low - 1e-6 <= height <= high + 1e-6


# -- limit spans ------------------------------------------------------------------------------


def test_a_height_amsl_is_exact() -> None:
    span = limit_span(Height(3000, HeightUnit.FT, Reference.AMSL), Datums(), HERE, ())
    assert span.low_m == span.high_m == span.nominal_m == span.exact_m == pytest.approx(914.4)


def test_a_flight_level_spans_the_qnh_range_and_keeps_its_pressure_altitude() -> None:
    span = limit_span(fl(100), Datums(), HERE, ())
    assert span.reference == "STD" and span.exact_m == pytest.approx(3048.0)
    assert span.nominal_m == pytest.approx(3048.0)
    assert span.low_m == pytest.approx(3048.0 - 540.3, abs=1.0)
    assert span.high_m == pytest.approx(3048.0 + 301.5, abs=1.0)


def test_a_narrow_qnh_range_narrows_the_span() -> None:
    wide = limit_span(fl(100), Datums(), HERE, ())
    narrow = limit_span(fl(100), Datums(qnh_min_hpa=1005, qnh_max_hpa=1020), HERE, ())
    assert wide.low_m < narrow.low_m < narrow.high_m < wide.high_m


def test_an_agl_height_needs_terrain_bounds() -> None:
    with pytest.raises(InvalidVolume, match="terrain") as caught:
        limit_span(Height(150, HeightUnit.M, Reference.AGL), Datums(), HERE, ("a", "lower"))
    assert caught.value.path == ("a", "lower")


def test_an_agl_height_spans_the_terrain() -> None:
    """R-HEIGHT-2"""
    datums = Datums(terrain_min_m=-400.0, terrain_max_m=2_800.0)
    span = limit_span(Height(150, HeightUnit.M, Reference.AGL), datums, HERE, ())
    assert (span.low_m, span.high_m, span.nominal_m) == (-250.0, 2_950.0, 1_350.0)


def test_the_surface_is_the_lowest_terrain_or_the_floor() -> None:
    assert limit_span(Special.SFC, Datums(), HERE, ()).low_m == MIN_ALT_M
    with_terrain = Datums(terrain_min_m=-400.0, terrain_max_m=2_800.0)
    assert limit_span(Special.SFC, with_terrain, HERE, ()).low_m == -400.0
    assert limit_span(Special.UNL, Datums(), HERE, ()).high_m == MAX_ALT_M


def test_an_ellipsoid_height_spans_the_geoid_under_the_outline_and_its_error() -> None:
    span = limit_span(Height(1_000, HeightUnit.M, Reference.W84), Datums(), HERE, ())
    n = float(geoid.undulation_m(33.0, 35.0))
    assert span.nominal_m == pytest.approx(1_000 - n)
    assert span.low_m < 1_000 - n - geoid.UNDULATION_ERROR_M + 1e-9
    assert span.high_m > 1_000 - n + geoid.UNDULATION_ERROR_M - 1e-9
    assert span.high_m - span.low_m < 2 * geoid.UNDULATION_ERROR_M + 5.0
