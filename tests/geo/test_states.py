"""`States`, the one type of the states of moving aircraft: what it refuses when it is made,
naming the column, and what it keeps."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest

from sharedsky.geo.distance import geodesic_destination
from sharedsky.geo.states import (
    COLUMNS,
    STATE_BOUNDS,
    Bounds,
    StateError,
    States,
    frozen_column,
)


def two_states() -> States:
    return States(
        lat_deg=[34.0, 34.1],
        lon_deg=[36.0, 36.0],
        alt_m=[5000.0, 5000.0],
        gs_mps=[200.0, 200.0],
        trk_deg=[90.0, 90.0],
        vs_mps=[0.0, 0.0],
    )


def test_columns_are_kept_as_one_dimensional_float_arrays_that_refuse_writes() -> None:
    states = two_states()
    assert len(states) == 2
    for name in COLUMNS:
        column = getattr(states, name)
        assert isinstance(column, np.ndarray)
        assert column.dtype == np.float64
        assert column.shape == (2,)
        assert not column.flags.writeable
    assert states.lat_deg.tolist() == [34.0, 34.1]


def test_a_callers_array_is_copied_and_a_sealed_one_is_shared() -> None:
    """A writeable (or borrowed) array could change behind the check: it is copied. A
    read-only array that owns its memory, such as another `States`' column, is kept."""
    lat = np.array([34.0, 34.1])
    states = dataclasses.replace(two_states(), lat_deg=lat)
    lat[1] = 91.0
    assert states.lat_deg.tolist() == [34.0, 34.1]
    view = np.array([[34.0, 34.1]])[0]
    view.flags.writeable = False
    assert dataclasses.replace(two_states(), lat_deg=view).lat_deg is not view
    again = States(*(getattr(states, name) for name in COLUMNS))
    assert all(getattr(again, name) is getattr(states, name) for name in COLUMNS)
    built = [1.0, 2.0]
    column = frozen_column(built)
    built[0] = 9.0
    assert column.tolist() == [1.0, 2.0] and not column.flags.writeable
    assert States(column, column, column, column, column, column).gs_mps is column


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"alt_m": [5000.0]}, r"alt_m has shape \(1,\), expected \(2,\)"),
        ({"vs_mps": [[0.0, 0.0]]}, r"vs_mps has shape \(1, 2\), expected \(2,\)"),
        ({"lat_deg": [[34.0, 34.1]]}, r"lat_deg has shape \(1, 2\), expected one dimension"),
        # an empty first column sets the length: the next must be empty too
        ({"lat_deg": []}, r"lon_deg has shape \(2,\), expected \(0,\)"),
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
        dataclasses.replace(two_states(), **change)


def test_the_edges_of_every_range_are_accepted() -> None:
    """The poles, the antimeridian from both sides, a standing aircraft, any track angle."""
    edges = dataclasses.replace(
        two_states(),
        lat_deg=[90.0, -90.0],
        lon_deg=[180.0, -180.0],
        gs_mps=[0.0, 0.0],
        trk_deg=[-720.0, 1e6],
    )
    assert edges.lat_deg.tolist() == [90.0, -90.0]
    assert len(States([], [], [], [], [], [])) == 0


def test_the_error_says_which_column_row_value_and_bounds() -> None:
    with pytest.raises(StateError) as caught:
        dataclasses.replace(two_states(), lon_deg=[36.0, 181.0], alt_m=[np.nan, 0.0])
    error = caught.value
    assert (error.column, error.row, error.value) == ("lon_deg", 1, 181.0)
    assert error.bounds == STATE_BOUNDS["lon_deg"]
    with pytest.raises(StateError) as caught:
        dataclasses.replace(two_states(), alt_m=[5000.0])
    assert (caught.value.column, caught.value.row) == ("alt_m", None)


def test_a_callers_limits_narrow_the_rule_and_name_the_first_column_that_breaks_either() -> None:
    """Columns in the order of COLUMNS, in a column its first bad row; the bounds reported
    are the rule's and the limits' together."""
    limits = {"alt_m": Bounds(-500.0, 30_000.0), "trk_deg": Bounds(0.0, 360.0, closed=False)}
    base = two_states()
    assert len(States(*(getattr(base, n) for n in COLUMNS), limits=limits)) == 2
    with pytest.raises(StateError, match=r"^trk_deg outside \[0, 360\)$") as caught:
        dataclasses.replace(base, trk_deg=[90.0, 360.0], limits=limits)
    assert caught.value.column == "trk_deg"
    with pytest.raises(StateError) as caught:
        dataclasses.replace(base, alt_m=[5000.0, 30_001.0], gs_mps=[-1.0, 0.0], limits=limits)
    assert (caught.value.column, caught.value.row) == ("alt_m", 1)
    assert caught.value.bounds == Bounds(-500.0, 30_000.0)
    floor = {"alt_m": Bounds(10.0)}
    with pytest.raises(StateError, match=r"^alt_m is below 10$"):
        dataclasses.replace(base, alt_m=[5000.0, 5.0], limits=floor)
    gs = {"gs_mps": Bounds(highest=1000.0)}
    with pytest.raises(StateError, match=r"^gs_mps outside \[0, 1000\]$") as caught:
        dataclasses.replace(base, gs_mps=[1000.5, 0.0], limits=gs)
    assert caught.value.bounds == Bounds(0.0, 1000.0)


def test_bounds_together_allow_what_both_allow() -> None:
    assert Bounds(0.0) & Bounds(highest=10.0) == Bounds(0.0, 10.0)
    assert Bounds(0.0, 10.0) & Bounds(-5.0, 10.0, closed=False) == Bounds(0.0, 10.0, closed=False)
    assert Bounds(0.0, 5.0, closed=False) & Bounds(1.0, 10.0) == Bounds(1.0, 5.0, closed=False)
    assert str(Bounds(-90.0, 90.0)) == "[-90, 90]"
    values = np.array([-1.0, 0.0, 9.99, 10.0, math.nan, math.inf])
    assert Bounds(0.0, 10.0, closed=False).inside(values).tolist() == [
        False,
        True,
        True,
        False,
        False,
        False,
    ]
    assert Bounds(0.0, 10.0).inside(values).tolist()[2:4] == [True, True]
    assert Bounds().inside(values).tolist() == [True] * 4 + [False, False]
    assert Bounds().inside(np.array([-math.inf, math.nan])).tolist() == [False, False]
    assert Bounds(0.0).inside(np.array([0.0, -0.1, math.inf])).tolist() == [True, False, False]


def test_a_subset_is_taken_by_rows_or_by_a_mask() -> None:
    states = States(
        [1.0, 2.0, 3.0], [4.0, 5.0, 6.0], [7.0, 8.0, 9.0], [1.0] * 3, [0.0] * 3, [0.0] * 3
    )
    by_rows = states.take(np.array([2, 0]))
    assert by_rows.lat_deg.tolist() == [3.0, 1.0] and by_rows.alt_m.tolist() == [9.0, 7.0]
    by_mask = states.take(np.array([False, True, False]))
    assert by_mask.lon_deg.tolist() == [5.0] and not by_mask.lon_deg.flags.writeable


def test_moved_states_fly_their_geodesics_and_climb() -> None:
    states = States(
        [34.0, 0.0], [36.0, 179.9], [5000.0, 100.0], [200.0, 0.0], [45.0, 90.0], [5.0, -2.0]
    )
    later = states.moved(np.array([60.0, 10.0]))
    lon, lat = geodesic_destination(36.0, 34.0, 45.0, 12_000.0)
    assert later.lon_deg[0] == pytest.approx(float(lon), abs=1e-12)
    assert later.lat_deg[0] == pytest.approx(float(lat), abs=1e-12)
    assert later.alt_m.tolist() == [5300.0, 80.0]
    assert (later.lat_deg[1], later.lon_deg[1]) == (0.0, pytest.approx(179.9))
    assert later.gs_mps is states.gs_mps and later.trk_deg is states.trk_deg
