"""Circles and corridors as polygons for formats without them: each polygon contains its
outline and reaches at most TOLERANCE_M beyond it (distances measured geodesically)."""

from __future__ import annotations

import numpy as np
import shapely
from _hypothesis import examples
from hypothesis import given, settings
from hypothesis import strategies as st

from sharedsky.geo.distance import WGS84
from sharedsky.geo.projection import frame_at
from sharedsky.interop.formats.polygons import TOLERANCE_M, outline_rings
from sharedsky.wire import v1


@settings(max_examples=examples(40))
@given(
    lon=st.floats(-170, 170),
    lat=st.floats(-80, 80),
    radius_m=st.floats(50, 200_000),
)
def test_a_circle_polygon_touches_the_circle_from_outside(
    lon: float, lat: float, radius_m: float
) -> None:
    (ring,) = outline_rings(v1.CircleOutline(type="Circle", center=(lon, lat), radius_m=radius_m))
    assert ring[0] == ring[-1]
    xy = np.asarray(ring)
    # each vertex lies outside the circle by at most the tolerance
    _, _, vertex_m = WGS84.inv(np.full(len(xy), lon), np.full(len(xy), lat), xy[:, 0], xy[:, 1])
    assert np.all(vertex_m >= radius_m - 1e-3)
    assert np.all(vertex_m <= radius_m + TOLERANCE_M + 1e-3)
    # and each edge's midpoint no nearer than the radius, less a millimetre of rounding
    mid_lon, mid_lat, _ = WGS84.fwd(*_midpoints(xy))
    _, _, mid_m = WGS84.inv(
        np.full(len(mid_lon), lon), np.full(len(mid_lon), lat), mid_lon, mid_lat
    )
    assert np.all(mid_m >= radius_m - 0.01)


def _midpoints(xy: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    az, _, dist = WGS84.inv(xy[:-1, 0], xy[:-1, 1], xy[1:, 0], xy[1:, 1])
    return xy[:-1, 0], xy[:-1, 1], az, dist / 2


@settings(max_examples=examples(25))
@given(
    lon=st.floats(-60, 60),
    lat=st.floats(-60, 60),
    legs=st.lists(st.tuples(st.floats(-0.3, 0.3), st.floats(-0.3, 0.3)), min_size=1, max_size=4),
    half_width_m=st.floats(100, 20_000),
)
def test_a_corridor_polygon_contains_the_corridor_and_little_more(
    lon: float, lat: float, legs: list[tuple[float, float]], half_width_m: float
) -> None:
    path = [(lon, lat)]
    for dx, dy in legs:
        path.append((path[-1][0] + dx, path[-1][1] + dy))
    rings = outline_rings(v1.CorridorOutline(type="Corridor", path=path, half_width_m=half_width_m))
    frame = frame_at(lon, lat)
    x, y = frame.forward(np.asarray(rings[0])[:, 0], np.asarray(rings[0])[:, 1])
    polygon = shapely.Polygon(np.column_stack([x, y]))
    # the path's densified points each stand at least half_width_m inside the polygon's edge
    dense_lon, dense_lat = _dense(path)
    px, py = frame.forward(dense_lon, dense_lat)
    inside = shapely.distance(shapely.points(np.column_stack([px, py])), polygon.exterior)
    assert shapely.contains(polygon, shapely.points(np.column_stack([px, py]))).all()
    assert float(inside.min()) >= half_width_m * (1 - 1e-4)
    # and no vertex is farther from the path than the half-width, the tolerance and the stretch
    line = shapely.linestrings(np.column_stack([px, py]))
    far = shapely.distance(shapely.points(np.column_stack([x, y])), line)
    assert float(far.max()) <= half_width_m * (1 + 1e-3) + TOLERANCE_M


def _dense(path: list[tuple[float, float]]) -> tuple[np.ndarray, np.ndarray]:
    from sharedsky.geo.shapes import densify_line

    dense = densify_line([p[0] for p in path], [p[1] for p in path], 500.0)
    return dense[:, 0], dense[:, 1]


def test_a_polygon_keeps_its_own_vertices_closed_and_counter_clockwise() -> None:
    clockwise = [[0.0, 0.0], [0.0, 1.0], [1.0, 1.0], [1.0, 0.0]]
    hole = [[0.2, 0.2], [0.4, 0.2], [0.4, 0.4], [0.2, 0.2]]
    outer, inner = outline_rings(v1.PolygonOutline(type="Polygon", coordinates=[clockwise, hole]))
    assert outer == [(0.0, 0.0), (1.0, 0.0), (1.0, 1.0), (0.0, 1.0), (0.0, 0.0)]
    assert inner[0] == inner[-1] and inner == [(0.2, 0.2), (0.4, 0.4), (0.4, 0.2), (0.2, 0.2)]
