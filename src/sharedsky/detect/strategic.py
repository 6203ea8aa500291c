"""Strategic detection: a filing's volumes against candidate volumes found by the cell index.

`find_clashes` gives exactly what `clash` gives for every subject × candidate
(`reference.brute_force_clashes`), faster:

1. time and altitude gaps, vectorised over candidates;
2. a coarse horizontal distance: each outline's core densified at 10 km, all candidates projected
   in one pyproj call into a frame at the subject, one vectorised Shapely `distance`;
3. pairs whose coarse gap is below the lateral minimum by more than the coarse error are
   conflicts without further measurement (their regions are drawn, vectorised, in the subject's
   frame); the exact `clash` runs only for pairs whose coarse gap is within the error band of
   the minimum.

The coarse frame never shrinks a distance (an azimuthal-equidistant frame has scale ≥ 1 in every
direction on the ellipsoid), so the true gap is at most the planar gap plus the chord error, and
at least the planar gap less the frame's stretch and the chord error.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass

import numpy as np
import shapely

from sharedsky.detect.separation import (
    Clash,
    Separation,
    VolumeGeom,
    bbox_lower_bounds_m,
    clash,
    interval_gap,
    thin,
    vertical_gaps,
    visible_parts,
)
from sharedsky.geo.distance import EARTH_MIN_RADIUS_M
from sharedsky.geo.outlines import Outline, outline_bbox, outline_centre
from sharedsky.geo.projection import LocalFrame, frame_at, frame_stretch
from sharedsky.geo.shapes import (
    Core,
    core_shape_from_xy,
    outline_core,
    outline_cores,
    shapes_to_geojson,
)

_COARSE_SEGMENT_M = 10_000.0
_COARSE_SLACK_M = 2.0
_CERTAIN_MARGIN_M = 10.0
"""Extra margin before the coarse stage alone may declare a conflict."""


@dataclass(frozen=True, slots=True)
class Candidate:
    """A volume to test against, with the separation that applies to it and a caller's key."""

    key: Hashable
    volume: VolumeGeom
    separation: Separation
    sides: bool = True
    """Draw each side's own part of the region too (else only the union)."""


@dataclass(frozen=True, slots=True)
class StrategicHit:
    """Subject number subject_index (in the subjects given) clashes with candidate key."""

    subject_index: int
    key: Hashable
    clash: Clash


_NO_REGION: dict[str, object] = {"type": "MultiPolygon", "coordinates": []}


def find_clashes(
    subjects: Sequence[VolumeGeom], candidates: Sequence[Candidate], *, regions: bool = True
) -> list[StrategicHit]:
    """Every clash of a subject with a candidate, ordered by subject then candidate order.

    ``regions`` False leaves the regions of the pairs the coarse stage proves empty (they are
    for display; a caller that only wants the verdicts, such as resolution advice, skips
    drawing them).

    The verdicts are exactly those of `clash`. A pair whose coarse distance already proves
    the conflict (closer than the minimum by more than the coarse error) skips the exact
    measurement: its ``distance_m`` is the coarse one (within the coarse error of the true
    distance: at most 0.5 % + 25 m above it, and up to 1 cm below it from the 10 km chords)
    and its regions are drawn in the subject's frame. Pairs near
    the threshold get the exact `clash`.
    """
    hits: list[StrategicHit] = []
    if not candidates:
        return hits
    cores: dict[Outline, Core] = {}
    exact: dict[Outline, Core] = {}
    t_lo = np.array([c.volume.t_start_s for c in candidates])
    t_hi = np.array([c.volume.t_end_s for c in candidates])
    lowers = [c.volume.lower_limit() for c in candidates]
    uppers = [c.volume.upper_limit() for c in candidates]
    lower_ref = np.array([limit.reference for limit in lowers])
    lower_exact = np.array([limit.exact_m for limit in lowers])
    lower_low = np.array([limit.low_m for limit in lowers])
    upper_ref = np.array([limit.reference for limit in uppers])
    upper_exact = np.array([limit.exact_m for limit in uppers])
    upper_high = np.array([limit.high_m for limit in uppers])
    time_s = np.array([c.separation.time_s for c in candidates])
    vertical_m = np.array([c.separation.vertical_m for c in candidates])
    lateral_m = np.array([c.separation.lateral_m for c in candidates])
    boxes = np.array([outline_bbox(c.volume.outline) for c in candidates], dtype=np.float64)
    for i, subject in enumerate(subjects):
        time_gap = _gaps(subject.t_start_s, subject.t_end_s, t_lo, t_hi)
        # as `vertical_gaps`: exact on a shared reference, else between the AMSL spans
        own_lower, own_upper = subject.lower_limit(), subject.upper_limit()
        above = np.where(
            lower_ref == own_upper.reference,
            lower_exact - own_upper.exact_m,
            lower_low - own_upper.high_m,
        )
        below = np.where(
            upper_ref == own_lower.reference,
            own_lower.exact_m - upper_exact,
            own_lower.low_m - upper_high,
        )
        vertical_gap = np.maximum(0.0, np.maximum(above, below))
        # the bounding boxes first, as `clash` does: the coarse stage projects every live
        # candidate into the subject's frame, which mangles one near the subject's antipode
        # (a box bound is never negative, so a lateral minimum of 0 is never near)
        near = bbox_lower_bounds_m(outline_bbox(subject.outline), boxes) < lateral_m
        live = np.flatnonzero((time_gap < time_s) & (vertical_gap < vertical_m) & near)
        if live.size == 0:
            continue
        coarse = _coarse(subject.outline, [candidates[int(k)] for k in live], cores)
        limit_m = lateral_m[live]
        maybe = coarse.gap_m - coarse.over_m < limit_m
        certain = coarse.gap_m + coarse.under_m < limit_m
        found: dict[int, Clash] = {}
        for j in np.flatnonzero(maybe & ~certain):
            k = int(live[j])
            candidate = candidates[k]
            pair = (
                _exact_core(subject.outline, exact),
                _exact_core(candidate.volume.outline, exact),
            )
            verdict = clash(
                subject, candidate.volume, candidate.separation, pair, sides=candidate.sides
            )
            if verdict is not None:
                found[k] = verdict
        sure = np.flatnonzero(maybe & certain)
        if sure.size:
            sides = np.array([candidates[int(live[j])].sides for j in sure], dtype=bool)
            drawn = (
                _regions(coarse, sure, limit_m[sure], sides)
                if regions
                else [(None, None, _NO_REGION)] * len(sure)
            )
            for j, (region_a, region_b, region) in zip(sure, drawn, strict=True):
                k = int(live[j])
                found[k] = _proven(
                    subject,
                    candidates[k].volume,
                    float(coarse.gap_m[j]),
                    region_a,
                    region_b,
                    region,
                )
        hits.extend(StrategicHit(i, candidates[k].key, found[k]) for k in sorted(found))
    return hits


def _proven(
    a: VolumeGeom,
    b: VolumeGeom,
    gap_m: float,
    region_a: dict[str, object] | None,
    region_b: dict[str, object] | None,
    region: dict[str, object],
) -> Clash:
    """The clash of a pair whose conflict the coarse stage proved."""
    time_gap_s, t_lo, t_hi = interval_gap(a.t_start_s, a.t_end_s, b.t_start_s, b.t_end_s)
    vertical_gap_m, nominal_gap_m = vertical_gaps(a, b)
    _, z_lo, z_hi = interval_gap(a.alt_lo_m, a.alt_hi_m, b.alt_lo_m, b.alt_hi_m)
    return Clash(
        distance_m=max(0.0, gap_m),
        vertical_gap_m=vertical_gap_m,
        nominal_gap_m=nominal_gap_m,
        time_gap_s=time_gap_s,
        t_start_s=t_lo,
        t_end_s=t_hi,
        alt_lo_m=z_lo,
        alt_hi_m=z_hi,
        region_a=region_a,
        region_b=region_b,
        region=region,
    )


def _gaps(lo: float, hi: float, los: np.ndarray, his: np.ndarray) -> np.ndarray:
    # starts are finite and only ends may be infinite, so no ∞ − ∞ arises
    return np.maximum(0.0, np.maximum(los - hi, lo - his))


@dataclass(frozen=True, slots=True)
class _Coarse:
    """The coarse stage's view of a subject and its live candidates, in the subject's frame."""

    frame: LocalFrame
    shapes: np.ndarray
    """Cores in frame metres (10 km chords): the subject's, then the candidates'."""
    radii_m: np.ndarray
    """Their radii (0 for polygons)."""
    gap_m: np.ndarray
    """Planar outline gaps (core distance − radii), metres."""
    over_m: np.ndarray
    """How much the planar gap may exceed the true one (frame stretch, chords, slack)."""
    under_m: np.ndarray
    """How much the planar gap may fall short of the true one (chords, slack): the frame
    itself never shrinks a distance (its scale is ≥ 1 in every direction)."""


def _coarse(subject: Outline, candidates: list[Candidate], cores: dict[Outline, Core]) -> _Coarse:
    """Planar gaps of the subject to every candidate, with their error bounds."""
    outlines = [subject, *(c.volume.outline for c in candidates)]
    missing = list({o: None for o in outlines if o not in cores})
    cores.update(zip(missing, outline_cores(missing, _COARSE_SEGMENT_M), strict=True))
    found = [cores[o] for o in outlines]
    vertices = [core.all_vertices() for core in found]
    counts = np.array([len(v) for v in vertices])
    stacked = np.vstack(vertices)
    frame = frame_at(*outline_centre(subject))
    x, y = frame.forward(stacked[:, 0], stacked[:, 1])
    xy = np.column_stack([x, y])
    parts = np.split(xy, np.cumsum(counts)[:-1])
    shapes = [core_shape_from_xy(core, part) for core, part in zip(found, parts, strict=True)]
    planar_m = shapely.distance(shapes[0], np.array(shapes[1:], dtype=object))
    radii_m = np.array([core.radius_m for core in found])
    reach_m = np.sqrt(np.max(np.sum(xy**2, axis=1)))
    # error bound of the coarse distance: stretch of the frame over the region, and the
    # sagitta of a 10 km chord of a geodesic projected at that range, both generously
    stretch = frame_stretch(float(reach_m))
    sagitta_m = _COARSE_SEGMENT_M**2 * (reach_m + 1.0e6) / (2.0 * EARTH_MIN_RADIUS_M**2)
    chords_m = 2.0 * sagitta_m + _COARSE_SLACK_M
    return _Coarse(
        frame=frame,
        shapes=np.array(shapes, dtype=object),
        radii_m=radii_m,
        gap_m=planar_m - radii_m[0] - radii_m[1:],
        over_m=planar_m * stretch + chords_m,
        under_m=np.full(len(candidates), chords_m + _CERTAIN_MARGIN_M),
    )


def _regions(
    coarse: _Coarse, chosen: np.ndarray, lateral_m: np.ndarray, sides: np.ndarray
) -> list[tuple[dict[str, object] | None, dict[str, object] | None, dict[str, object]]]:
    """(region_a, region_b, region) of the subject with each chosen candidate, vectorised.

    As in `separation.clash_regions`: the part of each area within lateral_m (+ 1 m) of the
    other, simplified to 25 m, for display.
    """
    reach_m = lateral_m + 1.0
    a = shapely.buffer(coarse.shapes[0], coarse.radii_m[0], quad_segs=16)
    b = shapely.buffer(coarse.shapes[chosen + 1], coarse.radii_m[chosen + 1], quad_segs=16)
    bounds_b = shapely.bounds(b)
    x0, y0, x1, y1 = shapely.bounds(a)
    near_a = shapely.intersection(
        a,
        shapely.box(
            bounds_b[:, 0] - reach_m - 1.0,
            bounds_b[:, 1] - reach_m - 1.0,
            bounds_b[:, 2] + reach_m + 1.0,
            bounds_b[:, 3] + reach_m + 1.0,
        ),
    )
    grow = float(reach_m.max()) + 1.0  # one rectangle for all: the largest reach
    near_b = shapely.clip_by_rect(b, x0 - grow, y0 - grow, x1 + grow, y1 + grow)
    part_a = shapely.intersection(near_a, shapely.buffer(near_b, reach_m, quad_segs=8))
    part_b = shapely.intersection(near_b, shapely.buffer(near_a, reach_m, quad_segs=8))
    part_a, part_b = visible_parts(a, b, part_a, part_b)
    union = thin(shapely.union(part_a, part_b))
    wanted = np.flatnonzero(sides)
    flat = shapes_to_geojson([*union, *thin(part_a[wanted]), *thin(part_b[wanted])], coarse.frame)
    n, m = len(chosen), len(wanted)
    own_a: list[dict[str, object] | None] = [None] * n
    own_b: list[dict[str, object] | None] = [None] * n
    for slot, k in enumerate(wanted):
        own_a[k], own_b[k] = flat[n + slot], flat[n + m + slot]
    return list(zip(own_a, own_b, flat[:n], strict=True))


def _exact_core(outline: Outline, cores: dict[Outline, Core]) -> Core:
    """The outline's core at full (1 km) densification, computed once per call."""
    core = cores.get(outline)
    if core is None:
        core = outline_core(outline)
        cores[outline] = core
    return core
