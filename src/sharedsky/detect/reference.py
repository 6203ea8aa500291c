"""Slow, obviously-right references for tests and benchmarks.

* `brute_force_clashes`: `clash` for every subject × candidate, in order.
* `reference_distance_m`: the geodesic distance between outlines computed without projections:
  for every vertex of one core, the nearest point on every geodesic edge of the other core is
  found by golden-section search along the edge (pyproj `Geod`, Karney's algorithm); the minimum
  over both directions, minus the radii. Only the overlap test (distance 0) is planar.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import shapely

from sharedsky.detect.separation import VolumeGeom, clash
from sharedsky.detect.strategic import Candidate, StrategicHit
from sharedsky.geo.distance import WGS84, FloatArray
from sharedsky.geo.outlines import CircleOutline, Outline, PolygonOutline, outline_centre
from sharedsky.geo.projection import frame_at
from sharedsky.geo.shapes import core_shape, outline_core

_GOLDEN = (np.sqrt(5.0) - 1.0) / 2.0
_GOLDEN_STEPS = 80


def brute_force_clashes(
    subjects: Sequence[VolumeGeom], candidates: Sequence[Candidate]
) -> list[StrategicHit]:
    """Every (subject, candidate) clash, by a plain double loop over `clash`."""
    hits = []
    for i, subject in enumerate(subjects):
        for candidate in candidates:
            found = clash(subject, candidate.volume, candidate.separation)
            if found is not None:
                hits.append(StrategicHit(i, candidate.key, found))
    return hits


def reference_distance_m(a: Outline, b: Outline) -> float:
    """Geodesic distance in metres between outlines a and b, independent of any projection."""
    core_a, core_b = outline_core(a), outline_core(b)
    frame = frame_at(*outline_centre(a))
    if shapely.intersects(core_shape(core_a, frame), core_shape(core_b, frame)):
        return 0.0
    verts_a, edges_a = _vertices_and_edges(a)
    verts_b, edges_b = _vertices_and_edges(b)
    candidates = [_points_to_edges_m(verts_a, edges_b), _points_to_edges_m(verts_b, edges_a)]
    if not edges_a and not edges_b:
        (lon1, lat1), (lon2, lat2) = verts_a[0], verts_b[0]
        _, _, d = WGS84.inv(lon1, lat1, lon2, lat2)
        candidates.append(float(d))
    return max(0.0, min(candidates) - core_a.radius_m - core_b.radius_m)


Edge = tuple[tuple[float, float], tuple[float, float]]


def _vertices_and_edges(outline: Outline) -> tuple[list[tuple[float, float]], list[Edge]]:
    if isinstance(outline, CircleOutline):
        return [outline.center], []
    rings = outline.rings if isinstance(outline, PolygonOutline) else (outline.path,)
    vertices = [p for ring in rings for p in ring]
    edges = [(ring[k], ring[k + 1]) for ring in rings for k in range(len(ring) - 1)]
    return vertices, edges


def _points_to_edges_m(points: list[tuple[float, float]], edges: list[Edge]) -> float:
    """Smallest geodesic distance in metres from any point to any geodesic edge."""
    if not edges:
        return float("inf")
    p = np.array(points, dtype=np.float64)
    e = np.array(edges, dtype=np.float64)
    grid_p, grid_e = np.meshgrid(np.arange(len(p)), np.arange(len(e)), indexing="ij")
    pi, ei = grid_p.ravel(), grid_e.ravel()
    start, end = e[ei, 0], e[ei, 1]
    az, _, length = WGS84.inv(start[:, 0], start[:, 1], end[:, 0], end[:, 1])
    az = np.asarray(az)
    length = np.asarray(length)

    def distance(t: FloatArray) -> FloatArray:
        lon, lat, _ = WGS84.fwd(start[:, 0], start[:, 1], az, length * t)
        _, _, d = WGS84.inv(p[pi, 0], p[pi, 1], lon, lat)
        return np.asarray(d, dtype=np.float64)

    lo, hi = np.zeros(len(pi)), np.ones(len(pi))
    for _ in range(_GOLDEN_STEPS):
        m1 = hi - _GOLDEN * (hi - lo)
        m2 = lo + _GOLDEN * (hi - lo)
        left = distance(m1) < distance(m2)
        hi = np.where(left, m2, hi)
        lo = np.where(left, lo, m1)
    inner = distance((lo + hi) / 2.0)
    ends = np.minimum(distance(np.zeros(len(pi))), distance(np.ones(len(pi))))
    return float(np.min(np.minimum(inner, ends)))
