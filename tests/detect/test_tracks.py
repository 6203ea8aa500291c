"""The engines' one input, `TrackColumns`: what it refuses when it is made, naming the column."""

from __future__ import annotations

import dataclasses
import re

import numpy as np
import pytest

from sharedsky.detect.tracks import TrackColumns, check_positive


def two_tracks() -> TrackColumns:
    return TrackColumns(
        party=[0, 1],
        lat_deg=[34.0, 34.1],
        lon_deg=[36.0, 36.0],
        alt_m=[5000.0, 5000.0],
        gs_mps=[200.0, 200.0],
        trk_deg=[90.0, 90.0],
        vs_mps=[0.0, 0.0],
    )


def test_columns_are_kept_as_one_dimensional_float_and_integer_arrays() -> None:
    tracks = two_tracks()
    assert len(tracks) == 2
    assert tracks.party.dtype == np.int64
    for name in ("lat_deg", "lon_deg", "alt_m", "gs_mps", "trk_deg", "vs_mps"):
        column = getattr(tracks, name)
        assert isinstance(column, np.ndarray)
        assert column.dtype == np.float64
        assert column.shape == (2,)
    assert tracks.lat_deg.tolist() == [34.0, 34.1]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"alt_m": [5000.0]}, r"alt_m has shape \(1,\), expected \(2,\)"),
        ({"vs_mps": [[0.0, 0.0]]}, r"vs_mps has shape \(1, 2\), expected \(2,\)"),
        ({"party": [[0, 1]]}, r"party has shape \(1, 2\), expected one dimension"),
        ({"alt_m": np.array([5000.0, None], dtype=object)}, "alt_m holds a NaN or infinite value"),
        ({"lat_deg": [np.nan, 34.0]}, "lat_deg holds a NaN or infinite value"),
        ({"trk_deg": [90.0, np.inf]}, "trk_deg holds a NaN or infinite value"),
        ({"gs_mps": [-np.inf, 1.0]}, "gs_mps holds a NaN or infinite value"),
        ({"lat_deg": [34.0, -90.5]}, r"lat_deg outside \[-90, 90\]"),
        ({"lat_deg": [90.000001, 0.0]}, r"lat_deg outside \[-90, 90\]"),
        ({"lon_deg": [180.5, 0.0]}, r"lon_deg outside \[-180, 180\]"),
        ({"lon_deg": [0.0, -180.000001]}, r"lon_deg outside \[-180, 180\]"),
        ({"gs_mps": [200.0, -0.5]}, "gs_mps is negative"),
    ],
)
def test_bad_columns_are_refused_naming_the_column(change: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=f"^{message}$"):
        dataclasses.replace(two_tracks(), **change)


def test_the_edges_of_every_range_are_accepted() -> None:
    """The poles, the antimeridian from both sides, a standing aircraft, any track angle."""
    edges = dataclasses.replace(
        two_tracks(),
        lat_deg=[90.0, -90.0],
        lon_deg=[180.0, -180.0],
        gs_mps=[0.0, 0.0],
        trk_deg=[-720.0, 1e6],
    )
    assert edges.lat_deg.tolist() == [90.0, -90.0]
    assert len(TrackColumns([], [], [], [], [], [], [])) == 0


@pytest.mark.parametrize("value", [0.0, -1.0, np.nan, np.inf, -np.inf])
def test_a_minimum_or_look_ahead_must_be_positive_and_finite(value: float) -> None:
    message = f"lateral_m must be a positive finite number, not {value!r}"
    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        check_positive(value, "lateral_m")
    check_positive(1e-9, "lateral_m")
