"""Random outlines and volume pairs for detect tests (seeded; sizes 1–500 km)."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pytest

from sharedsky.detect.separation import Separation, VolumeGeom, closest_approach
from sharedsky.geo.distance import geodesic_destination
from sharedsky.geo.outlines import (
    CircleOutline,
    CorridorOutline,
    Outline,
    PolygonOutline,
    Position,
)
from sharedsky.geo.shapes import outline_core

LATERALS_M = (500.0, 5_000.0, 9_260.0, 18_520.0, 50_000.0)


def star(
    rng: np.random.Generator, lon: float, lat: float, size_m: float, even: bool = False
) -> list[Position]:
    """A closed star-shaped ring around (lon, lat), vertices 0.3–0.5 × size_m from it.

    even: 6–10 vertices at nearly even azimuths, so every edge passes ≥ 0.25 × size_m away.
    """
    count = int(rng.integers(6, 11)) if even else int(rng.integers(3, 11))
    if even:
        azimuths = np.linspace(0.0, 360.0, count, endpoint=False) + rng.uniform(-5, 5, count)
    else:  # sorted azimuths with every gap under 170°, so the ring is simple
        azimuths = np.zeros(1)
        while np.max(np.diff(np.append(azimuths, azimuths[0] + 360.0))) >= 170.0:
            azimuths = np.sort(rng.uniform(0.0, 360.0, count)) + np.arange(count) * 1e-3
    reach = rng.uniform(0.3, 0.5, count) * size_m
    ring_lon, ring_lat = geodesic_destination(lon, lat, azimuths, reach)
    ring = [(float(x), float(y)) for x, y in zip(ring_lon, ring_lat, strict=True)]
    return [*ring, ring[0]]


def random_outline(rng: np.random.Generator, lon: float, lat: float, size_m: float) -> Outline:
    """A polygon (30 % with a hole), circle or corridor of about size_m around (lon, lat)."""
    kind = rng.integers(3)
    if kind == 0:
        if rng.random() < 0.3:
            shell = star(rng, lon, lat, size_m, even=True)
            hole = star(rng, lon, lat, size_m * 0.4)[::-1]
            return PolygonOutline((tuple(shell), tuple(hole)))
        return PolygonOutline((tuple(star(rng, lon, lat, size_m)),))
    if kind == 1:
        return CircleOutline((lon, lat), size_m * rng.uniform(0.2, 0.5))
    steps = int(rng.integers(1, 5))
    path = [(lon, lat)]
    heading = rng.uniform(0.0, 360.0)
    for _ in range(steps):
        heading += rng.uniform(-60.0, 60.0)
        x, y = geodesic_destination(path[-1][0], path[-1][1], heading, size_m / (steps + 1))
        path.append((float(x), float(y)))
    return CorridorOutline(tuple(path), size_m * rng.uniform(0.01, 0.1))


def random_size_m(rng: np.random.Generator) -> float:
    """Log-uniform between 1 km and 500 km."""
    return float(np.exp(rng.uniform(math.log(1e3), math.log(5e5))))


def with_gap(fixed: Outline, round_one: Outline, gap_m: float) -> Outline | None:
    """round_one (a circle or corridor) with its radius set so it lies gap_m metres from fixed."""
    core_fixed, core_round = outline_core(fixed), outline_core(round_one)
    core_gap_m = closest_approach(core_fixed, core_round).core_distance_m - core_fixed.radius_m
    radius_m = core_gap_m - gap_m
    if radius_m <= 1.0:
        return None
    if isinstance(round_one, CircleOutline):
        return CircleOutline(round_one.center, radius_m)
    if isinstance(round_one, CorridorOutline):
        return CorridorOutline(round_one.path, radius_m)
    return None


@dataclass(frozen=True, slots=True)
class Pair:
    a: VolumeGeom
    b: VolumeGeom
    sep: Separation


def _volume(outline: Outline, alt_lo_m: float, t_start_s: float) -> VolumeGeom:
    return VolumeGeom(outline, alt_lo_m, alt_lo_m + 300.0, t_start_s, t_start_s + 3_600.0)


def random_pair(rng: np.random.Generator, lat_max_deg: float = 70.0) -> Pair:
    """A random pair; about half are built to lie within ±1 m of one of the thresholds."""
    lateral_m = float(rng.choice(LATERALS_M))
    sep = Separation(lateral_m, 300.0, 600.0)
    lon = float(rng.uniform(-170.0, 170.0))
    lat = float(rng.uniform(-lat_max_deg, lat_max_deg))
    size_a, size_b = random_size_m(rng), random_size_m(rng)
    a = random_outline(rng, lon, lat, size_a)
    reach = (size_a + size_b) * rng.uniform(0.3, 0.9) + lateral_m * rng.uniform(0.0, 2.0)
    lon_b, lat_b = geodesic_destination(lon, lat, rng.uniform(0.0, 360.0), reach)
    b = random_outline(rng, float(lon_b), float(lat_b), size_b)
    alt_b, t_b = 0.0, 0.0
    mode = rng.integers(4)
    if mode == 1:  # lateral threshold ± 1 m
        gap_m = lateral_m + float(rng.choice([-1.0, 1.0, 0.0, -0.01]))
        if not isinstance(b, PolygonOutline):
            b = with_gap(a, b, gap_m) or b
        elif not isinstance(a, PolygonOutline):
            a = with_gap(b, a, gap_m) or a
    elif mode == 2:  # vertical threshold ± 1 m
        alt_b = 300.0 + 300.0 + float(rng.choice([-1.0, 0.0, 1.0]))
    elif mode == 3:  # time threshold ± 1 s
        t_b = 3_600.0 + 600.0 + float(rng.choice([-1.0, 0.0, 1.0]))
    return Pair(_volume(a, 0.0, 0.0), _volume(b, alt_b, t_b), sep)


@pytest.fixture(scope="session")
def make_pair() -> Callable[[np.random.Generator], Pair]:
    """random_pair, as a fixture (tests import nothing from conftest)."""
    return random_pair


@pytest.fixture(scope="session")
def make_outline() -> Callable[[np.random.Generator, float, float, float], Outline]:
    """random_outline, as a fixture."""
    return random_outline
