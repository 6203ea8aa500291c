"""Conformance and zone intrusion (`detect.conformance`) against a sampling reference: the
engine side of R-TACT-4 (intrusion into another party's zone) and R-TACT-5 (non-conformance).

The reference (`conformance_reference`) samples each path along its geodesic and classifies
every sample as clearly inside, clearly outside or borderline (within `TOL_H` metres of an
outline, `TOL_V` of a band edge or `TOL_T` of a window edge). The engine must never call a
clearly-inside sample outside (a missed alert) nor a clearly-outside sample inside (a false
alarm), and each time it reports as an entry or exit must be borderline in the reference, with
the right side just before and just after it (`DELTA_S`). Shapes under test::

    polygon zone          circle, passed by        corridor notice        stacked bands
    +-----------+             .---.                 ====(==>====)           ┌────────┐ B
    |    ←──────|── A      A ─(─────)─ (2 m out)      A leaves at the       │  ↗ A   │
    +-----------+             '---'                   round end             └────────┘ A
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Callable

import numpy as np
import pytest
from _hypothesis import examples
from detect.conformance_reference import (
    BORDER,
    INSIDE,
    OUTSIDE,
    Track,
    classify,
    depths,
    horizontal_depth,
    outline_distance_m,
    positions,
    union_class,
)
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from sharedsky.detect.conformance import (
    JOIN_S,
    ConformanceResult,
    ConformanceStatus,
    IntrusionHits,
    Region,
    conformance,
    intrusion_candidates,
    zone_intrusions,
)
from sharedsky.detect.tracks import Datum, TrackColumns
from sharedsky.geo.distance import WGS84, geodesic_azimuth_deg, geodesic_destination
from sharedsky.geo.outlines import CircleOutline, CorridorOutline, Outline, PolygonOutline
from sharedsky.geo.states import States

TOL_H = 1.0
"""Horizontal tolerance band around outlines, metres (the engine's bound is 0.35 m)."""
TOL_V = 1e-6
TOL_T = 1e-6
DELTA_S = JOIN_S * 0.4
"""How far either side of a reported entry or exit the reference must agree."""


def columns(tracks: list[Track], party: int = 0, datum: Datum = Datum.GEOMETRIC) -> TrackColumns:
    return TrackColumns(
        np.full(len(tracks), party, dtype=np.int64),
        States(
            np.array([t.lat for t in tracks]),
            np.array([t.lon for t in tracks]),
            np.array([t.alt for t in tracks]),
            np.array([t.gs for t in tracks]),
            np.array([t.trk for t in tracks]),
            np.array([t.vs for t in tracks]),
        ),
        np.full(len(tracks), int(datum), dtype=np.int8),
    )


def square(lon0: float, lat0: float, lon1: float, lat1: float) -> PolygonOutline:
    ring = ((lon0, lat0), (lon1, lat0), (lon1, lat1), (lon0, lat1), (lon0, lat0))
    return PolygonOutline((ring,))


def hit_of(hits: IntrusionHits, track: int, zone: int = 0) -> tuple[float, float, float] | None:
    at = np.flatnonzero((hits.track == track) & (hits.zone == zone))
    if at.size == 0:
        return None
    k = int(at[0])
    return float(hits.t_entry_s[k]), float(hits.t_exit_s[k]), float(hits.distance_m[k])


# ── checks against the reference ────────────────────────────────────────────────────────────


def _sample_times(end_s: float, step_s: float) -> np.ndarray:
    return np.append(np.arange(0.0, end_s, step_s), end_s)


def _classes(regions: list[Region], tracks: list[Track], times: np.ndarray) -> np.ndarray:
    """(tracks, times) reference classes in the union of the regions."""
    which = np.repeat(np.arange(len(tracks)), times.size)
    at = np.tile(times, len(tracks))
    each = [classify(depths(r, tracks, which, at), TOL_H, TOL_V, TOL_T) for r in regions]
    return union_class(each).reshape(len(tracks), times.size)


def _check_boundaries(
    regions: list[Region],
    tracks: list[Track],
    found: list[tuple[int, float, float]],
    end_s: float,
) -> list[float]:
    """At each reported entry or exit (track, t_b, t_other), t_other the other end of the
    engine's inside interval, the reference is borderline; DELTA_S outside the interval it is
    not clearly inside, and DELTA_S inside it (or halfway, for a shorter interval) it is not
    clearly outside. Returns, for a single region, how far from the outline (metres) the
    reference finds each entry or exit that the outline alone makes."""
    misses: list[float] = []
    if not found:
        return misses
    which = np.repeat([i for i, _, _ in found], 3)
    at = []
    for _, t_b, t_other in found:
        side = 1.0 if t_other >= t_b else -1.0  # inside lies this way from t_b
        inner = t_b + side * min(DELTA_S, abs(t_other - t_b) / 2.0)
        at.append([t_b - side * DELTA_S, t_b, inner])
    times = np.clip(at, 0.0, end_s).reshape(-1)
    each = [depths(r, tracks, which, times) for r in regions]
    c = union_class([classify(d, TOL_H, TOL_V, TOL_T) for d in each]).reshape(-1, 3)
    for k, (i, t_b, t_other) in enumerate(found):
        what = f"{'entry' if t_other >= t_b else 'exit'} at {t_b} s of {tracks[i]}"
        assert c[k, 1] == BORDER, f"{what} is not on a boundary"
        assert times[3 * k] == t_b or c[k, 0] != INSIDE, f"{what}: inside on the outer side"
        assert c[k, 2] != OUTSIDE, f"{what}: outside on the inner side"
        if len(each) == 1:  # how far from the outline is a boundary that it alone explains?
            h, v, w = (
                float(x[3 * k + 1]) for x in (each[0].horizontal, each[0].vertical, each[0].time)
            )
            if abs(v) > 1e-3 and abs(w) > 1e-3:
                misses.append(abs(h))
    return misses


def check_intrusions(
    zone: Region, tracks: list[Track], hits: IntrusionHits, lookahead_s: float, step_s: float
) -> list[float]:
    """Each track's first inside interval (or none) agrees with the reference's samples;
    returns the horizontal misses of its boundaries (see `_check_boundaries`)."""
    times = _sample_times(lookahead_s, step_s)
    c = _classes([zone], tracks, times)
    found = []
    for i, track in enumerate(tracks):
        hit = hit_of(hits, i)
        if hit is None:
            missed = times[c[i] == INSIDE]
            assert missed.size == 0, f"missed intrusion at {missed[:3]} s: {track} {zone}"
            continue
        entry, leave, distance = hit
        assert 0.0 <= entry <= leave <= lookahead_s and distance >= 0.0
        early = times[(times < entry) & (c[i] == INSIDE)]
        assert early.size == 0, f"entry at {entry} s but inside at {early[:3]} s: {track} {zone}"
        gaps = times[(times >= entry) & (times <= leave) & (c[i] == OUTSIDE)]
        assert gaps.size == 0, f"in {entry}–{leave} s but out at {gaps[:3]} s: {track} {zone}"
        if entry > 0.0:
            found.append((i, entry, leave))
        if leave < lookahead_s:
            found.append((i, leave, entry))
    _check_distances(zone, tracks, hits)
    return _check_boundaries([zone], tracks, found, lookahead_s)


def _check_distances(zone: Region, tracks: list[Track], hits: IntrusionHits) -> None:
    """Each hit's distance now agrees with the reference's distance to the outline (0 over or
    under it) within TOL_H; the engine's is documented as an upper bound within centimetres."""
    if len(hits) == 0:
        return
    lon = np.array([tracks[i].lon for i in hits.track])
    lat = np.array([tracks[i].lat for i in hits.track])
    expected = outline_distance_m(zone.outline, lon, lat)
    wrong = np.flatnonzero(np.abs(hits.distance_m - expected) > TOL_H)
    assert wrong.size == 0, (
        f"distances {hits.distance_m[wrong[:3]]} m, reference {expected[wrong[:3]]} m: {zone}"
    )
    over = horizontal_depth(zone.outline, lon, lat) > TOL_H
    assert np.all(hits.distance_m[over] == 0.0), "a track over or under its zone is at 0 m"


def check_conformance(
    regions: list[Region],
    tracks: list[Track],
    result: ConformanceResult,
    horizon_s: float,
    step_s: float,
) -> None:
    """Each track's status and exit time agree with the reference's samples of the union."""
    if not regions:
        assert set(result.status.tolist()) <= {"outside"}
        return
    times = _sample_times(horizon_s, step_s)
    c = _classes(regions, tracks, times)
    found = []
    for i, track in enumerate(tracks):
        status, t_exit = result.status_of(i), float(result.t_exit_s[i])
        if status is ConformanceStatus.OUTSIDE:
            assert t_exit == 0.0
            assert c[i, 0] != INSIDE, f"called outside but inside now: {track} {regions}"
            continue
        assert c[i, 0] != OUTSIDE, f"called {status} but outside now: {track} {regions}"
        end = horizon_s if status is ConformanceStatus.CONFORMING else t_exit
        out = times[(times <= end) & (c[i] == OUTSIDE)]
        assert out.size == 0, f"{status} to {end} s but out at {out[:3]} s: {track} {regions}"
        if status is ConformanceStatus.LEAVING:
            assert 0.0 <= t_exit <= horizon_s
            found.append((i, t_exit, 0.0))
        else:
            assert math.isnan(t_exit)
    _check_boundaries(regions, tracks, found, horizon_s + 1.0)


# ── named cases ─────────────────────────────────────────────────────────────────────────────


def test_a_track_heading_straight_into_a_polygon_zone_enters_at_its_edge() -> None:
    """A flies east along the equator into a square from 0.2° to 0.4° east::

    A ───────────→ +---------+
                   |  zone   |
                   +---------+
    """
    zone = Region(square(0.2, -0.1, 0.4, 0.1), 0.0, 5_000.0)
    track = Track(0.0, 0.0, 1_000.0, 200.0, 90.0, 0.0)
    hits = zone_intrusions(columns([track]), [zone], [1])
    to_edge = float(WGS84.inv(0.0, 0.0, 0.2, 0.0)[2])
    through = float(WGS84.inv(0.0, 0.0, 0.4, 0.0)[2])
    found = hit_of(hits, 0)
    assert found is not None
    assert found[0] == pytest.approx(to_edge / 200.0, abs=1e-4)
    assert found[1] == pytest.approx(through / 200.0, abs=1e-4)
    assert found[2] == pytest.approx(to_edge, abs=0.01)
    check_intrusions(zone, [track], hits, 300.0, 0.1)


@pytest.mark.parametrize(("miss_m", "enters"), [(2.0, False), (-2.0, True)])
def test_a_track_passing_a_circle_is_alerted_only_when_it_cuts_inside(
    miss_m: float, enters: bool
) -> None:
    """A passes a 5 km circle whose centre is 5 km ± 2 m north of its path::

          .---.
    A ───(─────)───→      (the equator is a geodesic, the meridian through the centre meets it
          '---'            at a right angle: the closest approach is exactly 5 km ± 2 m)
    """
    lon, lat = geodesic_destination(0.3, 0.0, 0.0, 5_000.0 + miss_m)
    zone = Region(CircleOutline((float(lon), float(lat)), 5_000.0), 0.0, 5_000.0)
    track = Track(0.0, 0.0, 1_000.0, 250.0, 90.0, 0.0)
    hits = zone_intrusions(columns([track]), [zone], [1])
    found = hit_of(hits, 0)
    assert (found is not None) is enters
    check_intrusions(zone, [track], hits, 300.0, 0.1)


def test_a_track_climbing_into_a_zone_band_from_below_enters_when_it_reaches_the_floor() -> None:
    """A is under a circle's band [1,500 m, 3,000 m] and climbs at 10 m/s::

    3000 ┌──────────┐
    1500 └──────────┘
          A ↗ (1,000 m)
    """
    zone = Region(CircleOutline((0.0, 0.0), 50_000.0), 1_500.0, 3_000.0)
    track = Track(0.01, 0.01, 1_000.0, 100.0, 45.0, 10.0)
    hits = zone_intrusions(columns([track]), [zone], [1])
    found = hit_of(hits, 0)
    assert found == pytest.approx((50.0, 200.0, 0.0))
    check_intrusions(zone, [track], hits, 300.0, 0.1)


def test_a_zone_not_yet_active_is_entered_when_its_window_opens() -> None:
    """A is inside a circle whose window is [100 s, 160 s), then one it leaves at 20 s."""
    zone = Region(CircleOutline((0.0, 0.0), 50_000.0), 0.0, 3_000.0, 100.0, 160.0)
    track = Track(0.0, 0.0, 1_000.0, 100.0, 0.0, 0.0)
    hits = zone_intrusions(columns([track]), [zone], [1])
    found = hit_of(hits, 0)
    assert found == pytest.approx((100.0, 160.0, 0.0))
    check_intrusions(zone, [track], hits, 300.0, 0.1)
    # a window that opens 10 µs before the track leaves the zone (at 20 s) is still entered
    zone = Region(CircleOutline((0.0, 0.0), 2_000.0), 0.0, 3_000.0, 20.0 - 1e-5)
    hits = zone_intrusions(columns([track]), [zone], [1])
    found = hit_of(hits, 0)
    assert found is not None
    assert found[0] == pytest.approx(20.0 - 1e-5, abs=1e-9)
    assert found[1] == pytest.approx(20.0, abs=1e-6)
    check_intrusions(zone, [track], hits, 300.0, 0.1)


def test_a_zone_of_the_track_own_party_is_never_compared() -> None:
    zone = Region(CircleOutline((0.0, 0.0), 50_000.0), 0.0, 3_000.0)
    track = Track(0.0, 0.0, 1_000.0, 100.0, 0.0, 0.0)
    hits = zone_intrusions(columns([track], party=4), [zone, zone], [4, 5])
    assert hits.zone.tolist() == [1]
    assert hits.pairs == 1


def test_a_track_in_a_corridor_notice_is_leaving_at_its_round_end() -> None:
    """A flies east along a corridor that ends 0.08° ahead; the round end reaches 2 km more::

    ======================)
              A ──────→   )   → leaves at 0.08° + 2 km
    ======================)
    """
    corridor = CorridorOutline(((-0.5, 0.0), (0.08, 0.0)), 2_000.0)
    notice = [Region(corridor, 0.0, 3_000.0)]
    track = Track(0.0, 0.0, 1_000.0, 200.0, 90.0, 0.0)
    result = conformance(columns([track]), [notice], [0])
    expected = (float(WGS84.inv(0.0, 0.0, 0.08, 0.0)[2]) + 2_000.0) / 200.0
    assert result.status_of(0) is ConformanceStatus.LEAVING
    assert result.t_exit_s[0] == pytest.approx(expected, abs=1e-4)
    check_conformance(notice, [track], result, 60.0, 0.1)


def test_a_track_whose_volume_window_ends_in_30_s_is_leaving_then() -> None:
    notice = [Region(CircleOutline((0.0, 0.0), 50_000.0), 0.0, 3_000.0, -600.0, 30.0)]
    track = Track(0.0, 0.0, 1_000.0, 150.0, 30.0, 0.0)
    result = conformance(columns([track]), [notice], [0])
    assert result.status.tolist() == ["leaving"]
    assert result.t_exit_s[0] == pytest.approx(30.0)
    assert result.status_of(0).alerts()
    check_conformance(notice, [track], result, 60.0, 0.1)


def test_a_track_already_outside_its_notice_is_outside() -> None:
    notice = [Region(CircleOutline((1.0, 1.0), 5_000.0), 0.0, 3_000.0)]
    track = Track(0.0, 0.0, 1_000.0, 150.0, 30.0, 0.0)
    result = conformance(columns([track]), [notice], [0])
    assert result.status_of(0) is ConformanceStatus.OUTSIDE
    assert result.t_exit_s[0] == 0.0
    check_conformance(notice, [track], result, 60.0, 0.1)


def test_a_track_deep_inside_its_notice_is_conforming() -> None:
    notice = [Region(square(-1.0, -1.0, 1.0, 1.0), 0.0, 3_000.0)]
    track = Track(0.0, 0.0, 1_000.0, 250.0, 30.0, 5.0)
    result = conformance(columns([track]), [notice], [0])
    assert result.status_of(0) is ConformanceStatus.CONFORMING
    assert math.isnan(result.t_exit_s[0])
    assert not result.status_of(0).alerts()
    check_conformance(notice, [track], result, 60.0, 0.1)


def test_volumes_that_take_over_from_each_other_keep_a_track_conforming() -> None:
    """Three hand-overs within one notice: across a shared edge (east square to west square),
    from one band to the one above it, and from a window ending at 30 s to one starting then::

    +-----+-----+     ┌─────┐ [1000, 2000]      [−∞, 30) then [30, ∞)
    | A → |     |     │  ↗  │
    +-----+-----+     └─────┘ [0, 1000]
    """
    west, east = square(-0.5, -0.5, 0.05, 0.5), square(0.05, -0.5, 0.6, 0.5)
    notice = [
        Region(west, 0.0, 1_000.0, -math.inf, 30.0),
        Region(east, 0.0, 1_000.0, -math.inf, 30.0),
        Region(west, 0.0, 1_000.0, 30.0, math.inf),
        Region(east, 0.0, 1_000.0, 30.0, math.inf),
        Region(west, 1_000.0, 2_000.0),
        Region(east, 1_000.0, 2_000.0),
    ]
    track = Track(0.0, 0.0, 900.0, 250.0, 90.0, 5.0)
    result = conformance(columns([track]), [notice], [0], horizon_s=120.0)
    assert result.status_of(0) is ConformanceStatus.CONFORMING
    check_conformance(notice, [track], result, 120.0, 0.1)


def test_a_track_crossing_a_polygon_hole_leaves_and_re_enters() -> None:
    """The zone is a square with a square hole; A flies through both::

    +-----------------+
    |   +---------+   |
    A → |  hole   |   |
    |   +---------+   |
    +-----------------+
    """
    shell = ((0.1, -0.3), (0.7, -0.3), (0.7, 0.3), (0.1, 0.3), (0.1, -0.3))
    hole = ((0.25, -0.1), (0.25, 0.1), (0.55, 0.1), (0.55, -0.1), (0.25, -0.1))
    zone = Region(PolygonOutline((shell, hole)), 0.0, 5_000.0)
    track = Track(0.0, 0.0, 1_000.0, 300.0, 90.0, 0.0)
    hits = zone_intrusions(columns([track]), [zone], [1])
    found = hit_of(hits, 0)
    assert found is not None
    assert found[1] == pytest.approx(float(WGS84.inv(0.0, 0.0, 0.25, 0.0)[2]) / 300.0, abs=1e-4)
    check_intrusions(zone, [track], hits, 300.0, 0.1)
    notice = [zone]
    inside = Track(0.0, 0.15, 1_000.0, 300.0, 90.0, 0.0)
    result = conformance(columns([inside]), [notice], [0], horizon_s=120.0)
    assert result.status_of(0) is ConformanceStatus.LEAVING
    check_conformance(notice, [inside], result, 120.0, 0.1)


def test_a_track_flying_across_the_antimeridian_enters_a_zone_beyond_it() -> None:
    zone = Region(CircleOutline((-179.95, 0.0), 3_000.0), 0.0, 5_000.0)
    track = Track(0.0, 179.9, 1_000.0, 250.0, 90.0, 0.0)
    hits = zone_intrusions(columns([track]), [zone], [1])
    found = hit_of(hits, 0)
    assert found is not None
    check_intrusions(zone, [track], hits, 300.0, 0.1)


def test_a_stationary_track_inside_a_zone_stays_for_the_whole_look_ahead() -> None:
    zone = Region(CircleOutline((0.0, 0.0), 1_000.0), 0.0, 5_000.0)
    track = Track(0.001, 0.001, 1_000.0, 0.0, 0.0, 0.0)
    assert hit_of(zone_intrusions(columns([track]), [zone], [1]), 0) == (0.0, 300.0, 0.0)
    result = conformance(columns([track]), [[zone]], [0])
    assert result.status_of(0) is ConformanceStatus.CONFORMING


def test_a_track_without_volumes_in_its_notice_is_outside() -> None:
    track = Track(0.0, 0.0, 1_000.0, 100.0, 0.0, 0.0)
    result: ConformanceResult = conformance(columns([track]), [[]], [0])
    assert result.status_of(0) is ConformanceStatus.OUTSIDE
    assert len(result) == 1


def test_empty_inputs_give_empty_results() -> None:
    none = columns([])
    zone = Region(CircleOutline((0.0, 0.0), 1_000.0), 0.0, 1_000.0)
    one = columns([Track(0.0, 0.0, 500.0, 100.0, 0.0, 0.0)])
    for tracks, zones in ((none, []), (none, [zone]), (one, [])):
        hits = zone_intrusions(tracks, zones, np.ones(len(zones), dtype=np.int64))
        assert (len(hits), hits.pairs, hits.candidates, hits.pieces) == (0, 0, 0, 0)
    assert len(conformance(none, [], np.zeros(0, dtype=np.int64))) == 0
    assert len(conformance(none, [[zone]], np.zeros(0, dtype=np.int64))) == 0
    # plain empty lists too: NumPy would make them float64, which cannot index
    assert len(conformance(none, [[zone]], [])) == 0
    for tracks in (none, one):
        hits = zone_intrusions(tracks, [], [])
        assert (len(hits), hits.pairs, hits.candidates) == (0, 0, 0)


def test_a_zone_opening_exactly_at_the_end_of_the_look_ahead_is_an_intrusion() -> None:
    """The look-ahead is closed, [0, lookahead_s], and a window [t_start, t_end) is open at its
    start: a track inside a zone that opens at 300 s intrudes at 300 s."""
    track = columns([Track(0.0, 0.0, 500.0, 0.0, 0.0, 0.0)])
    opening = Region(CircleOutline((0.0, 0.0), 1_000.0), 0.0, 1_000.0, 300.0, 400.0)
    assert hit_of(zone_intrusions(track, [opening], [1], lookahead_s=300.0), 0) == (
        300.0,
        300.0,
        0.0,
    )
    assert len(zone_intrusions(track, [opening], [1], lookahead_s=299.9)) == 0
    closed = Region(opening.outline, 0.0, 1_000.0, -100.0, 0.0)  # closed at 0: never open now
    assert len(zone_intrusions(track, [closed], [1], lookahead_s=300.0)) == 0


def test_a_track_entering_within_a_second_is_at_its_distance_now() -> None:
    """100 m from a zone at 200 m/s: in at 0.5 s, and 100 m away now (not 0)."""
    zone = Region(CircleOutline((0.0, 0.0), 1_000.0), 0.0, 1_000.0)
    lon, lat = geodesic_destination(0.0, 0.0, 90.0, 1_100.0)
    track = Track(float(lat), float(lon), 500.0, 200.0, 270.0, 0.0)
    hit = hit_of(zone_intrusions(columns([track]), [zone], [1], lookahead_s=60.0), 0)
    assert hit is not None
    assert hit[0] == pytest.approx(0.5, abs=1e-3)
    assert hit[2] == pytest.approx(100.0, abs=0.01)


def test_a_track_creeping_across_a_corridor_edge_is_found() -> None:
    """A hovering aircraft drifting at 2 mm/s across a corridor's side (its straight stretch,
    a slab) enters when it reaches it, 250 s after being half a metre outside."""
    path = ((0.0, 0.0), (0.1, 0.0))
    zone = Region(CorridorOutline(path, 1_000.0), 0.0, 1_000.0)
    lon, lat = geodesic_destination(0.05, 0.0, 0.0, 1_000.5)
    creeping = Track(float(lat), float(lon), 500.0, 0.002, 180.0, 0.0)
    hit = hit_of(zone_intrusions(columns([creeping]), [zone], [1], lookahead_s=300.0), 0)
    assert hit is not None
    assert hit[0] == pytest.approx(250.0, abs=1.0)
    assert hit[2] == pytest.approx(0.5, abs=0.01)


def test_crossings_far_out_on_a_large_polygon_are_placed_within_centimetres() -> None:
    """A 1,300 km square: its east side, 670 km from the frame centre, is cut into chords whose
    bulge must stay near 1 cm (`EDGE_SAGITTA_M`). 120 slow tracks (short pieces) cross it along
    220 km; each entry is compared with the reference's, found by bisection on its side."""
    zone = Region(square(-6.0, -6.0, 6.0, 6.0), 0.0, 5_000.0)
    lats = np.linspace(-1.0, 1.0, 120)
    starts = [geodesic_destination(6.0, float(lat), 90.0, 1_000.0) for lat in lats]
    tracks = [Track(float(la), float(lo), 500.0, 10.0, 270.0, 0.0) for lo, la in starts]
    hits = zone_intrusions(columns(tracks), [zone], [1], lookahead_s=300.0)
    assert len(hits) == 120
    lo, hi = np.full(120, 50.0), np.full(120, 150.0)  # about 100 s from 1 km at 10 m/s
    which = np.arange(120)
    for _ in range(40):
        mid = (lo + hi) / 2.0
        lon, lat, _ = positions(tracks, which, mid)
        inside = horizontal_depth(zone.outline, lon, lat) > 0.0
        hi, lo = np.where(inside, mid, hi), np.where(inside, lo, mid)
    entry = np.empty(120)
    entry[hits.track] = hits.t_entry_s
    assert np.max(np.abs(entry - (lo + hi) / 2.0)) * 10.0 < 0.1  # metres along the path


def test_a_frame_centre_just_outside_its_polygon_is_not_taken_for_inside() -> None:
    """The polygon's frame is centred on its bounding box, here in a notch 0.5 m outside its
    edge (cut from the west, or from the south): a track standing there is outside, though a
    point 1 m east (or north) of it is inside."""
    half_m = 0.5 / 111_319.49
    west = PolygonOutline(
        (
            (
                (-0.1, -0.1), (0.1, -0.1), (0.1, 0.1), (-0.1, 0.1), (-0.1, 0.01),
                (half_m, 0.01), (half_m, -0.01), (-0.1, -0.01), (-0.1, -0.1),
            ),
        )
    )  # fmt: skip
    south = PolygonOutline(
        (
            (
                (-0.1, -0.1), (-0.01, -0.1), (-0.01, half_m), (0.01, half_m), (0.01, -0.1),
                (0.1, -0.1), (0.1, 0.1), (-0.1, 0.1), (-0.1, -0.1),
            ),
        )
    )  # fmt: skip
    standing = columns([Track(0.0, 0.0, 500.0, 0.0, 0.0, 0.0)])
    for outline in (west, south):
        zone = Region(outline, 0.0, 1_000.0)
        assert horizontal_depth(outline, np.array([0.0]), np.array([0.0]))[0] < 0.0
        result = conformance(standing, [[zone]], [0])
        assert result.status_of(0) is ConformanceStatus.OUTSIDE
        assert len(zone_intrusions(standing, [zone], [1])) == 0


def test_the_far_tip_of_a_polygon_is_within_its_reach() -> None:
    """A triangle whose first vertex, a sharp tip, lies 5 km further from the frame centre than
    any other: a track crossing just inside the tip is measured, not pruned away."""
    tip = PolygonOutline((((0.5, 0.3), (-0.5, 0.2), (0.3, -0.3), (0.5, 0.3)),))
    zone = Region(tip, 0.0, 1_000.0)
    # 30 m inside the tip along its bisector, crossing it from north-west to south-east
    lon, lat = geodesic_destination(0.5, 0.3, 225.0, 60.0)
    start_lon, start_lat = geodesic_destination(float(lon), float(lat), 315.0, 1_000.0)
    track = Track(float(start_lat), float(start_lon), 500.0, 100.0, 135.0, 0.0)
    hits = zone_intrusions(columns([track]), [zone], [1], lookahead_s=60.0)
    assert len(hits) == 1
    assert 5.0 < hits.t_entry_s[0] < hits.t_exit_s[0] < 15.0


def test_runs_agree_with_a_plain_merge_of_intervals() -> None:
    """`first_runs` against a loop: per group, intervals sorted by start, merged while the next
    starts within `JOIN_S` of the furthest end so far; the first run's start and end."""
    from sharedsky.detect.conformance.runs import first_runs

    rng = np.random.default_rng(8)
    for _ in range(200):
        n = int(rng.integers(1, 40))
        groups = int(rng.integers(1, 6))
        group = rng.integers(0, groups, n)
        start = np.round(rng.uniform(0.0, 30.0, n), 2)
        end = start + np.round(rng.exponential(4.0, n), 2)
        got_start, got_end = first_runs(group, start, end, groups + 1)
        for g in range(groups + 1):
            mine = sorted(zip(start[group == g], end[group == g], strict=True))
            if not mine:
                assert math.isnan(got_start[g]) and math.isnan(got_end[g])
                continue
            run_start, reach = mine[0]
            for s_, e_ in mine[1:]:
                if s_ > reach + JOIN_S:
                    break
                reach = max(reach, e_)
            assert (got_start[g], got_end[g]) == (run_start, reach)


def test_a_small_zone_under_the_middle_of_a_long_path_is_found() -> None:
    """At 300 m/s for 300 s the straight chord from now to the look-ahead passes 160 m under
    the flown path's middle (the sagitta L²/8R): the pruning's chord bound must allow for it,
    or a zone of 50 m there would be dropped before the exact stage."""
    lon_mid, lat_mid = geodesic_destination(0.0, 0.0, 90.0, 45_000.0)
    zone = Region(CircleOutline((float(lon_mid), float(lat_mid)), 50.0), 0.0, 1_000.0)
    fast = columns([Track(0.0, 0.0, 500.0, 300.0, 90.0, 0.0)])
    found = intrusion_candidates(fast, [zone], [1], lookahead_s=300.0)
    assert found.track.tolist() == [0]
    hit = hit_of(zone_intrusions(fast, [zone], [1], lookahead_s=300.0), 0)
    assert hit is not None
    assert hit[0] == pytest.approx((45_000.0 - 50.0) / 300.0, abs=0.01)
    assert hit[1] == pytest.approx((45_000.0 + 50.0) / 300.0, abs=0.01)


def test_the_pruning_measures_pairs_in_blocks_without_changing_them(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """`BLOCK_PAIRS` bounds the memory of the pruning: blocks of one or a few tracks give the
    same candidates as one block for all."""
    from sharedsky.detect.conformance import candidates

    rng = np.random.default_rng(3)
    zones = [
        Region(CircleOutline((float(lon), 0.0), 2_000.0), 0.0, 1_000.0)
        for lon in np.linspace(0.0, 1.0, 7)
    ]
    tracks = columns(
        [
            Track(0.0, float(rng.uniform(0, 1)), 500.0, 200.0, float(rng.uniform(0, 360)), 0.0)
            for _ in range(40)
        ]
    )
    whole = intrusion_candidates(tracks, zones, [1] * 7, lookahead_s=60.0)
    assert 10 < len(whole.track) < 40 * 7
    for block_pairs in (1, 7, 8, 50):
        monkeypatch.setattr(candidates, "BLOCK_PAIRS", block_pairs)
        part = intrusion_candidates(tracks, zones, [1] * 7, lookahead_s=60.0)
        assert part.track.tolist() == whole.track.tolist()
        assert part.zone.tolist() == whole.zone.tolist()
        assert part.pairs == whole.pairs == 280


def test_the_distance_now_is_the_geodesic_distance_to_the_outline() -> None:
    """Three zones 30 km east of A: a circle, a square and a corridor running north–south."""
    lon30 = float(geodesic_destination(0.0, 0.0, 90.0, 30_000.0)[0])
    lon40 = float(geodesic_destination(0.0, 0.0, 90.0, 40_000.0)[0])
    zones = [
        Region(CircleOutline((lon40, 0.0), 10_000.0), 0.0, 5_000.0),
        Region(square(lon30, -0.1, lon40, 0.1), 0.0, 5_000.0),
        Region(CorridorOutline(((lon40, -0.5), (lon40, 0.5)), 10_000.0), 0.0, 5_000.0),
    ]
    track = Track(0.0, 0.0, 1_000.0, 250.0, 90.0, 0.0)
    hits = zone_intrusions(columns([track]), zones, [1, 1, 1])
    assert hits.zone.tolist() == [0, 1, 2]
    assert hits.distance_m == pytest.approx([30_000.0] * 3, abs=0.05)


def test_a_path_longer_than_2000_km_is_refused_naming_the_argument() -> None:
    """The columns themselves are checked when they are made (tests/detect/test_tracks.py)."""
    tracks = columns([Track(0.0, 0.0, 1_000.0, 40_000.0, 0.0, 0.0)])
    zone = Region(CircleOutline((0.0, 0.0), 1_000.0), 0.0, 1_000.0)
    with pytest.raises(ValueError, match=r"^gs_mps × lookahead_s reaches beyond 2,000 km$"):
        zone_intrusions(tracks, [zone], [1])
    with pytest.raises(ValueError, match=r"^gs_mps × horizon_s reaches beyond 2,000 km$"):
        conformance(tracks, [[zone]], [0])
    exactly = columns([Track(0.0, 0.0, 1_000.0, 50_000.0, 0.0, 0.0)])
    conformance(exactly, [[zone]], [0], horizon_s=39.0)  # 40 s with its 1 s tail: 2,000 km
    zone_intrusions(exactly, [zone], [1], lookahead_s=40.0)
    standing = columns([Track(0.0, 0.0, 1_000.0, 0.0, 0.0, 0.0)])
    zone_intrusions(standing, [zone], [1], lookahead_s=3e6)  # 35 days, no path at all: accepted
    beyond = columns([Track(0.0, 0.0, 1_000.0, 50_000.001, 0.0, 0.0)])
    with pytest.raises(ValueError, match="2,000 km"):
        zone_intrusions(beyond, [zone], [1], lookahead_s=40.0)


_OK = Region(CircleOutline((0.0, 0.0), 1_000.0), 0.0, 1_000.0)
_NAN_CORRIDOR = CorridorOutline(((0.0, 0.0), (math.nan, 0.0)), 10.0)


@pytest.mark.parametrize(
    ("zones", "message"),
    [
        ([_OK, "zone"], "zones[1] is not a Region"),
        ([Region(_OK.outline, "low", 1.0)], "a region's band or window is not a number"),
        (
            [_OK, Region(_OK.outline, -math.inf, 1.0)],
            "zones[1]: alt_lo_m and alt_hi_m must be finite",
        ),
        ([Region(_OK.outline, 2.0, 1.0)], "zones[0]: alt_lo_m is above alt_hi_m"),
        (
            [Region(_OK.outline, 0.0, 1.0, math.inf)],
            "zones[0]: t_start_s must be a number below +inf",
        ),
        (
            [Region(_OK.outline, 0.0, 1.0, math.nan)],
            "zones[0]: t_start_s must be a number below +inf",
        ),
        (
            [Region(_OK.outline, 0.0, 1.0, 0.0, -math.inf)],
            "zones[0]: t_end_s must be a number above -inf",
        ),
        (
            [Region(_OK.outline, 0.0, 1.0, 0.0, math.nan)],
            "zones[0]: t_end_s must be a number above -inf",
        ),
        ([Region(_OK.outline, 0.0, 1.0, 5.0, 4.0)], "zones[0]: t_end_s is before t_start_s"),
        ([_OK, Region("circle", 0.0, 1.0)], "zones[1].outline is not an outline"),
        (
            [_OK, Region(CorridorOutline(((0.0, 0.0), (1.0, 0.0)), -1.0), 0.0, 1.0)],
            "zones[1].outline.half_width_m must be a positive finite number of metres",
        ),
        (
            [Region(CircleOutline((0.0, 0.0), math.inf), 0.0, 1.0)],
            "zones[0].outline.radius_m must be a positive finite number of metres",
        ),
        (
            [_OK, Region(square(0.0, 0.0, 1.0, 1.0), 0.0, 1.0), Region(_NAN_CORRIDOR, 0.0, 1.0)],
            "zones[2].outline has a position that is not finite or out of range",
        ),
        (  # the outline's first use is named, not its last
            [_OK, Region(_NAN_CORRIDOR, 0.0, 1.0), _OK, Region(_NAN_CORRIDOR, 5.0, 6.0)],
            "zones[1].outline has a position that is not finite or out of range",
        ),
        (
            [_OK, Region(CircleOutline((181.0, 0.0), 10.0), 0.0, 1.0)],
            "zones[1].outline has a position that is not finite or out of range",
        ),
        (
            [Region(CircleOutline((0.0, -90.5), 10.0), 0.0, 1.0)],
            "zones[0].outline has a position that is not finite or out of range",
        ),
        (
            [
                Region(
                    PolygonOutline(
                        (((0.0, 0.0, 1.0), (1.0, 0.0, 1.0), (1.0, 1.0, 1.0), (0.0, 0.0, 1.0)),)
                    ),
                    0.0,
                    1.0,
                )
            ],
            "an outline position is not a (lon_deg, lat_deg) pair",
        ),
        (
            [
                Region(
                    PolygonOutline(
                        ((("east", 0.0), (1.0, 0.0), (1.0, 1.0), (0.0, 0.0)),)  # type: ignore[arg-type]
                    ),
                    0.0,
                    1.0,
                )
            ],
            "an outline position is not a (lon_deg, lat_deg) pair",
        ),
    ],
)
def test_bad_zones_are_refused_with_the_exact_reason(zones: list[Region], message: str) -> None:
    tracks = columns([Track(0.0, 0.0, 500.0, 100.0, 0.0, 0.0)])
    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        zone_intrusions(tracks, zones, [1] * len(zones))


def test_the_edges_of_every_zone_range_are_accepted() -> None:
    """A band of no thickness, an empty window [t, t), centres on the antimeridian and at the
    poles are all valid."""
    tracks = columns([Track(0.0, 0.0, 500.0, 100.0, 0.0, 0.0)])
    zones = [
        Region(_OK.outline, 500.0, 500.0),
        Region(_OK.outline, 0.0, 1_000.0, 7.0, 7.0),
        Region(CircleOutline((180.0, 0.0), 10.0), 0.0, 1.0),
        Region(CircleOutline((-180.0, 90.0), 10.0), 0.0, 1.0),
        Region(CircleOutline((0.0, -90.0), 10.0), 0.0, 1.0),
    ]
    hits = zone_intrusions(tracks, zones, [1] * 5)
    assert hits.pairs == 5
    assert [hit_of(hits, 0, k) is not None for k in range(5)] == [True, False, False, False, False]


@pytest.mark.parametrize(
    ("region", "message"),
    [
        (Region(CircleOutline((0.0, 0.0), 1_000.0), 2_000.0, 1_000.0), r"zones\[0\].*alt_lo_m"),
        (Region(CircleOutline((0.0, 0.0), 1_000.0), 0.0, math.nan), r"zones\[0\].*finite"),
        (Region(CircleOutline((0.0, 0.0), 1.0), 0.0, 1.0, 50.0, 10.0), "t_end_s"),
        (Region(CircleOutline((0.0, 0.0), 1.0), 0.0, 1.0, math.nan), "t_start_s"),
        (Region(CircleOutline((0.0, 0.0), -5.0), 0.0, 1.0), r"zones\[0\]\.outline\.radius_m"),
        (Region(CircleOutline((0.0, 95.0), 5.0), 0.0, 1.0), "out of range"),
        (Region(CorridorOutline(((0.0, 0.0),), 5.0), 0.0, 1.0), "path"),
        (Region(CorridorOutline(((0.0, 0.0), (1.0, 0.0)), 0.0), 0.0, 1.0), "half_width_m"),
        (Region(PolygonOutline((((0.0, 0.0), (1.0, 0.0), (0.0, 0.0)),)), 0.0, 1.0), "rings"),
        (Region(square(0.0, 0.0, 1.0, math.nan), 0.0, 1.0), "out of range"),
    ],
)
def test_bad_zones_are_refused_naming_the_zone(region: Region, message: str) -> None:
    tracks = columns([Track(0.0, 0.0, 1_000.0, 100.0, 0.0, 0.0)])
    with pytest.raises(ValueError, match=message):
        zone_intrusions(tracks, [region], [1])


def test_bad_arguments_are_refused_naming_them() -> None:
    tracks = columns([Track(0.0, 0.0, 1_000.0, 100.0, 0.0, 0.0)])
    zone = Region(CircleOutline((0.0, 0.0), 1_000.0), 0.0, 1_000.0)
    flipped = Region(zone.outline, 5.0, 1.0)
    refusals: list[tuple[Callable[[], object], str]] = [
        (
            lambda: zone_intrusions(tracks, [zone], [1], lookahead_s=0.0),
            "lookahead_s must be a positive finite number, not 0.0",
        ),
        (
            lambda: zone_intrusions(tracks, [zone], [1, 2]),
            "zone_party has shape (2,), expected (1,)",
        ),
        (
            lambda: conformance(tracks, [[zone]], [0], horizon_s=math.nan),
            "horizon_s must be a positive finite number, not nan",
        ),
        (
            lambda: conformance(tracks, [[zone]], [1]),
            "notice_of_track holds an index outside notice_regions",
        ),
        (
            lambda: conformance(tracks, [[zone]], [-1]),
            "notice_of_track holds an index outside notice_regions",
        ),
        (
            lambda: conformance(tracks, [[zone]], [0, 0]),
            "notice_of_track has shape (2,), expected (1,)",
        ),
        (
            lambda: conformance(tracks, [[zone], [flipped]], [0]),
            "notice_regions[1][0]: alt_lo_m is above alt_hi_m",
        ),
        (
            lambda: conformance(tracks, [[zone], [], [zone, zone, flipped]], [0]),
            "notice_regions[2][2]: alt_lo_m is above alt_hi_m",
        ),
        (
            lambda: zone_intrusions(tracks, [zone, zone, flipped], [1, 1, 1]),
            "zones[2]: alt_lo_m is above alt_hi_m",
        ),
    ]
    for call, message in refusals:
        with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
            call()


def test_a_track_leaving_its_band_at_this_instant_is_leaving_now() -> None:
    """On the band's top and climbing: inside now (the boundary is inside), out at once."""
    zone = Region(CircleOutline((0.0, 0.0), 5_000.0), 0.0, 1_000.0)
    climbing = Track(0.0, 0.0, 1_000.0, 100.0, 0.0, 5.0)
    result = conformance(columns([climbing]), [[zone]], [0])
    assert result.status_of(0) is ConformanceStatus.LEAVING
    assert result.t_exit_s[0] == 0.0
    level = Track(0.0, 0.0, 1_000.0, 10.0, 0.0, 0.0)  # on the top and staying there
    assert conformance(columns([level]), [[zone]], [0]).status_of(0) is ConformanceStatus.CONFORMING
    bottom = Track(0.0, 0.0, 0.0, 10.0, 0.0, 0.0)  # on the floor and staying there
    assert (
        conformance(columns([bottom]), [[zone]], [0]).status_of(0) is ConformanceStatus.CONFORMING
    )
    hit = hit_of(zone_intrusions(columns([climbing]), [zone], [1]), 0)
    assert hit == (0.0, 0.0, 0.0)


def test_an_exit_exactly_at_the_horizon_is_leaving() -> None:
    """The horizon is closed: a track out of its band at exactly 60 s is leaving then."""
    zone = Region(CircleOutline((0.0, 0.0), 5_000.0), 0.0, 600.0)
    climbing = Track(0.0, 0.0, 0.0, 0.0, 0.0, 10.0)  # reaches 600 m at 60 s
    result = conformance(columns([climbing]), [[zone]], [0], horizon_s=60.0)
    assert result.status_of(0) is ConformanceStatus.LEAVING
    assert result.t_exit_s[0] == 60.0
    later = conformance(columns([climbing]), [[zone]], [0], horizon_s=59.5)
    assert later.status_of(0) is ConformanceStatus.CONFORMING


# ── random cases ────────────────────────────────────────────────────────────────────────────


@functools.lru_cache(maxsize=64)
def _size_of(outline: Outline) -> float:
    """About how far (metres) the outline reaches from its first position."""
    if isinstance(outline, CircleOutline):
        return outline.radius_m
    points = outline.rings[0] if isinstance(outline, PolygonOutline) else outline.path
    lon = np.array([p[0] for p in points])
    lat = np.array([p[1] for p in points])
    _, _, dist = WGS84.inv(np.full(lon.size, lon[0]), np.full(lat.size, lat[0]), lon, lat)
    extra = outline.half_width_m if isinstance(outline, CorridorOutline) else 0.0
    return float(np.max(dist)) + extra


def random_region(
    rng: np.random.Generator,
    make_outline: Callable[[np.random.Generator, float, float, float], Outline],
    lon: float,
    lat: float,
    horizon_s: float,
) -> Region:
    """A random outline of 1–50 km at (lon, lat), a band, and a window that is open, opens or
    closes within the horizon."""
    size_m = float(np.exp(rng.uniform(math.log(1e3), math.log(5e4))))
    outline = make_outline(rng, lon, lat, size_m)
    alt_lo = float(rng.uniform(0.0, 3_000.0))
    alt_hi = alt_lo + float(rng.uniform(200.0, 3_000.0))
    mode = rng.integers(5)
    start, end = -math.inf, math.inf
    if mode == 3:
        start = float(rng.uniform(-100.0, horizon_s))
    elif mode == 4:
        end = float(rng.uniform(0.0, horizon_s))
    return Region(outline, alt_lo, alt_hi, start, end)


def random_track(
    rng: np.random.Generator, region: Region, lon: float, lat: float, reach_s: float
) -> Track:
    """A track near the region, heading at a random point of it (or past it), often in its band,
    sometimes grazing it: the interesting cases."""
    size = _size_of(region.outline)
    gs = 0.0 if rng.random() < 0.05 else float(rng.uniform(0.0, 300.0))
    start_lon, start_lat = geodesic_destination(
        lon, lat, rng.uniform(0.0, 360.0), rng.uniform(0.0, size + gs * reach_s)
    )
    aim_lon, aim_lat = geodesic_destination(
        lon, lat, rng.uniform(0.0, 360.0), rng.uniform(0.0, 1.3 * size)
    )
    trk = float(geodesic_azimuth_deg(start_lon, start_lat, aim_lon, aim_lat))
    vs = 0.0 if rng.random() < 0.5 else float(rng.uniform(-20.0, 20.0))
    band = region.alt_hi_m - region.alt_lo_m
    alt = region.alt_lo_m + float(rng.uniform(-0.5, 1.5)) * band
    if rng.random() < 0.1:  # exactly at a band edge
        alt = region.alt_lo_m if rng.random() < 0.5 else region.alt_hi_m
    return Track(float(start_lat), float(start_lon), alt, gs, trk % 360.0, vs)


def flying_under(rng: np.random.Generator, region: Region, lon: float, lat: float) -> Track:
    """A track that is (mostly) inside the region now, in its band, heading anywhere."""
    size = _size_of(region.outline)
    tries_lon, tries_lat = geodesic_destination(
        lon, lat, rng.uniform(0, 360, 20), rng.uniform(0, size, 20)
    )
    inside = np.flatnonzero(horizontal_depth(region.outline, tries_lon, tries_lat) > 0)
    pick = int(inside[0]) if inside.size else 0
    start_lon, start_lat = float(tries_lon[pick]), float(tries_lat[pick])
    band = region.alt_hi_m - region.alt_lo_m
    alt = region.alt_lo_m + float(rng.uniform(-0.1, 1.1)) * band
    vs = 0.0 if rng.random() < 0.6 else float(rng.uniform(-10.0, 10.0))
    gs = float(rng.uniform(0.0, 300.0)) if rng.random() < 0.7 else float(rng.uniform(0.0, 30.0))
    return Track(start_lat, start_lon, alt, gs, float(rng.uniform(0.0, 360.0)), vs)


def grazing_track(
    rng: np.random.Generator, circle: CircleOutline, offset_m: float, gs: float
) -> Track:
    """A track whose geodesic passes the circle's edge offset_m outside it (negative: inside),
    closest after 10–110 s. It passes through the point P at radius + offset_m at a right angle
    to the radius there, and by Gauss's lemma that is its closest approach to the centre."""
    lon, lat = circle.center
    at_lon, at_lat, back = WGS84.fwd(lon, lat, rng.uniform(0.0, 360.0), circle.radius_m + offset_m)
    heading = float(back) + 180.0 + (90.0 if rng.random() < 0.5 else -90.0)
    start_lon, start_lat, onward = WGS84.fwd(
        at_lon, at_lat, heading + 180.0, gs * rng.uniform(10, 110)
    )
    return Track(float(start_lat), float(start_lon), 1_000.0, gs, float(onward) % 360.0, 0.0)


@settings(max_examples=examples(40), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 2**32 - 1), lat=st.floats(-75.0, 75.0), lon=st.floats(-170.0, 170.0))
@example(seed=1048576, lat=0.0, lon=0.0)  # a window opening 13 µs before the track leaves
def test_intrusions_agree_with_the_reference_at_a_tenth_of_a_second(
    make_outline: Callable[[np.random.Generator, float, float, float], Outline],
    seed: int,
    lat: float,
    lon: float,
) -> None:
    rng = np.random.default_rng(seed)
    zone = random_region(rng, make_outline, lon, lat, 60.0)
    tracks = [random_track(rng, zone, lon, lat, 60.0) for _ in range(4)]
    hits = zone_intrusions(columns(tracks), [zone], [1], lookahead_s=60.0)
    check_intrusions(zone, tracks, hits, 60.0, 0.1)


@settings(max_examples=examples(40), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 2**32 - 1), lat=st.floats(-75.0, 75.0), lon=st.floats(-170.0, 170.0))
def test_conformance_agrees_with_the_reference_at_a_tenth_of_a_second(
    make_outline: Callable[[np.random.Generator, float, float, float], Outline],
    seed: int,
    lat: float,
    lon: float,
) -> None:
    rng = np.random.default_rng(seed)
    notice = _random_notice(rng, make_outline, lon, lat)
    tracks = [random_track(rng, notice[0], lon, lat, 20.0) for _ in range(2)]
    tracks += [flying_under(rng, notice[0], lon, lat) for _ in range(2)]
    result = conformance(columns(tracks), [notice], np.zeros(len(tracks), dtype=np.int64))
    check_conformance(notice, tracks, result, 60.0, 0.1)


def _random_notice(
    rng: np.random.Generator,
    make_outline: Callable[[np.random.Generator, float, float, float], Outline],
    lon: float,
    lat: float,
) -> list[Region]:
    """1–3 volumes around (lon, lat), the later ones overlapping, touching or above the first."""
    first = random_region(rng, make_outline, lon, lat, 60.0)
    notice = [first]
    for _ in range(int(rng.integers(0, 3))):
        near_lon, near_lat = geodesic_destination(
            lon, lat, rng.uniform(0, 360), rng.uniform(0, 20_000)
        )
        other = random_region(rng, make_outline, float(near_lon), float(near_lat), 60.0)
        if rng.random() < 0.5:  # stacked on the first
            other = Region(
                other.outline,
                first.alt_hi_m,
                first.alt_hi_m + 1_000.0,
                other.t_start_s,
                other.t_end_s,
            )
        notice.append(other)
    return notice


def test_random_intrusions_agree_with_the_reference(
    make_outline: Callable[[np.random.Generator, float, float, float], Outline],
) -> None:
    """4,000 track × zone cases (250 zones, 16 tracks aimed at each; a fifth of the circles
    grazed by 4 of them within ±5 m), look-ahead 120 s, samples every 0.5 s."""
    rng = np.random.default_rng(20261125)
    hits_seen = 0
    misses: list[float] = []
    zones: list[Region] = []
    every_track: list[Track] = []
    alone: dict[tuple[int, int], tuple[float, float, float]] = {}
    for k in range(250):
        lon, lat = float(rng.uniform(-170.0, 170.0)), float(rng.uniform(-75.0, 75.0))
        zone = random_region(rng, make_outline, lon, lat, 120.0)
        tracks = [random_track(rng, zone, lon, lat, 120.0) for _ in range(16)]
        if isinstance(zone.outline, CircleOutline) and rng.random() < 0.2:
            offsets = rng.uniform(-5.0, 5.0, 4)
            tracks[:4] = [grazing_track(rng, zone.outline, float(m), 250.0) for m in offsets]
            zone = Region(zone.outline, 0.0, 5_000.0)
        hits = zone_intrusions(columns(tracks), [zone], [1], lookahead_s=120.0)
        hits_seen += len(hits)
        misses += check_intrusions(zone, tracks, hits, 120.0, 0.5)
        for h in range(len(hits)):
            alone[(16 * k + int(hits.track[h]), k)] = hit_of(hits, int(hits.track[h])) or (0, 0, 0)
        zones.append(zone)
        every_track += tracks
    assert 1_000 < hits_seen < 3_500  # the cases are neither all misses nor all hits
    assert len(misses) > 500
    assert max(misses) < 0.01  # outlines up to 50 km: the error bound there is about 1 cm
    # all 250 zones and 4,000 tracks at once: the same hits (zones far apart meet no other's
    # tracks), their times within the error bound, their distances to the millimetre
    together = zone_intrusions(
        columns(every_track), zones, np.ones(250, np.int64), lookahead_s=120.0
    )
    assert together.pairs == 4_000 * 250
    found = {
        (int(i), int(j)): (float(a), float(b), float(d))
        for i, j, a, b, d in zip(
            together.track,
            together.zone,
            together.t_entry_s,
            together.t_exit_s,
            together.distance_m,
            strict=True,
        )
    }
    assert found.keys() == alone.keys()
    for pair, (entry, leave, distance) in found.items():
        assert entry == pytest.approx(alone[pair][0], abs=0.01)
        assert leave == pytest.approx(alone[pair][1], abs=0.01)
        assert distance == pytest.approx(alone[pair][2], abs=1e-3)


def test_large_zones_over_five_minutes_agree_with_the_reference(
    make_outline: Callable[[np.random.Generator, float, float, float], Outline],
) -> None:
    """40 zones of 100–1,000 km, 6 tracks each at up to 300 m/s for 300 s; circles (radius 20 to
    500 km) are grazed within ±3 m: that far from a frame's centre a single straight line from
    now to the look-ahead strays metres from the geodesic, the engine's pieces centimetres."""
    rng = np.random.default_rng(17)
    misses: list[float] = []
    for _ in range(40):
        lon, lat = float(rng.uniform(-150.0, 150.0)), float(rng.uniform(-60.0, 60.0))
        size_m = float(rng.uniform(1e5, 1e6))
        zone = Region(make_outline(rng, lon, lat, size_m), 0.0, 5_000.0)
        tracks = [random_track(rng, zone, lon, lat, 300.0) for _ in range(6)]
        if isinstance(zone.outline, CircleOutline):
            offsets = rng.uniform(-3.0, 3.0, 6)
            tracks = [grazing_track(rng, zone.outline, float(m), 300.0) for m in offsets]
        hits = zone_intrusions(columns(tracks), [zone], [1])
        misses += check_intrusions(zone, tracks, hits, 300.0, 1.0)
    assert len(misses) > 20
    assert max(misses) < 0.35


def test_random_conformance_agrees_with_the_reference(
    make_outline: Callable[[np.random.Generator, float, float, float], Outline],
) -> None:
    """1,500 tracks under 100 random notices of 1–3 volumes, in one call (each notice's tracks
    spread through the batch), horizon 60 s, samples every 0.25 s."""
    rng = np.random.default_rng(11)
    notices: list[list[Region]] = []
    tracks: list[Track] = []
    owner: list[int] = []
    for k in range(100):
        lon, lat = float(rng.uniform(-170.0, 170.0)), float(rng.uniform(-75.0, 75.0))
        notice = _random_notice(rng, make_outline, lon, lat)
        notices.append(notice)
        tracks += [random_track(rng, notice[0], lon, lat, 10.0) for _ in range(6)]
        tracks += [flying_under(rng, notice[0], lon, lat) for _ in range(9)]
        owner += [k] * 15
    shuffle = rng.permutation(len(tracks))
    tracks = [tracks[i] for i in shuffle]
    notice_of_track = np.asarray(owner)[shuffle]
    result = conformance(columns(tracks), notices, notice_of_track)
    assert sorted({len(notice) for notice in notices}) == [1, 2, 3]
    for k, notice in enumerate(notices):
        mine = np.flatnonzero(notice_of_track == k)
        part = ConformanceResult(result.status[mine], result.t_exit_s[mine])
        check_conformance(notice, [tracks[i] for i in mine], part, 60.0, 0.25)
    statuses = result.status.tolist()
    for status in ConformanceStatus:
        assert statuses.count(status.value) > 100


def test_pruning_keeps_every_pair_the_reference_finds_inside(
    make_outline: Callable[[np.random.Generator, float, float, float], Outline],
) -> None:
    """60 tracks × 20 zones of two parties in a 200 km square: every pair that the reference
    finds clearly inside at a 1 s sample is a candidate; most pairs are pruned."""
    rng = np.random.default_rng(5)
    lon0, lat0 = 35.0, 33.0
    zones, places = [], []
    for _ in range(20):
        lon, lat = geodesic_destination(lon0, lat0, rng.uniform(0, 360), rng.uniform(0, 100_000))
        zones.append(random_region(rng, make_outline, float(lon), float(lat), 120.0))
        places.append((float(lon), float(lat)))
    tracks = []
    for _ in range(60):
        k = int(rng.integers(20))
        tracks.append(random_track(rng, zones[k], *places[k], 120.0))
    party = np.arange(60) % 2
    zone_party = np.arange(20) % 3
    cols = columns(tracks)
    cols = TrackColumns(party.astype(np.int64), cols.states)
    found = intrusion_candidates(cols, zones, zone_party, lookahead_s=120.0)
    kept = set(zip(found.track.tolist(), found.zone.tolist(), strict=True))
    times = _sample_times(120.0, 1.0)
    inside = set()
    for j, zone in enumerate(zones):
        c = _classes([zone], tracks, times)
        inside |= {
            (i, j) for i in np.flatnonzero(np.any(c == INSIDE, axis=1)) if party[i] != zone_party[j]
        }
    assert inside <= kept
    assert len(inside) > 10
    assert found.pairs == int(np.sum(party[:, None] != zone_party[None, :]))
    assert len(kept) < found.pairs / 3
    hits = zone_intrusions(cols, zones, zone_party, lookahead_s=120.0)
    assert set(zip(hits.track.tolist(), hits.zone.tolist(), strict=True)) <= kept
