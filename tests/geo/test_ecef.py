"""Earth-centred positions and radii of curvature, against PROJ and the textbook values."""

from __future__ import annotations

import numpy as np
from pyproj import Transformer

from sharedsky.geo.distance import EARTH_MIN_RADIUS_M
from sharedsky.geo.ecef import (
    WGS84_A_M,
    ecef_m,
    meridian_radius_m,
    prime_vertical_radius_m,
)


def test_positions_agree_with_proj_to_a_micrometre() -> None:
    """PROJ's geographic → geocentric conversion (EPSG:4979 → EPSG:4978), at height 0."""
    rng = np.random.default_rng(7)
    lon = rng.uniform(-180.0, 180.0, 2_000)
    lat = np.concatenate([rng.uniform(-90.0, 90.0, 1_994), [90.0, -90.0, 0.0, 0.0, 45.0, -45.0]])
    to_ecef = Transformer.from_crs("EPSG:4979", "EPSG:4978", always_xy=True)
    x, y, z = to_ecef.transform(lon, lat, np.zeros_like(lon))
    ours = ecef_m(lon, lat)
    assert ours.shape == (2_000, 3)
    assert np.max(np.abs(ours - np.stack([x, y, z], axis=1))) < 1e-6


def test_the_shape_follows_the_input() -> None:
    assert ecef_m(0.0, 0.0).shape == (3,)
    assert ecef_m(np.zeros((4, 5)), np.zeros((4, 5))).shape == (4, 5, 3)
    assert np.allclose(ecef_m(90.0, 0.0), [0.0, WGS84_A_M, 0.0], atol=1e-9)


def test_radii_of_curvature_at_the_equator_and_the_pole() -> None:
    """At the equator the meridian's radius is a(1 − e²), the smallest anywhere, and the prime
    vertical's is a; at the poles both are a² / b."""
    b_m = 6_356_752.314245
    assert abs(float(meridian_radius_m(0.0)) - EARTH_MIN_RADIUS_M) < 0.5
    assert abs(float(prime_vertical_radius_m(0.0)) - WGS84_A_M) < 1e-9
    assert abs(float(meridian_radius_m(1.0)) - WGS84_A_M**2 / b_m) < 1e-3
    assert abs(float(prime_vertical_radius_m(-1.0)) - WGS84_A_M**2 / b_m) < 1e-3
    sines = np.sin(np.radians(np.linspace(-90.0, 90.0, 181)))
    assert np.all(meridian_radius_m(sines) >= EARTH_MIN_RADIUS_M - 0.5)
    assert np.all(meridian_radius_m(sines) <= prime_vertical_radius_m(sines) + 1e-6)


def test_single_precision_and_integer_inputs_are_computed_in_double() -> None:
    """A float32 latitude's sine, or whole degrees, give the float64 answer (float32 arithmetic
    would be off by decimetres)."""
    sines = np.sin(np.radians(np.linspace(-89.0, 89.0, 179)))
    for radius in (meridian_radius_m, prime_vertical_radius_m):
        single = radius(sines.astype(np.float32))
        assert single.dtype == np.float64
        assert np.max(np.abs(single - radius(sines.astype(np.float32).astype(np.float64)))) == 0.0
    whole = ecef_m(np.array([10, -170], dtype=np.int32), np.array([45, -60], dtype=np.int32))
    assert whole.dtype == np.float64
    assert np.array_equal(whole, ecef_m([10.0, -170.0], [45.0, -60.0]))
    single_ecef = ecef_m(np.float32(33.3), np.float32(44.4))
    assert np.array_equal(single_ecef, ecef_m(float(np.float32(33.3)), float(np.float32(44.4))))
