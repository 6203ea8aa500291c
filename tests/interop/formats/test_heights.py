"""Heights in and out of the formats: metres and feet AMSL are read exactly; a flight level,
a height above ground or above the ellipsoid is refused, never read as metres AMSL; the
ellipsoid interval written for F3548 always holds the band."""

from __future__ import annotations

import pytest
from _hypothesis import examples
from hypothesis import given, settings
from hypothesis import strategies as st

from sharedsky.geo.geoid import UNDULATION_ERROR_M, undulation_m
from sharedsky.interop.formats.heights import (
    Height,
    HeightError,
    band_fields,
    band_from,
    band_text,
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
    lon=st.floats(-10.0, 60.0),
    lat=st.floats(-60.0, 60.0),
    u=st.floats(0.0, 1.0),
    v=st.floats(0.0, 1.0),
)
def test_the_ellipsoid_interval_holds_the_band_wherever_it_lies_in_its_box(
    lower: float, thickness: float, lon: float, lat: float, u: float, v: float
) -> None:
    """Over a box half a degree wide, the W84 interval holds the band at every point of the
    box, the geoid model's error bound included."""
    upper = lower + thickness
    box = (lon, lat, lon + 0.5, lat + 0.5)
    low, high = w84_interval(v1.Altitude(lower_m=lower, upper_m=upper), box)
    n = float(undulation_m(lat + 0.5 * v, lon + 0.5 * u))
    assert low <= lower + n - UNDULATION_ERROR_M
    assert upper + n + UNDULATION_ERROR_M <= high


def test_a_band_filed_on_its_datums_is_written_as_filed_beside_its_amsl_interval() -> None:
    filed = v1.FiledAltitude(
        lower=v1.HeightLimit(value=100, unit="FL", reference="STD"),
        upper=v1.HeightLimit(value=12000, unit="ft", reference="AMSL"),
        amsl_m=v1.Altitude(lower_m=2800.0, upper_m=3800.0),
    )
    assert band_text(filed) == "FL100–12000 ft AMSL"
    assert band_fields(filed)["amsl_m"] == {"lower_m": 2800.0, "upper_m": 3800.0}
    assert band_text(v1.Altitude(lower_m=300.0, upper_m=900.0)) == "300–900 m AMSL"
