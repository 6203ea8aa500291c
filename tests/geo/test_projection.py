"""Local aeqd frames: round trip, exact distance from the centre, the stretch bound."""

from __future__ import annotations

import numpy as np

from sharedsky.geo.distance import geodesic_distance_m
from sharedsky.geo.projection import frame_at, frame_stretch


def test_forward_then_inverse_returns_the_positions() -> None:
    frame = frame_at(35.5, 33.9)
    rng = np.random.default_rng(7)
    lon = 35.5 + rng.uniform(-8.0, 8.0, 500)
    lat = 33.9 + rng.uniform(-8.0, 8.0, 500)
    back_lon, back_lat = frame.inverse(*frame.forward(lon, lat))
    assert np.max(np.abs(back_lon - lon)) < 1e-9
    assert np.max(np.abs(back_lat - lat)) < 1e-9


def test_distance_from_the_centre_is_geodesic() -> None:
    frame = frame_at(-3.0, 52.0)
    lon, lat = np.array([-3.0, 2.0, -9.0]), np.array([60.0, 52.0, 45.0])
    x, y = frame.forward(lon, lat)
    expected = geodesic_distance_m(-3.0, 52.0, lon, lat)
    assert np.allclose(np.hypot(x, y), expected, rtol=0.0, atol=1e-6)


def test_frame_centre_is_rounded_to_a_microdegree() -> None:
    assert frame_at(10.00000012, 45.0) == frame_at(10.00000009, 45.0)


def test_planar_distances_stretch_within_the_bound() -> None:
    frame = frame_at(20.0, 50.0)
    rng = np.random.default_rng(3)
    lon = 20.0 + rng.uniform(-12.0, 12.0, (2, 400))
    lat = 50.0 + rng.uniform(-8.0, 8.0, (2, 400))
    x, y = frame.forward(lon, lat)
    planar = np.hypot(x[0] - x[1], y[0] - y[1])
    true = geodesic_distance_m(lon[0], lat[0], lon[1], lat[1])
    reach = np.max(np.hypot(x, y))
    ratio = planar / true - 1.0
    assert np.all(ratio <= frame_stretch(float(reach)))
    assert np.all(ratio >= -1e-9)
