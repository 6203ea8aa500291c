"""Tactical CPA against the brute-force geodesic reference over 100,000+ random encounters, and
the pruning stage against all pairs.

Encounters are the pairs of random clusters: 80 aircraft of 3 parties within 40 km of a random
point anywhere below 78° of latitude, altitudes in a 1,000 m band, speeds 0–300 m/s, half of
them climbing or descending at up to 20 m/s; about one pair in ten conflicts. Exact threshold
ties are left to the dedicated tests in test_tactical.py: here the engine must find every pair
that the reference finds with the lateral minimum 0.5 m smaller, and nothing that it does not
find with the minimum 0.5 m larger.

That same band (``TOL_M``: the engine's horizontal distance at any time is the reference's
within 0.5 m) is the tolerance of every figure the engine reports of a pair, in the units of
each figure:

- ``t_in_s``, ``t_out_s``: the engine's loss interval at the minimum L lies between the
  reference's at L − 0.5 m and at L + 0.5 m (the reference's intervals are nested: the same
  centre, a half-width growing with L). Where the vertical minimum or the look-ahead bounds
  them, the two agree to rounding (1 µs allowed). No time tolerance has to be guessed, and it
  stays bounded for grazing encounters, where a fixed band / closing-speed rule would blow up.
- ``tcpa_s``: the point of closest approach on the relative track (relative position at the
  CPA time) must be the reference's within 0.5 m along that track, which moves at the relative
  horizontal speed w: |Δt| ≤ 0.5 m / w (plus 1 µs). (Looser rules, such as "any time at which
  the distance is within 0.5 m of its minimum d", √(2·d·0.5)/w, allow a thousand times the
  error measured: 66 µs at most over the encounters, where 0.5 m / w is 0.8 ms or more.)
- ``dv_m`` = |dz + wz·tcpa|: |Δdv| ≤ |wz|·|Δtcpa|, so |wz| times the tcpa tolerance (plus 1 µm).
- ``dcpa_m``: 0.1 m (the models agree to 1 cm; see tactical.py).
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from detect.tactical_reference import (
    RefHit,
    all_pairs,
    reference_columns,
    reference_conflicts,
    reference_conflicts_by_minimum,
)
from pyproj import Geod

from sharedsky.detect.pruning import candidate_pairs
from sharedsky.detect.tactical import (
    _MODEL_SLACK_M,
    _VERTICAL_SLACK_M,
    detect_conflicts,
    tactical_candidates,
)
from sharedsky.detect.tracks import TrackColumns
from sharedsky.geo.distance import geodesic_destination
from sharedsky.geo.states import COLUMNS, States

LATERAL_M = 9_260.0
VERTICAL_M = 304.8
TOL_M = 0.5
ROUNDING_S = 1e-6


def cluster(rng: np.random.Generator, n: int = 80, radius_m: float = 40_000.0) -> TrackColumns:
    lat0, lon0 = rng.uniform(-78.0, 78.0), rng.uniform(-180.0, 180.0)
    lon, lat = geodesic_destination(
        lon0, lat0, rng.uniform(0.0, 360.0, n), radius_m * np.sqrt(rng.random(n))
    )
    climbing = rng.random(n) < 0.5
    return TrackColumns(
        party=rng.integers(0, 3, n).astype(np.int64),
        states=States(
            lat_deg=lat,
            lon_deg=lon,
            alt_m=rng.uniform(6_000.0, 7_000.0, n),
            gs_mps=rng.uniform(0.0, 300.0, n),
            trk_deg=rng.uniform(0.0, 360.0, n),
            vs_mps=np.where(climbing, rng.uniform(-20.0, 20.0, n), 0.0),
        ),
    )


def reference_pairs(tracks: TrackColumns, lateral_m: float) -> dict[tuple[int, int], float]:
    """The reference's conflicting pairs and their CPA distances (metres)."""
    hits = reference_conflicts(
        *reference_columns(tracks),
        lateral_m=lateral_m,
    )
    return {(h.i, h.j): h.dcpa_m for h in hits}


def reference_hits(tracks: TrackColumns, *lateral_ms: float) -> list[dict[tuple[int, int], RefHit]]:
    """The reference's conflicting pairs and their figures, for each lateral minimum."""
    by_minimum = reference_conflicts_by_minimum(
        *reference_columns(tracks),
        lateral_ms=lateral_ms,
    )
    return [{(h.i, h.j): h for h in hits} for hits in by_minimum]


def tcpa_tolerance_s(ref: RefHit) -> float:
    """How far the CPA time may move while the CPA point moves at most TOL_M along the
    relative track (see the module's docstring)."""
    if ref.w_mps == 0.0:
        return math.inf  # no relative motion: every time is the CPA
    return TOL_M / ref.w_mps + ROUNDING_S


@pytest.mark.slow
def test_the_engine_matches_the_reference_on_over_100_000_random_encounters() -> None:
    """Every conflicting pair and every figure of it: tcpa, dcpa, dv, t_in, t_out (the
    tolerances are derived in the module's docstring)."""
    rng = np.random.default_rng(20261125)
    encounters = conflicts = compared = 0
    worst = dict.fromkeys(("dcpa_m", "tcpa", "dv", "t_in_s", "t_out_s"), 0.0)
    while encounters < 100_000:
        tracks = cluster(rng)
        encounters += len(all_pairs(tracks.party)[0])
        hits = detect_conflicts(tracks)
        must, nominal, may = reference_hits(tracks, LATERAL_M - TOL_M, LATERAL_M, LATERAL_M + TOL_M)
        found = {
            (i, j): k for k, (i, j) in enumerate(zip(hits.i.tolist(), hits.j.tolist(), strict=True))
        }
        assert must.keys() <= found.keys(), f"missed {sorted(must.keys() - found.keys())}"
        assert found.keys() <= may.keys(), f"invented {sorted(found.keys() - may.keys())}"
        for pair, k in found.items():
            worst["dcpa_m"] = max(worst["dcpa_m"], abs(may[pair].dcpa_m - hits.dcpa_m[k]))
            # the loss interval at L within the reference's at L - TOL_M and L + TOL_M
            wide, narrow = may[pair], must.get(pair)
            t_in, t_out = float(hits.t_in_s[k]), float(hits.t_out_s[k])
            assert wide.t_in_s - ROUNDING_S <= t_in < t_out <= wide.t_out_s + ROUNDING_S, pair
            if narrow is not None:
                assert t_in <= narrow.t_in_s + ROUNDING_S, (pair, t_in, narrow)
                assert t_out >= narrow.t_out_s - ROUNDING_S, (pair, t_out, narrow)
            ref = nominal.get(pair)
            if ref is None:
                continue  # a tie within the band: its tcpa and dv are measured at another L
            compared += 1
            tol_s = tcpa_tolerance_s(ref)
            d_tcpa = abs(float(hits.tcpa_s[k]) - ref.tcpa_s)
            d_dv = abs(float(hits.dv_m[k]) - ref.dv_m)
            worst["tcpa"] = max(worst["tcpa"], d_tcpa / tol_s)
            worst["dv"] = max(worst["dv"], d_dv / (abs(_vs_diff(tracks, pair)) * tol_s + 1e-6))
            worst["t_in_s"] = max(worst["t_in_s"], abs(t_in - ref.t_in_s))
            worst["t_out_s"] = max(worst["t_out_s"], abs(t_out - ref.t_out_s))
        conflicts += len(found)
    assert encounters >= 100_000
    assert conflicts > 5_000  # the encounters are not all trivial misses
    assert compared > 0.99 * conflicts  # ties within the band are rare
    assert worst["dcpa_m"] < 0.1, worst  # CPA distances agree to 10 cm
    assert worst["tcpa"] <= 1.0, worst  # in units of each pair's tolerance
    assert worst["dv"] <= 1.0, worst


def _vs_diff(tracks: TrackColumns, pair: tuple[int, int]) -> float:
    return float(tracks.states.vs_mps[pair[1]] - tracks.states.vs_mps[pair[0]])


def test_pruning_keeps_every_conflict_and_counts_its_stages() -> None:
    rng = np.random.default_rng(7)
    for _ in range(10):
        tracks = cluster(rng, n=120, radius_m=150_000.0)
        candidates = tactical_candidates(tracks)
        kept = set(zip(candidates.i.tolist(), candidates.j.tolist(), strict=True))
        assert reference_pairs(tracks, LATERAL_M + 10.0).keys() <= kept
        stats = candidates.stats
        assert stats.pairs_all == 120 * 119 // 2
        assert stats.pairs_all >= stats.pairs_examined >= stats.pairs_box >= stats.candidates
        assert stats.candidates == len(kept) == len(candidates.i)
        assert stats.candidates < stats.pairs_all // 4  # pruning prunes


def test_candidates_do_not_depend_on_the_grid() -> None:
    tracks = cluster(np.random.default_rng(3), n=300, radius_m=200_000.0)
    base = tactical_candidates(tracks)
    from sharedsky.detect import tactical

    motion = tactical._planar(tracks)
    for cell_xy_m, cell_z_m in ((5_000.0, 300.0), (200_000.0, 10_000.0), (1e7, 1e5)):
        other = candidate_pairs(
            motion,
            lookahead_s=300.0,
            lateral_m=LATERAL_M + tactical._MODEL_SLACK_M,
            vertical_m=304.8 + tactical._VERTICAL_SLACK_M,
            box_lateral_m=tactical._box_lateral_m(
                9_360.0, float(tracks.states.gs_mps.max()), 300.0
            ),
            cell_xy_m=cell_xy_m,
            cell_z_m=cell_z_m,
        )
        assert sorted(zip(other.i, other.j, strict=True)) == sorted(
            zip(base.i, base.j, strict=True)
        )


def test_a_batch_spread_over_the_globe_loses_no_conflict() -> None:
    rng = np.random.default_rng(11)
    parts = [cluster(rng, n=30, radius_m=40_000.0) for _ in range(6)]
    tracks = TrackColumns(
        np.concatenate([p.party for p in parts]),
        States(*(np.concatenate([getattr(p.states, f) for p in parts]) for f in COLUMNS)),
    )
    hits = detect_conflicts(tracks)
    found = set(zip(hits.i.tolist(), hits.j.tolist(), strict=True))
    assert reference_pairs(tracks, LATERAL_M - TOL_M).keys() <= found
    assert found <= reference_pairs(tracks, LATERAL_M + TOL_M).keys()
    assert len(found) > 0


def test_the_grid_keeps_every_pair_that_passes_the_coarse_test() -> None:
    from sharedsky.detect import _grid_kernel, tactical

    tracks = cluster(np.random.default_rng(5), n=150, radius_m=120_000.0)
    motion = tactical._planar(tracks)
    state = motion.packed()
    coarse_m = LATERAL_M + tactical._MODEL_SLACK_M
    brute = {
        (a, b)
        for a, b in zip(*all_pairs(tracks.party), strict=True)
        if _grid_kernel._coarse_conflict_py(state, a, b, 300.0, coarse_m, 304.801)
    }
    kept = tactical_candidates(tracks)
    assert set(zip(kept.i.tolist(), kept.j.tolist(), strict=True)) == brute
    assert len(brute) > 20


def test_chords_lie_flat_in_the_plane_of_the_pair() -> None:
    """The box bound assumes |chord · mean vertical| ≤ 1 % of d²/R on the ellipsoid."""
    from sharedsky.detect import tactical

    rng = np.random.default_rng(1)
    tracks = cluster(rng, n=400, radius_m=100_000.0)
    motion = tactical._planar(tracks)
    i, j = all_pairs(np.arange(400))
    normal = motion.up[i] + motion.up[j]
    normal /= np.linalg.norm(normal, axis=1)[:, None]
    chord = motion.pos_m[j] - motion.pos_m[i]
    off_plane = np.abs(np.einsum("ij,ij->i", chord, normal))
    bound = 0.01 * np.einsum("ij,ij->i", chord, chord) / 6_335_439.0
    assert np.all(off_plane <= bound + 1e-6)


# the pruning stage against a brute force over all pairs, written here ------------------------

GEOD = Geod(ellps="WGS84")
PRUNE_LATERAL_M = LATERAL_M + _MODEL_SLACK_M
"""The pruning radius: the coarse test's lateral minimum (the lateral minimum widened)."""
PRUNE_VERTICAL_M = VERTICAL_M + _VERTICAL_SLACK_M


def cluster_at(
    rng: np.random.Generator, lat0: float, lon0: float, n: int, radius_m: float
) -> TrackColumns:
    """``n`` tracks of 3 parties within ``radius_m`` of a point, placed with pyproj alone."""
    lon, lat, _ = GEOD.fwd(
        np.full(n, lon0), np.full(n, lat0), rng.uniform(0.0, 360.0, n), radius_m * rng.random(n)
    )
    return TrackColumns(
        party=rng.integers(0, 3, n).astype(np.int64),
        states=States(
            lat_deg=np.asarray(lat),
            lon_deg=np.asarray(lon),
            alt_m=rng.uniform(6_000.0, 7_000.0, n),
            gs_mps=rng.uniform(0.0, 300.0, n),
            trk_deg=rng.uniform(0.0, 360.0, n),
            vs_mps=np.where(rng.random(n) < 0.5, rng.uniform(-20.0, 20.0, n), 0.0),
        ),
    )


def brute_close_pairs(
    tracks: TrackColumns, lateral_m: float, vertical_m: float, times_s: np.ndarray
) -> set[tuple[int, int]]:
    """Every pair of different parties that, at one of ``times_s``, is closer than
    ``lateral_m`` along the geodesic and ``vertical_m`` in altitude; each track flown along its
    geodesic (pyproj) at its ground speed, climbing at its vertical rate. A plain loop over all
    pairs and times, sharing nothing with the engine."""
    n = len(tracks.party)
    i, j = np.triu_indices(n, k=1)
    keep = tracks.party[i] != tracks.party[j]
    i, j = i[keep], j[keep]
    close = np.zeros(len(i), dtype=bool)
    for t_s in times_s:
        s = tracks.states
        lon, lat, _ = GEOD.fwd(s.lon_deg, s.lat_deg, s.trk_deg, s.gs_mps * t_s)
        lon, lat = np.asarray(lon), np.asarray(lat)
        alt = s.alt_m + s.vs_mps * t_s
        _, _, dist_m = GEOD.inv(lon[i], lat[i], lon[j], lat[j])
        close |= (np.asarray(dist_m) < lateral_m) & (np.abs(alt[j] - alt[i]) < vertical_m)
    return set(zip(i[close].tolist(), j[close].tolist(), strict=True))


def candidate_set(tracks: TrackColumns) -> set[tuple[int, int]]:
    candidates = tactical_candidates(tracks)
    return set(zip(candidates.i.tolist(), candidates.j.tolist(), strict=True))


PLACES = [
    pytest.param(89.2, 10.0, id="near the north pole"),
    pytest.param(-89.9, -75.0, id="at the south pole"),
    pytest.param(0.0, 179.9, id="on the antimeridian at the equator"),
    pytest.param(65.0, -179.95, id="on the antimeridian in the north"),
    pytest.param(89.8, 180.0, id="on the antimeridian by the pole"),
    pytest.param(34.5, 33.0, id="mid-latitude"),
]


@pytest.mark.parametrize(("lat0", "lon0"), PLACES)
def test_every_pair_within_the_pruning_radius_now_is_a_candidate(lat0: float, lon0: float) -> None:
    """At t = 0 the coarse test measures the chord, shorter than the geodesic: every pair
    closer than the pruning radius less 1 m (and within the vertical minimum) is kept."""
    rng = np.random.default_rng(abs(int(lat0 * 100 + lon0)))
    tracks = cluster_at(rng, lat0, lon0, 160, 25_000.0)
    must = brute_close_pairs(tracks, PRUNE_LATERAL_M - 1.0, VERTICAL_M, np.zeros(1))
    assert len(must) > 200
    assert must <= candidate_set(tracks), sorted(must - candidate_set(tracks))


@pytest.mark.parametrize(("lat0", "lon0"), PLACES)
def test_every_pair_that_comes_within_the_lateral_minimum_is_a_candidate(
    lat0: float, lon0: float
) -> None:
    """Flown along geodesics and sampled every 10 s of the look-ahead: every pair that comes
    within the lateral minimum + 50 m (half the coarse test's widening, which covers its
    straight-line model: 15 m measured) while within the vertical minimum is kept."""
    rng = np.random.default_rng(abs(int(lat0 * 1000 - lon0)))
    tracks = cluster_at(rng, lat0, lon0, 100, 60_000.0)
    must = brute_close_pairs(tracks, LATERAL_M + 50.0, VERTICAL_M, np.linspace(0.0, 300.0, 31))
    assert len(must) > 50
    assert must <= candidate_set(tracks), sorted(must - candidate_set(tracks))


def test_pairs_at_the_pruning_radius_are_kept_1_m_inside_and_dropped_1_m_outside() -> None:
    """Pairs placed with pyproj at the pruning radius ± 1 m (laterally, at one altitude) and at
    the vertical one ± 1 m (one above the other), all over the globe, poles and antimeridian
    included, in one batch. Inside, any motion keeps them (they are in conflict now); outside,
    the pairs standing still or flying straight apart are dropped.

    ::

        A ●───────── R − 1 m ─────────● B      kept, whatever A and B do
        A ●───────── R + 1 m ──────────● B     dropped: both still, or A ← and → B
    """
    rng = np.random.default_rng(14)
    anchors = [(rng.uniform(-90.0, 90.0), rng.uniform(-180.0, 180.0)) for _ in range(40)]
    anchors += [(89.99, 0.0), (-89.995, 45.0), (89.9, 179.99), (88.0, -120.0), (-88.5, 60.0)]
    anchors += [(0.0, 179.9999), (45.0, -179.9999), (-60.0, 180.0), (10.0, -180.0)]
    columns: dict[str, list[float]] = {k: [] for k in ("lat", "lon", "alt", "gs", "trk", "vs")}
    inside: list[tuple[int, int]] = []
    outside: list[tuple[int, int]] = []

    def add(lat: float, lon: float, alt: float, gs: float, trk: float, vs: float) -> int:
        for key, value in zip(columns, (lat, lon, alt, gs, trk, vs), strict=True):
            columns[key].append(value)
        return len(columns["lat"]) - 1

    for lat, lon in anchors:
        az = rng.uniform(0.0, 360.0)
        for offset_m, still in ((-1.0, False), (-1.0, True), (1.0, True), (1.0, False)):
            lon_b, lat_b, back_az = GEOD.fwd(lon, lat, az, PRUNE_LATERAL_M + offset_m)
            speed = 0.0 if still else rng.uniform(50.0, 300.0)
            if offset_m < 0:  # any motion
                trk_a, trk_b = rng.uniform(0.0, 360.0, 2)
            else:  # straight apart: A away from B, B on along the geodesic away from A
                trk_a, trk_b = az + 180.0, back_az + 180.0
            a = add(lat, lon, 6_500.0, speed, trk_a % 360.0, 0.0)
            b = add(lat_b, lon_b, 6_500.0, speed, trk_b % 360.0, 0.0)
            (inside if offset_m < 0 else outside).append((a, b))
        for offset_m in (-1.0, 1.0):  # one above the other, 1 km apart, standing still
            lon_b, lat_b, _ = GEOD.fwd(lon, lat, az, 1_000.0)
            a = add(lat, lon, 6_000.0, 0.0, 0.0, 0.0)
            b = add(lat_b, lon_b, 6_000.0 + PRUNE_VERTICAL_M + offset_m, 0.0, 0.0, 0.0)
            (inside if offset_m < 0 else outside).append((a, b))
    n = len(columns["lat"])
    tracks = TrackColumns(
        party=np.arange(n, dtype=np.int64) % 2,
        states=States(
            lat_deg=np.array(columns["lat"]),
            lon_deg=np.array(columns["lon"]),
            alt_m=np.array(columns["alt"]),
            gs_mps=np.array(columns["gs"]),
            trk_deg=np.array(columns["trk"]),
            vs_mps=np.array(columns["vs"]),
        ),
    )
    kept = candidate_set(tracks)
    assert set(inside) <= kept, sorted(set(inside) - kept)
    assert not set(outside) & kept, sorted(set(outside) & kept)
    # and in a batch of its own, each pair (one grid of a few cells)
    for a, b in inside[:20] + outside[:20]:
        pair = TrackColumns(tracks.party[[a, b]], tracks.states.take(np.array([a, b])))
        assert (candidate_set(pair) == {(0, 1)}) == ((a, b) in inside), (a, b)


# the plane of the pruning grid and the bound of its boxes ------------------------------------


def tracks_of(rows: list[tuple[float, ...]]) -> TrackColumns:
    """Tracks given as (party, lat, lon, alt_m, gs_mps, trk_deg, vs_mps) rows."""
    a = np.array(rows, dtype=np.float64).reshape(-1, 7)
    return TrackColumns(a[:, 0].astype(np.int64), States(*(a[:, k] for k in range(1, 7))))


def meridian_strip(lon: float, lats: np.ndarray) -> list[tuple[float, ...]]:
    """Aircraft along a meridian, alternating between two parties, drifting east at 2 m/s."""
    return [(k % 2, float(lat), lon, 6_000.0, 2.0, 90.0, 0.0) for k, lat in enumerate(lats)]


STRIP_STEP_DEG = 0.126
"""14 km of latitude: more than √2 × the pruning box of aircraft drifting at 2 m/s (9,361 m,
swept 600 m east), so their boxes do not meet whichever way the grid's axes turn in its plane."""


@pytest.mark.parametrize(
    "rows",
    [
        pytest.param(meridian_strip(0.0, 20.0 + STRIP_STEP_DEG * np.arange(10)), id="at 20° N"),
        pytest.param(meridian_strip(-40.0, 60.0 + STRIP_STEP_DEG * np.arange(10)), id="at 60° N"),
        pytest.param(
            [
                row
                for lon in (0.0, 119.0, -119.0)
                for row in meridian_strip(lon, STRIP_STEP_DEG * (np.arange(6) - 2.5))
            ],
            id="three strips 119° apart, verticals almost cancelling",
        ),
    ],
)
def test_aircraft_further_apart_than_their_boxes_never_share_one(
    rows: list[tuple[float, ...]],
) -> None:
    """The grid's plane keeps distances near the batch wherever the batch is, and the box
    bound stays near the minimum for slow aircraft: aircraft drifting at 2 m/s 14 km apart along
    a meridian have boxes about 9.4 km across, which do not meet. (A plane seen nearly edge-on,
    such as the equator's plane for a strip on a meridian, a plane scaled down, or a bound
    inflated, would bring them together: pairs boxed, pruning lost.)::

        ● 14 km ● 14 km ●  …      boxes  [■]    [■]    [■]    apart
    """
    tracks = tracks_of(rows)
    stats = tactical_candidates(tracks).stats
    assert stats.pairs_box == 0
    assert stats.candidates == 0


def test_a_batch_whose_verticals_cancel_loses_no_conflict() -> None:
    """Two pairs 9 km apart (one north-south at 45° N 0° E, one east-west at 45° N 90° E) and
    their antipodes, in one batch: the mean vertical is zero, so the grid falls back to a fixed
    plane, which must not stretch any distance.::

        A ● 9 km ● (north)   C ● 9 km ● (east)   and the same at the antipodes
    """
    rows: list[tuple[float, ...]] = []
    for lat, lon, az in ((45.0, 0.0, 0.0), (45.0, 90.0, 90.0)):
        lon_b, lat_b, _ = GEOD.fwd(lon, lat, az, 9_000.0)
        for sign, turn in ((1.0, 0.0), (-1.0, 180.0)):  # the pair, then its antipodes
            rows.append((0, sign * lat, (lon + turn + 180.0) % 360.0 - 180.0, 6_000, 0, 0, 0))
            rows.append((1, sign * lat_b, (lon_b + turn + 180.0) % 360.0 - 180.0, 6_000, 0, 0, 0))
    tracks = tracks_of(rows)
    hits = detect_conflicts(tracks)
    found = set(zip(hits.i.tolist(), hits.j.tolist(), strict=True))
    assert found == {(0, 1), (2, 3), (4, 5), (6, 7)}
    assert found == reference_pairs(tracks, LATERAL_M).keys()
    assert hits.dcpa_m == pytest.approx(np.full(4, 9_000.0), abs=0.1)


def test_a_batch_centred_on_a_diagonal_of_the_earth_frame_is_measured() -> None:
    """Two aircraft 8.9 km apart on the Greenwich meridian at 44.96° N and 45.04° N: their mean
    vertical points exactly (bit for bit) along (1, 0, 1), where a poorly chosen reference axis
    for the grid's plane would be parallel to it and give no plane at all."""
    south, north = 44.96, 90.0 - 44.96
    r_south, r_north = np.radians(south), np.radians(north)
    assert np.cos(r_south) == np.sin(r_north) and np.cos(r_north) == np.sin(r_south)
    tracks = tracks_of([(0, south, 0.0, 6_000, 0, 0, 0), (1, north, 0.0, 6_000, 0, 0, 0)])
    hits = detect_conflicts(tracks)
    _, _, apart_m = GEOD.inv(0.0, south, 0.0, north)
    assert set(zip(hits.i.tolist(), hits.j.tolist(), strict=True)) == {(0, 1)}
    assert hits.dcpa_m[0] == pytest.approx(apart_m, abs=0.1)


@pytest.mark.parametrize(
    ("lat", "lon", "az"),
    [
        pytest.param(0.0, 20.0, 0.0, id="north along a meridian at the equator"),
        pytest.param(30.0, -60.0, 0.0, id="north along a meridian at 30° N"),
        pytest.param(-50.0, 150.0, 180.0, id="south along a meridian at 50° S"),
        pytest.param(0.0, -100.0, 90.0, id="east along the equator"),
    ],
)
def test_pairs_half_a_metre_inside_the_pruning_radius_along_a_grid_axis_are_kept(
    lat: float, lon: float, az: float
) -> None:
    """Standing still, R − 0.5 m apart (R the pruning radius, the coarse test's minimum) along
    one axis of the grid (east or north at the batch centre), each pair a batch of its own: the
    coarse test passes, so the boxes must meet, however little room the bound leaves.::

        A ●──────────── R − 0.5 m ────────────● B      along x (or y) of the grid
    """
    lon_b, lat_b, _ = GEOD.fwd(lon, lat, az, PRUNE_LATERAL_M - 0.5)
    tracks = tracks_of([(0, lat, lon, 6_000, 0, 0, 0), (1, lat_b, lon_b, 6_000, 0, 0, 0)])
    assert candidate_set(tracks) == {(0, 1)}


def test_an_aircraft_closing_over_a_long_lookahead_on_the_far_side_of_the_grid_is_kept() -> None:
    """The box bound's vertical part at work. On the equator, A flies east at 300 m/s toward B,
    which stands still, and comes 20 m inside the lateral minimum at the end of a 600 s
    look-ahead, 180 km after it started. A's velocity leans up by 189 km / 2R against the pair's
    mean vertical at t = 0, so the straight-line relative position leaves the pair's plane by
    2.7 km in 600 s. With the batch centred on the north pole (60 aircraft there), the grid's
    plane (the equator's) holds that departure: for some of the 360 pairs (one per degree of
    longitude, the grid's axes turning by 1° each), one axis carries the whole relative
    distance, √(9,240² + 2,700²) m, and A's swept box ends that far from B's::

        pole ●●●   (the grid's plane: the equator's)
        equator:   A → → → → → → → → → → → → → → → → → ● B      (× 360, one per degree)
    """
    lookahead_s, gs_mps = 600.0, 300.0
    rows: list[tuple[float, ...]] = [(2, 90.0, float(lon), 6_000, 0, 0, 0) for lon in range(60)]
    apart_m = LATERAL_M - 20.0 + gs_mps * lookahead_s
    for lon in np.arange(-180.0, 180.0, 1.0):
        lon_b, _, _ = GEOD.fwd(lon, 0.0, 90.0, apart_m)
        rows.append((0, 0.0, float(lon), 6_000, gs_mps, 90.0, 0))
        rows.append((1, 0.0, float(lon_b), 6_000, 0.0, 0.0, 0))
    tracks = tracks_of(rows)
    pairs = (np.arange(60, len(rows), 2), np.arange(61, len(rows), 2))
    must = {
        (h.i, h.j)
        for h in reference_conflicts(
            *reference_columns(tracks),
            lookahead_s=lookahead_s,
            lateral_m=LATERAL_M - TOL_M,
            pairs=pairs,
        )
    }
    assert len(must) == 360  # every pair comes within the minimum in the look-ahead
    hits = detect_conflicts(tracks, lookahead_s=lookahead_s)
    found = set(zip(hits.i.tolist(), hits.j.tolist(), strict=True))
    assert must <= found, sorted(must - found)
    # sharp: on one axis of the grid, some of A's swept boxes end further from B than the
    # widened minimum + 1 m (a bound without its vertical part) + 200 m
    from sharedsky.detect import tactical

    motion = tactical._planar(tracks)
    a, b = pairs
    gaps_m = [
        np.maximum(
            np.minimum(p[a], p[a] + v[a] * lookahead_s) - p[b],
            p[b] - np.maximum(p[a], p[a] + v[a] * lookahead_s),
        )
        for p, v in ((motion.x_m, motion.vx_mps), (motion.y_m, motion.vy_mps))
    ]
    assert np.max(np.maximum(*gaps_m)) > PRUNE_LATERAL_M + 1.0 + 200.0
