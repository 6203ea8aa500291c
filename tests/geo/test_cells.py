"""The H3 candidate index: resolutions, cell counts, and the covering property on crafted cases.

The randomised 10,000-pair index test lives in tests/detect/test_strategic.py, beside `clash`.
"""

from __future__ import annotations

import h3.api.basic_int as h3
import numpy as np
import pytest

from sharedsky.geo.cells import (
    CELL_RESOLUTIONS,
    circumradius_m,
    query_cells,
    storage_cells,
    storage_resolution,
)
from sharedsky.geo.distance import geodesic_destination
from sharedsky.geo.outlines import CircleOutline, CorridorOutline, PolygonOutline
from sharedsky.geo.shapes import densify


def square(lon: float, lat: float, side_deg: float) -> PolygonOutline:
    #   ┌─────┐  side_deg × side_deg, south-west corner at (lon, lat)
    #   └─────┘
    ring = (
        (lon, lat),
        (lon + side_deg, lat),
        (lon + side_deg, lat + side_deg),
        (lon, lat + side_deg),
        (lon, lat),
    )
    return PolygonOutline((ring,))


def test_storage_cells_are_one_resolution_and_bounded() -> None:
    for side_deg, most in ((0.05, 10), (0.9, 80), (3.0, 150), (12.0, 150)):
        cells = storage_cells(square(20.0, 40.0, side_deg))
        resolutions = {h3.get_resolution(c) for c in cells}
        assert len(resolutions) == 1 and resolutions <= set(CELL_RESOLUTIONS)
        assert 1 <= len(cells) <= most
        assert all(0 < c < 2**63 for c in cells)


def test_storage_resolution_coarsens_with_size() -> None:
    sizes = [square(20.0, 40.0, side) for side in (0.1, 2.0, 5.0, 12.0)]
    assert [storage_resolution(o) for o in sizes] == [5, 4, 3, 2]


def test_query_cells_cover_every_resolution() -> None:
    cells = query_cells(square(20.0, 40.0, 0.9), 9_260.0)
    assert {h3.get_resolution(c) for c in cells} == set(CELL_RESOLUTIONS)
    assert len(cells) < 200


def test_every_point_of_an_outline_is_in_a_storage_cell() -> None:
    outline = square(35.0, 33.0, 1.0)
    cells = set(storage_cells(outline))
    ring = densify(outline)[0]
    rng = np.random.default_rng(5)
    inner = 35.0 + rng.random((2000, 2))
    points = np.vstack([ring, np.column_stack([inner[:, 0], inner[:, 1] - 2.0])])
    for lon, lat in points:
        assert h3.latlng_to_cell(lat, lon, 5) in cells


def test_query_reaches_a_circle_just_inside_the_reach() -> None:
    #   ●───── 9,259 m ─────○      circle B just within reach of circle A
    reach_m = 9_260.0
    for lat in (0.0, 45.0, 80.0):
        for azimuth in range(0, 360, 15):
            lon_b, lat_b = geodesic_destination(10.0, lat, azimuth, 5_000.0 + 300.0 + 9_259.0)
            a = CircleOutline((10.0, lat), 5_000.0)
            b = CircleOutline((float(lon_b), float(lat_b)), 300.0)
            assert set(storage_cells(b)) & set(query_cells(a, reach_m))


def test_cells_near_the_antimeridian_wrap_around() -> None:
    #   │ ○   circle 3 km west of the antimeridian; its reach crosses it
    a = CircleOutline((179.95, 10.0), 2_000.0)
    b = CircleOutline((-179.95, 10.0), 2_000.0)
    assert set(storage_cells(b)) & set(query_cells(a, 9_260.0))


def test_corridor_cells_follow_the_path() -> None:
    corridor = CorridorOutline(((30.0, 40.0), (31.0, 40.5), (32.0, 40.0)), 1_000.0)
    cells = set(storage_cells(corridor))
    for lon, lat in densify(corridor)[0]:
        assert h3.latlng_to_cell(lat, lon, storage_resolution(corridor)) in cells


def test_negative_reach_is_refused() -> None:
    with pytest.raises(ValueError, match="non-negative"):
        query_cells(square(20.0, 40.0, 0.1), -1.0)


def test_circumradius_bound_holds_for_sampled_cells() -> None:
    rng = np.random.default_rng(11)
    for resolution in CELL_RESOLUTIONS:
        for lat, lon in zip(rng.uniform(-84, 84, 50), rng.uniform(-180, 180, 50), strict=True):
            cell = h3.latlng_to_cell(lat, lon, resolution)
            clat, clon = h3.cell_to_latlng(cell)
            for vlat, vlon in h3.cell_to_boundary(cell):
                d = h3.great_circle_distance((clat, clon), (vlat, vlon), unit="m")
                assert d < circumradius_m(resolution) / 1.1
