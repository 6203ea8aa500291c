"""Track paths for the conformance engine: input checks, points along each geodesic, chord bounds.

Positions are also given Earth-centred (metres, on the ellipsoid) for pruning: the straight chord
between two points is never longer than the geodesic between them, and a flown arc of length L
stays within L²/4R of the chord joining its ends at the same fraction of the way (the sagitta of
curvature 1/R is L²/8R; the rest covers the chord being shorter than the arc), R the smallest
radius of curvature of WGS84.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from sharedsky.detect.tactical import TrackColumns
from sharedsky.geo.distance import EARTH_MIN_RADIUS_M, WGS84
from sharedsky.geo.outlines import CircleOutline, CorridorOutline, Outline, PolygonOutline

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

MAX_PATH_M = 2_000_000.0
"""Longest path accepted (ground speed × horizon), metres."""
_WGS84_A_M = 6_378_137.0
_WGS84_F = 1.0 / 298.257223563
_WGS84_E2 = _WGS84_F * (2.0 - _WGS84_F)


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


def ecef_m(lon_deg: npt.ArrayLike, lat_deg: npt.ArrayLike) -> FloatArray:
    """Earth-centred (x, y, z) metres of points on the WGS84 ellipsoid, shape (..., 3)."""
    lon = np.radians(np.asarray(lon_deg, dtype=np.float64))
    lat = np.radians(np.asarray(lat_deg, dtype=np.float64))
    sin_lat, cos_lat = np.sin(lat), np.cos(lat)
    prime = _WGS84_A_M / np.sqrt(1.0 - _WGS84_E2 * sin_lat**2)
    return np.stack(
        [
            prime * cos_lat * np.cos(lon),
            prime * cos_lat * np.sin(lon),
            prime * (1.0 - _WGS84_E2) * sin_lat,
        ],
        axis=-1,
    )


def sag_bound_m(length_m: npt.ArrayLike) -> FloatArray:
    """How far (metres) a flown arc of this length may stray from its chord (see module)."""
    length = np.asarray(length_m, dtype=np.float64)
    return length * length / (4.0 * EARTH_MIN_RADIUS_M) + 1.0


def path_ends(tracks: TrackColumns, t_s: float, rows: IntArray | None = None) -> FloatArray:
    """(n, 2, 3): Earth-centred positions now and after t_s seconds of the given track rows."""
    chosen = np.arange(len(tracks.party)) if rows is None else rows
    distinct, inverse = np.unique(chosen, return_inverse=True)
    lon = np.asarray(tracks.lon_deg, dtype=np.float64)[distinct]
    lat = np.asarray(tracks.lat_deg, dtype=np.float64)[distinct]
    dist = np.asarray(tracks.gs_mps, dtype=np.float64)[distinct] * t_s
    trk = np.asarray(tracks.trk_deg, dtype=np.float64)[distinct]
    lon1, lat1, _ = WGS84.fwd(lon, lat, trk, dist)
    ends = np.stack([ecef_m(lon, lat), ecef_m(lon1, lat1)], axis=1)
    return np.asarray(ends[inverse.reshape(-1)], dtype=np.float64)


def path_vertices(tracks: TrackColumns, rows: IntArray, t_path: float, pieces: int) -> Paths:
    """Points at times k·t_path/pieces (k = 0 … pieces) along the geodesics of tracks `rows`."""
    track = np.unique(rows)
    times = t_path * np.arange(pieces + 1) / pieces
    times[-1] = t_path
    lon0 = np.asarray(tracks.lon_deg, dtype=np.float64)[track][:, None]
    lat0 = np.asarray(tracks.lat_deg, dtype=np.float64)[track][:, None]
    trk = np.asarray(tracks.trk_deg, dtype=np.float64)[track][:, None]
    dist = np.asarray(tracks.gs_mps, dtype=np.float64)[track][:, None] * times[None, :]
    lon0, lat0, trk, dist = np.broadcast_arrays(lon0, lat0, trk, dist)
    lon, lat, _ = WGS84.fwd(lon0, lat0, trk, dist)
    lon = np.asarray(lon, dtype=np.float64).reshape(dist.shape)
    lat = np.asarray(lat, dtype=np.float64).reshape(dist.shape)
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
    return np.asarray(np.linalg.norm(w - f[..., None] * d, axis=-1), dtype=np.float64)


# ── input checks ─────────────────────────────────────────────────────────────────────────────


def check_positive(value: float, name: str) -> None:
    """ValueError unless value is a positive finite number."""
    if not (math.isfinite(value) and value > 0.0):
        raise ValueError(f"{name} must be a positive finite number, not {value!r}")


def check_reach(tracks: TrackColumns, t_s: float, name: str) -> None:
    """ValueError when the fastest track would fly more than `MAX_PATH_M` in t_s seconds."""
    fastest = float(np.max(np.asarray(tracks.gs_mps, dtype=np.float64), initial=0.0))
    if fastest * t_s > MAX_PATH_M:
        raise ValueError(f"gs_mps × {name} reaches beyond 2,000 km")


def check_tracks(tracks: TrackColumns) -> int:
    """The number of tracks; ValueError naming the column for a wrong shape, a NaN or infinite
    value, a latitude outside [−90, 90], a longitude outside [−180, 180], a negative speed."""
    n = len(np.asarray(tracks.party))
    if np.asarray(tracks.party).shape != (n,):
        raise ValueError("tracks.party must be one-dimensional")
    for name in ("lat_deg", "lon_deg", "alt_m", "gs_mps", "trk_deg", "vs_mps"):
        column = np.asarray(getattr(tracks, name), dtype=np.float64)
        if column.shape != (n,):
            raise ValueError(f"tracks.{name} has shape {column.shape}, expected ({n},)")
        if not np.all(np.isfinite(column)):
            raise ValueError(f"tracks.{name} holds a NaN or infinite value")
    if np.any(np.abs(np.asarray(tracks.lat_deg, dtype=np.float64)) > 90.0):
        raise ValueError("tracks.lat_deg outside [-90, 90]")
    if np.any(np.abs(np.asarray(tracks.lon_deg, dtype=np.float64)) > 180.0):
        raise ValueError("tracks.lon_deg outside [-180, 180]")
    if np.any(np.asarray(tracks.gs_mps, dtype=np.float64) < 0.0):
        raise ValueError("tracks.gs_mps is negative")
    return n


def check_outlines(outlines: Sequence[Outline], label: Callable[[int], str]) -> None:
    """ValueError naming the outline (label(k)) for an unknown type, too few positions, a
    non-positive radius or half-width, or a position that is not finite or out of range. The
    full validation (self-intersection, size, placement) is `geo.outlines.validate_outline`."""
    flat: list[tuple[float, float]] = []
    sizes: list[int] = []
    metres: list[float] = []
    for k, outline in enumerate(outlines):
        if isinstance(outline, CircleOutline):
            flat.append(outline.center)
            sizes.append(1)
            metres.append(outline.radius_m)
        elif isinstance(outline, CorridorOutline):
            if len(outline.path) < 2:
                raise ValueError(f"{label(k)}.path needs at least 2 positions")
            flat.extend(outline.path)
            sizes.append(len(outline.path))
            metres.append(outline.half_width_m)
        elif isinstance(outline, PolygonOutline):
            if not outline.rings or min(len(ring) for ring in outline.rings) < 4:
                raise ValueError(f"{label(k)}.rings need at least 4 positions each")
            for ring in outline.rings:
                flat.extend(ring)
            sizes.append(sum(len(ring) for ring in outline.rings))
            metres.append(1.0)
        else:
            raise ValueError(f"{label(k)} is not an outline")
    bad_metres = ~np.array([math.isfinite(m) and m > 0.0 for m in metres], dtype=bool)
    if np.any(bad_metres):
        k = int(np.argmax(bad_metres))
        field = "radius_m" if isinstance(outlines[k], CircleOutline) else "half_width_m"
        raise ValueError(f"{label(k)}.{field} must be a positive finite number of metres")
    if not flat:
        return
    try:
        lonlat = np.array(flat, dtype=np.float64).reshape(len(flat), 2)
    except (TypeError, ValueError):
        raise ValueError("an outline position is not a (lon_deg, lat_deg) pair") from None
    bad = ~np.all(np.isfinite(lonlat), axis=1)
    bad |= (np.abs(lonlat[:, 0]) > 180.0) | (np.abs(lonlat[:, 1]) > 90.0)
    if np.any(bad):
        k = int(np.repeat(np.arange(len(outlines)), sizes)[int(np.argmax(bad))])
        raise ValueError(f"{label(k)} has a position that is not finite or out of range")
