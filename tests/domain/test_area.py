"""The area of responsibility: a volume wholly outside it is refused, with a word on swapped
coordinates, unless its filer means it.

The area below is the bbox [35, 32, 42, 37.5] (lon, lat)::

    37.5 ┌──────────────┐
         │   area       │   · (36.7 E, 34.8 N): inside
    32.0 └──────────────┘   · (34.8 E, 36.7 N): the same numbers swapped, west of it
         35            42
"""

from __future__ import annotations

import pytest

from sharedsky.domain.area import bbox_area, check_in_area
from sharedsky.domain.errors import OutsideArea
from sharedsky.geo.outlines import CircleOutline, CorridorOutline, PolygonOutline
from sharedsky.geo.shapes import outlines_meet, swapped

AREA = bbox_area(35.0, 32.0, 42.0, 37.5)


def square(lon: float, lat: float, size_deg: float = 0.2) -> PolygonOutline:
    corners = ((0, 0), (1, 0), (1, 1), (0, 1), (0, 0))
    return PolygonOutline(
        (tuple((lon + dx * size_deg, lat + dy * size_deg) for dx, dy in corners),)
    )


def test_a_volume_inside_or_across_the_edge_is_taken() -> None:
    """R-AREA-1"""
    check_in_area(AREA, square(36.7, 34.8), ("volumes", 0), outside_allowed=False)
    check_in_area(AREA, square(34.9, 34.8), ("volumes", 0), outside_allowed=False)  # across
    check_in_area(AREA, CircleOutline((34.95, 34.8), 10_000), ("v",), outside_allowed=False)


def test_swapped_coordinates_are_refused_with_the_hint_and_the_path() -> None:
    """R-AREA-1"""
    with pytest.raises(OutsideArea) as refused:
        check_in_area(AREA, square(34.5, 36.7), ("volumes", 2), outside_allowed=False)
    assert refused.value.code == "outside-area"
    assert refused.value.path == ("volumes", 2, "outline")
    detail = refused.value.detail
    assert "wholly outside the mechanism's area of responsibility" in detail
    assert "latitude 36.7000N, longitude 34.5000E" in detail
    assert "swapped, the numbers would lie inside it" in detail
    assert "[longitude, latitude]" in detail and "outside_area: true" in detail


def test_far_away_numbers_are_refused_without_claiming_a_swap() -> None:
    """R-AREA-1"""
    with pytest.raises(OutsideArea) as refused:
        check_in_area(
            AREA, CorridorOutline(((2.0, 48.0), (3.0, 49.0)), 1000.0), (), outside_allowed=False
        )
    assert "check the order of the numbers" in refused.value.detail
    assert "would lie inside" not in refused.value.detail


def test_outside_allowed_or_no_area_takes_any_volume() -> None:
    """R-AREA-1"""
    check_in_area(AREA, square(2.0, 48.0), ("volume",), outside_allowed=True)
    check_in_area(None, square(2.0, 48.0), ("volume",), outside_allowed=False)


def test_swapping_reads_each_position_the_other_way_round() -> None:
    assert swapped(CircleOutline((36.7, 34.8), 5.0)) == CircleOutline((34.8, 36.7), 5.0)
    assert swapped(CorridorOutline(((1.0, 2.0), (3.0, 4.0)), 9.0)) == CorridorOutline(
        ((2.0, 1.0), (4.0, 3.0)), 9.0
    )
    assert swapped(square(120.0, 10.0)) is None  # 120 cannot be a latitude
    assert outlines_meet(AREA, square(36.0, 33.0))
    assert not outlines_meet(AREA, square(34.0, 33.0))
