"""An independent strategic reference: the separation verdict of two 4D volumes, from geodesics.

Nothing here comes from ``sharedsky``: the shapes, the gaps and the distance are computed again
with pyproj's `Geod` (Karney's geodesics on WGS84, accurate to about 15 nm), NumPy and the
standard library, so that a bug shared by the engine and its helpers cannot hide here.

Shapes are their own small types, one per outline kind the engine accepts
(`sharedsky.geo.outlines`: polygon with holes, circle, corridor). Each is the set of points
within ``radius`` metres of a *core*: a polygon is its own core (radius 0), a circle its centre,
a corridor its path (a geodesic polyline, round ends). Polygon edges and corridor paths are
geodesics between the given positions.

The rule (as in ``sharedsky.detect.separation``): two volumes conflict iff horizontal distance
< lateral_m AND vertical gap < vertical_m AND time gap < time_s; exactly at a minimum is no
conflict. A gap is 0 when the intervals overlap or touch; the reported window and band are the
overlap, or the gap interval [earlier end, later start].

Horizontal distance = (geodesic distance between the cores) − both radii, at least 0.

* **Cores apart.** The closest points of two disjoint cores include a vertex of one of them:
  the WGS84 ellipsoid has positive Gaussian curvature everywhere, so the distance from a point
  moving along one geodesic edge to another geodesic is a concave function of its position
  (Jacobi fields), and a minimum with both points inside edges cannot occur for edges far
  shorter than a quarter meridian. So the core distance is the least distance from any vertex
  of one core to any geodesic edge (or to the point) of the other. The distance from a point
  to a geodesic edge is found by golden-section search on the position along the edge (`Geod.fwd`
  from the edge's start, `Geod.inv` to the point): the distance along one geodesic is unimodal
  (one minimum) for the sizes used here, and 64 steps bracket the foot to 0.618⁶⁴ ≈ 4e-14 of
  the edge length (< 1e-7 m for edges up to 2,000 km). Error bound of a distance: 1e-6 m.
  Edges are pruned first by the triangle inequality: an edge whose midpoint is farther from the
  vertex than half its length plus the best endpoint distance so far cannot hold the minimum.
* **Cores overlapping (distance 0).** Decided on geodesics, with no projection: a vertex of one
  core inside a polygon of the other (winding number from the azimuths `Geod.inv` gives at the
  vertex towards the ring's vertices: a geodesic edge seen from a point not on it turns the
  azimuth by less than 180°, so the wrapped differences sum to ±360° inside, 0 outside; holes
  count; a ring also winds around the points near its antipode, which are more than 10,000 km
  from its vertices and so are never inside an outline at most 2,000 km wide), or an edge of
  one crossing an edge of the other (each edge's endpoints on opposite sides of the other, the
  side of a point being the sign of the azimuth turn at the edge's start). Both decisions are
  exact except within nanometres of a boundary, where the distance is 0 either way.

Regions (`region_faults`), which the engine draws for display only, are checked with stated
tolerances:

* every vertex of a region lies within ``lateral_m + region_out_m(...)`` of both volumes'
  outlines: 103 m (the 100 m strip the engine draws along the shortest line where its
  polygonal buffers come out empty just inside the minimum, 1 m of slack, 2 m of rounding)
  + 0.2 % of each radius (that shortest line runs between circles and corridor ends drawn with
  16 segments a quadrant, inscribed in the true ones: 0.12 % of the radius longer at most);
* when the pair is apart by less than ``lateral_m − region_in_m(...)`` the point of A closest
  to B (a point of both, when the outlines overlap but not their cores) lies within
  ``region_in_m(...)`` of region_a (and the same for B): 30 m (25 m
  simplification and GeoJSON rounding) + 0.6 % of lateral_m (the 8-segments-a-quadrant buffers
  are inscribed in the true ones, 0.48 %, and the coarse frame's stretch) + 0.2 % of each
  radius (circles and corridor ends drawn with 16 segments a quadrant, 0.12 %).
"""

from __future__ import annotations

import functools
import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from pyproj import Geod

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
LonLat = tuple[float, float]

GEOD = Geod(ellps="WGS84")

DISTANCE_ERROR_M = 1e-6
"""Bound of the error of `distances_m` (golden section and Karney's geodesics)."""

_FAR_M = 10_000_000.0
_GOLDEN = (math.sqrt(5.0) - 1.0) / 2.0
_GOLDEN_STEPS = 64


# ── input types ─────────────────────────────────────────────────────────────────────────────


@dataclass(frozen=True, slots=True)
class Circle:
    """Every point within radius_m metres of the centre (lon_deg, lat_deg)."""

    lon: float
    lat: float
    radius_m: float


@dataclass(frozen=True, slots=True)
class Polygon:
    """Closed rings of (lon_deg, lat_deg) joined by geodesics: exterior first, then holes."""

    rings: tuple[tuple[LonLat, ...], ...]


@dataclass(frozen=True, slots=True)
class Corridor:
    """Every point within half_width_m metres of the geodesic polyline path (lon_deg, lat_deg)."""

    path: tuple[LonLat, ...]
    half_width_m: float


Shape = Circle | Polygon | Corridor


@dataclass(frozen=True, slots=True)
class Volume:
    """A shape × band [alt_lo_m, alt_hi_m] metres × window [t_start_s, t_end_s) seconds."""

    shape: Shape
    alt_lo_m: float
    alt_hi_m: float
    t_start_s: float
    t_end_s: float
    """May be math.inf."""


@dataclass(frozen=True, slots=True)
class Minima:
    """Separation minima: lateral_m, vertical_m metres, time_s seconds."""

    lateral_m: float
    vertical_m: float
    time_s: float


@dataclass(frozen=True, slots=True)
class Verdict:
    """The reference's answer for a pair, with the fields of the engine's `Clash`."""

    conflict: bool
    distance_m: float
    vertical_gap_m: float
    time_gap_s: float
    t_start_s: float
    t_end_s: float
    alt_lo_m: float
    alt_hi_m: float


# ── the rule ────────────────────────────────────────────────────────────────────────────────


def gap(lo_a: float, hi_a: float, lo_b: float, hi_b: float) -> tuple[float, float, float]:
    """(gap, lo, hi): the gap between [lo_a, hi_a] and [lo_b, hi_b] and its interval
    [earlier end, later start]; gap 0 and the overlap when they overlap or touch."""
    if lo_b > hi_a:
        return lo_b - hi_a, hi_a, lo_b
    if lo_a > hi_b:
        return lo_a - hi_b, hi_b, lo_a
    return 0.0, max(lo_a, lo_b), min(hi_a, hi_b)


def verdicts(pairs: Sequence[tuple[Volume, Volume, Minima]]) -> list[Verdict]:
    """The verdict of every (a, b, minima), with one vectorised distance computation."""
    distances = distances_m([(a.shape, b.shape) for a, b, _ in pairs])
    found = []
    for (a, b, minima), distance in zip(pairs, distances, strict=True):
        time_gap, t_lo, t_hi = gap(a.t_start_s, a.t_end_s, b.t_start_s, b.t_end_s)
        vertical_gap, z_lo, z_hi = gap(a.alt_lo_m, a.alt_hi_m, b.alt_lo_m, b.alt_hi_m)
        conflict = (
            float(distance) < minima.lateral_m
            and vertical_gap < minima.vertical_m
            and time_gap < minima.time_s
        )
        found.append(
            Verdict(conflict, float(distance), vertical_gap, time_gap, t_lo, t_hi, z_lo, z_hi)
        )
    return found


# ── cores ───────────────────────────────────────────────────────────────────────────────────


@dataclass(frozen=True, slots=True)
class _Core:
    vertices: FloatArray
    """(n, 2) lon/lat."""
    edges: FloatArray
    """(m, 2, 2): start and end lon/lat of every geodesic edge."""
    rings: tuple[FloatArray, ...]
    """Closed polygon rings (exterior first); none for circles and corridors."""
    radius_m: float


def _core(shape: Shape) -> _Core:
    if isinstance(shape, Circle):
        point = np.array([[shape.lon, shape.lat]], dtype=np.float64)
        return _Core(point, np.zeros((0, 2, 2)), (), shape.radius_m)
    lines = (
        [np.array(r, dtype=np.float64) for r in shape.rings]
        if isinstance(shape, Polygon)
        else [np.array(shape.path, dtype=np.float64)]
    )
    edges = np.concatenate([np.stack([line[:-1], line[1:]], axis=1) for line in lines])
    if isinstance(shape, Polygon):
        vertices = np.concatenate([ring[:-1] for ring in lines])
        return _Core(vertices, edges, tuple(lines), 0.0)
    return _Core(lines[0], edges, (), shape.half_width_m)


def radius_m(shape: Shape) -> float:
    """The shape's radius around its core, metres (0 for a polygon)."""
    return _core(shape).radius_m


# ── distance ────────────────────────────────────────────────────────────────────────────────


@dataclass(frozen=True, slots=True)
class Closest:
    """Distances between shapes and, when apart, their closest core points (lon, lat)."""

    distance_m: FloatArray
    core_distance_m: FloatArray
    """Geodesic distance between the cores (0 when they overlap)."""
    on_a: FloatArray
    """(n, 2) the point of a's core closest to b's (NaN when the cores overlap)."""
    on_b: FloatArray


def distances_m(pairs: Sequence[tuple[Shape, Shape]]) -> FloatArray:
    """Geodesic distance in metres between the shapes of every pair (0 when they overlap)."""
    return closest(pairs).distance_m


def closest(pairs: Sequence[tuple[Shape, Shape]]) -> Closest:
    """Distances and closest core points of every pair of shapes, vectorised over pairs."""
    cores = [(_core(a), _core(b)) for a, b in pairs]
    n = len(pairs)
    # vertex of one core × edge of the other, both ways; plus point × point for two circles
    points, starts, ends, owner, flipped = [], [], [], [], []
    for k, (ca, cb) in enumerate(cores):
        for p_core, e_core, flip in ((ca, cb, False), (cb, ca, True)):
            if len(e_core.edges) == 0:
                continue
            pi = np.repeat(np.arange(len(p_core.vertices)), len(e_core.edges))
            ei = np.tile(np.arange(len(e_core.edges)), len(p_core.vertices))
            points.append(p_core.vertices[pi])
            starts.append(e_core.edges[ei, 0])
            ends.append(e_core.edges[ei, 1])
            owner.append(np.full(len(pi), k))
            flipped.append(np.full(len(pi), flip))
        if len(ca.edges) == 0 and len(cb.edges) == 0:
            points.append(ca.vertices[:1])
            starts.append(cb.vertices[:1])
            ends.append(cb.vertices[:1])
            owner.append(np.array([k]))
            flipped.append(np.array([False]))
    p = np.concatenate(points)
    s = np.concatenate(starts)
    e = np.concatenate(ends)
    who = np.concatenate(owner)
    flip = np.concatenate(flipped)
    dist, foot = _point_edge_m(p, s, e, who, n)
    best = np.full(n, np.inf)
    np.minimum.at(best, who, dist)
    on_a = np.full((n, 2), np.nan)
    on_b = np.full((n, 2), np.nan)
    winner = np.flatnonzero(dist == best[who])
    for j in winner[::-1]:  # the first winner of each pair is written last
        k = who[j]
        here, there = (foot[j], p[j]) if flip[j] else (p[j], foot[j])
        on_a[k], on_b[k] = here, there
    overlap = _overlapping(cores)
    core_m = np.where(overlap, 0.0, best)
    on_a[overlap] = np.nan
    on_b[overlap] = np.nan
    radii = np.array([ca.radius_m + cb.radius_m for ca, cb in cores])
    return Closest(np.maximum(0.0, core_m - radii), core_m, on_a, on_b)


def point_distances_m(points: FloatArray, shape: Shape, steps: int = _GOLDEN_STEPS) -> FloatArray:
    """Geodesic distance in metres from each (lon, lat) point of (n, 2) to the shape (0 inside).

    ``steps`` of golden section: the default gives `DISTANCE_ERROR_M`; 32 leave the foot within
    0.618³² ≈ 2e-7 of the edge's length (2 cm on a 100 km edge), enough to check regions.
    """
    core = _core(shape)
    n = len(points)
    if len(core.edges) == 0:
        starts = np.repeat(core.vertices[:1], n, axis=0)
        edges = np.stack([starts, starts], axis=1)
        pi = np.arange(n)
    else:
        pi = np.repeat(np.arange(n), len(core.edges))
        edges = np.tile(core.edges, (n, 1, 1))
    dist, _ = _point_edge_m(points[pi], edges[:, 0], edges[:, 1], pi, n, steps)
    best = np.full(n, np.inf)
    np.minimum.at(best, pi, dist)
    best[inside(points, core.rings)] = 0.0
    return np.maximum(0.0, best - core.radius_m)


def _point_edge_m(
    p: FloatArray, s: FloatArray, e: FloatArray, who: IntArray, n: int, steps: int = _GOLDEN_STEPS
) -> tuple[FloatArray, FloatArray]:
    """Least geodesic distance from each point to its geodesic edge, and the foot (lon, lat).

    Combinations that cannot hold their pair's minimum get the triangle-inequality bound only
    (never smaller than the pair's minimum), with the nearer endpoint as foot.
    """
    az, _, length = GEOD.inv(s[:, 0], s[:, 1], e[:, 0], e[:, 1])
    az, length = np.asarray(az), np.asarray(length)
    _, _, d_start = GEOD.inv(p[:, 0], p[:, 1], s[:, 0], s[:, 1])
    _, _, d_end = GEOD.inv(p[:, 0], p[:, 1], e[:, 0], e[:, 1])
    d_start, d_end = np.asarray(d_start), np.asarray(d_end)
    mid_lon, mid_lat, _ = GEOD.fwd(s[:, 0], s[:, 1], az, length / 2.0)
    _, _, d_mid = GEOD.inv(p[:, 0], p[:, 1], mid_lon, mid_lat)
    ends_m = np.minimum(d_start, d_end)
    foot = np.where((d_start <= d_end)[:, None], s, e)
    pair_best = np.full(n, np.inf)
    np.minimum.at(pair_best, who, ends_m)
    lower_m = np.asarray(d_mid) - length / 2.0
    live = np.flatnonzero((lower_m <= pair_best[who] + 1.0) & (length > 0.0))
    if live.size == 0:
        return ends_m, foot
    ls, la, ll, lp = s[live], az[live], length[live], p[live]

    def distance(t: FloatArray) -> FloatArray:
        lon, lat, _ = GEOD.fwd(ls[:, 0], ls[:, 1], la, ll * t)
        _, _, d = GEOD.inv(lp[:, 0], lp[:, 1], lon, lat)
        return np.asarray(d, dtype=np.float64)

    lo, hi = np.zeros(live.size), np.ones(live.size)
    x1 = hi - _GOLDEN * (hi - lo)
    x2 = lo + _GOLDEN * (hi - lo)
    f1, f2 = distance(x1), distance(x2)
    for _ in range(steps):
        left = f1 < f2
        # keep [lo, x2] when f1 < f2, else [x1, hi]; one new evaluation per step
        hi = np.where(left, x2, hi)
        lo = np.where(left, lo, x1)
        new_x1 = np.where(left, hi - _GOLDEN * (hi - lo), x2)
        new_x2 = np.where(left, x1, lo + _GOLDEN * (hi - lo))
        probe = np.where(left, new_x1, new_x2)
        value = distance(probe)
        f1, f2 = np.where(left, value, f2), np.where(left, f1, value)
        x1, x2 = new_x1, new_x2
    t = (lo + hi) / 2.0
    inner = distance(t)
    better = inner < ends_m[live]
    dist = ends_m.copy()
    dist[live] = np.minimum(inner, ends_m[live])
    lon, lat, _ = GEOD.fwd(ls[:, 0], ls[:, 1], la, ll * t)
    foot[live[better]] = np.column_stack([lon, lat])[better]
    return dist, foot


# ── overlap ─────────────────────────────────────────────────────────────────────────────────


def _overlapping(cores: list[tuple[_Core, _Core]]) -> npt.NDArray[np.bool_]:
    """For each pair: do the cores share a point (vertex inside a polygon, or edges crossing)?"""
    found = np.zeros(len(cores), dtype=bool)
    for k, (ca, cb) in enumerate(cores):
        found[k] = (
            _any_inside(ca.vertices, cb.rings)
            or _any_inside(cb.vertices, ca.rings)
            or _any_crossing(ca.edges, cb.edges)
        )
    return found


def inside(points: FloatArray, rings: Sequence[FloatArray]) -> npt.NDArray[np.bool_]:
    """Which points (n, 2) lie inside the polygon of geodesic rings (exterior, then holes)."""
    if not rings:
        return np.zeros(len(points), dtype=bool)
    result = _winds(points, rings[0])
    for hole in rings[1:]:
        result &= ~_winds(points, hole)
    return result


def _any_inside(points: FloatArray, rings: Sequence[FloatArray]) -> bool:
    return bool(np.any(inside(points, rings)))


def _winds(points: FloatArray, ring: FloatArray) -> npt.NDArray[np.bool_]:
    """Winding number ≠ 0 of the closed ring around each point, from geodesic azimuths.

    On the ellipsoid a ring winds around a point iff it separates the point from its antipode;
    outlines are at most 2,000 km wide, so a point inside lies within 2,000 km of every vertex
    and one more than `_FAR_M` from a vertex is outside whatever its winding number.
    """
    pi = np.repeat(np.arange(len(points)), len(ring))
    ri = np.tile(np.arange(len(ring)), len(points))
    az, _, d = GEOD.inv(points[pi, 0], points[pi, 1], ring[ri, 0], ring[ri, 1])
    az = np.asarray(az).reshape(len(points), len(ring))
    near = np.asarray(d).reshape(len(points), len(ring))[:, 0] < _FAR_M
    turn = np.sum(_wrap(np.diff(az, axis=1)), axis=1)
    return (np.abs(turn) > 180.0) & near


def _wrap(deg: FloatArray) -> FloatArray:
    """Angles wrapped to [-180, 180)."""
    return (deg + 180.0) % 360.0 - 180.0


def _any_crossing(edges_a: FloatArray, edges_b: FloatArray) -> bool:
    """Does an edge of a cross an edge of b (each one's ends on opposite sides of the other)?"""
    if len(edges_a) == 0 or len(edges_b) == 0:
        return False
    ai = np.repeat(np.arange(len(edges_a)), len(edges_b))
    bi = np.tile(np.arange(len(edges_b)), len(edges_a))
    a, b = edges_a[ai], edges_b[bi]
    # prune: edges whose midpoints are farther apart than their half-lengths cannot meet
    mid_a, half_a = _midpoints(a)
    mid_b, half_b = _midpoints(b)
    _, _, d = GEOD.inv(mid_a[:, 0], mid_a[:, 1], mid_b[:, 0], mid_b[:, 1])
    near = np.asarray(d) <= half_a + half_b + 1.0
    a, b = a[near], b[near]
    if len(a) == 0:
        return False
    split_b = _side(a[:, 0], a[:, 1], b[:, 0]) * _side(a[:, 0], a[:, 1], b[:, 1]) < 0
    split_a = _side(b[:, 0], b[:, 1], a[:, 0]) * _side(b[:, 0], b[:, 1], a[:, 1]) < 0
    return bool(np.any(split_a & split_b))


def _midpoints(edges: FloatArray) -> tuple[FloatArray, FloatArray]:
    az, _, length = GEOD.inv(edges[:, 0, 0], edges[:, 0, 1], edges[:, 1, 0], edges[:, 1, 1])
    half = np.asarray(length) / 2.0
    lon, lat, _ = GEOD.fwd(edges[:, 0, 0], edges[:, 0, 1], az, half)
    return np.column_stack([lon, lat]), half


def _side(start: FloatArray, end: FloatArray, point: FloatArray) -> FloatArray:
    """+1 left, −1 right of the geodesic start → end: the sign of the azimuth turn at start."""
    az_end, _, _ = GEOD.inv(start[:, 0], start[:, 1], end[:, 0], end[:, 1])
    az_point, _, _ = GEOD.inv(start[:, 0], start[:, 1], point[:, 0], point[:, 1])
    return np.sign(_wrap(np.asarray(az_end) - np.asarray(az_point)))


# ── regions ─────────────────────────────────────────────────────────────────────────────────


@functools.lru_cache(maxsize=64)
def _closest_pair(a: Shape, b: Shape) -> Closest:
    return closest([(a, b)])


def region_out_m(a: Shape, b: Shape) -> float:
    """How far beyond lateral_m a region's vertex may lie from either shape, metres."""
    return 103.0 + 0.002 * (radius_m(a) + radius_m(b))


def region_in_m(lateral_m: float, a: Shape, b: Shape) -> float:
    """How far a point that the region must show may lie from the drawn region, metres."""
    return 30.0 + 0.006 * lateral_m + 0.002 * (radius_m(a) + radius_m(b))


def geojson_polygons(region: dict[str, object]) -> list[Polygon]:
    """The polygons of a GeoJSON Polygon or MultiPolygon (lon/lat degrees)."""
    coordinates = region["coordinates"]
    assert isinstance(coordinates, list)
    groups = [coordinates] if region["type"] == "Polygon" else coordinates
    return [
        Polygon(tuple(tuple((float(x), float(y)) for x, y in ring) for ring in group))
        for group in groups
    ]


def region_faults(
    region: dict[str, object],
    own: Shape | None,
    a: Shape,
    b: Shape,
    lateral_m: float,
) -> list[str]:
    """What is wrong with a drawn region of shapes a and b (empty when nothing is).

    ``own``: the side whose part this region is (a or b), or None for the union. Every vertex
    must lie within lateral_m + `region_out_m` of both shapes; when the shapes are apart by less
    than lateral_m − `region_in_m`, the point of ``own`` closest to the other (of each side,
    for the union; a point in both when the outlines overlap but not their cores) must lie
    within `region_in_m` of the region.
    """
    polygons = geojson_polygons(region)
    if not polygons:
        return ["the region is empty"]
    faults = []
    vertices = np.concatenate([np.array(ring) for p in polygons for ring in p.rings])
    far = np.maximum(point_distances_m(vertices, a, 32), point_distances_m(vertices, b, 32))
    worst = float(np.max(far))
    if worst > lateral_m + region_out_m(a, b):
        faults.append(f"a vertex lies {worst:.1f} m from an outline (lateral {lateral_m} m)")
    near = _closest_pair(a, b)
    tolerance_m = region_in_m(lateral_m, a, b)
    apart_m, core_m = float(near.distance_m[0]), float(near.core_distance_m[0])
    if not apart_m < lateral_m - tolerance_m or np.isnan(near.on_a[0, 0]):
        return faults  # near the minimum, or cores overlapping: nothing certain to show
    on_a, on_b = (float(x) for x in near.on_a[0]), (float(x) for x in near.on_b[0])
    a_lon, a_lat = on_a
    b_lon, b_lat = on_b
    towards_b, _, _ = GEOD.inv(a_lon, a_lat, b_lon, b_lat)
    towards_a, _, _ = GEOD.inv(b_lon, b_lat, a_lon, a_lat)
    if apart_m > 0.0:  # each side's point closest to the other
        shown = {
            "a": GEOD.fwd(a_lon, a_lat, towards_b, radius_m(a))[:2],
            "b": GEOD.fwd(b_lon, b_lat, towards_a, radius_m(b))[:2],
        }
    else:  # the outlines overlap (not the cores): a point in both
        both = GEOD.fwd(b_lon, b_lat, towards_a, min(radius_m(b), core_m))[:2]
        shown = {"a": both, "b": both}
    wanted = [shown["a"]] if own is a else [shown["b"]] if own is b else list(shown.values())
    for lon, lat in wanted:
        dot = np.array([[lon, lat]], dtype=np.float64)
        miss = min(float(point_distances_m(dot, p, 32)[0]) for p in polygons)
        if miss > tolerance_m:
            faults.append(f"a point the region must show is {miss:.1f} m outside it")
    return faults
    sides = [own] if own is not None else [a, b]
    for side in sides:
        core_point, other_point = (
            (near.on_a[0], near.on_b[0]) if side is a else (near.on_b[0], near.on_a[0])
        )
        az, _, _ = GEOD.inv(core_point[0], core_point[1], other_point[0], other_point[1])
        lon, lat, _ = GEOD.fwd(core_point[0], core_point[1], az, radius_m(side))
        dot = Circle(float(lon), float(lat), 0.0)
        miss = float(np.min(distances_m([(dot, p) for p in polygons])))
        if miss > tolerance_m:
            faults.append(f"the closest point of a side is {miss:.1f} m outside its region")
    return faults
