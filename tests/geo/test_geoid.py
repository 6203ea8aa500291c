"""The geoid undulation: EGM2008's 2.5' grid, bilinear, against published EGM96 values."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sharedsky.geo.geoid import GLOBAL_RANGE_M, UNDULATION_ERROR_M, undulation_m, undulation_range_m
from tests._hypothesis import examples

# NGA's published check points of the EGM96 geoid (the test output of its interpolation
# program, INTPT.DAT → OUTINTPT.DAT): latitude, longitude (degrees), N (metres).
EGM96_CHECKS = [
    (38.6281550, 269.7791550, -31.628),
    (-14.6212170, 305.0211140, -2.969),
    (46.8743190, 102.4487290, -43.575),
    (-23.6174460, 133.8747120, 15.871),
    (38.6254730, 359.9995000, 50.066),
    (-0.4667440, 0.0023000, 17.329),
]


@pytest.mark.parametrize(("lat", "lon", "n_m"), EGM96_CHECKS)
def test_the_undulation_is_within_its_stated_bound_of_egm96(
    lat: float, lon: float, n_m: float
) -> None:
    """The stated bound holds at NGA's EGM96 check points, and EGM2008 is in fact within a
    metre of EGM96 there (the bound is mostly the model difference elsewhere)."""
    got = float(undulation_m(lat, lon))
    assert abs(got - n_m) <= UNDULATION_ERROR_M
    assert abs(got - n_m) < 1.0


def test_longitudes_are_taken_modulo_360_and_arrays_keep_their_shape() -> None:
    lat = np.array([[0.0, 31.5], [-33.9, 89.99]])
    lon = np.array([[-180.0, 35.2], [18.4, 10.0]])
    assert undulation_m(lat, lon).shape == (2, 2)
    assert np.allclose(undulation_m(lat, lon), undulation_m(lat, lon + 360.0), atol=1e-9)
    assert float(undulation_m(10.0, 180.0)) == pytest.approx(float(undulation_m(10.0, -180.0)))


def test_a_latitude_beyond_the_pole_is_refused() -> None:
    with pytest.raises(ValueError, match="latitudes"):
        undulation_m(91.0, 0.0)


def test_the_undulation_is_continuous_across_the_grid_and_chunk_seams() -> None:
    """A step of 1e-7 degrees changes N by far less than a millimetre, also where the grid
    wraps (0°E) and where its storage chunks meet (60°N, 120°E)."""
    for lat, lon in [(10.0, 0.0), (60.0, 45.0), (-30.0, 120.0), (60.0, 120.0)]:
        here = undulation_m([lat - 1e-7, lat + 1e-7], [lon - 1e-7, lon + 1e-7])
        assert abs(here[0] - here[1]) < 1e-3


boxes = st.tuples(
    st.floats(-179.0, 179.0), st.floats(-85.0, 84.0), st.floats(0.001, 3.0), st.floats(0.001, 3.0)
)


@settings(max_examples=examples(40))
@given(boxes, st.lists(st.tuples(st.floats(0, 1), st.floats(0, 1)), min_size=1, max_size=20))
def test_the_range_of_a_box_holds_every_undulation_in_it(
    box: tuple[float, float, float, float], spots: list[tuple[float, float]]
) -> None:
    lon0, lat0, width, height = box
    low, high = undulation_range_m(lon0, lat0, lon0 + width, lat0 + height)
    lon = np.array([lon0 + u * width for u, _ in spots])
    lat = np.array([lat0 + v * height for _, v in spots])
    values = undulation_m(lat, lon)
    assert np.all(values >= low - 1e-9) and np.all(values <= high + 1e-9)
    assert GLOBAL_RANGE_M[0] <= low <= high <= GLOBAL_RANGE_M[1]


def test_a_box_across_the_antimeridian_takes_both_sides() -> None:
    low, high = undulation_range_m(179.5, -17.0, 180.5, -16.0)
    values = undulation_m([-16.5, -16.5], [179.9, -179.9])
    assert low <= values.min() and values.max() <= high


def test_the_whole_globe_spans_the_global_range() -> None:
    low, high = undulation_range_m(-180.0, -90.0, 180.0, 90.0)
    assert low == pytest.approx(-106.9, abs=0.1)
    assert high == pytest.approx(85.8, abs=0.1)
