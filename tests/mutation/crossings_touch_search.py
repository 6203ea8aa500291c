"""Search for pieces that only the vertex test of the polygon stage cuts correctly.

`crossings._cut_spans` cuts a piece where it meets an edge (the parameters u along the piece and
v along the edge both within [−1e-9, 1 + 1e-9]) and also where it passes within 1 µm of an
edge's first vertex (`touch`). The second test matters only when rounding puts both edges at a
vertex outside the first: the piece must be almost parallel to both, so the boundary must be
almost straight there. This script builds such geometries — a ring whose second vertex V joins
two edges bent by 1e-10 to 1e-8 rad, closed 30 km to one side, and a piece through V at 1e-10 to
3e-8 rad to the first edge — and keeps, per direction of the piece (signs of dx and dy, and which
is larger), the first one where the engine agrees with Shapely's intersection within 1 cm while
the engine without its vertex test misses by more than 100 m. It prints them in the form of
`_GLANCING` in tests/detect/test_conformance_crossings.py.
Run: `.venv/bin/python tests/mutation/crossings_touch_search.py [SEED]`.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import shapely

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from detect.test_conformance_crossings import one_polygon_parts

from sharedsky.detect.conformance import crossings

Point = tuple[float, float]


def inside_m(ring: list[Point], start: Point, end: Point, *, vertex_test: bool) -> float:
    """Metres of the piece inside the ring, by the engine (with or without its vertex test)."""
    saved = crossings._TOUCH_M
    crossings._TOUCH_M = saved if vertex_test else -1.0
    try:
        spans = crossings.piece_spans(
            one_polygon_parts(ring),
            crossings.Pieces(
                np.zeros(1, dtype=np.int64),
                np.array([start[0]]),
                np.array([start[1]]),
                np.array([end[0]]),
                np.array([end[1]]),
            ),
        )
    finally:
        crossings._TOUCH_M = saved
    return float(np.sum(spans.u_end - spans.u_start)) * float(np.hypot(*np.subtract(end, start)))


def glancing(rng: np.random.Generator) -> tuple[list[Point], Point, Point]:
    """A ring with a flat vertex V and a piece glancing through V."""
    vertex = rng.uniform(-8e4, 8e4, 2)
    heading = rng.uniform(0.0, 2.0 * np.pi)
    bend = 10 ** rng.uniform(-10, -8) * rng.choice([-1, 1])
    glance = 10 ** rng.uniform(-10, -7.5) * rng.choice([-1, 1])
    before_m, after_m, back_m, ahead_m = rng.uniform(1e3, 2e4, 4)
    first = np.array([np.cos(heading), np.sin(heading)])
    second = np.array([np.cos(heading + bend), np.sin(heading + bend)])
    side = np.array([-np.sin(heading), np.cos(heading)]) * rng.choice([-1, 1]) * 3e4
    a, b = vertex - before_m * first, vertex + after_m * second
    ring = [a, vertex, b, b + side, a + side]
    along = np.array([np.cos(heading + glance), np.sin(heading + glance)])
    start, end = vertex - back_m * along, vertex + ahead_m * along
    return (
        [(float(x), float(y)) for x, y in ring],
        (float(start[0]), float(start[1])),
        (float(end[0]), float(end[1])),
    )


def main(seed: int) -> None:
    rng = np.random.default_rng(seed)
    found: dict[tuple[bool, bool, bool], tuple[list[Point], Point, Point]] = {}
    for _ in range(300_000):
        ring, start, end = glancing(rng)
        dx, dy = end[0] - start[0], end[1] - start[1]
        direction = (dx > 0, dy > 0, abs(dx) > abs(dy))
        if direction in found:
            continue
        expected = shapely.intersection(
            shapely.polygons(np.array(ring)), shapely.linestrings([start, end])
        ).length
        if abs(inside_m(ring, start, end, vertex_test=True) - expected) >= 0.01:
            continue
        if abs(inside_m(ring, start, end, vertex_test=False) - expected) > 100.0:
            found[direction] = (ring, start, end)
            if len(found) == 8:
                break
    for ring, start, end in found.values():
        print("    (")
        print("        [" + ", ".join(f"({x!r}, {y!r})" for x, y in ring) + "],")
        print(f"        ({start[0]!r}, {start[1]!r}),")
        print(f"        ({end[0]!r}, {end[1]!r}),")
        print("    ),")
    print(f"# {len(found)} of 8 directions found", file=sys.stderr)


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 11)
