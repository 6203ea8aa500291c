"""Outline validation (one test per refusal), extent, bounding box and wire form."""

from __future__ import annotations

import math

import pytest

from sharedsky.geo.outlines import (
    CircleOutline,
    CorridorOutline,
    OutlineError,
    PolygonOutline,
    outline_bbox,
    outline_extent_m,
    outline_to_geojson,
    validate_outline,
)

#   (10,46) ┌──────┐ (11,46)
#           │      │
#   (10,45) └──────┘ (11,45)
SQUARE = ((10.0, 45.0), (11.0, 45.0), (11.0, 46.0), (10.0, 46.0), (10.0, 45.0))


def refusal(outline: PolygonOutline | CircleOutline | CorridorOutline) -> OutlineError:
    with pytest.raises(OutlineError) as caught:
        validate_outline(outline)
    return caught.value


def test_valid_outlines_pass() -> None:
    validate_outline(PolygonOutline((SQUARE,)))
    validate_outline(CircleOutline((10.0, 45.0), 5_000.0))
    validate_outline(CorridorOutline(((10.0, 45.0), (10.5, 45.2)), 1_000.0))


def test_unclosed_ring_is_refused_at_the_ring() -> None:
    error = refusal(PolygonOutline(((*SQUARE[:-1], (10.0, 45.5)),)))
    assert error.path == ("coordinates", 0)
    assert "not closed" in error.reason


def test_ring_of_three_positions_is_refused() -> None:
    error = refusal(PolygonOutline((((10.0, 45.0), (11.0, 45.0), (10.0, 45.0)),)))
    assert error.path == ("coordinates", 0)
    assert "at least 4" in error.reason


def test_longitude_out_of_range_is_refused_at_the_position() -> None:
    ring = list(SQUARE)
    ring[2] = (181.0, 46.0)
    error = refusal(PolygonOutline((tuple(ring),)))
    assert error.path == ("coordinates", 0, 2)
    assert "longitude" in error.reason


def test_latitude_out_of_range_is_refused_at_the_position() -> None:
    error = refusal(CorridorOutline(((10.0, 45.0), (10.0, 91.0)), 100.0))
    assert error.path == ("path", 1)
    assert "latitude" in error.reason


def test_nan_latitude_is_refused() -> None:
    error = refusal(CircleOutline((10.0, math.nan), 100.0))
    assert error.path == ("center",)


def test_self_intersecting_ring_is_refused() -> None:
    #   (10,46) ╲  ╱ (11,46)
    #            ╳
    #   (10,45) ╱  ╲ (11,45)     the bow tie
    bow_tie = ((10.0, 45.0), (11.0, 46.0), (11.0, 45.0), (10.0, 46.0), (10.0, 45.0))
    error = refusal(PolygonOutline((bow_tie,)))
    assert error.path == ("coordinates", 0)
    assert "intersects itself" in error.reason


def test_hole_outside_the_shell_is_refused() -> None:
    #   ┌──┐   ┌┐  hole beside the square, not in it
    #   └──┘   └┘
    hole = ((12.0, 45.2), (12.0, 45.4), (12.2, 45.4), (12.2, 45.2), (12.0, 45.2))
    error = refusal(PolygonOutline((SQUARE, hole)))
    assert error.path == ("coordinates", 1)
    assert "not inside" in error.reason


def test_crossing_holes_are_refused() -> None:
    #   ┌────────┐
    #   │ ┌─┼─┐  │   two holes overlapping
    #   └────────┘
    one = ((10.2, 45.2), (10.2, 45.6), (10.6, 45.6), (10.6, 45.2), (10.2, 45.2))
    two = ((10.4, 45.4), (10.4, 45.8), (10.8, 45.8), (10.8, 45.4), (10.4, 45.4))
    error = refusal(PolygonOutline((SQUARE, one, two)))
    assert error.path == ("coordinates", 2)
    assert "overlaps hole 1" in error.reason


@pytest.mark.parametrize("radius_m", [0.0, -5.0, math.inf, math.nan])
def test_non_positive_or_non_finite_radius_is_refused(radius_m: float) -> None:
    error = refusal(CircleOutline((10.0, 45.0), radius_m))
    assert error.path == ("radius_m",)
    assert "positive finite" in error.reason


def test_non_positive_half_width_is_refused() -> None:
    error = refusal(CorridorOutline(((10.0, 45.0), (10.5, 45.0)), 0.0))
    assert error.path == ("half_width_m",)


def test_corridor_of_one_position_is_refused() -> None:
    error = refusal(CorridorOutline(((10.0, 45.0),), 100.0))
    assert error.path == ("path",)
    assert "at least 2" in error.reason


def test_repeated_consecutive_corridor_position_is_refused() -> None:
    error = refusal(CorridorOutline(((10.0, 45.0), (10.5, 45.0), (10.5, 45.0)), 100.0))
    assert error.path == ("path", 2)
    assert "repeats" in error.reason


def test_outline_wider_than_2000_km_is_refused() -> None:
    error = refusal(CircleOutline((10.0, 45.0), 1_000_001.0))
    assert error.path == ("radius_m",)
    assert "wider than 2,000 km" in error.reason
    #   a 20° × 20° box at 30°N is about 2,700 km across
    big = ((0.0, 20.0), (20.0, 20.0), (20.0, 40.0), (0.0, 40.0), (0.0, 20.0))
    assert refusal(PolygonOutline((big,))).path == ("coordinates",)


def test_antimeridian_crossing_is_refused() -> None:
    ring = ((179.5, 0.0), (-179.5, 0.0), (-179.5, 1.0), (179.5, 1.0), (179.5, 0.0))
    assert "antimeridian" in refusal(PolygonOutline((ring,))).reason
    assert "antimeridian" in refusal(CircleOutline((179.99, 0.0), 5_000.0)).reason


def test_polar_outline_is_refused() -> None:
    assert "polar" in refusal(CircleOutline((0.0, 89.0), 5_000.0)).reason


def test_extent_is_the_geodesic_diameter() -> None:
    assert outline_extent_m(CircleOutline((0.0, 0.0), 1_000.0)) == 2_000.0
    corridor = CorridorOutline(((0.0, 0.0), (1.0, 0.0)), 500.0)
    assert outline_extent_m(corridor) == pytest.approx(111_319.49 + 1_000.0, abs=0.01)
    #   the square's diagonal, (10,45)–(11,46)
    assert outline_extent_m(PolygonOutline((SQUARE,))) == pytest.approx(135_869.09, abs=1.0)


def test_bbox_covers_the_circle_radius() -> None:
    lon0, lat0, lon1, lat1 = outline_bbox(CircleOutline((10.0, 60.0), 10_000.0))
    assert lat1 - 60.0 >= 10_000.0 / 111_694.0
    assert lon1 - 10.0 >= 10_000.0 / (111_694.0 * 0.5)
    assert lon0 < 10.0 < lon1 and lat0 < 60.0 < lat1


def test_geojson_wire_forms() -> None:
    polygon = outline_to_geojson(PolygonOutline((SQUARE,)))
    assert polygon == {"type": "Polygon", "coordinates": [[list(p) for p in SQUARE]]}
    circle = outline_to_geojson(CircleOutline((10.0, 45.0), 5.0))
    assert circle == {"type": "Circle", "center": [10.0, 45.0], "radius_m": 5.0}
    corridor = outline_to_geojson(CorridorOutline(((1.0, 2.0), (3.0, 4.0)), 7.0))
    assert corridor == {"type": "Corridor", "path": [[1.0, 2.0], [3.0, 4.0]], "half_width_m": 7.0}
