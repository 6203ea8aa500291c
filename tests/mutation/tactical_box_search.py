"""Search for a pair that the tactical grid would drop with `_box_lateral_m` mutant 4.

`tactical._box_lateral_m` pads each track's swept box in the grid's plane; mutant 4 turns
`coarse_m + 2·gs·T` into `coarse_m − 2·gs·T` in its reach, which shrinks the bound by up to
tens of metres when aircraft are fast. A candidate is lost only if a pair passes the coarse
test while the gap between the two tracks' swept ranges along x or y exceeds the bound. This
script looks for such a pair: random geometries (a pair of tracks of different parties, the
second placed within the distance flown, speeds with 2·gs·T ≥ the minimum, and a third, standing
track of the first party up to 2,000 km away to tilt the batch's plane), then a local search
that maximises gap − mutated bound. It prints the best margin found (negative: nothing
dropped). Run: `.venv/bin/python tests/mutation/tactical_box_search.py [SEED]`.
"""

from __future__ import annotations

import sys

import numpy as np
from pyproj import Geod

from sharedsky.detect import _grid_kernel, tactical
from sharedsky.detect.tracks import TrackColumns
from sharedsky.geo.distance import EARTH_MIN_RADIUS_M
from sharedsky.geo.states import States

GEOD = Geod(ellps="WGS84")
LOOKAHEAD_S = 300.0


def mutated_bound_m(coarse_m: float, gs_max_mps: float) -> float:
    reach_m = 1.01 * (coarse_m - 2.0 * gs_max_mps * LOOKAHEAD_S)
    tilt = reach_m / (2.0 * EARTH_MIN_RADIUS_M)
    vertical_m = 0.01 * reach_m**2 / EARTH_MIN_RADIUS_M + 2.0 * gs_max_mps * tilt * LOOKAHEAD_S
    return float(np.hypot(coarse_m, vertical_m)) + 1.0


def margin_m(p: list[float]) -> float | None:
    """Axis gap − mutated bound for a pair that passes the coarse test (None otherwise)."""
    lat0, lateral_m, gs_a, gs_b, trk_a, trk_b, az_b, d_b, d_c, az_c = p
    gs_a, gs_b = abs(gs_a), abs(gs_b)
    if not (-80 < lat0 < 80 and 1e3 < lateral_m < 2e5 and max(gs_a, gs_b) <= 1e3):
        return None
    if d_b <= 0 or not 0 <= d_c < 3e6 or 2 * max(gs_a, gs_b) * LOOKAHEAD_S < lateral_m:
        return None
    lon_b, lat_b, _ = GEOD.fwd(0.0, lat0, az_b, d_b)
    lon_c, lat_c, _ = GEOD.fwd(0.0, lat0, az_c, d_c)
    tracks = TrackColumns(
        [0, 1, 0],
        States(
            [lat0, lat_b, lat_c],
            [0.0, lon_b, lon_c],
            [5e3, 5e3, 5e3],
            [gs_a, gs_b, 0.0],
            [trk_a % 360, trk_b % 360, 0.0],
            [0.0, 0.0, 0.0],
        ),
    )
    m = tactical._planar(tracks)
    state = m.packed()
    coarse_m = lateral_m + tactical._MODEL_SLACK_M
    if not _grid_kernel._coarse_conflict_py(state, 0, 1, LOOKAHEAD_S, coarse_m, 304.801):
        return None
    gap = -np.inf
    for pos, vel in ((m.x_m, m.vx_mps), (m.y_m, m.vy_mps)):
        a = sorted([pos[0], pos[0] + vel[0] * LOOKAHEAD_S])
        b = sorted([pos[1], pos[1] + vel[1] * LOOKAHEAD_S])
        gap = max(gap, b[0] - a[1], a[0] - b[1])
    return float(gap) - mutated_bound_m(coarse_m, max(gs_a, gs_b))


def main(seed: int) -> None:
    rng = np.random.default_rng(seed)
    best, best_p = -np.inf, None
    for _ in range(20_000):
        lateral_m = rng.uniform(5e3, 1.5e5)
        gs = rng.uniform(0.3 * lateral_m / LOOKAHEAD_S, 1e3)
        p = [
            rng.uniform(-70, 70),
            lateral_m,
            gs,
            rng.uniform(0, gs),
            *rng.uniform(0, 360, 3),
            rng.uniform(lateral_m, lateral_m + 2 * gs * LOOKAHEAD_S),
            rng.uniform(0, 2e6),
            rng.uniform(0, 360),
        ]
        found = margin_m(p)
        if found is not None and found > best:
            best, best_p = found, p
    assert best_p is not None
    scale = np.array([1, 1e3, 20, 20, 5, 5, 5, 1e3, 2e4, 5])
    for _ in range(30_000):
        q = list(np.asarray(best_p) + rng.normal(size=10) * scale * rng.choice([1, 0.1, 0.01]))
        found = margin_m(q)
        if found is not None and found > best:
            best, best_p = found, q
    print(f"seed {seed}: largest axis gap − mutated bound {best:.1f} m at {np.round(best_p, 2)}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 0)
