"""Geodesic helpers on WGS84."""

from __future__ import annotations

import numpy as np
import pytest

from sharedsky.geo.distance import (
    geodesic_azimuth_deg,
    geodesic_destination,
    geodesic_distance_m,
    geodesic_midpoint,
    point_distance_m,
)


def test_one_degree_of_equator_is_111_319_m() -> None:
    assert float(geodesic_distance_m(0.0, 0.0, 1.0, 0.0)) == pytest.approx(111_319.4908, abs=1e-3)


def test_destination_then_distance_round_trips() -> None:
    lon, lat = geodesic_destination(35.0, 33.0, np.array([0.0, 90.0, 225.0]), 12_345.0)
    assert np.allclose(geodesic_distance_m(35.0, 33.0, lon, lat), 12_345.0, atol=1e-6)
    assert np.allclose(geodesic_azimuth_deg(35.0, 33.0, lon, lat) % 360, [0, 90, 225], atol=1e-9)


def test_midpoint_is_halfway() -> None:
    a, b = (10.0, 45.0), (14.0, 48.0)
    m = geodesic_midpoint(a, b)
    assert point_distance_m(a, m) == pytest.approx(point_distance_m(m, b), abs=1e-6)
    assert point_distance_m(a, m) * 2 == pytest.approx(point_distance_m(a, b), abs=1e-6)


def test_the_inverse_and_forward_problems_keep_shapes_and_agree() -> None:
    """geodesic_inverse and geodesic_forward broadcast like NumPy, keep the input's shape (0-d
    included) and undo each other to a nanometre."""
    from sharedsky.geo.distance import geodesic_forward, geodesic_inverse

    lon1 = np.array([[0.0, 10.0], [-170.0, 179.5]])
    lat1 = np.array([[0.0, 45.0], [-60.0, 89.0]])
    az, back, dist = geodesic_inverse(lon1, lat1, 1.0, 1.0)
    assert az.shape == back.shape == dist.shape == (2, 2)
    assert az.dtype == dist.dtype == np.float64
    lon2, lat2, back2 = geodesic_forward(lon1, lat1, az, dist)
    assert np.allclose(lon2, 1.0, atol=1e-9) and np.allclose(lat2, 1.0, atol=1e-9)
    assert np.allclose(back2, back, atol=1e-9)
    one = geodesic_inverse(0.0, 0.0, 1.0, 0.0)
    assert [x.shape for x in one] == [(), (), ()]
    assert round(float(one[2]), 3) == 111319.491
    assert float(one[0]) == 90.0
