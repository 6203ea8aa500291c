"""Brute-force reference for tactical detection: every pair, geodesics from pyproj, plain CPA.

Written apart from `sharedsky.detect.tactical` and sharing none of its code. For every pair
i < j of different parties:

1. each aircraft is moved along its geodesic (pyproj `Geod.fwd`, Karney) to the linearisation
   time (first 0, then the CPA time found by the previous pass, three passes in all);
2. both are placed in an azimuthal-equidistant frame centred on the geodesic midpoint between
   them (distance and azimuth from the midpoint by `Geod.inv`), their track angles turned by
   the difference between the geodesic's azimuth at the midpoint and at the aircraft;
3. the closest point of approach of straight-line motion in that frame is solved in plain
   Python: the times when the horizontal distance is below the lateral minimum (a quadratic)
   and when the vertical distance is below the vertical minimum (a line), intersected with each
   other and with [0, lookahead].

The linearisation (steps 1 and 2) does not depend on the minima, so `reference_conflicts_by_
minimum` solves step 3 for several lateral minima at once, for the cost of one.

Datums (``datum``: 0 geometric, 1 pressure altitude, 2 a height above the WGS84 ellipsoid
already brought to mean sea level through the geoid model, per track). A pair on one datum is
compared as above. For a pair on different datums the vertical test is brute force, written
apart from the engine's bounds: a pressure altitude's height AMSL is taken at every QNH of the
range in steps of 1 hPa, both ways of holding a pressure altitude (an altimeter set to that QNH,
or geometrically in a standard-temperature atmosphere whose sea-level pressure it is:
``domain.heights``' standard atmosphere, not written again), each as a table of heights AMSL
every 100 m of pressure altitude; an ellipsoid one may be off by up to the geoid model's
stated error either way (``geo.geoid.UNDULATION_ERROR_M``, E), which moves the gap anywhere in
[gap − E, gap + E], so the minimum is tested against |gap| − E. The pair loses the vertical
minimum at a time t, sampled every 0.1 s over the horizontal loss interval, when for some QNH
(and either way) the heights are within the minimum. Its ``dv_m`` is the gap at the nominal QNH
(1013.25 hPa, or the nearest end of the range) on an altimeter, the geoid as modelled.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
from pyproj import Geod

from sharedsky.domain.heights import geometric_height_m, isa_height_m
from sharedsky.geo.geoid import UNDULATION_ERROR_M

_GEOD = Geod(ellps="WGS84")
_PASSES = 3
PRESSURE = 1
"""The datum code of a pressure altitude (0: geometric)."""
ELLIPSOID = 2
"""The datum code of an ellipsoid height brought to mean sea level through the geoid."""
QNH_STEP_HPA = 1.0
TIME_STEP_S = 0.1
_NODES_M = np.arange(-1_000.0, 35_000.0 + 1.0, 100.0)
"""Pressure altitudes of the tables of heights AMSL, metres."""


@dataclass(frozen=True)
class RefHit:
    """One conflicting pair: indices i < j and the CPA figures (seconds, metres)."""

    i: int
    j: int
    tcpa_s: float
    dcpa_m: float
    dv_m: float
    t_in_s: float
    t_out_s: float
    w_mps: float
    """The relative horizontal speed in the frame at the CPA (m/s): how fast the horizontal
    distance changes with the time from the CPA."""


def reference_columns(tracks: Any) -> tuple[npt.ArrayLike, ...]:
    """The seven columns of the engine's tracks (``states``: lat_deg, lon_deg, alt_m, gs_mps,
    trk_deg, vs_mps; ``party``), in the order `reference_conflicts` takes them."""
    s = tracks.states
    return (s.lat_deg, s.lon_deg, s.alt_m, s.gs_mps, s.trk_deg, s.vs_mps, tracks.party)


def all_pairs(party: npt.ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    """Every pair i < j whose party codes differ."""
    codes = np.asarray(party)
    i, j = np.triu_indices(len(codes), k=1)
    keep = codes[i] != codes[j]
    return i[keep], j[keep]


def reference_conflicts(
    lat: npt.ArrayLike,
    lon: npt.ArrayLike,
    alt: npt.ArrayLike,
    gs: npt.ArrayLike,
    trk: npt.ArrayLike,
    vs: npt.ArrayLike,
    party: npt.ArrayLike,
    *,
    lookahead_s: float = 300.0,
    lateral_m: float = 9260.0,
    vertical_m: float = 304.8,
    pairs: tuple[np.ndarray, np.ndarray] | None = None,
    datum: npt.ArrayLike | None = None,
    qnh_hpa: tuple[float, float] = (950.0, 1050.0),
) -> list[RefHit]:
    """The conflicting pairs among `pairs` (default: all pairs of different parties);
    ``datum`` per track (None: all geometric), ``qnh_hpa`` the range of sea-level pressure."""
    (hits,) = reference_conflicts_by_minimum(
        lat,
        lon,
        alt,
        gs,
        trk,
        vs,
        party,
        lookahead_s=lookahead_s,
        lateral_ms=(lateral_m,),
        vertical_m=vertical_m,
        pairs=pairs,
        datum=datum,
        qnh_hpa=qnh_hpa,
    )
    return hits


def reference_conflicts_by_minimum(
    lat: npt.ArrayLike,
    lon: npt.ArrayLike,
    alt: npt.ArrayLike,
    gs: npt.ArrayLike,
    trk: npt.ArrayLike,
    vs: npt.ArrayLike,
    party: npt.ArrayLike,
    *,
    lateral_ms: Sequence[float],
    lookahead_s: float = 300.0,
    vertical_m: float = 304.8,
    pairs: tuple[np.ndarray, np.ndarray] | None = None,
    datum: npt.ArrayLike | None = None,
    qnh_hpa: tuple[float, float] = (950.0, 1050.0),
) -> list[list[RefHit]]:
    """The conflicting pairs for each lateral minimum of `lateral_ms`, in that order."""
    lat_a, lon_a, alt_a = (np.asarray(a, dtype=float) for a in (lat, lon, alt))
    gs_a, trk_a, vs_a = (np.asarray(a, dtype=float) for a in (gs, trk, vs))
    codes = np.zeros(len(alt_a), dtype=int) if datum is None else np.asarray(datum, dtype=int)
    i, j = all_pairs(party) if pairs is None else pairs
    if len(i) == 0:
        return [[] for _ in lateral_ms]
    t_lin = np.zeros(len(i))
    for _ in range(_PASSES):
        rx, ry, wx, wy = _frame_at(lat_a, lon_a, gs_a, trk_a, i, j, t_lin)
        ww = wx * wx + wy * wy
        t_mid = np.where(ww > 0, -(rx * wx + ry * wy) / np.where(ww > 0, ww, 1.0), 0.0)
        t_prev = t_lin
        t_lin = np.clip(t_lin + t_mid, 0.0, lookahead_s)
    by_minimum: list[list[RefHit]] = []
    for lateral_m in lateral_ms:
        hits = []
        for k in range(len(i)):
            a, b = int(i[k]), int(j[k])
            mixed = None
            if codes[a] != codes[b]:
                mixed = Mixed(
                    (alt_a[a], vs_a[a], int(codes[a])), (alt_a[b], vs_a[b], int(codes[b])), qnh_hpa
                )
            hit = _one_pair(
                float(rx[k]),
                float(ry[k]),
                float(wx[k]),
                float(wy[k]),
                float(t_prev[k]),
                float(alt_a[j[k]] - alt_a[i[k]]),
                float(vs_a[j[k]] - vs_a[i[k]]),
                lookahead_s,
                lateral_m,
                vertical_m,
                mixed,
            )
            if hit is not None:
                hits.append(RefHit(int(i[k]), int(j[k]), *hit))
        by_minimum.append(hits)
    return by_minimum


def _frame_at(
    lat: np.ndarray,
    lon: np.ndarray,
    gs: np.ndarray,
    trk: np.ndarray,
    i: np.ndarray,
    j: np.ndarray,
    t_s: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Relative position (m) and velocity (m/s) of j from i at t_s, in the midpoint's frame."""
    lon_i, lat_i, back_i = _GEOD.fwd(lon[i], lat[i], trk[i], gs[i] * t_s)
    lon_j, lat_j, back_j = _GEOD.fwd(lon[j], lat[j], trk[j], gs[j] * t_s)
    az, _, dist = _GEOD.inv(lon_i, lat_i, lon_j, lat_j)
    lon_m, lat_m, _ = _GEOD.fwd(lon_i, lat_i, az, dist / 2.0)
    xi, yi, vxi, vyi = _in_frame(lon_m, lat_m, lon_i, lat_i, back_i + 180.0, gs[i])
    xj, yj, vxj, vyj = _in_frame(lon_m, lat_m, lon_j, lat_j, back_j + 180.0, gs[j])
    return xj - xi, yj - yi, vxj - vxi, vyj - vyi


def _in_frame(
    lon_m: np.ndarray,
    lat_m: np.ndarray,
    lon: np.ndarray,
    lat: np.ndarray,
    heading_deg: np.ndarray,
    speed: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    az_at_mid, az_back, dist = _GEOD.inv(lon_m, lat_m, lon, lat)
    # The radial geodesic leaves the midpoint at az_at_mid and reaches the aircraft heading
    # az_back + 180; in the frame it is one straight line, so headings turn by the difference.
    turn = np.where(dist > 0, az_at_mid - (az_back + 180.0), 0.0)
    x = dist * np.sin(np.radians(az_at_mid))
    y = dist * np.cos(np.radians(az_at_mid))
    h = np.radians(heading_deg + turn)
    return x, y, speed * np.sin(h), speed * np.cos(h)


@functools.cache
def amsl_tables(qnh_min_hpa: float, qnh_max_hpa: float) -> np.ndarray:
    """(2 × Q, len(_NODES_M)): the height AMSL of each pressure altitude of `_NODES_M`, for
    each QNH from the lowest to the highest in steps of `QNH_STEP_HPA` (the highest always
    included), on an altimeter set to it and geometrically; metres."""
    steps = np.arange(qnh_min_hpa, qnh_max_hpa, QNH_STEP_HPA)
    rows = []
    for qnh in [*steps.tolist(), qnh_max_hpa]:
        rows.append(_NODES_M - isa_height_m(qnh))
        rows.append(np.array([geometric_height_m(float(h), qnh) for h in _NODES_M]))
    return np.array(rows)


@dataclass(frozen=True)
class Mixed:
    """A pair of tracks on different datums: each its (altitude at t = 0, vertical rate,
    datum code)."""

    a: tuple[float, float, int]
    b: tuple[float, float, int]
    qnh_hpa: tuple[float, float]

    def _heights(self, side: tuple[float, float, int], times: np.ndarray) -> list[np.ndarray]:
        """The side's heights AMSL at ``times``: one row, or one per QNH and way for a
        pressure altitude."""
        alt, vs, code = side
        reported = alt + vs * times
        if code != PRESSURE:
            return [reported]
        return [np.interp(reported, _NODES_M, heights) for heights in amsl_tables(*self.qnh_hpa)]

    def loss(self, start_s: float, end_s: float, vertical_m: float) -> tuple[float, float] | None:
        """The first and last sampled times in [start_s, end_s] at which the gap is below
        ``vertical_m`` for some QNH either way (and some geoid error within its bound);
        None when there is none."""
        if not start_s < end_s:
            return None
        times = np.append(np.arange(start_s, end_s, TIME_STEP_S), end_s)
        error_m = UNDULATION_ERROR_M * sum(code == ELLIPSOID for code in (self.a[2], self.b[2]))
        lost = np.zeros(len(times), dtype=bool)
        for first in self._heights(self.a, times):
            for second in self._heights(self.b, times):
                lost |= np.abs(first - second) - error_m < vertical_m
        if not lost.any():
            return None
        found = times[lost]
        return float(found[0]), float(found[-1])

    def nominal_gap_m(self, t_s: float) -> float:
        """|gap| at t_s with a pressure altitude on an altimeter at the nominal QNH and an
        ellipsoid height as the geoid model gives it."""
        nominal = min(max(1013.25, self.qnh_hpa[0]), self.qnh_hpa[1])

        def amsl(side: tuple[float, float, int]) -> float:
            alt, vs, code = side
            return alt + vs * t_s - (isa_height_m(nominal) if code == PRESSURE else 0.0)

        return abs(amsl(self.b) - amsl(self.a))


def _one_pair(
    rx: float,
    ry: float,
    wx: float,
    wy: float,
    t0: float,
    dz: float,
    wz: float,
    lookahead_s: float,
    lateral_m: float,
    vertical_m: float,
    mixed: Mixed | None = None,
) -> tuple[float, float, float, float, float, float] | None:
    # Horizontal: |r + (t - t0) w|² < L²  ⇔  a τ² + b τ + c < 0 with τ = t − t0.
    a = wx * wx + wy * wy
    b = 2.0 * (rx * wx + ry * wy)
    c = rx * rx + ry * ry - lateral_m * lateral_m
    if a == 0.0:
        if c >= 0.0:
            return None
        h_in, h_out, tcpa = -math.inf, math.inf, 0.0
    else:
        disc = b * b - 4.0 * a * c
        if disc <= 0.0:
            return None
        root = math.sqrt(disc)
        h_in = t0 + (-b - root) / (2.0 * a)
        h_out = t0 + (-b + root) / (2.0 * a)
        tcpa = min(max(t0 - b / (2.0 * a), 0.0), lookahead_s)
    if mixed is not None:  # on different datums: brute force over the QNH range
        found = mixed.loss(max(h_in, 0.0), min(h_out, lookahead_s), vertical_m)
        if found is None:
            return None
        tau = tcpa - t0
        dcpa = math.hypot(rx + tau * wx, ry + tau * wy)
        return tcpa, dcpa, mixed.nominal_gap_m(tcpa), *found, math.sqrt(a)
    # Vertical: |dz + t wz| < V.
    if wz == 0.0:
        if abs(dz) >= vertical_m:
            return None
        v_in, v_out = -math.inf, math.inf
    else:
        first = (-vertical_m - dz) / wz
        second = (vertical_m - dz) / wz
        v_in, v_out = min(first, second), max(first, second)
    t_in = max(h_in, v_in, 0.0)
    t_out = min(h_out, v_out, lookahead_s)
    if not t_in < t_out:
        return None
    tau = tcpa - t0
    dcpa = math.hypot(rx + tau * wx, ry + tau * wy)
    return tcpa, dcpa, abs(dz + tcpa * wz), t_in, t_out, math.sqrt(a)
