"""The engines' one input, `TrackColumns` (party codes and `States`): what it refuses when it
is made, naming the column (the states' own rule: tests/geo/test_states.py)."""

from __future__ import annotations

import dataclasses
import re

import numpy as np
import pytest

from sharedsky.detect.tracks import TrackColumns, check_positive
from sharedsky.geo.states import States


def two_tracks() -> TrackColumns:
    return TrackColumns(
        party=[0, 1],
        states=States(
            lat_deg=[34.0, 34.1],
            lon_deg=[36.0, 36.0],
            alt_m=[5000.0, 5000.0],
            gs_mps=[200.0, 200.0],
            trk_deg=[90.0, 90.0],
            vs_mps=[0.0, 0.0],
        ),
    )


def test_party_is_kept_as_a_one_dimensional_integer_array_that_refuses_writes() -> None:
    party = [0, 1]
    tracks = dataclasses.replace(two_tracks(), party=party)
    party[1] = 0
    assert len(tracks) == 2
    assert tracks.party.dtype == np.int64
    assert tracks.party.tolist() == [0, 1]
    assert not tracks.party.flags.writeable


@pytest.mark.parametrize(
    ("party", "message"),
    [
        ([[0, 1]], r"party has shape \(1, 2\), expected one dimension"),
        ([0, 1, 2], r"party has shape \(3,\), expected \(2,\)"),
        ([0], r"party has shape \(1,\), expected \(2,\)"),
    ],
)
def test_a_party_code_per_track_or_the_tracks_are_refused(party: object, message: str) -> None:
    with pytest.raises(ValueError, match=f"^{message}$"):
        dataclasses.replace(two_tracks(), party=party)


def test_no_tracks_are_tracks() -> None:
    assert len(TrackColumns([], States([], [], [], [], [], []))) == 0


@pytest.mark.parametrize("value", [0.0, -1.0, np.nan, np.inf, -np.inf])
def test_a_minimum_or_look_ahead_must_be_positive_and_finite(value: float) -> None:
    message = f"lateral_m must be a positive finite number, not {value!r}"
    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        check_positive(value, "lateral_m")
    check_positive(1e-9, "lateral_m")
