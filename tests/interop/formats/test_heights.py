"""Heights in and out of the formats: metres and feet AMSL are read exactly; a flight level,
a height above ground or above the ellipsoid is refused, never read as metres AMSL; the
ellipsoid interval written for F3548 always holds the band."""

from __future__ import annotations

import pytest
from _hypothesis import examples
from hypothesis import given, settings
from hypothesis import strategies as st

from sharedsky.interop.formats.heights import (
    EGM96_MAX_M,
    EGM96_MIN_M,
    Height,
    HeightError,
    band_fields,
    band_from,
    height_option,
    w84_interval,
)
from sharedsky.wire import v1


def test_metres_and_feet_above_mean_sea_level_become_the_wire_band() -> None:
    band = band_from(Height(100, "m", "AMSL"), Height(10000, "ft", "MSL"))
    assert band == {"lower_m": 100.0, "upper_m": pytest.approx(3048.0)}


@pytest.mark.parametrize(
    ("height", "reason"),
    [
        (Height(100, "FL", "STD"), "height reference STD (a flight level) is not supported yet"),
        (Height(100, "ft", "STD"), "height reference STD (a flight level) is not supported yet"),
        (Height(100, "m", "AGL"), "height reference AGL is not supported yet"),
        (Height(100, "m", "W84"), "height reference W84 is not supported yet"),
        (Height(100, "m", "WGS84"), "height reference W84 is not supported yet"),
        (Height(100, "yd", "AMSL"), "height unit 'yd' is not one of m, ft, FL"),
        (Height(float("nan"), "m", "AMSL"), "is not a finite number"),
    ],
)
def test_other_references_are_refused_naming_the_limit(height: Height, reason: str) -> None:
    with pytest.raises(HeightError, match=r"^upper limit: ") as refused:
        band_from(Height(0, "m", "AMSL"), height)
    assert reason in str(refused.value)


def test_an_option_reads_metres_feet_and_flight_levels_as_given() -> None:
    assert height_option("3000") == Height(3000.0, "m", "AMSL")
    assert height_option("9000ft") == Height(9000.0, "ft", "AMSL")
    assert height_option("FL120") == Height(120.0, "FL", "STD")
    with pytest.raises(HeightError):
        height_option("high")


def test_a_band_is_written_as_filed_and_as_an_amsl_interval() -> None:
    fields = band_fields(v1.Altitude(lower_m=300.0, upper_m=900.0))
    assert fields == {
        "altitude": {"lower_m": 300.0, "upper_m": 900.0},
        "amsl_m": {"lower_m": 300.0, "upper_m": 900.0},
    }


@settings(max_examples=examples(50))
@given(
    lower=st.floats(-400, 20_000),
    thickness=st.floats(0, 20_000),
    undulation=st.floats(EGM96_MIN_M, EGM96_MAX_M),
)
def test_the_ellipsoid_interval_holds_the_band_for_any_geoid_undulation(
    lower: float, thickness: float, undulation: float
) -> None:
    upper = lower + thickness
    low, high = w84_interval(v1.Altitude(lower_m=lower, upper_m=upper), 36.0, 34.0)
    assert low <= lower + undulation <= upper + undulation <= high
