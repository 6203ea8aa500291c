"""The pure parts of resolution advice: moving and cutting volumes, step sets, free stretches,
option ids."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from itertools import pairwise

import pytest
from _hypothesis import examples
from hypothesis import given, settings
from hypothesis import strategies as st

from sharedsky.domain.heights import FiledBand, Height, HeightUnit, Reference, Special
from sharedsky.domain.resolutions import (
    STEP_M,
    OptionKind,
    below_ground,
    clashing_steps,
    clipped,
    covered_s,
    first_free_step,
    free_stretches,
    movable,
    moved_band,
    option_id,
    option_version,
    shifted,
    step_delta_m,
    whole_minutes,
)
from sharedsky.domain.volumes import AltitudeBand, TimeWindow, Volume4D
from sharedsky.geo.outlines import CircleOutline

T0 = datetime(2026, 11, 24, 15, 0, tzinfo=UTC)
HERE = CircleOutline((35.0, 33.0), 10_000.0)
MINUTE_US = 60_000_000


def vol(start_min: int, end_min: int, band: AltitudeBand | None = None) -> Volume4D:
    window = TimeWindow(T0 + timedelta(minutes=start_min), T0 + timedelta(minutes=end_min))
    return Volume4D(HERE, band or AltitudeBand(3000.0, 9000.0), window)


def filed(lower: Height | Special, upper: Height | Special) -> AltitudeBand:
    return AltitudeBand.as_filed(FiledBand(lower, upper))


def test_a_band_in_metres_moves_by_30_48_m_a_step_rounded_to_the_micrometre() -> None:
    moved = moved_band(AltitudeBand(3000.0, 9000.0), 3)
    assert (moved.lower_m, moved.upper_m, moved.filed) == (3091.44, 9091.44, None)
    assert moved_band(AltitudeBand(3000.0, 9000.0), -2).lower_m == 2939.04


def test_each_limit_moves_in_its_own_unit_and_keeps_its_reference() -> None:
    band = filed(
        Height(120, HeightUnit.FL, Reference.STD), Height(9500, HeightUnit.FT, Reference.AGL)
    )
    moved = moved_band(band, 2).filed
    assert moved == FiledBand(
        Height(122, HeightUnit.FL, Reference.STD), Height(9700, HeightUnit.FT, Reference.AGL)
    )
    metres = moved_band(
        filed(Height(100, HeightUnit.M, Reference.W84), Height(400, HeightUnit.M, Reference.W84)),
        -1,
    )
    assert metres.filed == FiledBand(
        Height(69.52, HeightUnit.M, Reference.W84), Height(369.52, HeightUnit.M, Reference.W84)
    )
    assert step_delta_m(207) == 6309.36 and step_delta_m(-1) == -STEP_M


def test_a_band_from_the_surface_or_unlimited_cannot_move() -> None:
    sfc = filed(Special.SFC, Height(500, HeightUnit.FT, Reference.AGL))
    unl = filed(Height(100, HeightUnit.FL, Reference.STD), Special.UNL)
    assert not movable(sfc) and not movable(unl)
    assert movable(AltitudeBand(0.0, 10.0))
    with pytest.raises(ValueError):
        moved_band(sfc, 1)


def test_a_negative_height_above_ground_is_below_it() -> None:
    agl = filed(
        Height(100, HeightUnit.FT, Reference.AGL), Height(900, HeightUnit.FT, Reference.AGL)
    )
    assert not below_ground(agl) and below_ground(moved_band(agl, -2))
    assert not below_ground(moved_band(AltitudeBand(10.0, 100.0), -5))  # AMSL may be negative


def test_a_shift_moves_every_window_and_a_cut_drops_what_is_left_empty() -> None:
    volumes = (vol(0, 60), vol(90, 120))
    later = shifted(volumes, 600)
    assert [v.time.start for v in later] == [
        T0 + timedelta(minutes=10),
        T0 + timedelta(minutes=100),
    ]
    kept = clipped(volumes, TimeWindow(T0 + timedelta(minutes=30), T0 + timedelta(minutes=90)))
    assert [(v.time.start, v.time.end) for v in kept] == [
        (T0 + timedelta(minutes=30), T0 + timedelta(minutes=60))
    ]
    assert covered_s(volumes, T0, T0 + timedelta(minutes=120)) == 90 * 60
    assert covered_s(volumes, T0 + timedelta(minutes=50), T0 + timedelta(minutes=100)) == 20 * 60


def test_an_option_id_names_its_version_and_is_stable() -> None:
    one = option_id("ntc-1", 3, OptionKind.CLIMB, "304.8")
    assert one == option_id("ntc-1", 3, OptionKind.CLIMB, "304.8")
    assert one != option_id("ntc-1", 4, OptionKind.CLIMB, "304.8")
    assert one != option_id("ntc-1", 3, OptionKind.DESCEND, "304.8")
    assert option_version(one) == 3
    assert option_version("nonsense") is None and option_version("v3-xyz") is None


def test_whole_minutes_keep_the_windows_own_ends() -> None:
    window = (7 * MINUTE_US + 5, 20 * MINUTE_US + 3)
    assert whole_minutes(window, window) == window
    assert whole_minutes((8 * MINUTE_US + 1, 11 * MINUTE_US - 1), window) == (
        9 * MINUTE_US,
        10 * MINUTE_US,
    )


@settings(max_examples=examples(60))
@given(
    st.integers(-50, 50),
    st.integers(-50, 50),
    st.integers(-30, 30),
    st.integers(1, 30),
    st.integers(1, 20),
)
def test_clashing_steps_are_exactly_the_steps_that_clash(
    other_lo: int, length: int, own_lo: int, own_length: int, minimum: int
) -> None:
    """A moved interval [own_lo + k, own_lo + own_length + k] against a fixed one: the steps
    found by bisection are those a plain loop finds, gap < minimum."""
    other_hi = other_lo + abs(length)

    def above(k: int) -> float:
        return other_lo - (own_lo + own_length + k)

    def below(k: int) -> float:
        return (own_lo + k) - other_hi

    expected = [k for k in range(-100, 101) if max(0.0, above(k), below(k)) < minimum]
    found = clashing_steps(above, below, float(minimum), -100, 100)
    if not expected:
        assert found is None
    else:
        assert found == (expected[0], expected[-1])
        assert expected == list(range(expected[0], expected[-1] + 1))


def test_no_minimum_means_no_clash() -> None:
    assert clashing_steps(lambda k: 0.0, lambda k: 0.0, 0.0, -5, 5) is None


@settings(max_examples=examples(60))
@given(
    st.lists(st.tuples(st.integers(-40, 40), st.integers(0, 10)), max_size=8),
    st.sampled_from([1, -1]),
    st.integers(1, 40),
)
def test_the_first_free_step_is_the_least_step_in_no_blocked_interval(
    spans: list[tuple[int, int]], direction: int, limit: int
) -> None:
    blocked = [(lo, lo + width) for lo, width in spans]
    free = [
        n for n in range(1, limit + 1) if not any(lo <= direction * n <= hi for lo, hi in blocked)
    ]
    assert first_free_step(blocked, direction, limit) == (free[0] if free else None)


@settings(max_examples=examples(60))
@given(st.lists(st.tuples(st.integers(0, 60), st.integers(1, 15)), max_size=6))
def test_free_stretches_are_what_no_blocked_interval_meets(spans: list[tuple[int, int]]) -> None:
    """Every half-unit piece of [10, 50] lies in a stretch iff no blocked interval meets it;
    the stretches are in order and apart."""
    blocked = [(lo, lo + width) for lo, width in spans]
    stretches = free_stretches(blocked, 10, 50)
    for twice in range(20, 100):
        lo, hi = twice / 2, twice / 2 + 0.5
        free = not any(b_lo < hi and b_hi > lo for b_lo, b_hi in blocked)
        inside = any(s_lo <= lo and hi <= s_hi for s_lo, s_hi in stretches)
        assert free == inside, (lo, hi)
    assert all(a < b for a, b in stretches)
    assert all(b1 < a2 for (_, b1), (a2, _) in pairwise(stretches))
