"""Earth-centred, Earth-fixed (ECEF) positions on the WGS84 ellipsoid, and its radii of curvature.

The detection engines measure straight chords between points on the ellipsoid (a chord is never
longer than the geodesic it spans) and move aircraft along normal sections, so they need the
ellipsoid's cartesian form rather than a map projection. Heights are not used: a point is placed
on the ellipsoid surface, which is what every horizontal minimum is measured on.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]

WGS84_A_M = 6_378_137.0
"""Semi-major axis (equatorial radius), metres."""
WGS84_F = 1.0 / 298.257223563
"""Flattening."""
WGS84_E2 = WGS84_F * (2.0 - WGS84_F)
"""First eccentricity squared."""


def ecef_m(lon_deg: npt.ArrayLike, lat_deg: npt.ArrayLike) -> FloatArray:
    """Earth-centred (x, y, z) metres of points on the WGS84 ellipsoid, shape (..., 3).

    >>> [round(float(v), 3) for v in ecef_m(0.0, 0.0)]
    [6378137.0, 0.0, 0.0]
    """
    lon = np.radians(np.asarray(lon_deg, dtype=np.float64))
    lat = np.radians(np.asarray(lat_deg, dtype=np.float64))
    sin_lat, cos_lat = np.sin(lat), np.cos(lat)
    prime = prime_vertical_radius_m(sin_lat)
    return np.stack(
        [
            prime * cos_lat * np.cos(lon),
            prime * cos_lat * np.sin(lon),
            prime * (1.0 - WGS84_E2) * sin_lat,
        ],
        axis=-1,
    )


def prime_vertical_radius_m(sin_lat: npt.ArrayLike) -> FloatArray:
    """Radius of curvature in the prime vertical (east–west) at latitudes with these sines, m."""
    sin = np.asarray(sin_lat, dtype=np.float64)
    radius: FloatArray = WGS84_A_M / np.sqrt(1.0 - WGS84_E2 * sin * sin)
    return radius


def meridian_radius_m(sin_lat: npt.ArrayLike) -> FloatArray:
    """Radius of curvature of the meridian (north–south) at latitudes with these sines, metres.

    >>> round(float(meridian_radius_m(0.0)), 3)  # the smallest: `distance.EARTH_MIN_RADIUS_M`
    6335439.327
    """
    sin = np.asarray(sin_lat, dtype=np.float64)
    radius: FloatArray = WGS84_A_M * (1.0 - WGS84_E2) / (1.0 - WGS84_E2 * sin * sin) ** 1.5
    return radius
