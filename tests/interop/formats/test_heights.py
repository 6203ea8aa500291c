"""Heights in and out of the formats: every height is kept as filed (its unit and reference),
never read as metres AMSL; what is no height is refused naming the limit; the ellipsoid interval
written for F3548 always holds the band, and a limit filed on the ellipsoid is written as filed."""

from __future__ import annotations

import pytest
from _hypothesis import examples
from hypothesis import given, settings
from hypothesis import strategies as st

from sharedsky.geo.geoid import UNDULATION_ERROR_M, undulation_m
from sharedsky.interop.formats.heights import (
    SFC,
    UNL,
    FileLimit,
    Height,
    HeightError,
    band_fields,
    band_from,
    band_text,
    height_option,
    limit_from,
    w84_interval,
)
from sharedsky.wire import v1


def test_metres_above_mean_sea_level_are_the_plain_band() -> None:
    band = band_from(Height(100, "m", "AMSL"), Height(3000, "M", "msl"))
    assert band == {"lower_m": 100.0, "upper_m": 3000.0}


@pytest.mark.parametrize(
    ("height", "limit"),
    [
        (Height(10000, "ft", "MSL"), {"value": 10000, "unit": "ft", "reference": "AMSL"}),
        (Height(120, "fl", ""), {"value": 120, "unit": "FL", "reference": "STD"}),
        (Height(12000, "FT", "std"), {"value": 120, "unit": "FL", "reference": "STD"}),
        (Height(500, "ft", "AGL"), {"value": 500, "unit": "ft", "reference": "AGL"}),
        (Height(100, "m", "WGS84"), {"value": 100, "unit": "m", "reference": "W84"}),
        (Height(100, "m", ""), {"value": 100, "unit": "m", "reference": "AMSL"}),
        (UNL, {"special": "UNL"}),
    ],
)
def test_every_height_is_kept_as_filed(height: FileLimit, limit: dict[str, object]) -> None:
    """Never converted to metres AMSL: the unit and reference stay (feet on STD are the
    flight level they name)."""
    assert band_from(SFC, height) == {"lower": {"special": "SFC"}, "upper": limit}
    assert limit_from(height) == pytest.approx(limit)


@pytest.mark.parametrize(
    ("height", "reason"),
    [
        (Height(100, "FL", "AMSL"), "a flight level is on the standard setting (STD), not AMSL"),
        (Height(100, "m", "QFE"), "height reference 'QFE' is not one of AMSL, AGL, W84"),
        (Height(100, "yd", "AMSL"), "height unit 'yd' is not one of m, ft, FL"),
        (Height(float("nan"), "m", "AMSL"), "is not a finite number"),
    ],
)
def test_what_is_no_height_is_refused_naming_the_limit(height: Height, reason: str) -> None:
    with pytest.raises(HeightError, match=r"^upper limit: ") as refused:
        band_from(Height(0, "m", "AMSL"), height)
    assert reason in str(refused.value)


def test_an_option_reads_heights_on_their_references_and_named_limits_as_given() -> None:
    assert height_option("3000") == Height(3000.0, "m", "AMSL")
    assert height_option("9000ft") == Height(9000.0, "ft", "AMSL")
    assert height_option("FL120") == Height(120.0, "FL", "STD")
    assert height_option("500ftAGL") == Height(500.0, "ft", "AGL")
    assert height_option("1200 m w84") == Height(1200.0, "m", "W84")
    assert (height_option("sfc"), height_option("UNL")) == (SFC, UNL)
    for text in ("high", "FL", "500 AGL ft"):
        with pytest.raises(HeightError):
            height_option(text)


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
    # a level as filed, never rounded (the CLI and every format say limits the same way)
    halves = v1.FiledAltitude(
        lower=v1.HeightLimit(value=95.5, unit="FL"), upper=v1.SpecialLimit(special="UNL")
    )
    assert band_text(halves) == "FL95.5–UNL"


def test_a_limit_filed_on_the_ellipsoid_is_its_own_ellipsoid_height() -> None:
    """Only the other limit is widened by the geoid: the W84 one is exact on its datum."""
    filed = v1.FiledAltitude(
        lower=v1.HeightLimit(value=1000, unit="ft", reference="W84"),
        upper=v1.HeightLimit(value=120, unit="FL", reference="STD"),
        amsl_m=v1.Altitude(lower_m=280.0, upper_m=3800.0),
    )
    low, high = w84_interval(filed, (36.0, 34.0, 36.5, 34.5))
    assert low == pytest.approx(304.8)
    assert high >= 3800.0 + float(undulation_m(34.25, 36.25)) + UNDULATION_ERROR_M
