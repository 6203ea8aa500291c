"""The pruning of zone intrusion: which track × zone pairs the exact stage must measure.

A pair is kept when its parties differ, its zone is active within the look-ahead, its band and
window leave the track some time inside, and the straight chord through the Earth from the
track's position now to where it will be comes within the zone's reach of the zone's centre
(plus the flown arc's sagitta bound and a slack). A chord is never longer than the geodesic, and
the flown arc stays within L²/4R of its chord, so no pair that can meet is dropped.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from sharedsky.detect.conformance.exact import SLACK_M
from sharedsky.detect.conformance.parts import Parts, outline_bounds
from sharedsky.detect.conformance.paths import chord_gap_m, path_ends, sag_bound_m
from sharedsky.detect.conformance.regions import RegionColumns, pair_windows
from sharedsky.detect.tracks import TrackColumns
from sharedsky.geo.ecef import ecef_m

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

BLOCK_PAIRS = 2_000_000
"""Track × zone pairs measured at once (bounds the memory)."""


@dataclass(frozen=True, slots=True)
class IntrusionCandidates:
    """Track × zone pairs that the exact stage measures (a superset of the intrusions)."""

    track: IntArray
    zone: IntArray
    t_lo_s: FloatArray
    """Earliest time the pair's window and band allow the track inside (seconds)."""
    t_hi_s: FloatArray
    """Latest such time, at most the look-ahead."""
    pairs: int
    """Track × zone pairs examined (of different parties)."""


def candidate_pairs(
    tracks: TrackColumns,
    zones: RegionColumns,
    zone_party: IntArray,
    parts: Parts,
    lookahead_s: float,
    offsets: tuple[FloatArray, FloatArray] | None = None,
) -> IntrusionCandidates:
    """Pairs whose chord from now to the look-ahead passes within the zone's reach."""
    n, m = len(tracks.party), len(zones.outline)
    track_party = tracks.party
    active = (zones.prism[:, 2] <= lookahead_s) & (zones.prism[:, 3] > 0.0)
    outline_of = zones.outline
    lon_mid, lat_mid, reach_m = outline_bounds(parts, np.arange(len(parts.count)))
    centre = ecef_m(lon_mid[outline_of], lat_mid[outline_of])
    reach = reach_m[outline_of] + SLACK_M
    ends = path_ends(tracks, lookahead_s)
    sag = sag_bound_m(tracks.states.gs_mps * lookahead_s)
    a, d = ends[:, 0], ends[:, 1] - ends[:, 0]
    aa, ad, dd = np.sum(a * a, 1), np.sum(a * d, 1), np.sum(d * d, 1)
    cc = np.sum(centre * centre, 1)
    rows: list[IntArray] = []
    cols: list[IntArray] = []
    block = max(1, BLOCK_PAIRS // max(m, 1))
    for r0 in range(0, n, block):
        r = slice(r0, min(n, r0 + block))
        # |C − (A + f·D)|² over f ∈ [0, 1], from two matrix products
        wd = d[r] @ centre.T - ad[r, None]
        ww = cc[None, :] - 2.0 * (a[r] @ centre.T) + aa[r, None]
        f = np.clip(wd / np.where(dd[r] > 0.0, dd[r], 1.0)[:, None], 0.0, 1.0)
        gap2 = ww - 2.0 * f * wd + f * f * dd[r, None]
        limit = reach[None, :] + sag[r, None]
        keep = (gap2 <= limit * limit) & active[None, :]
        keep &= track_party[r, None] != zone_party[None, :]
        i, j = np.nonzero(keep)
        rows.append(i + r0)
        cols.append(j)
    track = np.concatenate(rows) if rows else np.zeros(0, dtype=np.int64)
    zone = np.concatenate(cols) if cols else np.zeros(0, dtype=np.int64)
    lo, hi = pair_windows(tracks, zones.prism, track, zone, lookahead_s, offsets)
    live = lo <= hi
    track, zone, lo, hi = track[live], zone[live], lo[live], hi[live]
    # the chord again, over the part of the look-ahead the window and band allow
    f_lo, f_hi = lo / lookahead_s, hi / lookahead_s
    gap = chord_gap_m(centre[zone], ends[track, 0], ends[track, 1], f_lo, f_hi)
    keep = gap <= reach[zone] + sag[track]
    pairs = int(np.sum(track_party[:, None] != zone_party[None, :]))
    return IntrusionCandidates(
        track[keep].astype(np.int64), zone[keep].astype(np.int64), lo[keep], hi[keep], pairs
    )
