"""Regions (an outline × an altitude band × a time window) as checked columns, and the times at
which a track can be inside one's band and window."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from sharedsky.detect.tracks import Datum, PressureOffsets, TrackColumns
from sharedsky.geo.outlines import CircleOutline, CorridorOutline, Outline, PolygonOutline

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


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
class RegionColumns:
    """Regions as columns: their distinct outlines, and per region the index of its outline and
    its prism (alt_lo_m, alt_hi_m, t_start_s, t_end_s)."""

    outlines: list[Outline]
    outline: IntArray
    prism: FloatArray


def region_columns(regions: Sequence[Region], label: Callable[[int], str]) -> RegionColumns:
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
    return RegionColumns(list(index), outline, prism)


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


def band_offsets(
    tracks: TrackColumns, pressure: PressureOffsets | None, t_path: float
) -> tuple[FloatArray, FloatArray] | None:
    """(least, greatest) metres that each track's height above mean sea level may lie above
    its reported altitude over [0, t_path]: a pressure altitude's offsets for every QNH of the
    mechanism's range over the pressure altitudes it passes (`PressureOffsets.span_m`), 0 for a
    geometric one; None when no track is on pressure altitude (every band compares exactly).
    ValueError when some track is and ``pressure`` is None: nothing compares across datums
    blindly."""
    on = tracks.datum == Datum.PRESSURE
    if not on.any():
        return None
    if pressure is None:
        raise ValueError("tracks on pressure altitude need pressure offsets to meet AMSL bands")
    least, greatest = np.zeros(len(tracks)), np.zeros(len(tracks))
    states = tracks.states
    least[on], greatest[on] = pressure.span_m(states.alt_m[on], states.vs_mps[on], t_path)
    return least, greatest


def pair_windows(
    tracks: TrackColumns,
    prism: FloatArray,
    track: IntArray,
    region: IntArray,
    t_path: float,
    offsets: tuple[FloatArray, FloatArray] | None = None,
) -> tuple[FloatArray, FloatArray]:
    """[lo, hi]: the times in [0, t_path] when the window of each pair's region is open and the
    track's altitude in its band (lo > hi when there are none; a window [start, end) ending at
    lo is closed). prism rows are (alt_lo_m, alt_hi_m, t_start_s, t_end_s) per region.

    With ``offsets`` (`band_offsets`), a track's altitude may lie anywhere from its least to
    its greatest offset above what it reports: its band is widened to every reported altitude
    that may be inside it, [alt_lo − greatest, alt_hi − least]."""
    alt_lo, alt_hi, start, end = prism[region].T
    if offsets is not None:
        least, greatest = offsets
        alt_lo, alt_hi = alt_lo - greatest[track], alt_hi - least[track]
    alt = tracks.states.alt_m[track]
    vs = tracks.states.vs_mps[track]
    moving = vs != 0.0
    safe = np.where(moving, vs, 1.0)
    t_a, t_b = (alt_lo - alt) / safe, (alt_hi - alt) / safe
    in_band = (alt >= alt_lo) & (alt <= alt_hi)
    band_lo = np.where(moving, np.minimum(t_a, t_b), np.where(in_band, -np.inf, np.inf))
    band_hi = np.where(moving, np.maximum(t_a, t_b), np.where(in_band, np.inf, -np.inf))
    lo = np.maximum(np.maximum(start, band_lo), 0.0)
    hi = np.minimum(np.minimum(end, band_hi), t_path)
    hi = np.where(lo < end, hi, -np.inf)
    return lo, hi
