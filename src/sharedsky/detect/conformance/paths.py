"""Track paths for the conformance engine: points along each geodesic, and chord bounds.

Positions are also given Earth-centred (metres, on the ellipsoid) for pruning: the straight chord
between two points is never longer than the geodesic between them, and a flown arc of length L
stays within L²/4R of the chord joining its ends at the same fraction of the way (the sagitta of
curvature 1/R is L²/8R; the rest covers the chord being shorter than the arc), R the smallest
radius of curvature of WGS84.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from sharedsky.detect.tracks import TrackColumns
from sharedsky.geo.distance import EARTH_MIN_RADIUS_M, geodesic_forward
from sharedsky.geo.ecef import ecef_m

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

MAX_PATH_M = 2_000_000.0
"""Longest path accepted (ground speed × horizon), metres."""


@dataclass(frozen=True, slots=True)
class Paths:
    """Points along the paths of some tracks at common times (K + 1 of them, 0 … t_path).

    Row r holds track `track[r]` (sorted, distinct); ecef_m is (rows, K + 1, 3).
    """

    track: IntArray
    times_s: FloatArray
    lon_deg: FloatArray
    lat_deg: FloatArray
    ecef_m: FloatArray


def sag_bound_m(length_m: FloatArray) -> FloatArray:
    """How far (metres) a flown arc of this length may stray from its chord (see module)."""
    return length_m * length_m / (4.0 * EARTH_MIN_RADIUS_M) + 1.0


def path_ends(tracks: TrackColumns, t_s: float, rows: IntArray | None = None) -> FloatArray:
    """(n, 2, 3): Earth-centred positions now and after t_s seconds of the given track rows."""
    chosen = np.arange(len(tracks.party)) if rows is None else rows
    distinct, inverse = np.unique(chosen, return_inverse=True)
    states = tracks.states
    lon = states.lon_deg[distinct]
    lat = states.lat_deg[distinct]
    dist = states.gs_mps[distinct] * t_s
    trk = states.trk_deg[distinct]
    lon1, lat1, _ = geodesic_forward(lon, lat, trk, dist)
    ends: FloatArray = np.stack([ecef_m(lon, lat), ecef_m(lon1, lat1)], axis=1)
    return ends[inverse.reshape(-1)]


def path_vertices(tracks: TrackColumns, rows: IntArray, t_path: float, pieces: int) -> Paths:
    """Points at times k·t_path/pieces (k = 0 … pieces) along the geodesics of tracks `rows`."""
    track = np.unique(rows)
    times = t_path * np.arange(pieces + 1) / pieces
    times[-1] = t_path
    states = tracks.states
    lon0 = states.lon_deg[track][:, None]
    lat0 = states.lat_deg[track][:, None]
    trk = states.trk_deg[track][:, None]
    dist = states.gs_mps[track][:, None] * times[None, :]
    lon, lat, _ = geodesic_forward(lon0, lat0, trk, dist)
    lon[:, 0], lat[:, 0] = lon0[:, 0], lat0[:, 0]
    return Paths(track, times, lon, lat, ecef_m(lon, lat))


def chord_gap_m(
    centre: FloatArray, a: FloatArray, b: FloatArray, f_lo: FloatArray, f_hi: FloatArray
) -> FloatArray:
    """Distance (metres) from each centre to the chord a + f·(b − a), f ∈ [f_lo, f_hi]."""
    d = b - a
    w = centre - a
    dd = np.sum(d * d, axis=-1)
    f = np.sum(w * d, axis=-1) / np.where(dd > 0.0, dd, 1.0)
    f = np.clip(f, f_lo, np.maximum(f_lo, f_hi))
    gap: FloatArray = np.linalg.norm(w - f[..., None] * d, axis=-1)
    return gap


def check_reach(tracks: TrackColumns, t_s: float, name: str) -> None:
    """ValueError when the fastest track would fly more than `MAX_PATH_M` in t_s seconds."""
    fastest = float(np.max(tracks.states.gs_mps, initial=0.0))
    if fastest * t_s > MAX_PATH_M:
        raise ValueError(f"gs_mps × {name} reaches beyond 2,000 km")
