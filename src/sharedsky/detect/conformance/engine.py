"""The conformance engine's three entry points and their results: `conformance` (each track
against its notice's regions over a horizon) and `zone_intrusions` / `intrusion_candidates`
(tracks against other parties' zones over a look-ahead). The package's `__init__` explains the
motion model, the stages and the error bound."""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from sharedsky.detect.conformance.candidates import IntrusionCandidates, candidate_pairs
from sharedsky.detect.conformance.exact import exact_spans, outline_distance_m
from sharedsky.detect.conformance.parts import Parts, outline_parts
from sharedsky.detect.conformance.paths import check_reach
from sharedsky.detect.conformance.regions import (
    Region,
    band_offsets,
    pair_windows,
    region_columns,
)
from sharedsky.detect.conformance.runs import first_runs, ranks
from sharedsky.detect.tracks import PressureOffsets, TrackColumns, check_positive

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

DEFAULT_HORIZON_S = 60.0
DEFAULT_LOOKAHEAD_S = 300.0
_TAIL_S = 1.0
"""Conformance looks this far past the horizon, so that an exit at the horizon is one."""


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
    pressure: PressureOffsets | None = None,
) -> ConformanceResult:
    """Each track against the union of the regions of its notice, notice_of_track[i] (an index
    into notice_regions), over [0, horizon_s] seconds.

    A track on pressure altitude is inside a band (metres AMSL) while it may be for some QNH
    of ``pressure``'s range (needed when any track is on pressure altitude): it is reported
    leaving only once no QNH in range would keep it in.

    Raises ValueError naming the field for a track column of the wrong length, non-finite, a
    latitude or longitude out of range, a negative ground speed, a bad region, a notice index
    out of range, a non-positive horizon or a path longer than 2,000 km.
    """
    n = len(tracks)
    check_positive(horizon_s, "horizon_s")
    sizes = np.array([len(group) for group in notice_regions], dtype=np.int64)
    firsts = np.concatenate([[0], np.cumsum(sizes)[:-1]]).astype(np.int64)

    def label(k: int) -> str:
        g = int(np.searchsorted(firsts, k, side="right")) - 1
        return f"notice_regions[{g}][{k - int(firsts[g])}]"

    regions = region_columns([r for group in notice_regions for r in group], label)
    notice = np.asarray(notice_of_track, dtype=np.int64)
    if notice.shape != (n,):
        raise ValueError(f"notice_of_track has shape {notice.shape}, expected ({n},)")
    if n and (notice.min() < 0 or notice.max() >= len(notice_regions)):
        raise ValueError("notice_of_track holds an index outside notice_regions")
    t_path = horizon_s + _TAIL_S
    check_reach(tracks, t_path, "horizon_s")
    count = sizes[notice]
    pair_track = np.repeat(np.arange(n), count)
    pair_region = firsts[notice][pair_track] + ranks(count)
    parts = outline_parts(regions.outlines)
    offsets = band_offsets(tracks, pressure, t_path)
    lo, hi = pair_windows(tracks, regions.prism, pair_track, pair_region, t_path, offsets)
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
    pressure: PressureOffsets | None = None,
) -> IntrusionHits:
    """Every pair of a track and a zone of another party (tracks.party ≠ zone_party) where the
    track is predicted inside the zone's prism at some time in [0, lookahead_s]; a track on
    pressure altitude is inside a band when it may be for some QNH of ``pressure``'s range
    (needed when any track is on pressure altitude).

    Raises ValueError naming the field, as `conformance` does.
    """
    parts, outline_of, found = _prepared(tracks, zones, zone_party, lookahead_s, pressure)
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
        lon = tracks.states.lon_deg[track[away]]
        lat = tracks.states.lat_deg[track[away]]
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
    pressure: PressureOffsets | None = None,
) -> IntrusionCandidates:
    """The pairs that `zone_intrusions` measures exactly (a superset of its hits)."""
    return _prepared(tracks, zones, zone_party, lookahead_s, pressure)[2]


def _prepared(
    tracks: TrackColumns,
    zones: Sequence[Region],
    zone_party: npt.ArrayLike,
    lookahead_s: float,
    pressure: PressureOffsets | None,
) -> tuple[Parts, IntArray, IntrusionCandidates]:
    check_positive(lookahead_s, "lookahead_s")
    regions = region_columns(zones, lambda k: f"zones[{k}]")
    party = np.asarray(zone_party, dtype=np.int64)
    if party.shape != (len(zones),):
        raise ValueError(f"zone_party has shape {party.shape}, expected ({len(zones)},)")
    check_reach(tracks, lookahead_s, "lookahead_s")
    parts = outline_parts(regions.outlines)
    offsets = band_offsets(tracks, pressure, lookahead_s)
    found = candidate_pairs(tracks, regions, party, parts, lookahead_s, offsets)
    return parts, regions.outline, found
