"""Tactical detection: state-based closest point of approach (CPA) for every pair of tracks of
different parties, with a look-ahead (seconds) and lateral / vertical minima (metres).

Rule: a pair conflicts iff there is a time t in [0, lookahead_s] at which its horizontal
distance is below `lateral_m` AND its vertical distance is below `vertical_m` (exactly at a
minimum is no conflict). Each track flies a geodesic at constant ground speed, and climbs at
its constant vertical rate, from its reported state.

Geometry. Positions go on the WGS84 ellipsoid in Earth-centred metres, velocities are vectors
in the local horizontal plane, so no map projection distorts anything. A pair is measured in
the horizontal plane at the midpoint of its two aircraft (a local planar frame at the pair).
Straight lines in that plane drift from geodesic flight by about 1e-4 of the distance flown
(20 m over 180 km), too much near a minimum, so the exact stage re-linearises twice: both
aircraft are moved along their normal sections (geodesics to within millimetres over 100 km)
to the current estimate of the CPA time and the CPA is solved again in the plane at their new
midpoint. What remains is second order in the time from that CPA: over 100,000 random
encounters the CPA distance agrees with the geodesic reference (tests/detect/
tactical_reference.py, pyproj's Karney geodesics) to within 1 cm, and the tests allow 10 cm;
the 0.5 % band that the benchmark calls borderline is 46 m.

Why not the azimuthal-equidistant frames of `geo.projection`: one frame for a 1,000 × 1,000 km
region stretches distances by up to 0.2 % at its corners (19 m on 9,260 m) and bends geodesics,
so it could not decide a conflict anyway; and its pyproj transforms cost 0.8 µs per point,
most of the time budget at N = 10,000. The pruning grid lies in the orthographic plane of the
batch centre instead (`_planar`), whose bound is exact at any size: an orthogonal projection
never lengthens a vector.

Datums. Each altitude is geometric (metres AMSL), a pressure altitude (a flight level) or a
height above the WGS84 ellipsoid brought to mean sea level through the geoid model
(`tracks.Datum`). Two tracks on one datum are compared exactly, as above. A pressure altitude
lies above mean sea level somewhere in an interval that the QNH range allows
(`tracks.PressureOffsets`, bounded over every pressure altitude the track passes in the
look-ahead), an ellipsoid height within the geoid model's bound either way
(`tracks.ELLIPSOID_ERROR_M`): a pair on different datums loses the vertical minimum when some
heights in those intervals do, so no pair that is within the minimum for some QNH in range (or
some geoid error within the bound) is missed. Such a pair found only because of that widening
carries ``datum_margin_m``: the least vertical gap at the nominal QNH (and the geoid as
modelled) while the widened loss lasts (at least the minimum, since the pair would not be a
conflict there). Its ``dv_m`` is the gap at the nominal QNH too.

Stages: `_planar` (vectors and the planar image), `pruning.candidate_pairs` (grid over swept
boxes, coarse CPA from t = 0 with the lateral minimum widened by `_MODEL_SLACK_M`), `_exact`
(re-linearised CPA on the candidates: the final decision and the reported values).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from sharedsky.detect import DEFAULT_LATERAL_M, DEFAULT_LOOKAHEAD_S, DEFAULT_VERTICAL_M
from sharedsky.detect.pruning import Candidates, PruneStats, TrackMotion, candidate_pairs
from sharedsky.detect.tracks import (
    ELLIPSOID_ERROR_M,
    Datum,
    PressureOffsets,
    TrackColumns,
    check_positive,
)
from sharedsky.geo.distance import EARTH_MIN_RADIUS_M
from sharedsky.geo.ecef import ecef_m, meridian_radius_m, prime_vertical_radius_m
from sharedsky.geo.states import States

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


_MODEL_SLACK_M = 100.0
"""Widening of the lateral minimum for the coarse test (straight flight from t = 0), metres.

The coarse CPA distance differs from the exact one by about 1e-4 of the distance flown; measured
at most 15 m over 2.4 million pairs of 300 m/s aircraft (benchmark traffic, 30 km minimum)."""
_VERTICAL_SLACK_M = 1e-3
_PASSES = 2
"""Re-linearisations at the CPA estimate in the exact stage."""


@dataclass(frozen=True, slots=True)
class CpaHits:
    """Conflicting pairs (i < j, indices into the tracks), aligned arrays.

    tcpa_s is the time of closest horizontal approach within [0, lookahead_s] (0 when the
    horizontal distance does not change); dcpa_m and dv_m the horizontal and vertical distances
    then; [t_in_s, t_out_s] the part of [0, lookahead_s] in which both minima are lost.
    """

    i: IntArray
    j: IntArray
    tcpa_s: FloatArray
    dcpa_m: FloatArray
    dv_m: FloatArray
    t_in_s: FloatArray
    t_out_s: FloatArray
    stats: PruneStats
    datum_margin_m: FloatArray
    """For a pair on different datums found only because of their widening: the least
    vertical gap at the nominal QNH during [t_in_s, t_out_s] (≥ the vertical minimum);
    NaN for every other pair."""

    def __len__(self) -> int:
        return len(self.i)


def detect_conflicts(
    tracks: TrackColumns,
    *,
    lookahead_s: float = DEFAULT_LOOKAHEAD_S,
    lateral_m: float = DEFAULT_LATERAL_M,
    vertical_m: float = DEFAULT_VERTICAL_M,
    pressure: PressureOffsets | None = None,
) -> CpaHits:
    """Every pair of tracks of different parties that loses both minima within the look-ahead;
    ``pressure`` bounds where a pressure altitude lies above mean sea level (needed when the
    tracks are on both datums, unused otherwise).

    Raises ValueError for non-positive (or non-finite) minima or look-ahead, or for tracks on
    both datums without ``pressure``; the states were checked when they were made (`States`).
    """
    _check(lookahead_s, lateral_m, vertical_m)
    motion = _planar(tracks, _datums(tracks, pressure, lookahead_s))
    candidates = _prune(motion, lookahead_s, lateral_m, vertical_m)
    nominal_m = 0.0 if pressure is None else pressure.nominal_m
    return _exact(motion, candidates, (lookahead_s, lateral_m, vertical_m), nominal_m)


def warm() -> None:  # pragma: no mutate block (a start-up cache warmer, not detection)
    """Compile (or load from Numba's cache) every kernel ``detect_conflicts`` runs, on a pair
    of tracks meeting head-on. Cold, that takes 10 to 25 s on two cores: a server does it
    before it answers, so that its first tactical tick after a start is not that late, and
    ``make`` does it once after installing, so that the cache is on disk."""
    two = np.array([0.0, 0.0])
    hits = detect_conflicts(
        TrackColumns(
            party=np.array([0, 1], dtype=np.int64),
            states=States(
                lat_deg=np.array([34.0, 34.0]),
                lon_deg=np.array([33.2, 33.8]),
                alt_m=np.array([6000.0, 6000.0]),
                gs_mps=np.array([200.0, 200.0]),
                trk_deg=np.array([90.0, 270.0]),
                vs_mps=two,
            ),
        )
    )
    if len(hits) != 1:  # the pair closes at 400 m/s from 55 km: a loss within two minutes
        raise AssertionError("tactical detection missed its warm-up conflict")


def tactical_candidates(
    tracks: TrackColumns,
    *,
    lookahead_s: float = DEFAULT_LOOKAHEAD_S,
    lateral_m: float = DEFAULT_LATERAL_M,
    vertical_m: float = DEFAULT_VERTICAL_M,
    pressure: PressureOffsets | None = None,
) -> Candidates:
    """The candidate pairs that `detect_conflicts` measures exactly (a superset of its hits)."""
    _check(lookahead_s, lateral_m, vertical_m)
    motion = _planar(tracks, _datums(tracks, pressure, lookahead_s))
    return _prune(motion, lookahead_s, lateral_m, vertical_m)


def _prune(
    motion: TrackMotion, lookahead_s: float, lateral_m: float, vertical_m: float
) -> Candidates:
    coarse_m = lateral_m + _MODEL_SLACK_M
    return candidate_pairs(
        motion,
        lookahead_s=lookahead_s,
        lateral_m=coarse_m,
        vertical_m=vertical_m + _VERTICAL_SLACK_M,
        box_lateral_m=_box_lateral_m(coarse_m, _max_speed(motion), lookahead_s),
    )


# ── stage 1: Earth-centred vectors and the planar image for the grid ───────────────────────


def _datums(
    tracks: TrackColumns, pressure: PressureOffsets | None, lookahead_s: float
) -> FloatArray | None:
    """`TrackMotion.datums` of the tracks: None when all are on one datum (every pair is then
    compared exactly), else each one's datum code and offsets (a pressure altitude's over the
    pressure altitudes it passes in the look-ahead, an ellipsoid height's the geoid model's
    bound either way, 0 for a geometric one)."""
    if not tracks.mixed:
        return None
    datum = tracks.datum
    on = datum == Datum.PRESSURE
    if on.any() and pressure is None:
        raise ValueError("tracks on pressure altitude and another datum need pressure offsets")
    datums = np.zeros((len(tracks), 3))
    datums[:, 0] = datum
    if pressure is not None and on.any():
        states = tracks.states
        low_m, high_m = pressure.span_m(states.alt_m[on], states.vs_mps[on], lookahead_s)
        datums[on, 1] = low_m
        datums[on, 2] = high_m
    ellipsoid = datum == Datum.ELLIPSOID
    datums[ellipsoid, 1] = -ELLIPSOID_ERROR_M
    datums[ellipsoid, 2] = ELLIPSOID_ERROR_M
    return datums


def _planar(tracks: TrackColumns, datums: FloatArray | None = None) -> TrackMotion:
    states = tracks.states
    lat, lon = np.radians(states.lat_deg), np.radians(states.lon_deg)
    trk = np.radians(states.trk_deg)
    sin_lat, cos_lat, sin_lon, cos_lon = np.sin(lat), np.cos(lat), np.sin(lon), np.cos(lon)
    pos = ecef_m(states.lon_deg, states.lat_deg)
    up = np.stack([cos_lat * cos_lon, cos_lat * sin_lon, sin_lat], axis=1)
    east = np.stack([-sin_lon, cos_lon, np.zeros_like(lon)], axis=1)
    north = np.stack([-sin_lat * cos_lon, -sin_lat * sin_lon, cos_lat], axis=1)
    gs = states.gs_mps[:, None]
    vel = gs * (np.sin(trk)[:, None] * east + np.cos(trk)[:, None] * north)
    # The orthographic plane at the batch centre (any plane would be conservative).
    centre = up.sum(axis=0)
    norm = float(np.linalg.norm(centre))
    centre = centre / norm if norm > 1e-9 else np.array([0.0, 0.0, 1.0])
    ref = np.array([1.0, 0.0, 0.0]) if abs(centre[2]) > 0.9 else np.array([0.0, 0.0, 1.0])
    e0 = np.cross(ref, centre)
    e0 /= np.linalg.norm(e0)
    n0 = np.cross(centre, e0)
    return TrackMotion(
        tracks.party,
        pos @ e0,
        pos @ n0,
        vel @ e0,
        vel @ n0,
        states.alt_m,
        states.vs_mps,
        pos,
        up,
        vel,
        datums,
    )


def _max_speed(motion: TrackMotion) -> float:
    return float(
        np.sqrt(np.max(np.einsum("ij,ij->i", motion.vel_mps, motion.vel_mps), initial=0.0))
    )


def _box_lateral_m(coarse_m: float, gs_max_mps: float, lookahead_s: float) -> float:
    """A planar distance that bounds |relative position| whenever the coarse test passes.

    An orthogonal projection never lengthens a vector, so the planar distance is at most
    √(h² + v²) with h the horizontal distance in the pair's plane (< coarse_m) and v its
    vertical part: that of the chord (≤ 1 % of d²/R on the ellipsoid, d ≤ coarse_m + the
    relative flight) plus the tilt of both velocities against the pair's vertical (half the
    angle between the verticals, ≤ d / 2R each) over the look-ahead.
    """
    reach_m = 1.01 * (coarse_m + 2.0 * gs_max_mps * lookahead_s)
    tilt = reach_m / (2.0 * EARTH_MIN_RADIUS_M)
    vertical_m = 0.01 * reach_m**2 / EARTH_MIN_RADIUS_M + 2.0 * gs_max_mps * tilt * lookahead_s
    return float(np.hypot(coarse_m, vertical_m)) + 1.0


# ── stage 3: the exact CPA of each candidate ────────────────────────────────────────────────


def _exact(
    motion: TrackMotion,
    candidates: Candidates,
    limits: tuple[float, float, float],
    nominal_m: float,
) -> CpaHits:
    """The hits among the candidates (``limits``: look-ahead s, lateral and vertical minima m);
    a pair on different datums gets its gap at the nominal QNH (``nominal_m``: height AMSL −
    pressure altitude there) as ``dv_m``, and its ``datum_margin_m`` (`_nominal_gaps`)."""
    from sharedsky.detect import _cpa_kernel as kernel  # Numba loads on first use

    lookahead_s, lateral_m, vertical_m = limits
    rows = kernel.exact_pairs(
        motion.packed(),
        _section_radius_m(motion),
        candidates.i,
        candidates.j,
        float(lookahead_s),
        float(lateral_m),
        float(vertical_m),
        _PASSES,
    )
    hit = rows[:, kernel.HIT] == 1.0
    found = rows[hit]
    i, j = candidates.i[hit], candidates.j[hit]
    times = found[:, [kernel.TCPA, kernel.T_IN, kernel.T_OUT]]
    dv_m = found[:, kernel.DV].copy()
    margin_m = np.full(len(i), np.nan)
    if motion.datums is not None:
        mixed = motion.datums[i, 0] != motion.datums[j, 0]
        gaps = _nominal_gaps(motion, motion.datums[:, 0], (i[mixed], j[mixed]), nominal_m)
        dv_m[mixed], margin_m[mixed] = _widened(gaps, times[mixed], vertical_m)
    return CpaHits(
        i,
        j,
        times[:, 0].copy(),
        found[:, kernel.DCPA].copy(),
        dv_m,
        times[:, 1].copy(),
        times[:, 2].copy(),
        candidates.stats,
        margin_m,
    )


def _nominal_gaps(
    motion: TrackMotion, code: FloatArray, pairs: tuple[IntArray, IntArray], nominal_m: float
) -> FloatArray:
    """(K, 2): the vertical gap of each pair (b − a) at t = 0 at the nominal QNH, metres (a
    pressure altitude moved by ``nominal_m``, its height AMSL − pressure altitude there), and
    its rate of change, m/s."""
    i, j = pairs
    shift_m = np.where(code == Datum.PRESSURE, nominal_m, 0.0)
    gap_m = (motion.alt_m[j] + shift_m[j]) - (motion.alt_m[i] + shift_m[i])
    return np.stack([gap_m, motion.vs_mps[j] - motion.vs_mps[i]], axis=1)


def _widened(
    gaps: FloatArray, times: FloatArray, vertical_m: float
) -> tuple[FloatArray, FloatArray]:
    """(dv_m, datum_margin_m) of hits on different datums from their nominal ``gaps``
    (`_nominal_gaps`) and ``times`` (tcpa_s, t_in_s, t_out_s): the nominal gap at the CPA, and
    the least nominal gap during [t_in_s, t_out_s] when it is at least ``vertical_m`` (NaN
    otherwise). The widened loss interval holds the nominal one, so that least gap is below
    the minimum exactly when the pair conflicts at the nominal QNH too."""
    gap_m, rate_mps = gaps[:, 0], gaps[:, 1]
    at_cpa, at_in, at_out = (gap_m + rate_mps * times[:, k] for k in range(3))
    least = np.where(at_in * at_out <= 0.0, 0.0, np.minimum(np.abs(at_in), np.abs(at_out)))
    return np.abs(at_cpa), np.where(least >= vertical_m, least, np.nan)


def _section_radius_m(motion: TrackMotion) -> FloatArray:
    """Radius of curvature of each track's normal section along its velocity (Euler), metres."""
    sin_lat = motion.up[:, 2]
    prime_m, meridian_m = prime_vertical_radius_m(sin_lat), meridian_radius_m(sin_lat)
    east = np.stack([-motion.up[:, 1], motion.up[:, 0], np.zeros(len(motion.up))], axis=1)
    east_norm = np.linalg.norm(east, axis=1)
    speed2 = np.einsum("ij,ij->i", motion.vel_mps, motion.vel_mps)
    along_east = np.einsum("ij,ij->i", motion.vel_mps, east)
    # cos² of the angle between the velocity and the meridian (along_east² ≤ speed2·east_norm²);
    # a track standing still, which is never moved, gets 1 (along_east = 0): the meridian
    cos2 = 1.0 - along_east**2 / np.maximum(speed2 * east_norm**2, 1e-300)
    return np.asarray(1.0 / (cos2 / meridian_m + (1.0 - cos2) / prime_m), dtype=np.float64)


# ── helpers ─────────────────────────────────────────────────────────────────────────────────


def _check(lookahead_s: float, lateral_m: float, vertical_m: float) -> None:
    check_positive(lookahead_s, "lookahead_s")
    check_positive(lateral_m, "lateral_m")
    check_positive(vertical_m, "vertical_m")
