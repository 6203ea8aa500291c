"""Tactical CPA: encounter geometries (Hypothesis), edge cases and thresholds.

Each encounter places aircraft A at a random point and heading, and B relative to A in A's
own terms (ahead / abeam distances along geodesics); the engine must agree with the geodesic
reference (`tactical_reference`) and with what the geometry says::

    head-on        A →      ← B        crossing    A →   ↑ B
    overtaking     A →→   B →          parallel    A →
                                                   B →   (abeam)
    climb-through  A ─── level,  B ↗ through A's altitude
    diverging      ← A    B →          stationary  A ·   B ·
"""

from __future__ import annotations

import dataclasses
import math
import re

import numpy as np
import pytest
from _hypothesis import examples
from detect.tactical_reference import reference_columns, reference_conflicts
from hypothesis import given, settings
from hypothesis import strategies as st

from sharedsky.detect.pruning import PruneStats
from sharedsky.detect.tactical import CpaHits, detect_conflicts, tactical_candidates
from sharedsky.detect.tracks import TrackColumns
from sharedsky.geo.distance import WGS84, geodesic_azimuth_deg
from sharedsky.geo.states import States

LATERAL_M = 9_260.0
VERTICAL_M = 304.8
LOOKAHEAD_S = 300.0
TOL_M = 0.5
"""Engine and reference may differ this much near the lateral minimum (measured: < 1 cm)."""


def columns(*tracks: tuple[float, ...]) -> TrackColumns:
    """Tracks given as (party, lat, lon, alt_m, gs_mps, trk_deg, vs_mps)."""
    a = np.array(tracks, dtype=np.float64).reshape(-1, 7)
    return TrackColumns(a[:, 0].astype(np.int64), States(*(a[:, k] for k in range(1, 7))))


def placed(
    lat: float, lon: float, trk: float, ahead_m: float, right_m: float
) -> tuple[float, float]:
    """(lat, lon) reached by going ahead_m along trk, then right_m at a right angle there."""
    lon1, lat1, back = WGS84.fwd(lon, lat, trk, ahead_m)
    lon2, lat2, _ = WGS84.fwd(lon1, lat1, back + 180.0 + 90.0, right_m)
    return float(lat2), float(lon2)


def toward(frm: tuple[float, float], to: tuple[float, float]) -> float:
    """Track angle (degrees) at frm = (lat, lon) of the geodesic to `to`."""
    return float(geodesic_azimuth_deg(frm[1], frm[0], to[1], to[0])) % 360.0


def as_set(hits: CpaHits) -> set[tuple[int, int]]:
    return set(zip(hits.i.tolist(), hits.j.tolist(), strict=True))


def reference_set(tracks: TrackColumns, lateral_m: float = LATERAL_M) -> set[tuple[int, int]]:
    hits = reference_conflicts(
        *reference_columns(tracks),
        lateral_m=lateral_m,
    )
    return {(h.i, h.j) for h in hits}


def assert_agrees_with_reference(tracks: TrackColumns) -> CpaHits:
    """Engine ⊇ reference at L − TOL_M and engine ⊆ reference at L + TOL_M."""
    hits = detect_conflicts(tracks)
    found = as_set(hits)
    assert reference_set(tracks, LATERAL_M - TOL_M) <= found
    assert found <= reference_set(tracks, LATERAL_M + TOL_M)
    return hits


anywhere = st.tuples(st.floats(-80.0, 80.0), st.floats(-180.0, 180.0), st.floats(0.0, 359.99))
speed = st.floats(60.0, 300.0)


@settings(max_examples=examples(60), deadline=None)
@given(anywhere, speed, speed, st.floats(0.0, 8_000.0), st.floats(0.1, 0.9))
def test_head_on_meets_at_the_offset(
    where: tuple[float, float, float], gs_a: float, gs_b: float, offset_m: float, when: float
) -> None:
    lat, lon, trk = where
    gap_m = when * LOOKAHEAD_S * (gs_a + gs_b)
    lat_b, lon_b = placed(lat, lon, trk, gap_m, offset_m)
    trk_b = toward((lat_b, lon_b), placed(lat, lon, trk, 0.0, offset_m))
    tracks = columns((0, lat, lon, 6000, gs_a, trk, 0), (1, lat_b, lon_b, 6100, gs_b, trk_b, 0))
    hits = assert_agrees_with_reference(tracks)
    assert len(hits) == 1
    assert hits.dcpa_m[0] == pytest.approx(offset_m, abs=5.0)
    assert hits.tcpa_s[0] == pytest.approx(gap_m / (gs_a + gs_b), rel=3e-3, abs=0.05)
    assert hits.dv_m[0] == pytest.approx(100.0)
    assert hits.t_in_s[0] < hits.tcpa_s[0] < hits.t_out_s[0]


@settings(max_examples=examples(60), deadline=None)
@given(anywhere, speed, st.floats(0.0, 20_000.0), st.floats(10_000.0, 60_000.0))
def test_crossing_at_right_angles_follows_the_geometry(
    where: tuple[float, float, float], gs: float, miss_m: float, gap_m: float
) -> None:
    lat, lon, trk = where
    # B starts gap_m right of A's path point gap_m + miss_m ahead, flies left; same speed.
    lat_b, lon_b = placed(lat, lon, trk, gap_m + miss_m, gap_m)
    trk_b = toward((lat_b, lon_b), placed(lat, lon, trk, gap_m + miss_m, 0.0))
    tracks = columns((0, lat, lon, 9000, gs, trk, 0), (1, lat_b, lon_b, 9000, gs, trk_b, 0))
    hits = assert_agrees_with_reference(tracks)
    closest_m = miss_m / math.sqrt(2.0)  # relative motion at 45° to the line joining them
    meets = closest_m < LATERAL_M - 50.0 and (gap_m + miss_m / 2) / gs < LOOKAHEAD_S - 60
    if meets:
        assert len(hits) == 1
        assert hits.dcpa_m[0] == pytest.approx(closest_m, abs=0.002 * gap_m + 5.0)
    if closest_m > LATERAL_M + 50.0:
        assert len(hits) == 0


@settings(max_examples=examples(60), deadline=None)
@given(anywhere, st.floats(60.0, 200.0), st.floats(5.0, 100.0), st.floats(0.0, 12_000.0))
def test_overtaking_and_parallel_keep_their_lateral_offset(
    where: tuple[float, float, float], gs: float, faster: float, abeam_m: float
) -> None:
    lat, lon, trk = where
    lat_b, lon_b = placed(lat, lon, trk, 3_000.0, abeam_m)
    trk_b = toward((lat_b, lon_b), placed(lat, lon, trk, 200_000.0, abeam_m))
    trk_a = toward((lat, lon), placed(lat, lon, trk, 200_000.0, 0.0))
    tracks = columns(
        (0, lat, lon, 3000, gs + faster, trk_a, 0), (1, lat_b, lon_b, 3000, gs, trk_b, 0)
    )
    hits = assert_agrees_with_reference(tracks)
    now_m = math.hypot(3_000.0, abeam_m)
    closest_m = math.hypot(max(3_000.0 - faster * LOOKAHEAD_S, 0.0), abeam_m)
    if closest_m < LATERAL_M - 100.0:
        assert len(hits) == 1
        assert hits.dcpa_m[0] == pytest.approx(closest_m, abs=20.0)
        if abs(now_m - LATERAL_M) > 100.0:
            assert (hits.t_in_s[0] == 0.0) == (now_m < LATERAL_M)
    elif closest_m > LATERAL_M + 100.0:
        assert len(hits) == 0
    parallel = columns((0, lat, lon, 3000, gs, trk_a, 0), (1, lat_b, lon_b, 3000, gs, trk_b, 0))
    hits = assert_agrees_with_reference(parallel)
    if abs(now_m - LATERAL_M) > 100.0:
        assert len(hits) == (1 if now_m < LATERAL_M else 0)


@settings(max_examples=examples(60), deadline=None)
@given(anywhere, st.floats(1.0, 30.0), st.floats(400.0, 3_000.0))
def test_climb_through_is_timed_by_the_altitudes_alone(
    where: tuple[float, float, float], vs: float, below_m: float
) -> None:
    lat, lon, trk = where
    lat_b, lon_b = placed(lat, lon, trk, 0.0, 2_000.0)
    tracks = columns(
        (0, lat, lon, 7000, 150, trk, 0), (1, lat_b, lon_b, 7000 - below_m, 150, trk, vs)
    )
    hits = assert_agrees_with_reference(tracks)
    t_in = (below_m - VERTICAL_M) / vs
    if t_in < LOOKAHEAD_S - 1e-6:
        assert len(hits) == 1
        assert hits.t_in_s[0] == pytest.approx(t_in, rel=1e-12)
        assert hits.t_out_s[0] == pytest.approx(min((below_m + VERTICAL_M) / vs, 300.0))
    else:
        assert len(hits) == 0


@settings(max_examples=examples(60), deadline=None)
@given(anywhere, speed, speed, st.floats(9_300.0, 200_000.0))
def test_diverging_aircraft_never_conflict(
    where: tuple[float, float, float], gs_a: float, gs_b: float, apart_m: float
) -> None:
    lat, lon, trk = where
    lat_b, lon_b = placed(lat, lon, trk, apart_m, 0.0)
    tracks = columns(
        (0, lat, lon, 5000, gs_a, (trk + 180) % 360, 0), (1, lat_b, lon_b, 5000, gs_b, trk, 0)
    )
    assert len(assert_agrees_with_reference(tracks)) == 0


@settings(max_examples=examples(60), deadline=None)
@given(anywhere, st.floats(0.0, 20_000.0), st.floats(0.0, 600.0))
def test_stationary_aircraft_conflict_for_the_whole_lookahead_or_never(
    where: tuple[float, float, float], apart_m: float, dz_m: float
) -> None:
    lat, lon, trk = where
    lat_b, lon_b = placed(lat, lon, trk, apart_m, 0.0)
    tracks = columns((0, lat, lon, 5000, 0, 0, 0), (1, lat_b, lon_b, 5000 + dz_m, 0, 90, 0))
    hits = assert_agrees_with_reference(tracks)
    inside = apart_m < LATERAL_M - 0.01 and dz_m < VERTICAL_M
    outside = apart_m > LATERAL_M + 0.01 or dz_m >= VERTICAL_M
    if inside:
        assert len(hits) == 1
        assert (hits.tcpa_s[0], hits.t_in_s[0], hits.t_out_s[0]) == (0.0, 0.0, 300.0)
        assert hits.dcpa_m[0] == pytest.approx(apart_m, abs=0.01)
    if outside:
        assert len(hits) == 0


# ── edge cases ──────────────────────────────────────────────────────────────────────────────


def test_no_tracks_and_one_track_give_no_pairs() -> None:
    assert len(detect_conflicts(columns())) == 0
    assert len(detect_conflicts(columns((0, 34.0, 36.0, 5000, 200, 90, 0)))) == 0
    assert len(tactical_candidates(columns()).i) == 0


def test_one_party_alone_never_conflicts_with_itself() -> None:
    tracks = columns(*[(7, 34.0, 36.0 + k * 1e-3, 5000, 200, 90, 0) for k in range(5)])
    hits = detect_conflicts(tracks)
    assert len(hits) == 0
    assert hits.stats.pairs_all == 10 and hits.stats.pairs_box == 0


def test_identical_positions_are_a_conflict_now() -> None:
    tracks = columns((0, 34.0, 36.0, 5000, 200, 90, 0), (1, 34.0, 36.0, 5000, 200, 90, 0))
    hits = detect_conflicts(tracks)
    assert as_set(hits) == {(0, 1)}
    assert hits.dcpa_m[0] == pytest.approx(0.0, abs=1e-6)
    assert (hits.t_in_s[0], hits.t_out_s[0]) == (0.0, 300.0)


def test_zero_speed_and_a_mover_meet_when_it_arrives() -> None:
    lat_b, lon_b = placed(34.0, 36.0, 90.0, 30_000.0, 0.0)
    tracks = columns((0, 34.0, 36.0, 5000, 0, 0, 0), (1, lat_b, lon_b, 5000, 100, 270, 0))
    hits = detect_conflicts(tracks)
    assert hits.tcpa_s[0] == pytest.approx(300.0, abs=0.01)  # arrives at 300 s: CPA clamped there
    assert hits.t_in_s[0] == pytest.approx((30_000.0 - LATERAL_M) / 100.0, abs=0.01)


def test_exactly_the_vertical_minimum_is_no_conflict() -> None:
    """One above the other, exactly the vertical minimum apart in binary floating point
    (5000 and 5000 + 304.8 are not: their difference is 304.8000000000002)."""
    low, high = VERTICAL_M, 2.0 * VERTICAL_M
    assert high - low == VERTICAL_M
    at = columns((0, 34.0, 36.0, low, 0, 0, 0), (1, 34.0, 36.0, high, 0, 0, 0))
    assert len(detect_conflicts(at)) == 0
    below = columns((0, 34.0, 36.0, low, 0, 0, 0), (1, 34.0, 36.0, high - 0.01, 0, 0, 0))
    assert len(detect_conflicts(below)) == 1


def test_touching_the_vertical_minimum_now_while_separating_is_no_conflict() -> None:
    """Exactly the minimum apart at t = 0, the upper one climbing away: the loss interval
    closes at 0, so the pair never loses both minima at once."""
    low, high = VERTICAL_M, 2.0 * VERTICAL_M
    away = columns((0, 34.0, 36.0, low, 0, 0, 0), (1, 34.0, 36.0, high, 0, 0, 5.0))
    assert len(detect_conflicts(away)) == 0
    toward = columns((0, 34.0, 36.0, low, 0, 0, 0), (1, 34.0, 36.0, high, 0, 0, -5.0))
    hits = detect_conflicts(toward)
    assert (hits.t_in_s[0], hits.t_out_s[0]) == (0.0, pytest.approx(2.0 * VERTICAL_M / 5.0))


def test_the_lateral_minimum_is_exclusive_to_a_centimetre() -> None:
    for apart_m, expected in ((LATERAL_M - 0.01, 1), (LATERAL_M + 0.01, 0)):
        lat_b, lon_b = placed(50.0, 10.0, 37.0, apart_m, 0.0)
        tracks = columns((0, 50.0, 10.0, 5000, 0, 0, 0), (1, lat_b, lon_b, 5000, 0, 0, 0))
        assert len(detect_conflicts(tracks)) == expected


def test_a_conflict_starting_exactly_at_the_lookahead_is_not_reported() -> None:
    # B climbs 10 m/s from 3000 m below A: the vertical loss begins at (3000 − 304.8)/10 s.
    t_in = (3000.0 - VERTICAL_M) / 10.0
    tracks = columns((0, 34.0, 36.0, 8000, 0, 0, 0), (1, 34.0, 36.0, 5000, 0, 0, 10))
    assert len(detect_conflicts(tracks, lookahead_s=t_in)) == 0
    assert len(detect_conflicts(tracks, lookahead_s=t_in + 0.01)) == 1


def test_wider_minima_and_longer_lookahead_find_more() -> None:
    lat_b, lon_b = placed(34.0, 36.0, 90.0, 100_000.0, 15_000.0)
    tracks = columns((0, 34.0, 36.0, 5000, 200, 90, 0), (1, lat_b, lon_b, 5500, 200, 270, 0))
    assert len(detect_conflicts(tracks)) == 0
    assert len(detect_conflicts(tracks, lateral_m=16_000.0, vertical_m=600.0)) == 1
    # closing at 400 m/s from 100 km, the 16 km minimum is lost at 210 s
    assert len(detect_conflicts(tracks, lateral_m=16_000.0, vertical_m=600.0, lookahead_s=205)) == 0


def test_columns_cannot_be_changed_behind_their_check() -> None:
    """The engines read columns checked once, when made (tests/geo/test_states.py): they
    are copies that refuse writes, so no NaN or latitude of 91° reaches detection later."""
    lat = np.array([34.0, 34.1])
    two = columns((0, 34.0, 36.0, 5000, 200, 90, 0), (1, 34.1, 36.0, 5000, 200, 90, 0))
    tracks = dataclasses.replace(two, states=dataclasses.replace(two.states, lat_deg=lat))
    lat[1] = 91.0  # the caller's array, not the engine's
    assert tracks.states.lat_deg.tolist() == [34.0, 34.1]
    with pytest.raises(ValueError, match="read-only"):
        tracks.states.gs_mps[1] = -1.0
    with pytest.raises(ValueError, match="read-only"):
        tracks.party[1] = 0
    assert len(detect_conflicts(tracks)) == 0


def test_bad_minima_are_refused() -> None:
    tracks = columns((0, 34.0, 36.0, 5000, 200, 90, 0))
    with pytest.raises(ValueError, match="lateral_m"):
        detect_conflicts(tracks, lateral_m=0.0)
    with pytest.raises(ValueError, match="lookahead_s"):
        detect_conflicts(tracks, lookahead_s=math.nan)


def test_pairs_across_the_antimeridian_and_the_pole_are_found() -> None:
    across = columns((0, 10.0, 179.99, 5000, 0, 0, 0), (1, 10.0, -179.99, 5000, 0, 0, 0))
    hits = assert_agrees_with_reference(across)
    assert len(hits) == 1 and hits.dcpa_m[0] == pytest.approx(2_193.0, abs=5.0)
    pole = columns((0, 89.99, 0.0, 5000, 250, 0, 0), (1, 89.99, 180.0, 5000, 250, 0, 0))
    hits = assert_agrees_with_reference(pole)  # both fly north, over the pole, head-on
    assert len(hits) == 1 and hits.dcpa_m[0] < 1.0


def test_a_dense_swarm_overflows_the_parallel_scan_and_loses_no_pair() -> None:
    """300 aircraft of two parties within 3 km, one altitude: every one of the 150 × 150
    cross-party pairs conflicts. Far more candidates than a chunk of the parallel grid scan
    has room for, so the overflow path must give them all, each once."""
    rng = np.random.default_rng(7)
    n = 300
    tracks = TrackColumns(
        np.arange(n, dtype=np.int64) % 2,
        States(
            34.0 + rng.uniform(0.0, 0.02, n),
            36.0 + rng.uniform(0.0, 0.02, n),
            np.full(n, 6_000.0),
            rng.uniform(100.0, 250.0, n),
            rng.uniform(0.0, 360.0, n),
            np.zeros(n),
        ),
    )
    hits = detect_conflicts(tracks)
    pairs = list(zip(hits.i.tolist(), hits.j.tolist(), strict=True))
    assert len(pairs) == len(set(pairs)) == 150 * 150
    assert all(tracks.party[i] != tracks.party[j] for i, j in pairs)
    assert hits.stats.candidates == 150 * 150


def test_the_warm_up_pair_is_found_through_every_kernel() -> None:
    """``warm`` (run by ``serve`` before it answers) raises when the kernels miss its pair."""
    from sharedsky.detect.tactical import warm

    warm()


@pytest.mark.parametrize("n", [0, 1])
def test_no_track_and_one_track_give_empty_aligned_hits(n: int) -> None:
    tracks = columns(*[(0, 34.0, 36.0, 5000, 200, 90, 0)] * n)
    hits = detect_conflicts(tracks)
    figures = (hits.tcpa_s, hits.dcpa_m, hits.dv_m, hits.t_in_s, hits.t_out_s)
    assert [len(column) for column in (hits.i, hits.j, *figures)] == [0] * 7
    assert len(tracks.party[hits.i]) == len(tracks.party[hits.j]) == 0  # indices still index
    assert hits.stats == PruneStats(0, 0, 0, 0)


def test_half_a_millimetre_inside_the_vertical_minimum_is_a_conflict() -> None:
    """The pruning stage must keep what the exact stage then finds, to the last millimetre."""
    low, high = VERTICAL_M, 2.0 * VERTICAL_M - 0.0005
    assert 0.0 < VERTICAL_M - (high - low) < 0.001
    inside = columns((0, 34.0, 36.0, low, 0, 0, 0), (1, 34.0, 36.0, high, 0, 0, 0))
    hits = detect_conflicts(inside)
    assert as_set(hits) == {(0, 1)}
    assert hits.dv_m[0] == pytest.approx(VERTICAL_M - 0.0005, abs=1e-9)


@pytest.mark.parametrize("name", ["lookahead_s", "lateral_m", "vertical_m"])
@pytest.mark.parametrize("value", [0.0, -1.0, math.inf, math.nan])
def test_each_bad_minimum_and_lookahead_is_refused_by_name(name: str, value: float) -> None:
    tracks = columns((0, 34.0, 36.0, 5000, 200, 90, 0))
    message = f"{name} must be a positive finite number, not {value!r}"
    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        detect_conflicts(tracks, **{name: value})


def test_small_positive_minima_and_lookahead_are_accepted() -> None:
    """Half a metre and half a second are valid figures: two aircraft at one point lose them."""
    same = columns((0, 34.0, 36.0, 5000, 0, 0, 0), (1, 34.0, 36.0, 5000, 0, 0, 0))
    hits = detect_conflicts(same, lookahead_s=0.5, lateral_m=0.5, vertical_m=0.5)
    assert as_set(hits) == {(0, 1)}
    assert (hits.t_in_s[0], hits.t_out_s[0]) == (0.0, 0.5)


@pytest.mark.parametrize("pole_deg", [90.0, -90.0])
def test_aircraft_exactly_at_a_pole_are_accepted_and_compared(pole_deg: float) -> None:
    """Latitude ±90 is inside [−90, 90]: two aircraft at the pole (any longitude names it) at
    one altitude are in conflict."""
    at_pole = columns((0, pole_deg, 0.0, 5000, 0, 0, 0), (1, pole_deg, 120.0, 5000, 0, 0, 0))
    hits = detect_conflicts(at_pole)
    assert as_set(hits) == {(0, 1)}
    assert hits.dcpa_m[0] == pytest.approx(0.0, abs=1e-3)


# Radii of curvature of WGS84 (metres), from a = 6,378,137 m and 1/f = 298.257223563:
# meridian M = a(1 − e²)/(1 − e² sin²φ)^1.5, prime vertical N = a/√(1 − e² sin²φ), and by Euler
# the normal section at 45° from the meridian 2/(1/M + 1/N). The usual table values.
EQUATOR_M_M, EQUATOR_N_M = 6_335_439.327, 6_378_137.000
LAT45_M_M, LAT45_N_M = 6_367_381.816, 6_388_838.290
LAT60_DIAGONAL_M = 6_388_826.989
POLE_M = 6_399_593.626


def test_each_track_moves_along_the_normal_section_of_its_heading() -> None:
    """The exact stage moves aircraft along circles of the radius of the normal section of
    their heading (Euler's formula): meridian radius heading north or south, prime vertical
    heading east or west, in between otherwise; slow or fast, in one batch. To a millimetre."""
    from sharedsky.detect import tactical

    tracks = columns(
        (0, 0.0, 10.0, 5000, 200, 0, 0),  # north at the equator
        (1, 0.0, 10.0, 5000, 200, 90, 0),  # east at the equator
        (2, 45.0, 30.0, 5000, 250, 180, 0),  # south at 45°
        (3, 45.0, 30.0, 5000, 250, 270, 0),  # west at 45°
        (4, 45.0, -150.0, 5000, 0.5, 90, 0),  # east at 45°, half a metre per second
        (5, 60.0, -100.0, 5000, 100, 45, 0),  # north-east at 60°
        (6, 60.0, 100.0, 5000, 100, 135, 0),  # south-east at 60°
        (7, 90.0, 0.0, 5000, 300, 0, 0),  # at the pole, every section is alike
        (8, -90.0, 70.0, 5000, 300, 123, 0),
    )
    expected_m = [
        EQUATOR_M_M,
        EQUATOR_N_M,
        LAT45_M_M,
        LAT45_N_M,
        LAT45_N_M,
        LAT60_DIAGONAL_M,
        LAT60_DIAGONAL_M,
        POLE_M,
        POLE_M,
    ]
    radius_m = tactical._section_radius_m(tactical._planar(tracks))
    assert radius_m == pytest.approx(expected_m, abs=1e-3)
