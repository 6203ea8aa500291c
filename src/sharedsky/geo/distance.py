"""Geodesic distance, azimuth and destination on the WGS84 ellipsoid, in metres and degrees.

Every function is vectorised over NumPy arrays (scalars work too) and wraps pyproj's `Geod`,
which implements Karney's algorithms (accurate to a few nanometres).
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
from pyproj import Geod

FloatArray = npt.NDArray[np.float64]

WGS84 = Geod(ellps="WGS84")
"""The WGS84 ellipsoid; a `Geod` holds only constants."""

EARTH_MIN_RADIUS_M = 6_335_439.0
"""Smallest radius of curvature of WGS84 (meridional, at the equator), metres."""


def geodesic_distance_m(
    lon1: npt.ArrayLike, lat1: npt.ArrayLike, lon2: npt.ArrayLike, lat2: npt.ArrayLike
) -> FloatArray:
    """Geodesic distance in metres between (lon1, lat1) and (lon2, lat2), degrees, elementwise.

    >>> round(float(geodesic_distance_m(0.0, 0.0, 1.0, 0.0)), 3)
    111319.491
    """
    return geodesic_inverse(lon1, lat1, lon2, lat2)[2]


def point_distance_m(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Geodesic distance in metres between two (lon_deg, lat_deg) positions."""
    return float(geodesic_distance_m(a[0], a[1], b[0], b[1]))


def geodesic_azimuth_deg(
    lon1: npt.ArrayLike, lat1: npt.ArrayLike, lon2: npt.ArrayLike, lat2: npt.ArrayLike
) -> FloatArray:
    """Forward azimuth in degrees (clockwise from north) at (lon1, lat1) towards (lon2, lat2)."""
    return geodesic_inverse(lon1, lat1, lon2, lat2)[0]


def geodesic_destination(
    lon: npt.ArrayLike, lat: npt.ArrayLike, azimuth_deg: npt.ArrayLike, distance_m: npt.ArrayLike
) -> tuple[FloatArray, FloatArray]:
    """(lon_deg, lat_deg) reached by travelling distance_m metres along azimuth_deg degrees."""
    lon2, lat2, _ = geodesic_forward(lon, lat, azimuth_deg, distance_m)
    return lon2, lat2


def geodesic_inverse(
    lon1: npt.ArrayLike, lat1: npt.ArrayLike, lon2: npt.ArrayLike, lat2: npt.ArrayLike
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """(azimuth at 1 towards 2, back azimuth at 2 towards 1, distance_m) of the geodesics from
    (lon1, lat1) to (lon2, lat2), degrees and metres, elementwise (broadcast)."""
    x1, y1, x2, y2 = np.broadcast_arrays(*_floats(lon1, lat1, lon2, lat2))
    az, back, dist = WGS84.inv(x1, y1, x2, y2)
    return _float(az, x1), _float(back, x1), _float(dist, x1)


def geodesic_forward(
    lon: npt.ArrayLike, lat: npt.ArrayLike, azimuth_deg: npt.ArrayLike, distance_m: npt.ArrayLike
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """(lon_deg, lat_deg, back azimuth) reached by travelling distance_m metres along
    azimuth_deg degrees, elementwise (broadcast); the back azimuth points to the start."""
    x, y, az, dist = np.broadcast_arrays(*_floats(lon, lat, azimuth_deg, distance_m))
    lon2, lat2, back = WGS84.fwd(x, y, az, dist)
    return _float(lon2, x), _float(lat2, x), _float(back, x)


def _float(value: object, like: FloatArray) -> FloatArray:
    """pyproj's answer as float64 of the input's shape (it flattens 0-d input to a float)."""
    return np.asarray(value, dtype=np.float64).reshape(like.shape)


def geodesic_midpoint(a: tuple[float, float], b: tuple[float, float]) -> tuple[float, float]:
    """The (lon_deg, lat_deg) halfway along the geodesic from a to b."""
    az, _, dist = WGS84.inv(a[0], a[1], b[0], b[1])
    lon, lat, _ = WGS84.fwd(a[0], a[1], az, dist / 2.0)
    return float(lon), float(lat)


def _floats(*values: npt.ArrayLike) -> list[FloatArray]:
    return [np.asarray(v, dtype=np.float64) for v in values]
