"""Conformance (is a track inside its notice's volumes, and when will it leave them?) and zone
intrusion (will a track be inside another party's zone within the look-ahead?), on arrays.

Motion, as in `detect.tactical`: each track flies the geodesic of its track angle at constant
ground speed and climbs at its constant vertical rate, from its reported state at t = 0 (now).
A `Region` is an outline × altitude band [alt_lo_m, alt_hi_m] × time window [t_start_s, t_end_s)
in seconds from now; a track is inside it at t when its position is in the outline (boundary
included), its altitude in the band and t in the window.

Stages (each vectorised over all pairs):

1. **pairs** — conformance pairs each track with the regions of its notice; `intrusion_candidates`
   keeps the track × zone pairs of different parties whose zone is active and whose band the
   track can be in within the look-ahead, and whose straight chord through the Earth (from the
   track's position now to where it will be) comes within the zone's reach of its centre. A
   chord is never longer than the geodesic and the flown arc stays within L²/4R of its chord,
   so no pair that can meet is dropped.
2. **pieces** — each path is cut at common times into K straight pieces of at most `PIECE_M`,
   their ends placed exactly on the geodesic (pyproj `Geod.fwd`). Pieces are matched to the
   parts of the outline (`_conformance_parts`: discs, slabs, polygons) by the same chord bound.
3. **exact** — each remaining piece is projected into its part's own azimuthal-equidistant frame
   and intersected with the part (`_conformance_pieces`); the parameter intervals become time
   intervals, are clipped to the band and window, and are merged per pair (intrusion) or per
   track over all its notice's regions (conformance). Intervals less than `JOIN_S` apart are
   joined, so that the hand-over between two adjacent volumes measured in different frames
   never shows as an exit.

Error bound. The parts are exact (discs), within 4e-7 of the half-width (corridor slabs), or
within 1 cm (polygon edges, cut along their geodesics until each chord is that close). A path
piece is a chord between exact points of the geodesic; projected, the geodesic bulges from it by
at most ρℓ²/8R² for a piece of length ℓ ≤ 10 km at ρ from the frame centre (measured ρℓ²/12R²):
at most 2 cm within 100 km of the centre and 0.3 m for the largest outlines (2,000 km across),
where one straight line over 300 s at 300 m/s would stray 16 m. Crossings are therefore placed
within 0.35 m of the true ones (measured: 1.5 mm for outlines up to 50 km), their times within
that distance over the ground speed; a path that runs within that distance of an edge, along it,
may be judged on either side there.
"""

from __future__ import annotations

import enum
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from sharedsky.detect._conformance_parts import Parts, outline_bounds, outline_parts
from sharedsky.detect._conformance_spans import (
    JOIN_S,
    PIECE_M,
    SLACK_M,
    exact_spans,
    first_runs,
    outline_distance_m,
    pair_windows,
    ranks,
)
from sharedsky.detect._conformance_track import (
    check_outlines,
    check_positive,
    check_reach,
    check_tracks,
    chord_gap_m,
    ecef_m,
    path_ends,
    sag_bound_m,
)
from sharedsky.detect.tactical import TrackColumns
from sharedsky.geo.outlines import Outline

__all__ = [
    "DEFAULT_HORIZON_S",
    "DEFAULT_LOOKAHEAD_S",
    "JOIN_S",
    "PIECE_M",
    "ConformanceResult",
    "ConformanceStatus",
    "IntrusionCandidates",
    "IntrusionHits",
    "Region",
    "conformance",
    "intrusion_candidates",
    "zone_intrusions",
]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

DEFAULT_HORIZON_S = 60.0
DEFAULT_LOOKAHEAD_S = 300.0
_TAIL_S = 1.0
"""Conformance looks this far past the horizon, so that an exit at the horizon is one."""
_BLOCK_PAIRS = 2_000_000
"""Track × zone pairs measured at once by the pruning (bounds its memory)."""


class ConformanceStatus(enum.StrEnum):
    """Where a track stands against the union of its notice's active volumes."""

    CONFORMING = "conforming"
    """Inside now and for the whole horizon."""
    LEAVING = "leaving"
    """Inside now, predicted outside within the horizon (at t_exit_s)."""
    OUTSIDE = "outside"
    """Outside now."""

    def alerts(self) -> bool:
        """Whether this status calls for a conformance alert."""
        return self is not ConformanceStatus.CONFORMING


@dataclass(frozen=True, slots=True)
class Region:
    """An outline × altitude band [alt_lo_m, alt_hi_m] (metres AMSL) × time window
    [t_start_s, t_end_s) in seconds relative to now (either end may be infinite)."""

    outline: Outline
    alt_lo_m: float
    alt_hi_m: float
    t_start_s: float = -math.inf
    t_end_s: float = math.inf


@dataclass(frozen=True, slots=True)
class ConformanceResult:
    """Per track (aligned with the tracks given): status and first exit time."""

    status: npt.NDArray[np.str_]
    """A `ConformanceStatus` value per track."""
    t_exit_s: FloatArray
    """Seconds from now to the first exit: NaN when conforming, 0 when outside."""

    def __len__(self) -> int:
        return len(self.status)

    def status_of(self, i: int) -> ConformanceStatus:
        """The status of track i as the enum."""
        return ConformanceStatus(str(self.status[i]))


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


@dataclass(frozen=True, slots=True)
class IntrusionHits:
    """Predicted intrusions, aligned arrays ordered by track then zone (indices as given).

    [t_entry_s, t_exit_s] is the first interval inside the zone's prism within the look-ahead
    (t_entry_s = 0 when inside now; t_exit_s = the look-ahead when still inside then).
    """

    track: IntArray
    zone: IntArray
    t_entry_s: FloatArray
    t_exit_s: FloatArray
    distance_m: FloatArray
    """Horizontal geodesic distance now from the track to the zone's outline, metres (0 when
    over or under it); where not 0, an upper bound within centimetres of the true distance."""
    pairs: int
    """Track × zone pairs of different parties."""
    candidates: int
    """Pairs left for the exact stage by the pruning."""
    pieces: int
    """Path pieces measured exactly."""

    def __len__(self) -> int:
        return len(self.track)


# ── conformance ──────────────────────────────────────────────────────────────────────────────


def conformance(
    tracks: TrackColumns,
    notice_regions: Sequence[Sequence[Region]],
    notice_of_track: npt.ArrayLike,
    *,
    horizon_s: float = DEFAULT_HORIZON_S,
) -> ConformanceResult:
    """Each track against the union of the regions of its notice, notice_of_track[i] (an index
    into notice_regions), over [0, horizon_s] seconds.

    Raises ValueError naming the field for a track column of the wrong length, non-finite, a
    latitude or longitude out of range, a negative ground speed, a bad region, a notice index
    out of range, a non-positive horizon or a path longer than 2,000 km.
    """
    n = check_tracks(tracks)
    check_positive(horizon_s, "horizon_s")
    sizes = np.array([len(group) for group in notice_regions], dtype=np.int64)
    firsts = np.concatenate([[0], np.cumsum(sizes)[:-1]]).astype(np.int64)

    def label(k: int) -> str:
        g = int(np.searchsorted(firsts, k, side="right")) - 1
        return f"notice_regions[{g}][{k - int(firsts[g])}]"

    regions = _region_columns([r for group in notice_regions for r in group], label)
    notice = np.asarray(notice_of_track, dtype=np.int64)
    if notice.shape != (n,):
        raise ValueError(f"notice_of_track has shape {notice.shape}, expected ({n},)")
    if n and (notice.min() < 0 or notice.max() >= len(notice_regions)):
        raise ValueError("notice_of_track holds an index outside notice_regions")
    t_path = horizon_s + _TAIL_S
    check_reach(tracks, t_path, "horizon_s")
    count = sizes[notice] if n else np.zeros(0, dtype=np.int64)
    pair_track = np.repeat(np.arange(n), count)
    pair_region = firsts[notice][pair_track] + ranks(count)
    parts = outline_parts(regions.outlines)
    lo, hi = pair_windows(tracks, regions.prism, pair_track, pair_region, t_path)
    live = lo <= hi
    outline = regions.outline[pair_region[live]]
    spans = exact_spans(tracks, parts, pair_track[live], outline, lo[live], hi[live], t_path)
    start, end = first_runs(pair_track[live][spans.pair], spans.t_start, spans.t_end, n)
    inside_now = start <= 1e-9
    leaving = inside_now & (end <= horizon_s)
    status = np.full(n, ConformanceStatus.OUTSIDE.value, dtype="<U10")
    status[inside_now] = ConformanceStatus.CONFORMING.value
    status[leaving] = ConformanceStatus.LEAVING.value
    t_exit = np.where(leaving, end, np.where(inside_now, np.nan, 0.0))
    return ConformanceResult(status, t_exit)


# ── zone intrusion ───────────────────────────────────────────────────────────────────────────


def zone_intrusions(
    tracks: TrackColumns,
    zones: Sequence[Region],
    zone_party: npt.ArrayLike,
    *,
    lookahead_s: float = DEFAULT_LOOKAHEAD_S,
) -> IntrusionHits:
    """Every pair of a track and a zone of another party (tracks.party ≠ zone_party) where the
    track is predicted inside the zone's prism at some time in [0, lookahead_s].

    Raises ValueError naming the field, as `conformance` does.
    """
    parts, outline_of, found = _prepared(tracks, zones, zone_party, lookahead_s)
    spans = exact_spans(
        tracks,
        parts,
        found.track,
        outline_of[found.zone],
        found.t_lo_s,
        found.t_hi_s,
        lookahead_s,
    )
    start, end = first_runs(spans.pair, spans.t_start, spans.t_end, len(found.track))
    hit = np.flatnonzero(np.isfinite(start))
    track, zone = found.track[hit], found.zone[hit]
    entry, leave = start[hit], np.minimum(end[hit], lookahead_s)
    distance = np.zeros(len(hit))
    away = np.flatnonzero(entry > 0.0)
    if away.size:
        lon = np.asarray(tracks.lon_deg, dtype=np.float64)[track[away]]
        lat = np.asarray(tracks.lat_deg, dtype=np.float64)[track[away]]
        distance[away] = outline_distance_m(parts, outline_of[zone[away]], lon, lat)
    return IntrusionHits(
        track, zone, entry, leave, distance, found.pairs, len(found.track), spans.pieces
    )


def intrusion_candidates(
    tracks: TrackColumns,
    zones: Sequence[Region],
    zone_party: npt.ArrayLike,
    *,
    lookahead_s: float = DEFAULT_LOOKAHEAD_S,
) -> IntrusionCandidates:
    """The pairs that `zone_intrusions` measures exactly (a superset of its hits)."""
    return _prepared(tracks, zones, zone_party, lookahead_s)[2]


def _prepared(
    tracks: TrackColumns, zones: Sequence[Region], zone_party: npt.ArrayLike, lookahead_s: float
) -> tuple[Parts, IntArray, IntrusionCandidates]:
    check_tracks(tracks)
    check_positive(lookahead_s, "lookahead_s")
    regions = _region_columns(zones, lambda k: f"zones[{k}]")
    party = np.asarray(zone_party, dtype=np.int64)
    if party.shape != (len(zones),):
        raise ValueError(f"zone_party has shape {party.shape}, expected ({len(zones)},)")
    check_reach(tracks, lookahead_s, "lookahead_s")
    parts = outline_parts(regions.outlines)
    return parts, regions.outline, _candidates(tracks, regions, party, parts, lookahead_s)


def _candidates(
    tracks: TrackColumns,
    zones: _Regions,
    zone_party: IntArray,
    parts: Parts,
    lookahead_s: float,
) -> IntrusionCandidates:
    """Pairs whose chord from now to the look-ahead passes within the zone's reach."""
    n, m = len(tracks.party), len(zones.outline)
    track_party = np.asarray(tracks.party, dtype=np.int64)
    active = (zones.prism[:, 2] <= lookahead_s) & (zones.prism[:, 3] > 0.0)
    outline_of = zones.outline
    lon_mid, lat_mid, reach_m = outline_bounds(parts, np.arange(len(parts.count)))
    centre = ecef_m(lon_mid[outline_of], lat_mid[outline_of])
    reach = reach_m[outline_of] + SLACK_M
    ends = path_ends(tracks, lookahead_s)
    sag = sag_bound_m(np.asarray(tracks.gs_mps, dtype=np.float64) * lookahead_s)
    a, d = ends[:, 0], ends[:, 1] - ends[:, 0]
    aa, ad, dd = np.sum(a * a, 1), np.sum(a * d, 1), np.sum(d * d, 1)
    cc = np.sum(centre * centre, 1)
    rows: list[IntArray] = []
    cols: list[IntArray] = []
    block = max(1, _BLOCK_PAIRS // max(m, 1))
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
    lo, hi = pair_windows(tracks, zones.prism, track, zone, lookahead_s)
    live = lo <= hi
    track, zone, lo, hi = track[live], zone[live], lo[live], hi[live]
    # the chord again, over the part of the look-ahead the window and band allow
    f_lo, f_hi = lo / lookahead_s, hi / lookahead_s
    gap = chord_gap_m(centre[zone], ends[track, 0], ends[track, 1], f_lo, f_hi)
    keep = gap <= reach[zone] + sag[track]
    pairs = int(np.sum(track_party[:, None] != zone_party[None, :])) if n * m else 0
    return IntrusionCandidates(
        track[keep].astype(np.int64), zone[keep].astype(np.int64), lo[keep], hi[keep], pairs
    )


# ── helpers ──────────────────────────────────────────────────────────────────────────────────


@dataclass(frozen=True, slots=True)
class _Regions:
    """Regions as columns: their distinct outlines, and per region the index of its outline and
    its prism (alt_lo_m, alt_hi_m, t_start_s, t_end_s)."""

    outlines: list[Outline]
    outline: IntArray
    prism: FloatArray


def _region_columns(regions: Sequence[Region], label: Callable[[int], str]) -> _Regions:
    """The regions as columns, checked: ValueError naming the first bad region's field."""
    for k, region in enumerate(regions):
        if not isinstance(region, Region):
            raise ValueError(f"{label(k)} is not a Region")
    try:
        prism = np.array(
            [(r.alt_lo_m, r.alt_hi_m, r.t_start_s, r.t_end_s) for r in regions], dtype=np.float64
        ).reshape(len(regions), 4)
    except (TypeError, ValueError):
        raise ValueError("a region's band or window is not a number") from None
    lo, hi, start, end = prism.T
    problems = (
        (~(np.isfinite(lo) & np.isfinite(hi)), "alt_lo_m and alt_hi_m must be finite"),
        (lo > hi, "alt_lo_m is above alt_hi_m"),
        (np.isnan(start) | (start == np.inf), "t_start_s must be a number below +inf"),
        (np.isnan(end) | (end == -np.inf), "t_end_s must be a number above -inf"),
        (start > end, "t_end_s is before t_start_s"),
    )
    for bad, reason in problems:
        if np.any(bad):
            raise ValueError(f"{label(int(np.argmax(bad)))}: {reason}")
    index: dict[Outline, int] = {}
    outline = np.array([index.setdefault(r.outline, len(index)) for r in regions], np.int64)
    first_use = np.zeros(len(index), dtype=np.int64)
    first_use[outline[::-1]] = np.arange(len(regions))[::-1]
    check_outlines(list(index), lambda o: f"{label(int(first_use[o]))}.outline")
    return _Regions(list(index), outline, prism)
