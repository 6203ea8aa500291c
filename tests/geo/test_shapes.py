"""Densification, planar shapes and GeoJSON output."""

from __future__ import annotations

import math

import numpy as np
import pytest

from sharedsky.geo.distance import geodesic_distance_m
from sharedsky.geo.outlines import CircleOutline, CorridorOutline, PolygonOutline
from sharedsky.geo.projection import frame_at
from sharedsky.geo.shapes import densify, outline_core, shape_to_geojson, to_shape

#   (30,62) ┌────────────┐ (36,62)
#           │    ┌──┐    │       a 6° × 2° box with a hole, edges ~300 km
#           │    └──┘    │
#   (30,60) └────────────┘ (36,60)
BOX = PolygonOutline(
    (
        ((30.0, 60.0), (36.0, 60.0), (36.0, 62.0), (30.0, 62.0), (30.0, 60.0)),
        ((32.0, 60.5), (32.0, 61.0), (33.0, 61.0), (33.0, 60.5), (32.0, 60.5)),
    )
)


def segment_lengths_m(ring: np.ndarray) -> np.ndarray:
    return np.asarray(geodesic_distance_m(ring[:-1, 0], ring[:-1, 1], ring[1:, 0], ring[1:, 1]))


def test_polygon_densification_keeps_segments_under_1_km() -> None:
    rings = densify(BOX)
    assert len(rings) == 2
    for ring, original in zip(rings, BOX.rings, strict=True):
        assert np.all(segment_lengths_m(ring) <= 1_000.0 + 1e-6)
        assert tuple(ring[0]) == original[0] and tuple(ring[-1]) == original[-1]


def test_densified_points_lie_on_the_geodesic_edges() -> None:
    ring = densify(BOX)[0]
    side = ring[: np.flatnonzero((ring[:, 0] == 36.0) & (ring[:, 1] == 60.0))[0] + 1]
    total = float(geodesic_distance_m(30.0, 60.0, 36.0, 60.0))
    assert float(np.sum(segment_lengths_m(side))) == pytest.approx(total, abs=1e-6)
    assert np.max(side[:, 1]) > 60.03  # the geodesic bulges poleward of the parallel


def test_circle_boundary_is_on_the_geodesic_circle() -> None:
    ring = densify(CircleOutline((35.0, 33.0), 25_000.0))[0]
    assert np.allclose(geodesic_distance_m(35.0, 33.0, ring[:, 0], ring[:, 1]), 25_000.0)
    assert np.all(segment_lengths_m(ring) <= 1_000.0)
    #   chord sagitta r (1 − cos(π / n)) ≤ 1 m
    assert 25_000.0 * (1.0 - math.cos(math.pi / (len(ring) - 1))) <= 1.0


def test_corridor_shape_is_the_buffered_path() -> None:
    #   ●━━━━━━━━━━━━● 50 km, buffered by 2 km with round ends
    corridor = CorridorOutline(((10.0, 0.0), (10.449, 0.0)), 2_000.0)
    shape = to_shape(corridor, frame_at(10.2245, 0.0))
    expected = 49_982.0 * 4_000.0 + math.pi * 2_000.0**2
    assert shape.area == pytest.approx(expected, rel=2e-3)


def test_circle_shape_area_is_pi_r_squared() -> None:
    shape = to_shape(CircleOutline((0.0, 45.0), 10_000.0), frame_at(0.0, 45.0))
    assert shape.area == pytest.approx(math.pi * 1e8, rel=2e-4)  # inscribed polygon


def test_core_of_each_outline() -> None:
    assert outline_core(CircleOutline((1.0, 2.0), 3.0)).kind == "point"
    assert outline_core(CorridorOutline(((1.0, 2.0), (1.1, 2.0)), 3.0)).radius_m == 3.0
    assert outline_core(BOX).kind == "polygon"


def test_shape_to_geojson_round_trips_the_polygon() -> None:
    frame = frame_at(33.0, 61.0)
    geojson = shape_to_geojson(to_shape(BOX, frame), frame)
    assert geojson["type"] == "Polygon"
    rings = geojson["coordinates"]
    assert isinstance(rings, list) and len(rings) == 2
    exterior = np.array(rings[0])
    assert tuple(exterior[0]) == tuple(exterior[-1])
    assert np.all(np.round(exterior, 7) == exterior)
    assert exterior[:, 0].min() == 30.0 and exterior[:, 1].min() == 60.0


def test_shape_to_geojson_of_two_parts_and_of_nothing() -> None:
    frame = frame_at(0.0, 0.0)
    two = to_shape(CircleOutline((0.0, 0.0), 1_000.0), frame).union(
        to_shape(CircleOutline((0.1, 0.0), 1_000.0), frame)
    )
    assert shape_to_geojson(two, frame)["type"] == "MultiPolygon"
    empty = two.intersection(to_shape(CircleOutline((1.0, 1.0), 10.0), frame))
    assert shape_to_geojson(empty, frame) == {"type": "MultiPolygon", "coordinates": []}


def test_cores_densified_together_equal_cores_densified_one_by_one() -> None:
    from sharedsky.geo.outlines import CircleOutline, CorridorOutline, PolygonOutline
    from sharedsky.geo.shapes import outline_core, outline_cores

    #   a square with a hole, a circle and a bent corridor, densified at 10 km
    square = ((35.0, 33.0), (36.0, 33.0), (36.0, 34.0), (35.0, 34.0), (35.0, 33.0))
    hole = ((35.4, 33.4), (35.4, 33.6), (35.6, 33.6), (35.6, 33.4), (35.4, 33.4))
    outlines = [
        PolygonOutline((square, hole)),
        CircleOutline((36.5, 34.5), 12_000.0),
        CorridorOutline(((34.0, 32.0), (34.5, 32.9), (35.5, 32.95)), 3_000.0),
    ]
    together = outline_cores(outlines, 10_000.0)
    for outline, core in zip(outlines, together, strict=True):
        alone = outline_core(outline, 10_000.0)
        assert core.kind == alone.kind and core.radius_m == alone.radius_m
        assert len(core.arrays) == len(alone.arrays)
        for mine, theirs in zip(core.arrays, alone.arrays, strict=True):
            np.testing.assert_allclose(mine, theirs, rtol=0, atol=1e-9)
