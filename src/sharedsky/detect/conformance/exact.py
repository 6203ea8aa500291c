"""The exact stage of the conformance engine: path pieces against outline parts, as time
intervals per pair.

`exact_spans` takes pairs (track, outline) with the times [lo, hi] that their window and band
allow, cuts each path into K pieces at common times (`PIECE_M` long at most), keeps the pieces
whose chord passes within a part's reach, projects both ends of each into the part's frame
(each distinct vertex once) and turns the parts' parameter intervals into times
(`runs.first_runs` then merges them).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from sharedsky.detect.conformance.crossings import Pieces, part_distance_m, piece_spans
from sharedsky.detect.conformance.parts import Parts, to_frame
from sharedsky.detect.conformance.paths import (
    Paths,
    chord_gap_m,
    path_ends,
    path_vertices,
    sag_bound_m,
)
from sharedsky.detect.conformance.runs import ranks
from sharedsky.detect.tracks import TrackColumns
from sharedsky.geo.ecef import ecef_m

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

PIECE_M = 10_000.0
"""Longest straight piece of a path, metres."""
SLACK_M = 100.0
"""Added to every pruning bound, metres."""


@dataclass(frozen=True, slots=True)
class TimeSpans:
    """Time intervals [t_start, t_end] (seconds) inside pair `pair`'s region."""

    pair: IntArray
    t_start: FloatArray
    t_end: FloatArray
    pieces: int


def exact_spans(
    tracks: TrackColumns,
    parts: Parts,
    pair_track: IntArray,
    pair_outline: IntArray,
    lo: FloatArray,
    hi: FloatArray,
    t_path: float,
) -> TimeSpans:
    """Inside intervals of each pair (track, outline) within [lo, hi] seconds."""
    if pair_track.size == 0:
        return TimeSpans(np.zeros(0, dtype=np.int64), np.zeros(0), np.zeros(0), 0)
    gs = tracks.states.gs_mps
    # pair × part, kept when the pair's chord over [lo, hi] passes within the part's reach
    count = parts.count[pair_outline]
    row = np.repeat(np.arange(len(pair_track)), count)
    part = parts.first[pair_outline][row] + ranks(count)
    track = pair_track[row]
    ends = path_ends(tracks, t_path, rows=track)
    centre = ecef_m(parts.lon_deg[part], parts.lat_deg[part])
    gap = chord_gap_m(centre, ends[:, 0], ends[:, 1], lo[row] / t_path, hi[row] / t_path)
    near = gap <= parts.part_reach_m[part] + sag_bound_m(gs[track] * t_path) + SLACK_M
    row, part, track = row[near], part[near], track[near]
    # pieces of the path that overlap [lo, hi] and pass within the part's reach
    k_count = max(1, math.ceil(float(np.max(gs[pair_track], initial=0.0)) * t_path / PIECE_M))
    paths = path_vertices(tracks, np.unique(track), t_path, k_count)
    step = t_path / k_count
    k_lo = np.clip(np.floor(lo[row] / step), 0, k_count - 1).astype(np.int64)
    k_hi = np.clip(np.ceil(hi[row] / step) - 1, k_lo, k_count - 1).astype(np.int64)
    span = k_hi - k_lo + 1
    item = np.repeat(np.arange(len(row)), span)
    k = k_lo[item] + ranks(span)
    v = np.searchsorted(paths.track, track[item])
    centre_item = ecef_m(parts.lon_deg[part[item]], parts.lat_deg[part[item]])
    piece_gap = chord_gap_m(
        centre_item, paths.ecef_m[v, k], paths.ecef_m[v, k + 1], np.zeros(k.size), np.ones(k.size)
    )
    piece_sag = sag_bound_m(gs[track[item]] * step)
    close = piece_gap <= parts.part_reach_m[part[item]] + piece_sag + SLACK_M
    item, k, v = item[close], k[close], v[close]
    pieces = _project(parts, part[item], paths, v, k)
    spans = piece_spans(parts, pieces)
    # parameters to times, clipped to the pair's window and band
    owner = item[spans.piece]
    k_of = k[spans.piece]
    t0, t1 = paths.times_s[k_of], paths.times_s[k_of + 1]
    t_start = t0 + spans.u_start * (t1 - t0)
    t_end = np.where(spans.u_end >= 1.0, t1, t0 + spans.u_end * (t1 - t0))
    pair = row[owner]
    t_start, t_end = np.maximum(t_start, lo[pair]), np.minimum(t_end, hi[pair])
    keep = t_start <= t_end
    return TimeSpans(pair[keep], t_start[keep], t_end[keep], int(item.size))


def _project(parts: Parts, part: IntArray, paths: Paths, v: IntArray, k: IntArray) -> Pieces:
    """Both ends of every piece in its part's frame, each distinct vertex projected once."""
    width = paths.times_s.size
    keys = np.concatenate(
        [(part * len(paths.track) + v) * width + k, (part * len(paths.track) + v) * width + k + 1]
    )
    unique, inverse = np.unique(keys, return_inverse=True)
    u_part = unique // (len(paths.track) * width)
    u_v = (unique // width) % len(paths.track)
    u_k = unique % width
    x, y = to_frame(
        parts.lon_deg[u_part],
        parts.lat_deg[u_part],
        paths.lon_deg[u_v, u_k],
        paths.lat_deg[u_v, u_k],
    )
    first, second = inverse[: k.size], inverse[k.size :]
    return Pieces(part, x[first], y[first], x[second], y[second])


def outline_distance_m(
    parts: Parts, outline: IntArray, lon_deg: FloatArray, lat_deg: FloatArray
) -> FloatArray:
    """Geodesic distance from each point to its outline: the smallest over the outline's parts."""
    count = parts.count[outline]
    row = np.repeat(np.arange(len(outline)), count)
    part = parts.first[outline][row] + ranks(count)
    each = part_distance_m(parts, part, lon_deg[row], lat_deg[row])
    nearest: FloatArray = np.minimum.reduceat(each, np.cumsum(count) - count)
    return nearest
