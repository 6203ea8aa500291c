"""Outlines for formats that know only polygons (or, besides, circles): each circle and
corridor as a polygon that contains it and reaches at most ``TOLERANCE_M`` beyond it.

A polygon written for others to deconflict against must never be smaller than the volume it
stands for, so the approximations are circumscribed: a circle's vertices lie a little outside
the circle so that each edge touches it; a corridor is the buffer of its path in a local
azimuthal-equidistant frame, widened by the frame's stretch at its farthest point (that
widening counts against the tolerance while it is under half of it: for corridors a few
hundred kilometres long and kilometres wide it is more, and the polygon reaches that much
farther out). Rings are lon/lat, closed, exterior counter-clockwise then holes clockwise
(RFC 7946).
"""

from __future__ import annotations

import itertools
import math

import numpy as np
import shapely

from sharedsky.geo.distance import WGS84
from sharedsky.geo.outlines import CorridorOutline, outline_bbox, outline_centre
from sharedsky.geo.projection import frame_at, frame_stretch
from sharedsky.geo.shapes import densify_line
from sharedsky.wire import v1

TOLERANCE_M = 0.5
"""How far, at most, a polygon written for a circle or a corridor reaches beyond it, metres."""

_MIN_VERTICES = 16
_DECIMALS = 9
"""Degrees are rounded to 1e-9 (about 0.1 mm): exact enough, and short."""

Ring = list[tuple[float, float]]


def outline_rings(outline: v1.Outline) -> list[Ring]:
    """The outline as polygon rings (lon, lat): a polygon's own rings oriented, a circle's or a
    corridor's circumscribed polygon."""
    if isinstance(outline, v1.PolygonOutline):
        rings = [[(p[0], p[1]) for p in ring] for ring in outline.coordinates]
        return _oriented(rings)
    if isinstance(outline, v1.CircleOutline):
        return [circle_ring(outline.center[0], outline.center[1], outline.radius_m)]
    return _corridor_rings(outline)


def _half_angle(radius_m: float, tolerance_m: float = TOLERANCE_M) -> float:
    """Half the widest angle (radians) an edge may span around a centre so that, its ends
    ``radius_m / cos`` of it away, it stays within ``tolerance_m`` beyond ``radius_m``."""
    return math.acos(radius_m / (radius_m + tolerance_m))


def _circle_vertices(radius_m: float) -> int:
    return max(_MIN_VERTICES, math.ceil(math.pi / _half_angle(radius_m)))


_ARC_SPREAD = 1.5
"""GEOS rounds the number of segments of a round join to the nearest whole quantum
(π / 2 / quad_segs), so one segment may span up to 1.5 quanta."""


def circle_ring(lon: float, lat: float, radius_m: float) -> Ring:
    """A closed counter-clockwise ring whose every edge touches (or lies outside) the geodesic
    circle of ``radius_m`` around (lon, lat), at most TOLERANCE_M beyond it."""
    count = _circle_vertices(radius_m)
    reach_m = radius_m / math.cos(math.pi / count)
    azimuth_deg = np.linspace(360.0, 0.0, count, endpoint=False)  # anticlockwise from north
    ring_lon, ring_lat, _ = WGS84.fwd(
        np.full(count, lon), np.full(count, lat), azimuth_deg, np.full(count, reach_m)
    )
    ring = [
        (round(float(x), _DECIMALS), round(float(y), _DECIMALS))
        for x, y in zip(ring_lon, ring_lat, strict=True)
    ]
    return [*ring, ring[0]]


def _corridor_rings(outline: v1.CorridorOutline) -> list[Ring]:
    corridor = CorridorOutline(tuple(outline.path), outline.half_width_m)
    lon0, lat0 = outline_centre(corridor)
    frame = frame_at(lon0, lat0)
    west, south, east, north = outline_bbox(corridor)
    corner_m = max(
        float(WGS84.inv(lon0, lat0, x, y)[2]) for x in (west, east) for y in (south, north)
    )
    path = densify_line([p[0] for p in outline.path], [p[1] for p in outline.path], 1_000.0)
    x, y = frame.forward(path[:, 0], path[:, 1])
    widest = _ARC_SPREAD * math.pi / 2  # the widest segment of a quarter, in quanta × quad_segs
    stretch = frame_stretch(corner_m + outline.half_width_m)
    # the stretch below widens the polygon too: the arcs get what is left of the tolerance
    arc_tolerance_m = max(TOLERANCE_M - outline.half_width_m * stretch, TOLERANCE_M / 2)
    half_angle = _half_angle(outline.half_width_m, arc_tolerance_m)
    quad_segs = max(4, math.ceil(widest / (2 * half_angle)))
    # each buffer vertex a little outside the half-width, so that even the widest segment's
    # edge stays outside it; and the whole widened by the frame's stretch, so that no part
    # ends up narrower than asked
    reach_m = outline.half_width_m / math.cos(widest / (2 * quad_segs))
    reach_m *= 1.0 + stretch
    xy = np.column_stack([x, y])
    # a path that ends where it starts is a ring to Shapely, buffered without round ends: such
    # a path is cut in two open halves
    if len(xy) > 2 and np.array_equal(xy[0], xy[-1]):
        half = len(xy) // 2
        line = shapely.multilinestrings([xy[: half + 1], xy[half:]])
    else:
        line = shapely.linestrings(xy)
    area = shapely.orient_polygons(shapely.buffer(line, reach_m, quad_segs=quad_segs))
    rings = []
    for ring in (area.exterior, *area.interiors):
        coords = np.asarray(ring.coords)
        lon, lat = frame.inverse(coords[:, 0], coords[:, 1])
        rings.append(
            [
                (round(float(a), _DECIMALS), round(float(b), _DECIMALS))
                for a, b in zip(lon, lat, strict=True)
            ]
        )
    return rings


def _oriented(rings: list[Ring]) -> list[Ring]:
    """The rings closed, the exterior counter-clockwise and holes clockwise (in lon/lat)."""
    out = []
    for index, ring in enumerate(rings):
        closed = ring if ring and ring[0] == ring[-1] else [*ring, ring[0]]
        ccw = _signed_area(closed) > 0
        out.append(closed if ccw == (index == 0) else closed[::-1])
    return out


def _signed_area(ring: Ring) -> float:
    return sum(a[0] * b[1] - b[0] * a[1] for a, b in itertools.pairwise(ring)) / 2.0
