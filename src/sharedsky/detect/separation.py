"""The exact separation test of two 4D volumes: lateral metres, vertical metres, time seconds.

Rule: two volumes conflict iff horizontal distance < lateral_m AND vertical gap < vertical_m AND
time gap < time_s (a gap is 0 when the intervals overlap; exactly at a separation is no conflict).

The vertical gap is max(0, lower_b − upper_a, lower_a − upper_b), each difference of two limits
taken on their own reference when they share one (exactly, as metres AMSL always were), else
between their AMSL spans (the lower limit's lowest height less the upper limit's highest): no
placement of the datums in their bounds can make the pair closer than that (`vertical_gaps`).

Horizontal distance is geodesic (WGS84) between the outlines: the distance between their cores
(polygon, circle centre, corridor path) minus radius / half-width. It is measured in a local
azimuthal-equidistant frame, then re-measured in a frame centred on the midpoint of the closest
points found, until stable to 1 mm; the distance between those two points is then exact (both lie
on a geodesic through the frame's centre). Long, nearly parallel outlines can have several
near-closest places; up to `_MAX_SEEDS` of them are each refined. Accuracy against independent
geodesic computations (tests/detect/test_separation.py): better than 1 cm for distances up to
50 km between outlines up to 2,000 km, dominated by the 1 km densification of geodesic edges.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import shapely

from sharedsky.geo.distance import EARTH_MIN_RADIUS_M, geodesic_midpoint
from sharedsky.geo.outlines import Outline, Position, outline_bbox
from sharedsky.geo.projection import LocalFrame, frame_at, frame_stretch
from sharedsky.geo.shapes import Core, core_shape_from_xy, outline_core, shapes_to_geojson

_EQUATORIAL_RADIUS_M = 6_378_137.0
_MAX_SEEDS = 6
_SEED_SPACING_M = 20_000.0
_MAX_REFINEMENTS = 6
_STABLE_M = 1e-3
_REGION_SLACK_M = 1.0


@dataclass(frozen=True, slots=True)
class LimitGeom:
    """One limit of a band for the vertical test (``domain.heights.LimitSpan``'s figures)."""

    reference: str
    """Limits on one reference compare exactly (``AMSL``, ``STD``, ``AGL``, ``W84``, ``UNL``)."""
    exact_m: float
    """Metres above ``reference``."""
    low_m: float
    """Lowest height AMSL it may be, metres."""
    high_m: float
    """Highest height AMSL it may be, metres."""
    nominal_m: float
    """Its height AMSL at the nominal datums, metres."""

    @classmethod
    def amsl(cls, alt_m: float) -> LimitGeom:
        """A limit in metres AMSL (exact)."""
        return cls("AMSL", alt_m, alt_m, alt_m, alt_m)


@dataclass(frozen=True, slots=True)
class VolumeGeom:
    """An outline × altitude band [alt_lo_m, alt_hi_m] (metres) × time window [t_start_s, t_end_s).

    Times are POSIX seconds; t_end_s may be math.inf for an open-ended zone. The band is in
    metres AMSL, or, when ``lower`` and ``upper`` are given, the AMSL interval of limits on
    other datums (alt_lo_m = lower.low_m, alt_hi_m = upper.high_m).
    """

    outline: Outline
    alt_lo_m: float
    alt_hi_m: float
    t_start_s: float
    t_end_s: float
    lower: LimitGeom | None = None
    upper: LimitGeom | None = None

    def lower_limit(self) -> LimitGeom:
        """The lower limit (in metres AMSL when the band has no datums)."""
        return self.lower or LimitGeom.amsl(self.alt_lo_m)

    def upper_limit(self) -> LimitGeom:
        """The upper limit (in metres AMSL when the band has no datums)."""
        return self.upper or LimitGeom.amsl(self.alt_hi_m)


@dataclass(frozen=True, slots=True)
class Separation:
    """Minimum separations: lateral_m and vertical_m metres, time_s seconds (all ≥ 0)."""

    lateral_m: float
    vertical_m: float
    time_s: float


@dataclass(frozen=True, slots=True)
class Clash:
    """Where and when two volumes come closer than their separation.

    t_start_s/t_end_s: the overlapping window or, if none, the gap [earlier end, later start];
    alt_lo_m/alt_hi_m likewise for altitude bands. Regions are GeoJSON in lon/lat degrees.
    """

    distance_m: float
    """Horizontal distance between the outlines, metres (0 when they overlap)."""
    vertical_gap_m: float
    """The vertical gap of `vertical_gaps` (datums placed against the pair), metres."""
    nominal_gap_m: float
    """The vertical gap at the limits' nominal heights (exact on a shared reference), metres:
    equal to vertical_gap_m unless limits on different datums were widened."""
    time_gap_s: float
    t_start_s: float
    t_end_s: float
    alt_lo_m: float
    alt_hi_m: float
    region_a: dict[str, object] | None
    """The part of A within lateral_m of B (None unless asked for)."""
    region_b: dict[str, object] | None
    """The part of B within lateral_m of A (None unless asked for)."""
    region: dict[str, object]
    """The union of both: the horizontal region within lateral separation."""


@dataclass(frozen=True, slots=True)
class Approach:
    """The closest approach of two cores: core_distance_m metres, as measured in ``frame``."""

    core_distance_m: float
    frame: LocalFrame
    """The frame of the measurement (centred near the closest points, or on the pair's
    bounding box when the cores overlap there)."""
    shape_a: shapely.Geometry
    """Core a in ``frame`` metres (reused to draw the regions)."""
    shape_b: shapely.Geometry


# ── the rule ────────────────────────────────────────────────────────────────────────────────


def interval_gap(lo_a: float, hi_a: float, lo_b: float, hi_b: float) -> tuple[float, float, float]:
    """(gap, lo, hi) of two intervals: the overlap [lo, hi] with gap 0, or the gap between them.

    >>> interval_gap(0.0, 10.0, 15.0, 20.0)
    (5.0, 10.0, 15.0)
    """
    lo = max(lo_a, lo_b)
    hi = min(hi_a, hi_b)
    if lo <= hi:
        return 0.0, lo, hi
    return lo - hi, hi, lo


def limit_gap(lower: LimitGeom, upper: LimitGeom) -> tuple[float, float]:
    """(gap, nominal gap) in metres by which ``lower`` lies above ``upper`` (negative: below):
    exact on a shared reference, else the least the datums allow, and at the nominal heights.

    >>> limit_gap(LimitGeom.amsl(1000.0), LimitGeom("STD", 600.0, 100.0, 900.0, 600.0))
    (100.0, 400.0)
    """
    if lower.reference == upper.reference:
        gap = lower.exact_m - upper.exact_m
        return gap, gap
    return lower.low_m - upper.high_m, lower.nominal_m - upper.nominal_m


def vertical_gaps(a: VolumeGeom, b: VolumeGeom) -> tuple[float, float]:
    """(gap, nominal gap) in metres between the bands of a and b, 0 when they overlap: each
    band's lower limit against the other's upper limit (`limit_gap`)."""
    gap_ba, nominal_ba = limit_gap(b.lower_limit(), a.upper_limit())
    gap_ab, nominal_ab = limit_gap(a.lower_limit(), b.upper_limit())
    return max(0.0, gap_ba, gap_ab), max(0.0, nominal_ba, nominal_ab)


def clash(
    a: VolumeGeom,
    b: VolumeGeom,
    sep: Separation,
    cores: tuple[Core, Core] | None = None,
    *,
    sides: bool = True,
) -> Clash | None:
    """The clash of volumes a and b under sep, or None when they are separated.

    Cheap dimensions first (time, altitude, bounding-box lower bound), geometry last.
    ``cores`` may pass the outlines' cores when the caller has them already; ``sides``
    draws each side's own part of the region too.
    """
    time_gap_s, t_lo, t_hi = interval_gap(a.t_start_s, a.t_end_s, b.t_start_s, b.t_end_s)
    if not time_gap_s < sep.time_s:
        return None
    vertical_gap_m, nominal_gap_m = vertical_gaps(a, b)
    if not vertical_gap_m < sep.vertical_m:
        return None
    _, z_lo, z_hi = interval_gap(a.alt_lo_m, a.alt_hi_m, b.alt_lo_m, b.alt_hi_m)
    if not bbox_lower_bound_m(a.outline, b.outline) < sep.lateral_m:
        return None
    core_a, core_b = cores or (outline_core(a.outline), outline_core(b.outline))
    approach = closest_approach(core_a, core_b)
    distance_m = max(0.0, approach.core_distance_m - core_a.radius_m - core_b.radius_m)
    if not distance_m < sep.lateral_m:
        return None
    region_a, region_b, region = clash_regions(core_a, core_b, sep.lateral_m, approach, sides)
    return Clash(
        distance_m=distance_m,
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


def horizontal_distance_m(a: Outline, b: Outline) -> float:
    """Geodesic distance in metres between outlines a and b (0 when they overlap)."""
    core_a, core_b = outline_core(a), outline_core(b)
    approach = closest_approach(core_a, core_b)
    return max(0.0, approach.core_distance_m - core_a.radius_m - core_b.radius_m)


# ── cheap lower bound ───────────────────────────────────────────────────────────────────────


def bbox_lower_bound_m(a: Outline, b: Outline) -> float:
    """A lower bound in metres of the distance between a and b, from their bounding boxes.

    Latitude gap × the smallest meridional radius; longitude gap as the equatorial-plane chord
    at the boxes' widest latitude (the prime-vertical radius is never below the equatorial one).
    """
    boxes = np.array([outline_bbox(b)], dtype=np.float64)
    return float(bbox_lower_bounds_m(outline_bbox(a), boxes)[0])


def bbox_lower_bounds_m(
    box: tuple[float, float, float, float], boxes: npt.NDArray[np.float64]
) -> npt.NDArray[np.float64]:
    """`bbox_lower_bound_m` of one bounding box (lon0, lat0, lon1, lat1 degrees) against each
    row of ``boxes`` (n × 4, the same columns), metres."""
    a_lon0, a_lat0, a_lon1, a_lat1 = box
    b_lon0, b_lat0, b_lon1, b_lat1 = boxes.T
    lat_gap_deg = np.maximum(0.0, np.maximum(b_lat0 - a_lat1, a_lat0 - b_lat1))
    # the nearer way round: two outlines on either side of the antimeridian are close
    lon_gap_deg = np.minimum(
        180.0,
        np.minimum(
            np.maximum(0.0, np.maximum(b_lon0 - a_lon1, a_lon0 - b_lon1)),
            np.maximum(0.0, np.minimum(a_lon0, b_lon0) + 360.0 - np.maximum(a_lon1, b_lon1)),
        ),
    )
    widest_deg = np.maximum(
        max(abs(a_lat0), abs(a_lat1)), np.maximum(np.abs(b_lat0), np.abs(b_lat1))
    )
    by_lat_m = EARTH_MIN_RADIUS_M * np.radians(lat_gap_deg)
    by_lon_m = (
        2.0
        * _EQUATORIAL_RADIUS_M
        * np.cos(np.radians(widest_deg))
        * np.sin(np.radians(lon_gap_deg) / 2.0)
    )
    bounds: npt.NDArray[np.float64] = np.maximum(by_lat_m, by_lon_m) * (1.0 - 1e-9)
    return bounds


# ── closest approach ────────────────────────────────────────────────────────────────────────


def closest_approach(core_a: Core, core_b: Core) -> Approach:
    """Geodesic distance in metres between two cores, and the frame it was measured in.

    Measured first in a frame at the pair's bounding box, then re-measured from each seed
    (`_seeds`) in frames centred on the closest points (`_refine`); the smallest is kept,
    the first of equals.
    """
    verts_a, verts_b = core_a.all_vertices(), core_b.all_vertices()
    both = np.vstack([verts_a, verts_b])
    lon_lo, lat_lo = both.min(axis=0)
    lon_hi, lat_hi = both.max(axis=0)
    frame = frame_at((lon_lo + lon_hi) / 2.0, (lat_lo + lat_hi) / 2.0)
    shape_a, shape_b, xy_a, xy_b = _project(core_a, core_b, frame)
    distance_m = float(shapely.distance(shape_a, shape_b))
    if distance_m == 0.0:
        return Approach(0.0, frame, shape_a, shape_b)
    seeds = _seeds(shape_a, shape_b, xy_a, xy_b, distance_m, frame)
    refined = (_refine(core_a, core_b, seed) for seed in seeds)
    return min(refined, key=lambda approach: approach.core_distance_m)


def _project(
    core_a: Core, core_b: Core, frame: LocalFrame
) -> tuple[shapely.Geometry, shapely.Geometry, np.ndarray, np.ndarray]:
    verts_a, verts_b = core_a.all_vertices(), core_b.all_vertices()
    both = np.vstack([verts_a, verts_b])
    x, y = frame.forward(both[:, 0], both[:, 1])
    xy = np.column_stack([x, y])
    xy_a, xy_b = xy[: len(verts_a)], xy[len(verts_a) :]
    return core_shape_from_xy(core_a, xy_a), core_shape_from_xy(core_b, xy_b), xy_a, xy_b


def _closest_midpoint(
    shape_a: shapely.Geometry, shape_b: shapely.Geometry, frame: LocalFrame
) -> Position:
    (xa, ya), (xb, yb) = shapely.get_coordinates(shapely.shortest_line(shape_a, shape_b))
    lon, lat = frame.inverse([xa, xb], [ya, yb])
    return geodesic_midpoint((float(lon[0]), float(lat[0])), (float(lon[1]), float(lat[1])))


def _seeds(
    shape_a: shapely.Geometry,
    shape_b: shapely.Geometry,
    xy_a: np.ndarray,
    xy_b: np.ndarray,
    distance_m: float,
    frame: LocalFrame,
) -> list[Position]:
    """Frame centres to refine from: the closest pair, then up to `_MAX_SEEDS` − 1 other
    vertices whose planar distance is within the frame's stretch of the minimum."""
    seeds = [_closest_midpoint(shape_a, shape_b, frame)]
    reach_m = float(np.sqrt(max(np.max(np.sum(xy_a**2, 1)), np.max(np.sum(xy_b**2, 1)))))
    band_m = distance_m * (1.0 + frame_stretch(reach_m)) + _STABLE_M
    points = np.vstack([xy_a, xy_b])
    others = [shape_b] * len(xy_a) + [shape_a] * len(xy_b)
    near = shapely.distance(shapely.points(points), np.array(others, dtype=object))
    candidates = points[near <= band_m]
    if len(candidates) == 0:
        return seeds
    chosen: list[np.ndarray] = []
    sx, sy = frame.forward([seeds[0][0]], [seeds[0][1]])
    spread = np.hypot(candidates[:, 0] - sx[0], candidates[:, 1] - sy[0])
    while len(chosen) < _MAX_SEEDS - 1:
        k = int(np.argmax(spread))
        if spread[k] < _SEED_SPACING_M:
            break
        chosen.append(candidates[k])
        spread = np.minimum(spread, np.hypot(*(candidates - candidates[k]).T))
    for x, y in chosen:
        lon, lat = frame.inverse([x], [y])
        seeds.append((float(lon[0]), float(lat[0])))
    return seeds


def _refine(core_a: Core, core_b: Core, centre: Position) -> Approach:
    """Re-measure in frames centred on the closest points until the distance is stable."""
    previous_m = math.inf
    for _ in range(_MAX_REFINEMENTS):
        frame = frame_at(*centre)
        shape_a, shape_b, _, _ = _project(core_a, core_b, frame)
        distance_m = float(shapely.distance(shape_a, shape_b))
        if distance_m == 0.0 or abs(previous_m - distance_m) < _STABLE_M:
            break
        previous_m = distance_m
        centre = _closest_midpoint(shape_a, shape_b, frame)
    return Approach(distance_m, frame, shape_a, shape_b)


# ── regions ─────────────────────────────────────────────────────────────────────────────────


def clash_regions(
    core_a: Core, core_b: Core, lateral_m: float, approach: Approach, sides: bool
) -> tuple[dict[str, object] | None, dict[str, object] | None, dict[str, object]]:
    """GeoJSON (region_a, region_b, region): the parts of a and b within lateral_m of the other.

    Drawn from the cores already projected for the closest approach (no new projection), with
    1 m of slack so that a near-touching pair still shows a sliver, and simplified to 25 m; for
    display, not for decisions.
    """
    frame = approach.frame
    shape_a = _area(core_a, approach.shape_a)
    shape_b = _area(core_b, approach.shape_b)
    reach_m = lateral_m + _REGION_SLACK_M
    # Only the part of each shape within reach of the other's bounding box can matter, so clip
    # before the (costly) buffer: the result is the same, with far fewer vertices.
    near_a = shapely.clip_by_rect(shape_a, *_grown(shape_b, reach_m))
    near_b = shapely.clip_by_rect(shape_b, *_grown(shape_a, reach_m))
    part_a = shapely.intersection(near_a, shapely.buffer(near_b, reach_m, quad_segs=8))
    part_b = shapely.intersection(near_b, shapely.buffer(near_a, reach_m, quad_segs=8))
    part_a, part_b = visible_parts(shape_a, shape_b, part_a, part_b)
    union = thin(shapely.union(part_a, part_b))
    if not sides:
        return None, None, shapes_to_geojson([union], frame)[0]
    region_a, region_b, region = shapes_to_geojson([thin(part_a), thin(part_b), union], frame)
    return region_a, region_b, region


_SLIVER_M = 100.0
"""Half-width of the strip drawn where a clash's region would be too thin to draw."""


def visible_parts(
    area_a: shapely.Geometry,
    area_b: shapely.Geometry,
    part_a: shapely.Geometry,
    part_b: shapely.Geometry,
) -> tuple[shapely.Geometry, shapely.Geometry]:
    """The parts, each replaced by a 100 m strip along the shortest line between the areas
    when it came out empty (a pair just inside the minimum, where polygonal buffers are
    thinner than the true ones): every clash gets a region to show. ``area_a`` is one area;
    ``area_b`` and the parts are one each, or arrays of them (one subject, many candidates)."""
    empty = shapely.is_empty(part_a) | shapely.is_empty(part_b)
    if not np.any(empty):
        return part_a, part_b
    if np.ndim(empty) == 0:
        strip = _strip(area_a, area_b)
        return (
            strip if shapely.is_empty(part_a) else part_a,
            strip if shapely.is_empty(part_b) else part_b,
        )
    part_a, part_b = np.array(part_a, dtype=object), np.array(part_b, dtype=object)
    for k in np.flatnonzero(empty):
        strip = _strip(area_a, area_b[k])
        part_a[k] = strip if shapely.is_empty(part_a[k]) else part_a[k]
        part_b[k] = strip if shapely.is_empty(part_b[k]) else part_b[k]
    return part_a, part_b


def _strip(area_a: shapely.Geometry, area_b: shapely.Geometry) -> shapely.Geometry:
    """A 100 m strip along the shortest line between two areas."""
    return shapely.buffer(shapely.shortest_line(area_a, area_b), _SLIVER_M, quad_segs=4)


def _area(core: Core, planar: shapely.Geometry) -> shapely.Geometry:
    """The outline's area from its planar core: the polygon, or the core buffered by radius."""
    if core.kind == "polygon":
        return planar
    return shapely.buffer(planar, core.radius_m, quad_segs=16)


_REGION_TOLERANCE_M = 25.0
"""Simplification of drawn regions (display only): far below any separation minimum."""


def _grown(shape: shapely.Geometry, margin_m: float) -> tuple[float, float, float, float]:
    """The shape's bounding box grown by ``margin_m`` plus a metre on every side."""
    x0, y0, x1, y1 = shapely.bounds(shape)
    grow = margin_m + 1.0
    return (x0 - grow, y0 - grow, x1 + grow, y1 + grow)


def thin(regions: shapely.Geometry) -> shapely.Geometry:
    """The region (or array of regions) with vertices closer than 25 m to a straight line
    dropped; a sliver that would vanish is kept as it was. A single region stays single."""
    thinned = shapely.simplify(regions, _REGION_TOLERANCE_M, preserve_topology=True)
    chosen = np.where(shapely.is_empty(thinned), regions, thinned)
    return chosen.item() if np.ndim(chosen) == 0 else chosen
