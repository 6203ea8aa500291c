"""R-TACT-6: tactical detection of tracks on different datums (issue 17): a pressure altitude
(a flight level) against a geometric one is compared over the mechanism's QNH range, two on
one datum exactly as before.

Properties, on random batches of two parties whose tracks are on random datums:

* every pair on one datum is found, with the same figures to the bit, as when no track had a
  datum (and a batch all on pressure altitudes is found exactly as one all geometric);
* a pair on different datums is found when the brute-force reference (every QNH in 1 hPa
  steps, ``tactical_reference.Mixed``) finds it, and only when the reference finds it with
  the vertical minimum `VERTICAL_TOL_M` wider (the engine bounds the offsets over the
  altitudes a track passes, and the reference samples time every 0.1 s);
* such a pair carries ``datum_margin_m`` exactly when it is no conflict at the nominal QNH
  (1013.25 hPa: the altitudes as given), and the margin is at least the vertical minimum.
"""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pytest
from _hypothesis import examples
from detect.tactical_reference import reference_columns, reference_conflicts
from hypothesis import given, settings
from hypothesis import strategies as st

from sharedsky.detect.tactical import CpaHits, detect_conflicts
from sharedsky.detect.tracks import ELLIPSOID_ERROR_M, Datum, PressureOffsets, TrackColumns
from sharedsky.domain.heights import Datums
from sharedsky.geo.distance import WGS84
from sharedsky.geo.states import States
from sharedsky.service._packing import pressure_offsets

LATERAL_M = 9_260.0
VERTICAL_M = 304.8
TOL_M = 0.5
VERTICAL_TOL_M = 20.0
PRESSURE: PressureOffsets = pressure_offsets(Datums())


def batch(seed: int, n: int = 24) -> TrackColumns:
    """n tracks of two parties within 40 km of 34° N 36° E, 2,000 to 4,000 m, 100–250 m/s, a
    third of them climbing or descending at up to 10 m/s, each on a random datum."""
    rng = np.random.default_rng(seed)
    lon, lat, _ = WGS84.fwd(
        np.full(n, 36.0), np.full(n, 34.0), rng.uniform(0, 360, n), rng.uniform(0, 40_000, n)
    )
    vs = np.where(rng.random(n) < 1 / 3, rng.uniform(-10.0, 10.0, n), 0.0)
    states = States(
        np.asarray(lat),
        np.asarray(lon),
        rng.uniform(2_000.0, 4_000.0, n),
        rng.uniform(100.0, 250.0, n),
        rng.uniform(0.0, 359.9, n),
        vs,
    )
    return TrackColumns(rng.integers(0, 2, n), states, rng.integers(0, 3, n).astype(np.int8))


def plain(tracks: TrackColumns, datum: int = Datum.GEOMETRIC) -> TrackColumns:
    """The same tracks all on one datum."""
    return TrackColumns(tracks.party, tracks.states, np.full(len(tracks), datum, np.int8))


def by_pair(hits: CpaHits) -> dict[tuple[int, int], tuple[float, ...]]:
    """Each hit's figures by its pair."""
    figures = (hits.tcpa_s, hits.dcpa_m, hits.dv_m, hits.t_in_s, hits.t_out_s)
    return {
        (int(hits.i[k]), int(hits.j[k])): tuple(float(f[k]) for f in figures)
        for k in range(len(hits))
    }


def reference_pairs(tracks: TrackColumns, lateral_m: float, vertical_m: float) -> set[tuple]:
    hits = reference_conflicts(
        *reference_columns(tracks),
        lateral_m=lateral_m,
        vertical_m=vertical_m,
        datum=tracks.datum,
    )
    return {(h.i, h.j) for h in hits}


@settings(max_examples=examples(12), deadline=None)
@given(st.integers(0, 2**32 - 1))
def test_pairs_on_one_datum_are_found_as_before(seed: int) -> None:
    tracks = batch(seed)
    before = by_pair(detect_conflicts(plain(tracks)))
    assert by_pair(detect_conflicts(plain(tracks, Datum.PRESSURE))) == before
    mixed = detect_conflicts(tracks, pressure=PRESSURE)
    same = {(i, j) for i, j in before if tracks.datum[i] == tracks.datum[j]}
    found = by_pair(mixed)
    assert {pair for pair in found if tracks.datum[pair[0]] == tracks.datum[pair[1]]} == same
    assert all(found[pair] == before[pair] for pair in same)  # to the bit
    assert all(math.isnan(mixed.datum_margin_m[k]) for k in range(len(mixed))
               if tracks.datum[mixed.i[k]] == tracks.datum[mixed.j[k]])  # fmt: skip


@settings(max_examples=examples(12), deadline=None)
@given(st.integers(0, 2**32 - 1))
def test_pairs_on_different_datums_agree_with_the_brute_force_over_qnh(seed: int) -> None:
    tracks = batch(seed)
    hits = detect_conflicts(tracks, pressure=PRESSURE)
    found = {(int(i), int(j)) for i, j in zip(hits.i, hits.j, strict=True)}
    mixed = {(i, j) for i, j in found if tracks.datum[i] != tracks.datum[j]}
    must = reference_pairs(tracks, LATERAL_M - TOL_M, VERTICAL_M)
    may = reference_pairs(tracks, LATERAL_M + TOL_M, VERTICAL_M + VERTICAL_TOL_M)
    assert must <= found, "a pair within the minima for some QNH in range was missed"
    assert mixed <= may
    nominal = {(int(i), int(j)) for i, j in zip(*_hits(plain(tracks)), strict=True)}
    for k in range(len(hits)):
        pair = (int(hits.i[k]), int(hits.j[k]))
        if pair not in mixed:
            continue
        margin = float(hits.datum_margin_m[k])
        assert math.isnan(margin) == (pair in nominal)
        assert math.isnan(margin) or margin >= VERTICAL_M


def _hits(tracks: TrackColumns) -> tuple[np.ndarray, np.ndarray]:
    hits = detect_conflicts(tracks)
    return hits.i, hits.j


def stacked(geometric_m: float, vs_mps: float = 0.0) -> TrackColumns:
    """FL 100 (party 0, a pressure altitude of 3,048 m) and a geometric altitude (party 1)
    2 km apart, both standing still."""
    lon_b, lat_b, _ = WGS84.fwd(36.0, 34.0, 90.0, 2_000.0)
    return TrackColumns(
        [0, 1],
        States(
            np.array([34.0, float(lat_b)]),
            np.array([36.0, float(lon_b)]),
            np.array([3_048.0, geometric_m]),
            np.zeros(2),
            np.zeros(2),
            np.array([0.0, vs_mps]),
        ),
        np.array([Datum.PRESSURE, Datum.GEOMETRIC], np.int8),
    )


@pytest.mark.parametrize(
    ("geometric_m", "conflict", "margin_m"),
    [
        (3_048.0 + 250.0, True, None),  # within the minimum at the standard QNH as well
        (3_048.0 + 500.0, True, 500.0),  # FL 100 is up to 302 m higher at 1050 hPa
        (3_048.0 + 650.0, False, None),  # beyond even that, by more than the slack
        (3_048.0 - 800.0, True, 800.0),  # and up to 540 m lower at 950 hPa
        (3_048.0 - 900.0, False, None),
    ],
)
def test_a_flight_level_is_compared_with_a_geometric_altitude_over_the_qnh_range(
    geometric_m: float, conflict: bool, margin_m: float | None
) -> None:
    hits = detect_conflicts(stacked(geometric_m), pressure=PRESSURE)
    assert len(hits) == int(conflict)
    if conflict:
        assert hits.dv_m[0] == pytest.approx(abs(geometric_m - 3_048.0))
        got = float(hits.datum_margin_m[0])
        assert (None if math.isnan(got) else pytest.approx(got)) == margin_m
    on_one_datum = stacked(geometric_m)
    as_before = TrackColumns(on_one_datum.party, on_one_datum.states)
    assert len(detect_conflicts(as_before)) == int(abs(geometric_m - 3_048.0) < VERTICAL_M)


def test_the_widening_follows_the_mechanism_qnh_range() -> None:
    """A narrower QNH range (1000 … 1020 hPa) widens less: 500 m above FL 100 is clear."""
    narrow = pressure_offsets(Datums(qnh_min_hpa=1000.0, qnh_max_hpa=1020.0))
    assert len(detect_conflicts(stacked(3_548.0), pressure=narrow)) == 0
    assert len(detect_conflicts(stacked(3_548.0), pressure=PRESSURE)) == 1


def test_a_climb_through_the_widened_band_is_timed_by_it() -> None:
    """A geometric track 1,000 m below FL 100 climbing at 5 m/s: within the minimum of the
    lowest height FL 100 may have (−540 m, −553 m at sea level bounds the table) from about
    (1000 − 540 − 304.8) / 5 = 31 s, and of the nominal one from 139 s."""
    hits = detect_conflicts(stacked(2_048.0, 5.0), pressure=PRESSURE)
    assert len(hits) == 1
    assert hits.t_in_s[0] == pytest.approx((1_000.0 - 540.3 - VERTICAL_M) / 5.0, abs=0.5)
    assert math.isnan(hits.datum_margin_m[0])  # at the nominal QNH too, later


def test_tracks_on_both_datums_need_the_pressure_offsets() -> None:
    with pytest.raises(ValueError, match="pressure offsets"):
        detect_conflicts(stacked(3_100.0))
    with pytest.raises(ValueError, match="datum holds a code"):
        TrackColumns([0], stacked(0.0).states.take(np.array([0])), np.array([3], np.int8))


@pytest.mark.parametrize(
    ("gap_m", "found", "margin"),
    [(VERTICAL_M - 1.0, True, False), (VERTICAL_M + 10.0, True, True),
     (VERTICAL_M + ELLIPSOID_ERROR_M + 1.0, False, False)],
)  # fmt: skip
def test_an_ellipsoid_height_is_compared_within_the_geoid_model_bound(
    gap_m: float, found: bool, margin: bool
) -> None:
    """A GNSS height brought to mean sea level through the geoid may be off by up to the
    model's bound (15.15 m) against an altitude on AMSL: 10 m beyond the minimum is a conflict
    by the widening (with its margin), beyond the bound none; two ellipsoid heights compare
    exactly, and no pressure offsets are needed."""
    tracks = stacked(3_000.0 + gap_m)
    on_datums = TrackColumns(
        tracks.party, replace(tracks.states, alt_m=np.array([3_000.0, 3_000.0 + gap_m])),
        np.array([Datum.ELLIPSOID, Datum.GEOMETRIC], np.int8),
    )  # fmt: skip
    hits = detect_conflicts(on_datums)
    assert (len(hits) == 1) is found
    if found:
        assert (not math.isnan(hits.datum_margin_m[0])) is margin
        assert hits.dv_m[0] == pytest.approx(gap_m)
    both = TrackColumns(on_datums.party, on_datums.states, np.full(2, Datum.ELLIPSOID, np.int8))
    assert (len(detect_conflicts(both)) == 1) is (gap_m < VERTICAL_M)


def test_the_offsets_bound_every_qnh_between_their_nodes() -> None:
    """`PressureOffsets.span_m` holds the height AMSL of every pressure altitude it is asked
    for, at every QNH of the range either way (the reference's tables), between nodes too."""
    from detect.tactical_reference import _NODES_M, amsl_tables

    tables = amsl_tables(950.0, 1050.0)
    heights = np.linspace(-500.0, 30_000.0, 4_001)
    low, high = PRESSURE.span_m(heights, np.zeros_like(heights), 300.0)
    for row in tables:
        offset = np.interp(heights, _NODES_M, row) - heights
        assert (low <= offset).all() and (offset <= high).all()
    assert PRESSURE.nominal_m == 0.0 and 1.0 < PRESSURE.slack_m < 1.5
